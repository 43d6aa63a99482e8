"""The book's build settings are the strict, offline ones the project relies on, and the toc lists every chapter."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())


def _toc_files(node):
    if isinstance(node, dict):
        if "file" in node:
            yield node["file"]
        for value in node.values():
            yield from _toc_files(value)
    elif isinstance(node, list):
        for item in node:
            yield from _toc_files(item)


def test_execution_is_forced_and_errors_fail_the_build():
    assert CONFIG["execute"]["execute_notebooks"] == "force"  # never publish cached, stale output
    assert CONFIG["execute"]["allow_errors"] is False
    assert CONFIG["sphinx"]["config"]["nb_execution_raise_on_error"] is True
    assert CONFIG["only_build_toc_files"] is True


def test_charts_and_math_are_served_locally():
    assert {"helpers.sphinx_vega", "sphinx-mathjax-offline"} <= set(CONFIG["sphinx"]["extra_extensions"])


def test_every_chapter_is_in_the_toc_and_every_toc_entry_exists():
    listed = {f for f in _toc_files(TOC)} | {TOC["root"]}
    chapters = {f"chapters/{p.stem}" for p in (ROOT / "chapters").glob("*.md") if not p.name.startswith("_")}
    assert chapters <= listed, f"chapters missing from _toc.yml: {sorted(chapters - listed)}"
    missing = [f for f in listed if not (ROOT / f"{f}.md").exists()]
    assert not missing, f"_toc.yml lists files that do not exist: {missing}"


def test_chapters_are_jupytext_notebooks_with_the_python3_kernel():
    for path in (ROOT / "chapters").glob("[0-9]*.md"):
        front = yaml.safe_load(path.read_text().split("---")[1])
        assert front["jupytext"]["text_representation"]["format_name"] == "myst", path
        assert front["kernelspec"]["name"] == "python3", path
