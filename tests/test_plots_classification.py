"""helpers.plots.classification: reliability and response curves."""

import pandas as pd
import pytest

from helpers import plots


def test_reliability_chart_titles_and_data():
    table = pd.DataFrame(
        {"model": ["a", "a"], "mean_predicted": [0.2, 0.8], "fraction_positive": [0.1, 0.9], "count": [5, 7]}
    )
    spec = plots.reliability_chart(table, quantity="perovskite").to_dict()
    text = str(spec)
    assert (
        "predicted probability of perovskite (dimensionless)" in text
        and "observed frequency of perovskite (dimensionless)" in text
    )
    with pytest.raises(KeyError, match="count"):
        plots.reliability_chart(table.drop(columns="count"), quantity="perovskite")


def test_response_curve_chart_facets():
    curves = pd.DataFrame({"x": [1.0, 2.0, 1.0, 2.0], "y": [0.5, -0.5, 1.0, 0.0], "model": ["m", "m", "t", "t"]})
    spec = plots.response_curve_chart(
        curves.assign(family="oxide"),
        x="x",
        y="y",
        x_quantity="rA/rB",
        x_unit="1",
        quantity="log-odds",
        unit="1",
        facet="family",
    ).to_dict()
    assert "facet" in spec and "log-odds (dimensionless)" in str(spec)
    with pytest.raises(KeyError, match="missing"):
        plots.response_curve_chart(curves, x="z", y="y", x_quantity="q", x_unit="1", quantity="q", unit="1")
