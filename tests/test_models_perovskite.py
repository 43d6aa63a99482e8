"""helpers.models.perovskite: the recipe's input checks, pair rule, contributions and CV choice."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from helpers import data, models
from helpers.linear import PAIR_SEP, MultilinearClassifier


@pytest.fixture(scope="module")
def s1():
    return data.load_perovskites()


@pytest.fixture(scope="module")
def fitted(s1):
    train = s1[s1.split == "train"]
    return models.perovskite_model(n_knots=4, interactions="radii", Cs=(0.3,)).fit(train, train.is_perovskite)


def test_recipe_is_an_unfitted_pipeline_ending_in_the_classifier():
    pipe = models.perovskite_model()
    assert isinstance(pipe[-1], MultilinearClassifier) and not hasattr(pipe[-1], "coef_")
    assert clone(pipe).get_params()["model__interactions"] == models.VariablePairs(None)


def test_predictions_are_sums_of_named_contributions(fitted, s1):
    test = s1[s1.split == "test"]
    contrib = models.variable_contributions(fitted, test)
    assert list(contrib.columns[:6]) == list(models.PEROVSKITE_FEATURES) and contrib.columns[-1] == "intercept"
    assert set(contrib.columns[6:-1]) == {f"rA{PAIR_SEP}rB", f"rA{PAIR_SEP}rX", f"rB{PAIR_SEP}rX"}
    np.testing.assert_allclose(contrib.sum(axis=1), fitted.decision_function(test), atol=1e-10)
    assert (fitted.predict(test) == test.is_perovskite).mean() > 0.85


def test_pair_rule_pairs_columns_of_different_variables_only():
    names = ["rA__s0", "rA__s1", "rB__s0", "X__X_O"]
    assert models.VariablePairs()(names) == [
        ("rA__s0", "rB__s0"),
        ("rA__s0", "X__X_O"),
        ("rA__s1", "rB__s0"),
        ("rA__s1", "X__X_O"),
        ("rB__s0", "X__X_O"),
    ]
    assert models.VariablePairs([("rB", "rA")])(names) == [("rA__s0", "rB__s0"), ("rA__s1", "rB__s0")]
    assert models.VariablePairs([("rA", "rB")]) == models.VariablePairs([("rB", "rA")])


@pytest.mark.parametrize(
    "change, message",
    [
        ({"X": "S"}, r"unknown anion\(s\) \['S'\].*O, F, Cl, Br, I"),
        ({"X": "Na"}, r"unknown anion"),
        ({"rB": 0.0}, r"rB must be a positive ionic radius"),
        ({"rX": -1.4}, r"rX must be a positive ionic radius"),
        ({"nA": 0}, r"nA must be the cation's oxidation state, 1 to 7"),
        ({"nB": 9}, r"nB must be the cation's oxidation state"),
        ({"nB": "two"}, r"nB must be"),
    ],
)
def test_bad_ions_are_refused(fitted, s1, change, message):
    row = s1[s1.formula == "SrTiO3"].assign(**change)
    with pytest.raises(ValueError, match=message):
        fitted.predict(row)


def test_swapped_a_and_b_is_refused(fitted, s1):
    row = s1[s1.formula == "SrTiO3"].copy()
    row[["rA", "rB"]] = row[["rB", "rA"]].to_numpy()
    row[["nA", "nB"]] = row[["nB", "nA"]].to_numpy()
    with pytest.raises(ValueError, match="A and B look swapped"):
        fitted.predict(row)


def test_missing_column_is_named(fitted, s1):
    with pytest.raises(ValueError, match=r"missing column\(s\) \['nB'\]"):
        fitted.predict(s1.drop(columns="nB"))


def test_bad_recipe_parameters():
    with pytest.raises(ValueError, match="n_knots"):
        models.perovskite_model(n_knots=1)
    with pytest.raises(ValueError, match="interactions must be one of"):
        models.perovskite_model(interactions="some")
    with pytest.raises(ValueError, match=r"unknown variable\(s\) \['rC'\]"):
        models.perovskite_model(interactions=[("rA", "rC")])


def test_cv_choice_uses_the_training_rows_only(s1):
    train = s1[s1.split == "train"]
    search = models.PerovskiteCV(knots=(4,), pair_sets=("none", "radii"), cv=3).fit(train, train.is_perovskite)
    assert len(search.cv_results_) == 2
    best = search.cv_results_.loc[search.cv_results_.cv_log_loss.idxmin()]
    assert search.best_params_ == {"n_knots": 4, "interactions": best.interactions}
    np.testing.assert_allclose(search.predict_proba(train), search.best_estimator_.predict_proba(train))


def test_tau_factor_and_the_double_perovskite_rule(s1):
    srtio3 = s1[s1.formula == "SrTiO3"].iloc[0]
    tau = models.tau_factor(srtio3.rA, srtio3.rB, srtio3.rX, srtio3.nA)
    assert tau == pytest.approx(srtio3.tau, abs=0.05)
    with pytest.raises(ValueError, match="rA > rB"):
        models.tau_factor(0.6, 1.4, 1.4, 2)
    double = pd.DataFrame(
        {"rA": [1.88], "rB1": [0.77], "rB2": [0.62], "rX": [1.81], "nA": [1], "nB1": [1], "nB2": [3], "X": ["Cl"]}
    )
    inputs = models.double_perovskite_inputs(double)
    assert list(inputs.columns) == list(models.PEROVSKITE_FEATURES)
    assert inputs.rB.iloc[0] == pytest.approx(0.695) and inputs.nB.iloc[0] == 2
