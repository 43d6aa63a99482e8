"""Tests of helpers.sphinx_deepdive: gated deep-dive blocks, built by a real (small) Sphinx project."""

import re
import subprocess
import sys

import pytest

CONF = 'extensions = ["myst_parser", "sphinx_togglebutton", "helpers.sphinx_deepdive"]\n'
START, END = "```{deepdive-start} Is it stable?\n```\n", "```{deepdive-end}\n```\n"


def build(tmp_path, body: str):
    """Build ``body`` as index.md with -W; (return code, stderr, html or None)."""
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    (src / "conf.py").write_text(CONF)
    (src / "index.md").write_text("# Title\n\n" + body)
    run = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(src), str(out)],
        capture_output=True,
        text=True,
    )
    html = (out / "index.html").read_text() if run.returncode == 0 else None
    return run.returncode, run.stderr, html


def test_the_block_between_the_markers_becomes_a_titled_dropdown(tmp_path):
    code, err, html = build(tmp_path, f"Before.\n\n{START}\nInside.\n\n```python\nx = 1\n```\n\n{END}\nAfter.\n")
    assert code == 0, err
    block = html.split('<div class="deep-dive dropdown admonition">', 1)[1]
    assert block.lstrip().startswith('<p class="admonition-title">Deep dive: Is it stable?</p>')
    inside, after = block.split("After.", 1)
    assert "Inside." in inside and "x</span> <span" in inside  # the code block moved in with the text
    assert "Before." not in block and "deepdive" not in html.replace("deep-dive", "")


def test_an_open_deep_dive_starts_unfolded(tmp_path):
    start_open = "```{deepdive-start} Try it\n:open:\n```\n"
    code, err, html = build(tmp_path, f"{start_open}\nShown.\n\n{END}\n{START}\nFolded.\n\n{END}")
    assert code == 0, err
    assert '<div class="deep-dive dropdown toggle-shown admonition">' in html
    folded = html.split('<div class="deep-dive dropdown admonition">', 1)[1]
    assert "Folded." in folded and "Shown." not in folded


@pytest.mark.parametrize(
    "body, message",
    [
        (f"{START}\nNever closed.\n", r"index.md:\d+: deepdive-start 'Is it stable\?' has no deepdive-end"),
        (f"Text.\n\n{END}", r"index.md:\d+: deepdive-end without a deepdive-start"),
        (f"{START}\nText.\n\n## A heading\n\n{END}", "a deep dive cannot span a heading"),
        (f"{START}\n{START}\nInner.\n\n{END}\n{END}", "cannot contain another deep dive"),
    ],
    ids=["unclosed", "stray-end", "spans-a-heading", "nested"],
)
def test_malformed_deep_dives_fail_the_build_with_the_line(tmp_path, body, message):
    code, err, _ = build(tmp_path, body)
    assert code != 0
    assert re.search(message, err), err
