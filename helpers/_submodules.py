"""Re-export the public names of a package's submodules, so that ``from helpers import plots;
plots.parity_chart`` works whichever module of the package defines the function.

Each submodule owns one job (and one author at a time); the package ``__init__`` lists them. A
listed submodule that does not exist yet is skipped, any other import error propagates.
"""

from __future__ import annotations

import importlib


def reexport(package: str, namespace: dict, modules: tuple[str, ...]) -> list[str]:
    """Import ``package.<m>`` for each ``m`` in ``modules`` and copy its ``__all__`` into ``namespace``.

    Returns the combined ``__all__``. Raises ``ValueError`` if two submodules export the same name.
    """
    exported: dict[str, str] = {}
    for name in modules:
        full = f"{package}.{name}"
        try:
            module = importlib.import_module(full)
        except ModuleNotFoundError as exc:
            if exc.name == full:
                continue
            raise
        for attr in getattr(module, "__all__", ()):
            if attr in exported:
                raise ValueError(f"{attr!r} is exported by both {exported[attr]} and {full}")
            exported[attr] = full
            namespace[attr] = getattr(module, attr)
    return sorted(exported)
