"""Chapter code fits the rendered page: no code-cell line longer than 88 characters (no sideways scroll).

Cells are read the way the book reads them, through jupytext; hidden (``remove-cell``) cells count too,
since a reader who opens the chapter as a notebook sees them. The template is checked as well, because
new chapters start as copies of it.
"""

import re
import sys
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_CHARS = 88
CHAPTERS = sorted((ROOT / "chapters").glob("*.md"))


def long_lines(path: Path, limit: int = MAX_CHARS) -> list[str]:
    """``"<file>:<line>: <length> chars: <start of the text>"`` for every code-cell line over ``limit``."""
    file_lines = path.read_text(encoding="utf-8").splitlines()
    cursor, found = 0, []
    for cell in jupytext.read(path).cells:
        if cell.cell_type != "code":
            continue
        for line in cell.source.splitlines():
            # cells come in file order: the line's position in the file is the next equal line
            at = next((i for i in range(cursor, len(file_lines)) if file_lines[i] == line), None)
            cursor = cursor if at is None else at + 1
            if len(line) > limit:
                where = "?" if at is None else at + 1
                found.append(f"{path.name}:{where}: {len(line)} chars: {line.strip()[:70]}")
    return found


def test_there_are_chapters_to_check():
    assert any(p.name[0].isdigit() for p in CHAPTERS)


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.name for p in CHAPTERS])
def test_code_lines_fit_the_page(path):
    found = long_lines(path)
    assert not found, f"{len(found)} code line(s) over {MAX_CHARS} characters:\n" + "\n".join(found)


def test_the_check_finds_a_long_line_and_its_line_number(tmp_path):
    front = (ROOT / "chapters" / "_template.md").read_text(encoding="utf-8").split("---\n")[1]
    chapter = tmp_path / "99_demo.md"
    long = "x = " + "1 + " * 30 + "1"
    chapter.write_text(f"---\n{front}---\n\n# Demo\n\n{long}\n\n```{{code-cell}} ipython3\nshort = 1\n{long}\n```\n")
    found = long_lines(chapter)
    assert len(found) == 1, found  # the long line in the prose is not code
    n_front = front.count("\n") + 2
    assert found[0].startswith(f"99_demo.md:{n_front + 8}: {len(long)} chars"), found


# ----------------------------------------------------------------------------- ruff on the code cells
#: ruff's rules for chapters: the project's (pyproject.toml), minus two that a notebook breaks on purpose:
#: B018 (a cell's last expression is its displayed output) and E402 (an exercise's solution imports what
#: it alone needs, so that it can be copied whole).
CHAPTER_RUFF_IGNORE = ("B018", "E402")


def ruff_findings(path: Path, tmp_dir: Path) -> list[str]:
    """ruff's findings on the code cells of a chapter (ruff does not read MyST), as ``"<file>: <finding>"``."""
    import subprocess
    import sys

    code = [c.source for c in jupytext.read(path).cells if c.cell_type == "code"]
    script = tmp_dir / f"{path.stem}.py"
    script.write_text("\n\n".join(f"# %% code cell {i}\n{src}" for i, src in enumerate(code)) + "\n")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--no-cache",
            "--output-format",
            "concise",
            "--line-length",
            str(MAX_CHARS),
            "--ignore",
            ",".join(CHAPTER_RUFF_IGNORE),
            str(script),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return [f"{path.name}: {line.split(':', 1)[1]}" for line in out.stdout.splitlines() if line.startswith(str(script))]


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.name for p in CHAPTERS])
def test_code_cells_pass_ruff(path, tmp_path):
    found = ruff_findings(path, tmp_path)
    assert not found, "ruff on the chapter's code cells (line numbers of the extracted script):\n" + "\n".join(found)


def test_ruff_check_of_code_cells_can_fail(tmp_path):
    bad = tmp_path / "bad.md"
    header = (ROOT / "chapters" / "_template.md").read_text().split("---\n")[1]
    bad.write_text(f"---\n{header}---\n\n# T\n\n```{{code-cell}} ipython3\nimport os\nx = zip([1], [2])\n```\n")
    found = "\n".join(ruff_findings(bad, tmp_path))
    assert "F401" in found and "B905" in found


# ----------------------------------------------------------------------------- the textbook shape
sys.path.insert(0, str(ROOT / "tools"))
import chapter_metrics  # noqa: E402

#: Chapters written as a textbook (take-home box, visible core path, deep dives). A chapter joins this set
#: when it is rewritten; the template is in it so that every new chapter starts from the shape.
TEXTBOOK = {
    "_template.md",
    "01_datasets.md",
    "02_interactions.md",
    "03_tco.md",
    "04_elpasolites.md",
    "05_spin_splitting.md",
    "06_perovskites.md",
    "07_when_linear_is_not_enough.md",
}
#: Case studies: their core path is held to the limits below (the overview chapters 01-02 are not).
CASE_STUDIES = {
    "03_tco.md",
    "04_elpasolites.md",
    "05_spin_splitting.md",
    "06_perovskites.md",
    "07_when_linear_is_not_enough.md",
}
LIMITS = {"core_words": 2500, "core_glued": 50, "max_visible_lines": 15}
#: Words of our process that do not belong in a reader's text.
PROCESS_WORDS = re.compile(r"\b(goals?|issues?|stretch|TODO|FIXME)\b", re.IGNORECASE)


def _prose(path: Path) -> str:
    return "\n".join(c.source for c in jupytext.read(path).cells if c.cell_type == "markdown")


def textbook_problems(path: Path) -> list[str]:
    """Why the chapter at ``path`` does not (yet) read as a textbook chapter; empty if it does."""
    problems = []
    prose = _prose(path)
    title = re.search(r"^# .+$", prose, re.M)
    after_title = prose[title.end() :] if title else ""
    first_box = re.search(r"^:::\{admonition\}\s*(.+)$", after_title, re.M)
    if not first_box or first_box.group(1).strip() != "Take-home":
        problems.append("the first block after the title must be the ':::{admonition} Take-home' box")
    m = chapter_metrics.chapter_metrics(path)
    problems += [f"hidden cell: {v}" for v in m["hidden_violations"]]
    if path.name in CASE_STUDIES:
        problems += [f"{k} = {m[k]} > {limit}" for k, limit in LIMITS.items() if m[k] > limit]
    words = sorted({w.lower() for w in PROCESS_WORDS.findall(prose)})
    if words:
        problems.append(f"process words in the prose: {words}")
    return problems


@pytest.mark.parametrize("name", sorted(TEXTBOOK))
def test_textbook_chapters_keep_their_shape(name):
    problems = textbook_problems(ROOT / "chapters" / name)
    assert not problems, "\n".join(problems)


def test_the_textbook_check_can_fail(tmp_path):
    header = (ROOT / "chapters" / "_template.md").read_text().split("---\n")[1]
    body = (
        "# T\n\nText with a goal.\n\n```{code-cell} ipython3\n:tags: [remove-cell]\nimport os\n```\n\n"
        "```{code-cell} ipython3\n:tags: [remove-cell]\nmodel.fit(X, y)\nprint(1)\n"
        "def helper():\n    pass\n```\n"
    )
    bad = tmp_path / "03_tco.md"
    bad.write_text(f"---\n{header}---\n\n{body}")
    found = "\n".join(textbook_problems(bad))
    assert "Take-home" in found and "process words in the prose: ['goal']" in found
    assert "fit(...) fits or evaluates" in found and "bare call print" in found and "defines helper" in found


def test_core_path_metrics_skip_deep_dives_dropdowns_and_exercises(tmp_path):
    header = (ROOT / "chapters" / "_template.md").read_text().split("---\n")[1]
    long_cell = "\n".join(f"x{i} = {i}" for i in range(20))
    body = (
        "# T\n\nOne two {glue:text}`k1` three.\n\n"
        "```{deepdive-start} Side\n```\nSkipped words here {glue:text}`k2`.\n\n"
        f"```{{code-cell}} ipython3\n{long_cell}\n```\n\n```{{deepdive-end}}\n```\n\n"
        ":::{admonition} More\n:class: dropdown\nSkipped too {glue:text}`k3`.\n:::\n\n"
        "Four {glue:text}`k4`.\n\n```{code-cell} ipython3\ny = 1\nz = 2\n```\n\n"
        "## Exercises\n\nNot core {glue:text}`k5`.\n"
    )
    path = tmp_path / "99_demo.md"
    path.write_text(f"---\n{header}---\n\n{body}")
    m = chapter_metrics.chapter_metrics(path)
    # core words: T, One, two, ROLE, three, Four, ROLE (the deep dive, dropdown and exercises excluded)
    assert (m["core_words"], m["core_glued"]) == (7, 2)
    assert m["max_visible_lines"] == 2  # the 20-line cell sits in the deep dive
