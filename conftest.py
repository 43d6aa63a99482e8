"""Let nbval collect the jupytext chapters (``chapters/*.md``) directly, with no .ipynb in the tree.

``pytest --nbval-lax --nbval-current-env chapters/`` reads each chapter through ``jupytext.read``.
A MyST chapter stores no outputs, so nbval runs every cell and fails on an error; what the text
claims is checked by the ``assert`` statements in its hidden (``remove-cell``) cells, not by comparing
outputs. Without the nbval flags this file does nothing and plain ``pytest`` runs only the unit tests
under ``tests/``.
"""

from pathlib import Path
from unittest import mock

import jupytext
import nbformat
import nbval.plugin as nbval_plugin

ROOT = Path(__file__).parent
CHAPTERS = ROOT / "chapters"


def _read_chapter(path, as_version=4, **kwargs):
    return jupytext.read(path)


class _NbformatShim:
    """nbval's ``collect()`` calls ``nbformat.read(path, as_version=4)``; route that through jupytext."""

    read = staticmethod(_read_chapter)

    def __getattr__(self, name):
        return getattr(nbformat, name)


class JupytextNbFile(nbval_plugin.IPyNbFile):
    def collect(self):
        with mock.patch.object(nbval_plugin, "nbformat", _NbformatShim()):
            yield from super().collect()


def _is_chapter(path: Path) -> bool:
    return path.parent == CHAPTERS and path.suffix == ".md" and not path.name.startswith("_")


def pytest_collect_file(file_path, parent):
    opt = parent.config.option
    if (opt.nbval or opt.nbval_lax) and _is_chapter(file_path):
        return JupytextNbFile.from_parent(parent, path=file_path)
    return None
