"""The student edition: the book and the chapters' notebooks without the exercises' solutions.

Usage (``make student`` runs both steps after ``make book``)::

    python tools/student_edition.py notebooks [--out _build/student/notebooks]
    python tools/student_edition.py html-source [--executed _build/jupyter_execute] [--out _build/student/src]

``notebooks`` writes one ``.ipynb`` per chapter (``chapters/[0-9]*.md``, read with jupytext) with every
solution removed and an empty code cell after each exercise, for the student's answer. The notebooks carry
no outputs: a student runs them from the top. Hidden cells (``remove-cell``: glue and asserts) stay, since
later cells may rely on them, but their input is collapsed in JupyterLab.

``html-source`` writes a copy of the book's source in which every page that has code is a notebook: its
text from the source as it is now, its outputs from the notebook that ``make book`` executed
(``_build/jupyter_execute``), its solutions removed. The copy's ``_config.yml`` differs from the book's in
three settings only: no execution (the outputs are already there), sphinx-exercise's ``hide_solutions`` and
the title. ``jupyter-book build`` on that folder gives the student HTML in the time of a build without
execution, instead of executing every chapter again. The glued values, which myst-nb keeps beside the executed
notebook (``<doc>.glue.json``), are put back into its outputs. An executed notebook whose code differs
from its source is refused: the instructor build is stale, run ``make book`` again.

Solutions are the gated blocks of sphinx-exercise, ``{solution-start}`` … ``{solution-end}`` (a block
may span markdown and code cells, and start or end in the middle of a markdown cell), and plain
``{solution}`` directives. The instructor build is not touched: nothing here writes outside ``--out``.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import shutil
import sys
from pathlib import Path

import jupytext
import nbformat
import yaml
from jupytext.combine import combine_inputs_with_outputs

ROOT = Path(__file__).resolve().parents[1]

_FENCE = r"(?P<fence>`{3,}|:{3,})"
SOLUTION_START = re.compile(_FENCE + r"\{solution-start\}")
SOLUTION_END = re.compile(_FENCE + r"\{solution-end\}")
SOLUTION_BLOCK = re.compile(_FENCE + r"\{solution\}")
EXERCISE = re.compile(_FENCE + r"\{exercise\}")
EXERCISE_END = re.compile(_FENCE + r"\{exercise-end\}")
#: tag of the empty code cell that follows each exercise in a student notebook
ANSWER_TAG = "answer"
#: the student HTML is built from notebooks executed by the instructor build: it has no execution
#: statistics of its own, so the table is replaced by a note
STUDENT_REPLACEMENTS = {
    "```{nb-exec-table}\n```": (
        ":::{note}\nThe student edition is built from the notebooks executed for the instructor edition "
        "and executes nothing itself; the table of execution statistics is in the instructor edition.\n:::"
    ),
}


class StudentEditionError(RuntimeError):
    """The chapters or the instructor build cannot be turned into a student edition (says what to do)."""


def strip_solutions(nb: nbformat.NotebookNode, *, answer_cells: bool = False, name: str = "notebook"):
    """A copy of ``nb`` without any solution; with ``answer_cells``, an empty code cell after each exercise.

    Raises :class:`StudentEditionError` for a solution that never ends or a solution inside a solution.
    """
    out = copy.deepcopy(nb)
    cells: list[nbformat.NotebookNode] = []
    inside = None  # (cell number, fence that closes the block, or None for a gated block) while in a solution
    closing = None  # the closing fence of a {solution-end} directive still to skip
    for number, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            if inside is None:
                cells.append(copy.deepcopy(cell))
            continue
        kept: list[str] = []
        exercise_fence = None
        for line in cell.source.splitlines():
            stripped = line.strip()
            if closing is not None:  # the closing fence of the {solution-end} directive
                if stripped == closing:
                    closing, inside = None, None
                continue
            if inside is not None:
                if SOLUTION_START.match(stripped) or SOLUTION_BLOCK.match(stripped):
                    raise StudentEditionError(f"{name}, cell {number}: a solution starts inside another solution")
                if inside[1] is None and (end := SOLUTION_END.match(stripped)):
                    closing = end["fence"]
                elif inside[1] is not None and stripped == inside[1]:
                    inside = None
                continue
            if SOLUTION_START.match(stripped):
                inside = (number, None)
                continue
            if block := SOLUTION_BLOCK.match(stripped):
                inside = (number, block["fence"])
                continue
            if SOLUTION_END.match(stripped):
                raise StudentEditionError(f"{name}, cell {number}: a solution-end without a solution-start")
            kept.append(line)
            # an exercise ends at the closing fence of {exercise} or of the {exercise-end} directive
            if opened := EXERCISE.match(stripped) or EXERCISE_END.match(stripped):
                exercise_fence = opened["fence"]
            elif exercise_fence is not None and stripped == exercise_fence:
                exercise_fence = None
                if answer_cells:
                    _flush(cells, cell, kept)
                    cells.append(_answer_cell())
                    kept = []
        _flush(cells, cell, kept)
    if inside is not None:
        raise StudentEditionError(f"{name}: the solution that starts in cell {inside[0]} has no end")
    out.cells = cells
    _fresh_ids(out)
    return out


def _flush(cells: list, template: nbformat.NotebookNode, lines: list[str]) -> None:
    """Append the kept lines of a markdown cell as a cell of their own, unless they are blank."""
    text = "\n".join(lines).strip("\n")
    if text.strip():
        new = copy.deepcopy(template)
        new.source = text
        cells.append(new)


def _answer_cell() -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell("", metadata={"tags": [ANSWER_TAG]})


def _fresh_ids(nb: nbformat.NotebookNode) -> None:
    """Unique cell ids after cells were split: nbformat 4.5 requires them, 4.4 and older forbid them."""
    for i, cell in enumerate(nb.cells):
        if (nb.nbformat, nb.nbformat_minor) >= (4, 5):
            cell["id"] = f"cell-{i}"
        else:
            cell.pop("id", None)


def student_notebook(path: Path) -> nbformat.NotebookNode:
    """The student notebook of the chapter at ``path``: no solutions, an answer cell after each exercise,
    no outputs, hidden cells collapsed."""
    nb = strip_solutions(jupytext.read(path), answer_cells=True, name=path.name)
    nb.metadata.pop("jupytext", None)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            if "remove-cell" in cell.metadata.get("tags", []):
                cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
    nbformat.validate(nb)
    return nb


def write_notebooks(chapters: list[Path], out: Path) -> list[Path]:
    """Write the student notebook of each chapter into ``out``; returns the paths written."""
    if not chapters:
        raise StudentEditionError("no chapters given: expected chapters/NN_topic.md files")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in chapters:
        target = out / f"{path.stem}.ipynb"
        nbformat.write(student_notebook(path), target)
        written.append(target)
    return written


# ----------------------------------------------------------------------------- the student HTML
def student_config(config: dict) -> dict:
    """The book's configuration for the student HTML: no execution, solutions hidden, title marked."""
    new = copy.deepcopy(config)
    new.setdefault("execute", {})["execute_notebooks"] = "off"
    new.setdefault("sphinx", {}).setdefault("config", {})["hide_solutions"] = True
    new["title"] = f"{config.get('title', '')} (student edition)".strip()
    return new


def _toc_files(node) -> list[str]:
    if isinstance(node, dict):
        found = [node["file"]] if "file" in node else []
        for key in ("root", "parts", "chapters", "sections"):
            if key == "root" and isinstance(node.get("root"), str):
                found.append(node["root"])
            elif key in node:
                found += _toc_files(node[key])
        return found
    if isinstance(node, list):
        return [f for item in node for f in _toc_files(item)]
    return []


def _is_notebook(path: Path) -> bool:
    """A MyST page that myst-nb executes: its front matter names a kernel."""
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        return False
    front = yaml.safe_load(text.split("---\n", 2)[1]) or {}
    return "kernelspec" in front


def _code(nb: nbformat.NotebookNode) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code"]


def executed_notebook(source: Path, executed: Path) -> nbformat.NotebookNode:
    """The notebook ``make book`` executed from ``source``, checked to hold the same code."""
    if not executed.exists():
        raise StudentEditionError(
            f"{executed} is missing: the student HTML reuses the instructor build's executed notebooks; "
            "run `make book` first"
        )
    nb = nbformat.read(executed, as_version=4)
    if _code(nb) != _code(jupytext.read(source)):
        raise StudentEditionError(
            f"{executed} was executed from an older version of {source.name}: run `make book` again"
        )
    restore_glue(nb, executed.with_suffix(".glue.json"))
    return nb


def restore_glue(nb: nbformat.NotebookNode, glue_file: Path) -> None:
    """Put the glued values back into ``nb``, as outputs of its first code cell.

    myst-nb moves the glue outputs (``display=False``) out of the notebook it saves and into
    ``<doc>.glue.json``; a build that does not execute finds glued values only in the outputs, so they are
    restored there, in the form ``myst_nb.glue`` writes them (the MIME types under the ``mime_prefix``).
    """
    if not glue_file.exists():
        return
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    if not code:
        raise StudentEditionError(f"{glue_file} holds glued values but its notebook has no code cell")
    for output in json.loads(glue_file.read_text(encoding="utf-8")).values():
        prefix = output.get("metadata", {}).get("scrapbook", {}).get("mime_prefix", "")
        output["data"] = {prefix + mime: value for mime, value in output["data"].items()}
        code[0].outputs.append(nbformat.from_dict(output))


def write_html_source(root: Path, executed_dir: Path, out: Path) -> list[str]:
    """Write the student book's source into ``out`` (emptied first); returns the documents written."""
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / "_config.yml").write_text(yaml.safe_dump(student_config(config), sort_keys=False), encoding="utf-8")
    shutil.copy2(root / "_toc.yml", out / "_toc.yml")
    docs = _toc_files(toc)
    folders = {doc.split("/", 1)[0] for doc in docs if "/" in doc}
    for folder in sorted(folders):  # static files, bibliographies, pages without code
        shutil.copytree(root / folder, out / folder, ignore=shutil.ignore_patterns("*.md", "*.ipynb"))
    for doc in docs:
        source = root / f"{doc}.md"
        if not source.exists():
            raise StudentEditionError(f"_toc.yml lists {doc}, but {source} does not exist")
        if _is_notebook(source):
            # the text of the source as it is now, the outputs of the instructor build
            nb = combine_inputs_with_outputs(
                jupytext.read(source), executed_notebook(source, executed_dir / f"{doc}.ipynb")
            )
            nb = strip_solutions(nb, name=source.name)
            for cell in nb.cells:
                if cell.cell_type == "markdown":
                    for old, new in STUDENT_REPLACEMENTS.items():
                        cell.source = cell.source.replace(old, new)
            nbformat.write(nb, out / f"{doc}.ipynb")
        else:  # a page without code, copied as it is unless it holds a solution
            text = source.read_text(encoding="utf-8")
            if "{solution" in text:
                page = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(text)])
                text = strip_solutions(page, name=source.name).cells[0].source + "\n"
            (out / f"{doc}.md").write_text(text, encoding="utf-8")
    return docs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    nbs = sub.add_parser("notebooks", help="one student notebook per chapter")
    nbs.add_argument("chapters", nargs="*", type=Path, help="chapter files (default: chapters/[0-9]*.md)")
    nbs.add_argument("--out", type=Path, default=ROOT / "_build" / "student" / "notebooks")
    html = sub.add_parser("html-source", help="the student book's source, from the executed notebooks")
    html.add_argument("--executed", type=Path, default=ROOT / "_build" / "jupyter_execute")
    html.add_argument("--out", type=Path, default=ROOT / "_build" / "student" / "src")
    args = parser.parse_args(argv)
    try:
        if args.command == "notebooks":
            chapters = args.chapters or sorted((ROOT / "chapters").glob("[0-9]*.md"))
            written = write_notebooks(chapters, args.out)
            print(f"student_edition: {len(written)} notebooks in {args.out}")
        else:
            docs = write_html_source(ROOT, args.executed, args.out)
            print(f"student_edition: {len(docs)} pages in {args.out}")
    except StudentEditionError as err:
        print(f"student_edition: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
