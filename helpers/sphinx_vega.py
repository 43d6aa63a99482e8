"""Sphinx extension: serve the vega / vega-lite / vega-embed bundle locally so altair charts draw offline.

Altair's default HTML output loads vega from a CDN. ``vl-convert-python`` ships the same
libraries as one JavaScript bundle; this extension writes it to ``_static/vega-offline.js`` of
the HTML build and adds it to every page. The bundle is wrapped in a function scope because its
minified top-level ``const _`` clashes with Sphinx's ``doctools.js``; ``window.VEGA_DEBUG`` is
preset with the versions altair expects so that altair's template uses the global
``vegaEmbed`` instead of requesting the CDN. This depends on altair's template internals, hence
the pinned altair version and the browser check in CI (``tools/check_charts.py``).
"""

from __future__ import annotations

from pathlib import Path

FILENAME = "vega-offline.js"


def bundle_js() -> str:
    """The vega bundle of the pinned vl-convert, wrapped for use inside a Sphinx page."""
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert
    from altair.vegalite.v6.display import VEGA_VERSION, VEGAEMBED_VERSION, VEGALITE_VERSION

    js = vlc.javascript_bundle(vl_version=vl_version_for_vl_convert())
    return (
        "(function () {\n" + js + "\n})();\n"
        "window.VEGA_DEBUG = Object.assign(window.VEGA_DEBUG || {}, "
        f'{{vega_version: "{VEGA_VERSION}", vegalite_version: "{VEGALITE_VERSION}", '
        f'vegaembed_version: "{VEGAEMBED_VERSION}"}});\n'
    )


def _write_bundle(app, exc) -> None:
    if exc is None and app.builder.format == "html":
        out = Path(app.outdir) / "_static" / FILENAME
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(bundle_js(), encoding="utf-8")


def setup(app):
    """Sphinx entry point."""
    app.add_js_file(FILENAME)
    app.connect("build-finished", _write_bundle)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
