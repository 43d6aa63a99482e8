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


def test_charts_and_math_are_served_locally_and_thebe_is_not_loaded():
    extensions = CONFIG["sphinx"]["config"]["extensions"]
    assert {"helpers.sphinx_vega", "helpers.sphinx_deepdive", "sphinx-mathjax-offline", "sphinx_exercise"} <= set(
        extensions
    )
    # sphinx_thebe writes `const THEBE_JS_URL = "https://unpkg.com/..."` into every page
    assert "sphinx_thebe" not in extensions
    # sphinx.config.extensions replaces the whole list, extra_extensions included: keep one of the two
    assert "extra_extensions" not in CONFIG["sphinx"]


def test_extension_list_is_jupyter_books_default_without_thebe():
    # the list in _config.yml is Jupyter Book's own; if an upgrade of jupyter-book changes its defaults,
    # this fails and the list is revised by hand
    from jupyter_book.config import get_default_sphinx_config

    defaults = [e for e in get_default_sphinx_config()["extensions"] if e != "sphinx_thebe"]
    extensions = CONFIG["sphinx"]["config"]["extensions"]
    assert extensions[: len(defaults)] == defaults
    assert CONFIG["launch_buttons"]["thebe"] is False


def test_every_book_page_is_in_the_toc():
    listed = {f for f in _toc_files(TOC)} | {TOC["root"]}
    pages = {f"book/{p.stem}" for p in (ROOT / "book").glob("*.md")}
    assert pages <= listed, f"book pages missing from _toc.yml: {sorted(pages - listed)}"


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


# the offline check of the built pages (tools/check_offline.py, `make check-offline`)
THEBE_PAGE = """<html><head><script>const THEBE_JS_URL = "https://unpkg.com/thebe@0.8.2/lib/index.js";
const thebe_selector = ".thebe,.cell"</script><script src="../_static/vega-offline.js"></script></head>
<body><a href="https://doi.org/10.1126/sciadv.abm7185">paper</a></body></html>"""
ALTAIR_CHART = """<div id="altair-viz-0123"></div><script type="text/javascript">
var VEGA_DEBUG = (typeof VEGA_DEBUG == "undefined") ? {} : VEGA_DEBUG;
(function(spec, embedOpt){ const paths = {"vega": "https://cdn.jsdelivr.net/npm/vega@6?noext"};
  vegaEmbed("#altair-viz-0123", spec, embedOpt); })({}, {});</script>"""


def _check_offline():
    import importlib.util

    spec = importlib.util.spec_from_file_location("check_offline", ROOT / "tools" / "check_offline.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_offline_check_flags_the_thebe_script_and_remote_assets():
    check = _check_offline()
    assert any("unpkg.com" in p for p in check.page_problems(THEBE_PAGE))
    assert check.page_problems('<script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"></script>')
    assert check.page_problems('<link rel="stylesheet" href="//fonts.googleapis.com/css?family=Lato">')
    assert check.page_problems('<img src="http://example.org/logo.png">')
    assert check.page_problems("<style>@import url('https://fonts.googleapis.com/css2?family=Lato');</style>")
    assert check.css_problems("@font-face { src: url(https://fonts.gstatic.com/x.woff2) }")


def test_offline_check_accepts_local_assets_links_and_altairs_unused_fallback():
    check = _check_offline()
    local = THEBE_PAGE.replace("https://unpkg.com/thebe@0.8.2/lib/index.js", "")
    assert check.page_problems(local) == []
    assert check.page_problems(ALTAIR_CHART) == []
    assert check.css_problems("a { background: url(../images/logo.svg) }") == []


def test_offline_check_command_fails_on_a_bad_page_and_passes_a_good_one(tmp_path):
    check = _check_offline()
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "theme.css").write_text("body { color: black }")
    (tmp_path / "index.html").write_text(THEBE_PAGE.replace("https://unpkg.com/thebe@0.8.2/lib/index.js", ""))
    assert check.main([str(tmp_path)]) == 0
    (tmp_path / "chapter.html").write_text(THEBE_PAGE)
    assert check.main([str(tmp_path)]) == 1
    assert check.main([str(tmp_path / "missing")]) == 1
