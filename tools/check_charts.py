"""Browser check: every altair chart of the built book is drawn by headless chromium, with no network.

Usage: ``python tools/check_charts.py _build/html [--require chapters/01_datasets.html ...]``

For each HTML page that embeds altair charts (``<div id="altair-viz-…">``), chromium loads the page
from disk, runs its scripts and dumps the DOM; vega marks each drawn chart with ``class="marks"``.
The page passes when the number of drawn charts equals the number embedded. Charts can only draw
if the vega bundle is served from ``_static`` (see ``helpers/sphinx_vega.py``), since the machine
has no route to a CDN. Exits non-zero, naming the pages, on any failure.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CHART_DIV = re.compile(r'<div id="altair-viz-[0-9a-f]+"')
DRAWN = re.compile(r'class="marks"')
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--virtual-time-budget=10000",
]
DEFAULT_REQUIRED = ["chapters/01_datasets.html", "chapters/02_interactions.html"]


def find_browser() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    sys.exit("check_charts: no chromium found; install it with `apt-get update && apt-get install -y chromium`")


def drawn_charts(browser: str, page: Path) -> int:
    with tempfile.TemporaryDirectory() as profile:
        out = subprocess.run(
            [browser, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.resolve().as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
        )
    return len(DRAWN.findall(out.stdout))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html_dir", type=Path)
    parser.add_argument(
        "--require",
        nargs="*",
        default=DEFAULT_REQUIRED,
        help="pages (relative to html_dir) that must exist and hold at least one chart",
    )
    args = parser.parse_args(argv)
    browser = find_browser()
    failures = []
    for rel in args.require:
        page = args.html_dir / rel
        if not page.exists() or not CHART_DIV.search(page.read_text(encoding="utf-8")):
            failures.append(f"{rel}: missing, or holds no altair chart")
    checked = 0
    for page in sorted(args.html_dir.rglob("*.html")):
        if "_static" in page.parts:
            continue
        expected = len(CHART_DIV.findall(page.read_text(encoding="utf-8")))
        if not expected:
            continue
        drawn = drawn_charts(browser, page)
        checked += 1
        rel = page.relative_to(args.html_dir)
        print(f"{rel}: {drawn}/{expected} charts drawn")
        if drawn != expected:
            failures.append(f"{rel}: {drawn} of {expected} charts drawn")
    if not checked:
        failures.append(f"no page with altair charts under {args.html_dir}")
    for f in failures:
        print("FAIL", f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
