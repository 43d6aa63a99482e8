"""Tests of helpers.plots.curves: log-log learning curves and the LASSO sparsity path."""

import numpy as np
import pandas as pd
import pytest

from helpers import plots
from helpers.linear import MultilinearRegressor, sparsity_path


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


def test_sparsity_path_chart():
    rng = np.random.default_rng(4)
    X = pd.DataFrame(rng.uniform(0, 1, size=(120, 3)), columns=list("abc"))
    y = X.a + X.a * X.b
    sp = sparsity_path(MultilinearRegressor(interactions="all", penalty=None).fit(X, y), X, y, n_alphas=10)
    spec = plots.sparsity_path_chart(sp.table, best=sp.best, quantity="y", unit="eV").to_dict()
    assert "5-fold CV RMSE of y (eV)" in str(spec) and "non-zero terms (count)" in str(spec)


def test_learning_curve_range_chart_draws_mean_lines_and_error_bars():
    draws = pd.DataFrame(
        {
            "n_train": [500, 500, 1000, 1000, 500, 500, 1000, 1000],
            "mae": [0.3, 0.32, 0.2, 0.22, 0.25, 0.27, 0.15, 0.16],
            "model": ["krr"] * 4 + ["multilinear"] * 4,
        }
    )
    refs = pd.DataFrame({"label": ["paper: 0.1"], "value": [0.1]})
    d = plots.learning_curve_range_chart(draws, quantity="test MAE", unit="eV/atom", references=refs).to_dict()
    curve, bars = d["layer"]
    assert [ly["mark"]["type"] for ly in curve["layer"]] == ["line", "point", "rule", "text"]
    assert curve["layer"][0]["encoding"]["y"]["title"] == "test MAE (eV/atom)"
    assert bars["mark"]["type"] == "errorbar" and bars["encoding"]["y2"]["field"] == "max"
    with pytest.raises(KeyError, match="missing"):
        plots.learning_curve_range_chart(draws.drop(columns="model"), quantity="q", unit="1")
    with pytest.raises(ValueError, match="positive"):
        plots.learning_curve_range_chart(draws.assign(mae=0.0), quantity="q", unit="1")
