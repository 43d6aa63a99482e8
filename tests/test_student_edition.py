"""The student edition (tools/student_edition.py, `make student`): no solution survives, in the notebooks or
in the HTML; every other cell of a student notebook still runs; the instructor build is left as it is."""

import html
import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import jupytext
import nbclient
import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import student_edition as se  # noqa: E402

CHAPTERS = sorted((ROOT / "chapters").glob("[0-9]*.md"))
FRONT = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
    format_version: 0.13
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""

# a small chapter with every form of solution the generator must handle: a gated solution that starts in
# the middle of a markdown cell and spans code cells, one that ends in the middle of a markdown cell, and a
# plain {solution} directive; the cells after the solutions use only what the chapter itself defined
DEMO = (
    FRONT
    + """
# Demo

```{code-cell} ipython3
:tags: [remove-cell]

base = 2
```

Some text.

```{code-cell} ipython3
square = base**2
square
```

## Exercises

```{exercise}
:label: demo-ex-one
Compute the cube of `base`.
```

```{solution-start} demo-ex-one
:class: dropdown
```
SECRET-PROSE-ONE: multiply three times.

```{code-cell} ipython3
secret_cube = base**3
secret_cube
```

```{solution-end}
```

```{exercise}
:label: demo-ex-two
What is `square` plus one?
```

```{solution-start} demo-ex-two
```
SECRET-PROSE-TWO

```{code-cell} ipython3
secret_sum = square + 1
```

The answer is five.
```{solution-end}
```
Text after the second solution stays.

```{exercise}
:label: demo-ex-three
Name a prime.
```

```{solution} demo-ex-three
SECRET-PROSE-THREE: two.
```

```{code-cell} ipython3
:tags: [remove-cell]

assert square == 4
```
"""
)


@pytest.fixture
def demo(tmp_path):
    path = tmp_path / "chapters" / "99_demo.md"
    path.parent.mkdir()
    path.write_text(DEMO, encoding="utf-8")
    return path


def _text(nb):
    return "\n".join(cell.source for cell in nb.cells)


def test_student_notebook_has_no_solution_and_an_answer_cell_after_each_exercise(demo):
    nb = se.student_notebook(demo)
    text = _text(nb)
    assert "SECRET" not in text and "{solution" not in text and "The answer is five" not in text
    assert "secret_" not in text
    assert "Text after the second solution stays." in text and "Some text." in text
    kinds = [(c.cell_type, "answer" in c.metadata.get("tags", []), c.source) for c in nb.cells]
    answers = [i for i, (_, is_answer, _) in enumerate(kinds) if is_answer]
    assert len(answers) == 3
    for i in answers:  # right after the exercise, and empty
        assert kinds[i - 1][2].rstrip().endswith("```") and "{exercise}" in kinds[i - 1][2]
        assert kinds[i][2] == ""
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    hidden = [c for c in nb.cells if "remove-cell" in c.metadata.get("tags", [])]
    assert len(hidden) == 2 and all(c.metadata["jupyter"]["source_hidden"] for c in hidden)
    assert "jupytext" not in nb.metadata and nb.metadata["kernelspec"]["name"] == "python3"
    nbformat.validate(nb)


def test_every_cell_of_a_student_notebook_executes(demo, tmp_path):
    nb = se.student_notebook(demo)
    nbclient.NotebookClient(nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": tmp_path}}).execute()
    outputs = [c.outputs for c in nb.cells if c.cell_type == "code" and c.source.startswith("square")]
    assert outputs[0][0]["data"]["text/plain"] == "4"


def test_write_notebooks_writes_one_per_chapter(demo, tmp_path):
    written = se.write_notebooks([demo], tmp_path / "out")
    assert [p.name for p in written] == ["99_demo.ipynb"]
    assert "SECRET" not in _text(nbformat.read(written[0], as_version=4))
    with pytest.raises(se.StudentEditionError, match="no chapters"):
        se.write_notebooks([], tmp_path / "out")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("```{solution-start} x\n```\nnever ends\n", "has no end"),
        ("```{solution-start} x\n```\n```{solution-start} y\n```\n", "inside another solution"),
        ("text\n```{solution-end}\n```\n", "without a solution-start"),
        ("````{solution} x\nnever closed\n", "has no end"),
    ],
)
def test_malformed_solutions_are_refused_with_a_clear_error(body, message):
    nb = jupytext.reads(FRONT + "\n" + body, fmt="md:myst")
    with pytest.raises(se.StudentEditionError, match=message):
        se.strip_solutions(nb, name="99_demo.md")


# ----------------------------------------------------------------------------- the real chapters
def _solution_regions(text: str) -> list[str]:
    """The raw text of every solution block of a chapter file (found on the text, not on cells)."""
    gated = re.findall(r"^```\{solution-start\}.*?^```\{solution-end\}\n```", text, flags=re.M | re.S)
    plain = re.findall(r"^(`{3,})\{solution\}.*?^\1$", text, flags=re.M | re.S)
    return gated + plain


def _solution_lines(text: str) -> set[str]:
    """Lines of prose and code that only the solutions hold (long enough to be specific)."""
    outside = text
    for region in _solution_regions(text):
        outside = outside.replace(region, "")
    lines = set()
    for region in _solution_regions(text):
        for line in region.splitlines():
            s = line.strip()
            if len(s) >= 25 and not s.startswith(("```", ":tags:", ":class:")) and s not in outside:
                lines.add(s)
    return lines


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.name for p in CHAPTERS])
def test_real_chapter_loses_exactly_its_solutions(path):
    text = path.read_text(encoding="utf-8")
    nb = se.student_notebook(path)
    student = _text(nb)
    assert "{solution" not in student
    leaked = [line for line in _solution_lines(text) if line in student]
    assert not leaked, leaked
    assert _solution_regions(text), "every chapter has solutions"
    # every code cell outside the solutions is kept, in order; the answer cells are the only new ones
    in_solutions = "\n".join(_solution_regions(text))
    original = [c.source for c in jupytext.read(path).cells if c.cell_type == "code"]
    expected = [s for s in original if not (s.strip() and s in in_solutions)]
    kept = [c.source for c in nb.cells if c.cell_type == "code" and "answer" not in c.metadata.get("tags", [])]
    assert kept == expected
    n_answers = sum("answer" in c.metadata.get("tags", []) for c in nb.cells)
    assert n_answers == len(re.findall(r"^```\{exercise\}", text, flags=re.M)) > 0


# ----------------------------------------------------------------------------- the student HTML's source
PREFIX = "application/papermill.record/"


@pytest.fixture
def book(tmp_path, demo):
    """A small book laid out as the repository: the real _config.yml, a plain page and the demo chapter."""
    root = demo.parents[1]
    (root / "_config.yml").write_text((ROOT / "_config.yml").read_text(), encoding="utf-8")
    toc = {"format": "jb-book", "root": "book/intro", "chapters": [{"file": "chapters/99_demo"}]}
    (root / "_toc.yml").write_text(yaml.safe_dump(toc), encoding="utf-8")
    (root / "book" / "_static").mkdir(parents=True)
    (root / "book" / "_static" / "style.css").write_text("p {}\n")
    (root / "book" / "intro.md").write_text("# Intro\n\nA plain page.\n")
    executed = jupytext.read(demo)  # stands in for the notebook `make book` executed
    for cell in executed.cells:
        if cell.cell_type == "code":
            cell.outputs = [nbformat.v4.new_output("stream", text=f"OUTPUT OF {cell.source[:12]!r}\n")]
    (root / "_build" / "jupyter_execute" / "chapters").mkdir(parents=True)
    nbformat.write(executed, root / "_build" / "jupyter_execute" / "chapters" / "99_demo.ipynb")
    # myst-nb keeps what a chapter glued beside the executed notebook, without the MIME prefix
    glued = {"name": "demo_n", "mime_prefix": PREFIX}
    glue = {"demo_n": {"output_type": "display_data", "metadata": {"scrapbook": glued}, "data": {"text/plain": "'4'"}}}
    (root / "_build" / "jupyter_execute" / "chapters" / "99_demo.glue.json").write_text(json.dumps(glue))
    return root


def test_html_source_reuses_the_executed_notebooks_without_solutions(book):
    before = (book / "_config.yml").read_text()
    chapter = book / "chapters" / "99_demo.md"  # prose edited after the build: the source's text is used
    chapter.write_text(chapter.read_text().replace("Some text.", "Some edited text."))
    out = book / "_build" / "student" / "src"
    docs = se.write_html_source(book, book / "_build" / "jupyter_execute", out)
    assert docs == ["book/intro", "chapters/99_demo"]
    assert (book / "_config.yml").read_text() == before  # the instructor configuration is untouched
    nb = nbformat.read(out / "chapters" / "99_demo.ipynb", as_version=4)
    assert "SECRET" not in _text(nb) and "secret_" not in _text(nb)
    assert not any("answer" in c.metadata.get("tags", []) for c in nb.cells)  # answer cells: notebooks only
    assert "OUTPUT OF 'square = bas'" in str([c.outputs for c in nb.cells if c.cell_type == "code"])
    assert not (out / "chapters" / "99_demo.md").exists()  # one source per document
    assert "Some edited text." in _text(nb)
    glue = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if "scrapbook" in o.get("metadata", {})]
    assert [o.data for o in glue] == [{PREFIX + "text/plain": "'4'"}]  # as myst_nb.glue writes it
    assert (out / "book" / "intro.md").read_text() == "# Intro\n\nA plain page.\n"
    assert (out / "book" / "_static" / "style.css").exists()
    config = yaml.safe_load((out / "_config.yml").read_text())
    assert config["execute"]["execute_notebooks"] == "off"
    assert config["sphinx"]["config"]["hide_solutions"] is True


def test_html_source_refuses_a_missing_or_stale_instructor_build(book):
    out = book / "student"
    executed = book / "_build" / "jupyter_execute"
    with pytest.raises(se.StudentEditionError, match="run `make book` first"):
        se.write_html_source(book, book / "elsewhere", out)
    chapter = book / "chapters" / "99_demo.md"
    chapter.write_text(chapter.read_text().replace("square = base**2", "square = base * base"))
    with pytest.raises(se.StudentEditionError, match="older version of 99_demo.md: run `make book` again"):
        se.write_html_source(book, executed, out)


def test_the_student_configuration_changes_only_execution_solutions_and_title():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    student = se.student_config(config)
    assert "hide_solutions" not in config["sphinx"]["config"]  # the instructor book shows the solutions
    assert student["execute"].pop("execute_notebooks") == "off"
    assert student["sphinx"]["config"].pop("hide_solutions") is True
    assert student.pop("title").endswith("(student edition)")
    config["execute"].pop("execute_notebooks")
    config.pop("title")
    assert student == config


# ----------------------------------------------------------------------------- the built student HTML
class _Text(HTMLParser):
    """The visible text of a page and the classes of its elements."""

    def __init__(self):
        super().__init__()
        self.parts, self.classes = [], set()

    def handle_starttag(self, tag, attrs):
        self.classes.update((dict(attrs).get("class") or "").split())

    def handle_data(self, data):
        self.parts.append(data)


def _page(path: Path) -> tuple[str, set[str]]:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    text = html.unescape("".join(parser.parts))
    return re.sub(r"\s+", " ", text), parser.classes


STUDENT_HTML = ROOT / "_build" / "student" / "html"


@pytest.mark.skipif(not STUDENT_HTML.exists(), reason="the student HTML is built by `make student`")
@pytest.mark.parametrize("path", CHAPTERS, ids=[p.name for p in CHAPTERS])
def test_built_student_html_has_exercises_and_no_solutions(path):
    page = STUDENT_HTML / "chapters" / f"{path.stem}.html"
    text, classes = _page(page)
    assert "solution" not in classes and "Solution to" not in text
    assert "exercise" in classes
    lines = [re.sub(r"\s+", " ", line) for line in _solution_lines(path.read_text(encoding="utf-8"))]
    lines = [line for line in lines if "{" not in line and "$" not in line and "`" not in line]
    leaked = [line for line in lines if line in text]
    assert not leaked, leaked
    instructor = ROOT / "_build" / "html" / "chapters" / f"{path.stem}.html"
    # the same lines are in the instructor book built from this source, so the check above can fail
    if instructor.exists() and instructor.stat().st_mtime > path.stat().st_mtime:
        assert any(line in _page(instructor)[0] for line in lines)
