"""The exceptions of :mod:`helpers.data`; every one is a :class:`DataError`."""

from __future__ import annotations

import pickle

__all__ = ["DataError", "DataNotFoundError", "DataIntegrityError", "GeometryParseError", "UnsafePickleError"]


class DataError(Exception):
    """Base class of every data-layer error; the message says what is wrong and what to do."""


class DataNotFoundError(DataError, FileNotFoundError):
    """A registered file is in none of the places tried (cache, mirror, download)."""


class DataIntegrityError(DataError):
    """A file exists but its size or sha256 differs from the registry, or its content is not as registered."""


class GeometryParseError(DataError, ValueError):
    """A TCO ``geometry.xyz`` file does not follow the expected format (message names file and line)."""


class UnsafePickleError(DataError, pickle.UnpicklingError):
    """A pickle does something a genuine numpy-array pickle does not; it was refused and nothing was executed."""
