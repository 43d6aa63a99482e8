"""Tests of helpers.plots.curves: log-log learning curves."""

import pandas as pd
import pytest

from helpers import plots


def curves():
    return pd.DataFrame(
        {
            "n_train": [500, 1000, 500, 1000],
            "mae": [0.3, 0.2, 0.25, 0.15],
            "model": ["krr", "krr", "multilinear", "multilinear"],
        }
    )


def test_log_log_axes_titles_and_references():
    refs = pd.DataFrame({"label": ["paper: 0.1"], "value": [0.1]})
    d = plots.learning_curve_chart(curves(), quantity="test MAE", unit="eV/atom", references=refs).to_dict()
    enc = d["layer"][0]["encoding"]
    assert enc["x"]["scale"]["type"] == "log" and enc["y"]["scale"]["type"] == "log"
    assert enc["y"]["title"] == "test MAE (eV/atom)" and enc["x"]["title"] == "training crystals (dimensionless)"
    assert [ly["mark"]["type"] for ly in d["layer"]] == ["line", "point", "rule", "text"]


def test_bad_input():
    with pytest.raises(KeyError, match="model"):
        plots.learning_curve_chart(curves().drop(columns="model"), quantity="e", unit="eV/atom")
    with pytest.raises(ValueError, match="positive"):
        plots.learning_curve_chart(curves().assign(mae=0.0), quantity="e", unit="eV/atom")
