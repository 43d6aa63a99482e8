"""Tests of the distribution charts of helpers.plots used by chapter 01 (histogram, histogram_rows)."""

import altair as alt
import numpy as np
import pandas as pd
import pytest

from helpers import plots


@pytest.fixture
def df():
    rng = np.random.default_rng(0)
    return pd.DataFrame({"energy": rng.normal(size=300), "group": rng.choice(["F", "Cl", "O"], 300),
                         "sg": rng.choice([12, 33, 167], 300), "ox": rng.choice(["II", "III"], 300)})


def test_histogram_single(df):
    spec = plots.histogram(df, "energy", title="energy (eV/atom)").to_dict()
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["x"]["title"] == "energy (eV/atom)" and spec["encoding"]["x"]["bin"]
    assert spec["encoding"]["y"]["aggregate"] == "count"


def test_histogram_facets_and_colour(df):
    chart = plots.histogram(df, "energy", by="sg", color="ox", title="energy (eV/atom)")
    assert isinstance(chart, alt.FacetChart)
    spec = chart.to_dict()
    assert spec["facet"]["field"] == "sg" and spec["facet"]["type"] == "ordinal"  # numeric levels sorted numerically
    assert spec["spec"]["encoding"]["color"]["field"] == "ox"
    assert plots.histogram(df, "energy", by="group", title="e (eV)").to_dict()["facet"]["type"] == "nominal"


def test_histogram_rows_sorted_by_median(df):
    df = df.assign(energy=df["energy"] + df["group"].map({"F": -3, "Cl": 0, "O": 2}))
    spec = plots.histogram_rows(df, "energy", by="group", title="energy (eV/atom)").to_dict()
    assert spec["mark"]["type"] == "rect"
    assert spec["encoding"]["y"]["sort"] == ["F", "Cl", "O"]
    assert spec["encoding"]["x"]["title"] == "energy (eV/atom)"


def test_histogram_unknown_column(df):
    with pytest.raises(KeyError):
        plots.histogram(df, "nope", title="x (1)")
    with pytest.raises(KeyError):
        plots.histogram_rows(df, "energy", by="nope", title="x (1)")
