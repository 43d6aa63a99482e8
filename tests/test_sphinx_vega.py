from helpers import sphinx_vega


def test_bundle_is_scoped_and_presets_versions():
    js = sphinx_vega.bundle_js()
    # scoped so the bundle's top-level consts cannot clash with Sphinx's doctools.js
    assert js.startswith("(function () {\n")
    assert "window.vegaEmbed" in js
    from altair.vegalite.v6.display import VEGA_VERSION, VEGAEMBED_VERSION, VEGALITE_VERSION

    for version in (VEGA_VERSION, VEGALITE_VERSION, VEGAEMBED_VERSION):
        assert f'"{version}"' in js.rsplit("window.VEGA_DEBUG", 1)[1]
