"""Chapter code fits the rendered page: no code-cell line longer than 88 characters (no sideways scroll).

Cells are read the way the book reads them, through jupytext; hidden (``remove-cell``) cells count too,
since a reader who opens the chapter as a notebook sees them. The template is checked as well, because
new chapters start as copies of it.
"""

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
