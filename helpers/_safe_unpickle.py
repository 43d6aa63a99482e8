"""A restricted unpickler: load a pickle that may refer only to an explicit allow-list of globals.

``pickle.load`` executes whatever callables a pickle names (``os.system``, ``builtins.eval``, ...), so a
tampered or malicious file runs code on load. :func:`restricted_load` resolves only the globals listed by
the caller and refuses everything else *before* anything is called, with :class:`UnsafePickleError`.

The elpasolite source ``train_set.pkl`` (a Python 2, protocol-2 pickle of a dict of numpy arrays) refers
to exactly three globals (checked with ``pickletools.genops``): ``numpy.ndarray``, ``numpy.dtype`` and
``numpy.core.multiarray._reconstruct``. numpy 2 moved the last one to ``numpy._core.multiarray``;
:data:`NUMPY_ARRAY_GLOBALS` admits both spellings and resolves them to the same function without importing
the deprecated ``numpy.core`` alias.
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Callable, Mapping
from typing import Any, BinaryIO


class UnsafePickleError(pickle.UnpicklingError):
    """The pickle refers to a global that is not on the allow-list; nothing from it was called."""


def _numpy_globals() -> dict[tuple[str, str], Callable[[], Any]]:
    def reconstruct():
        from numpy._core.multiarray import _reconstruct  # numpy >= 2

        return _reconstruct

    def ndarray():
        import numpy

        return numpy.ndarray

    def dtype():
        import numpy

        return numpy.dtype

    return {
        ("numpy.core.multiarray", "_reconstruct"): reconstruct,
        ("numpy._core.multiarray", "_reconstruct"): reconstruct,
        ("numpy", "ndarray"): ndarray,
        ("numpy", "dtype"): dtype,
    }


#: The globals a plain numpy-array pickle needs (and nothing else).
NUMPY_ARRAY_GLOBALS: Mapping[tuple[str, str], Callable[[], Any]] = _numpy_globals()


class RestrictedUnpickler(pickle.Unpickler):
    """``pickle.Unpickler`` whose ``find_class`` admits only ``allowed`` ``(module, name)`` pairs."""

    def __init__(self, file: BinaryIO, *, allowed: Mapping[tuple[str, str], Callable[[], Any]],
                 source: str = "<pickle>", **kwargs: Any) -> None:
        super().__init__(file, **kwargs)
        self._allowed = allowed
        self._source = source

    def find_class(self, module: str, name: str) -> Any:  # noqa: D401 (pickle API)
        resolve = self._allowed.get((module, name))
        if resolve is None:
            allowed = ", ".join(sorted(f"{m}.{n}" for m, n in self._allowed))
            raise UnsafePickleError(
                f"{self._source}: refusing to load global '{module}.{name}'; this pickle may refer only to "
                f"{allowed}. The file is not the expected data file (tampered or replaced?); nothing in it was "
                "executed.")
        return resolve()

    def persistent_load(self, pid: Any) -> Any:
        raise UnsafePickleError(f"{self._source}: persistent ids are not allowed (got {pid!r})")


def restricted_load(data: bytes | BinaryIO, *, allowed: Mapping[tuple[str, str], Callable[[], Any]] = NUMPY_ARRAY_GLOBALS,
                    source: str = "<pickle>", encoding: str = "latin1") -> Any:
    """Unpickle ``data`` (bytes or a binary file) admitting only the globals in ``allowed``.

    ``encoding="latin1"`` is what numpy arrays pickled under Python 2 need (their raw buffers are py2 ``str``).
    Raises :class:`UnsafePickleError` on any other global.
    """
    fh = io.BytesIO(data) if isinstance(data, (bytes, bytearray)) else data
    return RestrictedUnpickler(fh, allowed=allowed, source=source, encoding=encoding).load()
