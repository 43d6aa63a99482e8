"""Tests of helpers.plots.categorical: level contributions with intervals and distributions per level."""

import numpy as np
import pandas as pd
import pytest

from helpers import plots
from helpers.plots.categorical import ABSENT_COLOUR


def contributions(absent=True):
    df = pd.DataFrame(
        {
            "level": ["Fe(II)", "Co(III)", "Ni(II)"],
            "contribution": [12.0, 30.0, -20.0],
            "ci_low": [10.0, 28.0, -25.0],
            "ci_high": [14.0, 33.0, -15.0],
            "ox": ["II", "III", "II"],
        }
    )
    if absent:
        df = pd.concat(
            [df.assign(absent=False), pd.DataFrame({"level": ["Ni(III)"], "absent": [True]})], ignore_index=True
        )
    return df


def layers(chart):
    return chart.to_dict()["layer"]


def test_contributions_chart_draws_bars_intervals_and_absent_levels_in_grey():
    spec = plots.level_contributions_chart(
        contributions(), quantity="contribution to ΔE(H−L)", unit="kcal/mol", level_title="metal ion", colour="ox"
    )
    d = spec.to_dict()
    marks = [ly["mark"]["type"] if isinstance(ly["mark"], dict) else ly["mark"] for ly in d["layer"]]
    assert marks == ["bar", "rule", "rule", "tick", "text"]
    assert d["layer"][0]["encoding"]["x"]["title"] == "contribution to ΔE(H−L) (kcal/mol)"
    assert d["layer"][3]["mark"]["color"] == ABSENT_COLOUR
    assert d["layer"][0]["encoding"]["y"]["sort"] == ["Fe(II)", "Co(III)", "Ni(II)", "Ni(III)"]


def test_contributions_chart_sorts_by_value_and_works_without_intervals_or_absent_levels():
    df = contributions(absent=False).assign(ci_low=np.nan, ci_high=np.nan)
    spec = plots.level_contributions_chart(df, quantity="c", unit="kcal/mol", level_title="x", sort="value")
    d = spec.to_dict()
    assert len(d["layer"]) == 2  # bars and the zero rule only
    assert d["layer"][0]["encoding"]["y"]["sort"] == ["Co(III)", "Fe(II)", "Ni(II)"]


def test_contributions_chart_rejects_bad_input():
    with pytest.raises(KeyError, match="ci_low"):
        plots.level_contributions_chart(
            pd.DataFrame({"level": ["a"], "contribution": [1.0]}), quantity="c", unit="1", level_title="x"
        )
    with pytest.raises(ValueError, match="sort must be"):
        plots.level_contributions_chart(contributions(), quantity="c", unit="1", level_title="x", sort="name")
    bad = contributions(absent=False)
    bad.loc[0, "contribution"] = np.nan
    with pytest.raises(ValueError, match="not marked absent has no contribution"):
        plots.level_contributions_chart(bad, quantity="c", unit="1", level_title="x")
    with pytest.raises(ValueError, match="quantity and a unit"):
        plots.level_contributions_chart(contributions(), quantity="c", unit="", level_title="x")


def test_distribution_chart_keeps_empty_levels_and_labels_both_sides():
    df = pd.DataFrame({"ion": ["Fe(II)"] * 5 + ["Co(III)"] * 3, "dE": [-10, -5, 0, 5, 10, 20, 30, 40]})
    spec = plots.distribution_by_level_chart(
        df,
        "dE",
        by="ion",
        order=["Fe(II)", "Co(III)", "Ni(III)"],
        quantity="ΔE(H−L)",
        unit="kcal/mol",
        level_title="metal ion",
        positive_text="low spin",
        negative_text="high spin",
    )
    d = spec.to_dict()
    assert d["layer"][0]["encoding"]["y"]["title"] == "metal ion"
    assert d["layer"][0]["encoding"]["y"]["scale"]["domain"] == ["Fe(II)", "Co(III)", "Ni(III)"]
    labels = [v for name, vals in d["datasets"].items() for v in vals if "n" in v]
    assert [v["n"] for v in labels] == ["n = 5", "n = 3", "no data"]
    texts = [v["t"] for vals in d["datasets"].values() for v in vals if "t" in v]
    assert texts == ["low spin →", "← high spin"]
    with pytest.raises(KeyError, match="not columns"):
        plots.distribution_by_level_chart(df, "missing", by="ion", quantity="q", unit="1")
