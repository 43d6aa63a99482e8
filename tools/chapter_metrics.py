"""How a chapter reads: the size of its core path and how much of its code a reader sees.

Usage: ``python tools/chapter_metrics.py [chapters/NN_topic.md ...]`` prints one row per chapter (all
chapters by default). ``tests/test_chapter_style.py`` checks the textbook limits with the same functions.

The **core path** is what a reader meets who skips every optional block: the chapter from its title up to
its ``## Exercises`` (or ``## References``) heading, minus deep dives (``deepdive-start`` …
``deepdive-end``, see ``helpers/sphinx_deepdive.py``), dropdown admonitions (``:class: … dropdown``) and
exercise/solution blocks. Measured on it:

- ``core_words``: words of prose (MyST markup stripped; a role such as ``{glue:text}`key``` is one word);
- ``core_glued``: glued values (``{glue:text}``, ``{glue:}``, ``{glue:md}`` roles);
- ``max_visible_lines``: non-blank lines of its longest code cell that the page shows.

Over the whole chapter: ``hidden_share``, the share of non-blank code lines in cells the page removes
(``remove-cell``, ``remove-input``), and ``hidden_violations``, the statements of hidden cells that do more
than glue and assert (see :func:`hidden_cell_violations`).
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import jupytext

ROOT = Path(__file__).resolve().parents[1]
HIDDEN_TAGS = {"remove-cell", "remove-input"}
#: Calls that fit, tune or evaluate a model: a reader must see them, so a hidden cell may not make them.
VISIBLE_WORK = re.compile(
    r"^(fit|fit_transform|fit_predict|predict|cross_val_\w+|cross_validate|evaluate_on_folds|"
    r"fold_predictions|learning_curve|paired_bootstrap|bootstrap_coefficients|GridSearchCV)$"
)
_ROLE = re.compile(r"\{[\w:-]+\}`[^`]*`")
_GLUE_ROLE = re.compile(r"\{glue(?::text|:md)?\}`[^`]*`")
_OPEN = re.compile(r"^(`{3,}|:{3,})\{([\w:-]+)\}")


def _cells(path: Path):
    """``(kind, source, tags)`` of every cell, in file order."""
    for cell in jupytext.read(path).cells:
        yield cell.cell_type, cell.source, set(cell.metadata.get("tags", []))


def _core_markdown(path: Path) -> list[str]:
    """The markdown lines of the core path (see the module docstring)."""
    lines, side, done = [], False, False
    for kind, source, _tags in _cells(path):
        if kind != "markdown" or done:
            continue
        block = []  # stack of open fences: (fence, optional?)
        for line in source.splitlines():
            stripped = line.strip()
            if re.match(r"^#{2}\s+(Exercises|References)\b", stripped):
                done = True
                break
            if re.match(r"^(`{3,}|:{3,})\{(deepdive|solution)-start\}", stripped):
                side = True
                continue
            if re.match(r"^(`{3,}|:{3,})\{(deepdive|solution)-end\}", stripped):
                side = False
                continue
            opened = _OPEN.match(stripped)
            if opened:
                optional = opened.group(2) in {"exercise", "solution"}
                block.append([opened.group(1), optional])
                continue
            if block and stripped.startswith(":class:") and "dropdown" in stripped:
                block[-1][1] = True
                continue
            if block and stripped == block[-1][0]:
                block.pop()
                continue
            if side or any(optional for _, optional in block):
                continue
            lines.append(line)
    return lines


def _words(lines: list[str]) -> int:
    n = 0
    for line in lines:
        s = line.strip()
        if not s or re.match(r"^(\(.*\)=|:\w[\w-]*:|<!--|%)", s) or set(s) <= set("|-: "):
            continue  # labels, directive options, comments, table rules
        s = _ROLE.sub(" ROLE ", s)
        s = re.sub(r"\$[^$]+\$", " MATH ", s)
        n += len(re.findall(r"[\w\u00c0-\u024f][\w\u00c0-\u024f'’.,%·/-]*", s))
    return n


def hidden_cell_violations(source: str) -> list[str]:
    """What a hidden cell does beyond gluing and asserting, as readable strings (empty if nothing).

    Allowed: imports, asserts, assignments and loops/conditionals made of these, and calls that glue or
    record (``res.glue``, ``res.report``, ``res.figure``). Not allowed: any call that fits, tunes or
    evaluates (:data:`VISIBLE_WORK`), function or class definitions (they belong in ``helpers``, with a
    test, or in view), and any other bare call (a statement run for its effect, such as ``display``).
    """
    problems = []
    try:
        tree = ast.parse(source)
    except SyntaxError as err:  # IPython magics: not used in chapters
        return [f"unparsable cell: {err.msg}"]
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if VISIBLE_WORK.match(name):
                problems.append(f"line {node.lineno}: {name}(...) fits or evaluates; show it")
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.ClassDef)):
            problems.append(f"line {stmt.lineno}: defines {stmt.name}; put it in helpers (with a test) or show it")
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            func = stmt.value.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if not re.search(r"glue|record|report|figure|setup|filterwarnings|seed", name):
                problems.append(f"line {stmt.lineno}: bare call {name}(...)")
    return problems


def chapter_metrics(path: Path) -> dict:
    """The measures of the module docstring for the chapter at ``path``."""
    core = _core_markdown(path)
    core_text = "\n".join(core)
    code_lines = hidden_lines = 0
    violations: list[str] = []
    visible_max = 0
    first_code = True
    in_core, side = True, False
    for kind, source, tags in _cells(path):
        if kind == "markdown":
            if re.search(r"^#{2}\s+(Exercises|References)\b", source, re.M):
                in_core = False
            for marker in re.findall(r"\{(?:deepdive|solution)-(start|end)\}", source):
                side = marker == "start"
        if kind != "code":
            continue
        n = sum(1 for line in source.splitlines() if line.strip())
        code_lines += n
        if tags & HIDDEN_TAGS:
            hidden_lines += n
            if not first_code:  # the preamble (imports, style, seeds) is the one hidden set-up cell
                violations += hidden_cell_violations(source)
        elif in_core and not side and not tags & {"hide-cell", "hide-input"}:
            visible_max = max(visible_max, n)
        first_code = False
    return {
        "chapter": path.name,
        "core_words": _words(core),
        "core_glued": len(_GLUE_ROLE.findall(core_text)),
        "max_visible_lines": visible_max,
        "hidden_share": hidden_lines / code_lines if code_lines else 0.0,
        "hidden_violations": violations,
    }


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted(p for p in (ROOT / "chapters").glob("[0-9]*.md"))
    head = ("core words", "glued", "longest cell", "hidden code", "hidden misuse")
    print(f"{'chapter':28} " + " ".join(f"{h:>13}" for h in head))
    for p in paths:
        m = chapter_metrics(p)
        print(
            f"{m['chapter']:28} {m['core_words']:>13} {m['core_glued']:>13} {m['max_visible_lines']:>13} "
            f"{m['hidden_share']:>13.0%} {len(m['hidden_violations']):>13}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
