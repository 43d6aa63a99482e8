"""Tests of helpers.plots: each builder returns a valid Vega-Lite spec with the expected encodings."""

import altair as alt
import numpy as np
import pandas as pd
import pytest

from helpers import interpret, plots
from helpers.linear import MultilinearRegressor, local_contributions
from helpers.style import KIND_COLOURS


def _layers(spec):
    return spec.get("layer", [spec])


@pytest.fixture(scope="module")
def pd_result():
    X = np.random.default_rng(0).uniform(-1, 1, size=(400, 2))
    members = [(lambda A, k=k: k * A[:, 0] + A[:, 0] * A[:, 1]) for k in (0.9, 1.0, 1.1)]
    return interpret.partial_dependence_ice(members, X, 0, grid_resolution=21)


@pytest.mark.parametrize("kind", ["pd", "ice", "both"])
def test_pd_ice_chart(pd_result, kind):
    chart = plots.pd_ice_chart(pd_result, kind=kind, quantity="y", unit="eV", feature_unit="1", max_ice=50)
    assert isinstance(chart, alt.LayerChart)
    spec = chart.to_dict()  # validates against the schema
    layers = _layers(spec)
    marks = [lay["mark"]["type"] for lay in layers]
    assert marks[-1] == "tick"  # the rug of the data
    dash = [lay for lay in layers if "strokeDash" in lay.get("encoding", {})]
    assert dash and dash[0]["encoding"]["strokeDash"]["scale"]["domain"] == ["ensemble mean", "95 % spread of members"]
    what = {"pd": "PD", "ice": "ICE", "both": "ICE and PD"}[kind]
    assert dash[0]["encoding"]["y"]["title"] == f"centred {what} of y (eV)"
    assert dash[0]["encoding"]["x"]["title"] == "x0 (dimensionless)"
    if kind in ("ice", "both"):
        ice = [lay for lay in layers if lay["encoding"].get("detail", {}).get("field") == "sample"]
        n_curves = len({r["sample"] for r in spec["datasets"][ice[0]["data"]["name"]]})
        assert n_curves == 50
    with pytest.raises(ValueError):
        plots.pd_ice_chart(pd_result, kind="nope", quantity="y", unit="eV", feature_unit="1")


def test_h_statistic_chart():
    df = pd.DataFrame(
        {
            "h_squared": np.r_[np.linspace(0.1, 0.15, 10), np.linspace(0, 0.01, 10)],
            "data": ["with interaction"] * 10 + ["no interaction (null)"] * 10,
        }
    )
    spec = plots.h_statistic_chart(df, quantity="H² of (x0, x1)").to_dict()
    enc = spec["encoding"]
    assert enc["color"]["scale"]["range"] == [KIND_COLOURS["pair"], KIND_COLOURS["intercept"]]
    assert enc["x"]["bin"] and enc["x"]["title"] == "H² of (x0, x1) (dimensionless)"


def test_contributions_chart_top_rest_intercept():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(100, 4))
    y = X @ [1.0, 2.0, 3.0, 4.0] + X[:, 0] * X[:, 1]
    m = MultilinearRegressor(penalty=None).fit(X, y)
    loc = local_contributions(m, X, row=0)
    chart = plots.contributions_chart(loc, top=3, quantity="formation energy", unit="eV/atom")
    spec = chart.to_dict()
    rows = spec["datasets"][spec["data"]["name"]]
    assert len(rows) == 3 + 2 and rows[-1]["term"] == "intercept" and rows[-2]["kind"] == "rest"
    assert sum(r["contribution"] for r in rows) == pytest.approx(m.predict(X[:1])[0], abs=1e-10)
    colour = spec["encoding"]["color"]["scale"]
    for k, c in zip(colour["domain"], colour["range"], strict=True):
        assert KIND_COLOURS[k] == c
    assert spec["encoding"]["x"]["title"] == "contribution to formation energy (eV/atom)"
    assert spec["encoding"]["y"]["sort"] == [r["term"] for r in rows]
    # a Series works too, kinds inferred
    s = pd.Series({"A=Ca": 0.3, "A=Ca & D=F": -0.2, "intercept": -1.0})
    spec2 = plots.contributions_chart(s, quantity="ΔE", unit="kcal/mol").to_dict()
    kinds = [r["kind"] for r in spec2["datasets"][spec2["data"]["name"]]]
    assert kinds == ["main", "pair", "intercept"]


def test_parity_chart():
    y = np.linspace(0, 1, 50)
    spec = plots.parity_chart(y, y + 0.01, unit="eV/atom", quantity="formation energy").to_dict()
    titles = [lay["encoding"]["x"]["title"] for lay in spec["layer"]]
    assert titles[0] == "reference formation energy (eV/atom)"
    spec_g = plots.parity_chart(y, y, quantity="band gap", unit="eV", group=["a", "b"] * 25).to_dict()
    assert spec_g["layer"][1]["encoding"]["color"]["field"] == "group"


# ----------------------------------------------------------------------------- distributions (chapter 01)
@pytest.fixture
def dist_df():
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "energy": rng.normal(size=300),
            "group": rng.choice(["F", "Cl", "O"], 300),
            "sg": rng.choice([12, 33, 167], 300),
            "ox": rng.choice(["II", "III"], 300),
        }
    )


def test_histogram_single(dist_df):
    spec = plots.histogram(dist_df, "energy", quantity="energy", unit="eV/atom").to_dict()
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["x"]["title"] == "energy (eV/atom)" and spec["encoding"]["x"]["bin"]
    assert spec["encoding"]["y"]["aggregate"] == "count"


def test_histogram_facets_and_colour(dist_df):
    chart = plots.histogram(dist_df, "energy", by="sg", colour="ox", quantity="energy", unit="eV/atom")
    assert isinstance(chart, alt.FacetChart)
    spec = chart.to_dict()
    assert spec["facet"]["field"] == "sg" and spec["facet"]["type"] == "ordinal"  # numeric levels sorted numerically
    assert spec["spec"]["encoding"]["color"]["field"] == "ox"
    by_group = plots.histogram(dist_df, "energy", by="group", quantity="e", unit="eV").to_dict()
    assert by_group["facet"]["type"] == "nominal"


def test_histogram_rows_sorted_by_median(dist_df):
    shifted = dist_df.assign(energy=dist_df["energy"] + dist_df["group"].map({"F": -3, "Cl": 0, "O": 2}))
    spec = plots.histogram_rows(shifted, "energy", by="group", quantity="energy", unit="eV/atom").to_dict()
    assert spec["mark"]["type"] == "rect"
    assert spec["encoding"]["y"]["sort"] == ["F", "Cl", "O"]
    assert spec["encoding"]["x"]["title"] == "energy (eV/atom)"


def test_histogram_unknown_column(dist_df):
    with pytest.raises(KeyError):
        plots.histogram(dist_df, "nope", quantity="x", unit="1")
    with pytest.raises(KeyError):
        plots.histogram_rows(dist_df, "energy", by="nope", quantity="x", unit="1")


def test_axis_titles_need_a_unit():
    from helpers.style import axis_title

    assert axis_title("band gap", "eV") == "band gap (eV)"
    assert axis_title("H²", "1") == "H² (dimensionless)"
    with pytest.raises(ValueError, match="unit"):
        axis_title("band gap", "")


def test_h_squared_chart_spans_the_bootstrap_range():
    h2 = pd.DataFrame({"pair": ["a & b"] * 3 + ["a & c"] * 3, "h_squared": [0.2, 0.3, 0.4, 0.0, 0.1, 0.05]})
    spec = plots.h_squared_chart(h2).to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert {r["pair"]: (r["min"], r["max"]) for r in rows} == {"a & b": (0.2, 0.4), "a & c": (0.0, 0.1)}
    with pytest.raises(KeyError, match="h_squared"):
        plots.h_squared_chart(h2.rename(columns={"h_squared": "h"}))
