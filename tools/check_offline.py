"""Offline check of the built book: no page loads anything from a CDN or any other host.

Usage: ``python tools/check_offline.py _build/html`` (``make check-offline``; run by ``.ci/run``).

Fails, naming page and URL, when

- an HTML page has a ``<script src>``, ``<link href>`` (stylesheet, preload, icon…), ``<img src>``,
  ``<iframe src>``, ``<source src>``, ``<video src>``, ``<audio src>``, ``<embed src>`` or
  ``<object data>`` that points to another host (``http://``, ``https://`` or ``//``);
- a page, or a CSS file under ``_static``, names a CDN host anywhere (e.g. sphinx-thebe's
  ``const THEBE_JS_URL = "https://unpkg.com/…"``), or a stylesheet imports a remote ``url(…)``.

One known exception: altair's chart template names ``cdn.jsdelivr.net`` as the place to fetch vega
from *if* the page has not loaded it already. The book preloads it (``helpers/sphinx_vega.py`` presets
``VEGA_DEBUG``), so that fallback is never taken, which ``tools/check_charts.py`` proves in a browser with
no network. CDN names inside such a chart script are therefore allowed; anywhere else they are not.
Links (``<a href>``) to papers and repositories are of course allowed.
"""

from __future__ import annotations

import argparse
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

CDN_HOSTS = (
    "unpkg.com",
    "cdn.jsdelivr.net",
    "cdnjs.cloudflare.com",
    "ajax.googleapis.com",
    "fonts.googleapis.com",
    "fonts.gstatic.com",
    "code.jquery.com",
    "stackpath.bootstrapcdn.com",
    "maxcdn.bootstrapcdn.com",
    "cdn.plot.ly",
    "use.fontawesome.com",
    "kit.fontawesome.com",
    "cdn.bokeh.org",
    "requirejs.org",
)
CDN = re.compile("|".join(re.escape(h) for h in CDN_HOSTS))
REMOTE = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)
CSS_REMOTE = re.compile(r"(@import\s+|url\(\s*)['\"]?\s*(https?:)?//", re.IGNORECASE)
# element -> attributes through which a browser fetches something when the page loads
LOADING_ATTRS = {
    "script": ("src",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "track": ("src",),
}
# the fallback loader of altair's "universal" HTML template (altair.vegalite.v6.display / utils.html)
ALTAIR_CHART_SCRIPT = re.compile(r"vegaEmbed|VEGA_DEBUG")


class _PageScanner(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = self._in_style = False
        self._script: list[str] = []
        self._style: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in LOADING_ATTRS.get(tag, ()) and value and REMOTE.match(value):
                self.problems.append(f"<{tag} {name}={value!r}> loads from another host")
        if tag == "script":
            self._in_script, self._script = True, []
        elif tag == "style":
            self._in_style, self._style = True, []

    def handle_endtag(self, tag):
        if tag == "style" and self._in_style:
            self._in_style = False
            self.problems += [f"<style> {p}" for p in css_problems("".join(self._style))]
        if tag == "script" and self._in_script:
            self._in_script = False
            body = "".join(self._script)
            if CDN.search(body) and not ALTAIR_CHART_SCRIPT.search(body):
                hosts = sorted(set(CDN.findall(body)))
                self.problems.append(f"a <script> names {', '.join(hosts)}: {body.strip()[:100]!r}")

    def handle_data(self, data):
        if self._in_script:
            self._script.append(data)
        elif self._in_style:
            self._style.append(data)
        elif CDN.search(data):
            self.problems.append(f"the text names {', '.join(sorted(set(CDN.findall(data))))}")


def page_problems(html: str) -> list[str]:
    """Every way ``html`` would load from, or name, a host other than the book itself."""
    scanner = _PageScanner()
    scanner.feed(html)
    scanner.close()
    return scanner.problems


def css_problems(css: str) -> list[str]:
    found = [f"imports {m.group(0)!r}…" for m in CSS_REMOTE.finditer(css)]
    found += [f"names {h}" for h in sorted(set(CDN.findall(css)))]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html_dir", type=Path)
    args = parser.parse_args(argv)
    pages = sorted(p for p in args.html_dir.rglob("*.html") if "_static" not in p.relative_to(args.html_dir).parts)
    if not pages:
        print(f"check_offline: no HTML pages under {args.html_dir}; build the book first (make book)", file=sys.stderr)
        return 1
    failures = []
    for page in pages:
        failures += [f"{page.relative_to(args.html_dir)}: {p}" for p in page_problems(page.read_text(encoding="utf-8"))]
    for css in sorted((args.html_dir / "_static").rglob("*.css")):
        failures += [f"{css.relative_to(args.html_dir)}: {p}" for p in css_problems(css.read_text(encoding="utf-8"))]
    for line in failures:
        print(f"check_offline: {line}", file=sys.stderr)
    print(f"check_offline: {len(pages)} pages checked, {len(failures)} problem(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
