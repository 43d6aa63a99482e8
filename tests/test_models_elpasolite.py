"""Tests of the elpasolite recipe helpers.models.elpasolite_model."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold

from helpers import data
from helpers.featurize.elpasolite import ELPASOLITE_ELEMENTS, SitePairs
from helpers.linear import MultilinearRegressor, local_contributions
from helpers.models import ELPASOLITE_TARGET, elpasolite_model


@pytest.fixture(scope="module")
def elp():
    return data.load_elpasolites()


@pytest.fixture(scope="module")
def fitted(elp):
    train = elp.iloc[:3000]
    return elpasolite_model().fit(train, train[ELPASOLITE_TARGET])


def test_recipe_is_an_unfitted_pipeline_of_named_terms():
    model = elpasolite_model()
    assert [name for name, _ in model.steps] == ["sites", "multilinear"]
    assert isinstance(model[-1], MultilinearRegressor)
    assert not hasattr(model[-1], "coef_")
    clone(model)  # an sklearn estimator


def test_recipe_fits_predicts_and_decomposes(elp, fitted):
    test = elp.iloc[9000:9500]
    pred = fitted.predict(test)
    mae = np.mean(np.abs(pred - test[ELPASOLITE_TARGET]))
    assert mae < 0.2  # eV/atom; a main-effects model is worse than 0.25 (see the chapter)
    names = set(fitted[-1].term_names_)
    assert "D=F" in names and any(" & " in n and n.startswith("C:") for n in names)
    contrib = local_contributions(fitted, test, row=3)
    assert contrib.contribution.sum() == pytest.approx(pred[3], abs=1e-9)


def test_swapping_a_and_b_leaves_predictions_unchanged(elp, fitted):
    test = elp.iloc[9000:9500]
    swapped = test.rename(columns={"A": "B", "B": "A"})
    np.testing.assert_allclose(fitted.predict(swapped), fitted.predict(test), rtol=0, atol=1e-12)


def test_main_effects_variant_has_no_pairs(elp):
    train = elp.iloc[:2000]
    model = elpasolite_model(interactions=False).fit(train, train[ELPASOLITE_TARGET])
    assert len(model[-1].pairs_) == 0 and set(model[-1].term_kinds_) == {"main"}


def test_recipe_errors_are_clear(elp, fitted):
    with pytest.raises(ValueError, match=r"unknown element\(s\) \['Fe'\] on site B.*knows the 39 elements"):
        fitted.predict(pd.DataFrame({"A": ["Ca"], "B": ["Fe"], "C": ["Cs"], "D": ["F"]}))
    with pytest.raises(ValueError, match="missing column.*C"):
        fitted.predict(elp.iloc[:5].drop(columns="C"))


def test_grouped_contributions_sum_to_the_prediction(elp, fitted):
    from helpers.models import grouped_contributions

    test = elp.iloc[9000:9010]
    g = grouped_contributions(fitted, test, row=2)
    assert g.contribution.sum() == pytest.approx(fitted.predict(test)[2], abs=1e-9)
    assert {"D (main)", "AB (main)", "C × D (pairs)", "AB × D (pairs)", "intercept"} <= set(g.term)
    assert set(g.kind) == {"main", "pair", "intercept"} and g.term.is_unique


def _terms_follow_encoder(model):
    """Main terms are exactly the fitted encoder's columns, and each pair term is named after its two columns."""
    columns = [str(c) for c in model[0].get_feature_names_out()]
    reg = model[-1]
    assert list(reg.term_names_[reg.term_kinds_ == "main"]) == columns
    assert list(reg.term_names_[reg.term_kinds_ == "pair"]) == [f"{columns[i]} & {columns[j]}" for i, j in reg.pairs_]


@pytest.mark.parametrize("params", [{"sites__n_knots": 3}, {"sites__properties": ("row", "column")},
                                    {"sites__symmetric_ab": False, "sites__properties": ("row",)}])
def test_term_names_follow_the_encoder_after_set_params(elp, params):
    train = elp.iloc[:1500]
    model = elpasolite_model().set_params(**params).fit(train, train[ELPASOLITE_TARGET])
    _terms_follow_encoder(model)
    enc = model[0]
    expected = SitePairs()(enc.column_names())
    got = [tuple(n.split(" & ")) for n in model[-1].term_names_[model[-1].term_kinds_ == "pair"]]
    assert set(got) <= set(expected) and len(got) + model[-1].n_pairs_skipped_ == len(expected)
    if "sites__properties" in params:
        assert not any("radius" in n for n in model[-1].term_names_)


def test_swapping_an_element_of_the_vocabulary_renames_its_terms(elp):
    """Rn replaces Bi in the encoder's vocabulary: Rn's columns must be reported as Rn, never as Bi."""
    elements = tuple("Rn" if e == "Bi" else e for e in ELPASOLITE_ELEMENTS)
    train = elp[~elp[["A", "B", "C", "D"]].isin(["Bi"]).any(axis=1)].iloc[:1500]
    model = elpasolite_model().set_params(sites__elements=elements).fit(train, train[ELPASOLITE_TARGET])
    names = set(model[-1].term_names_)
    assert "AB=Rn" in names and "D=Rn" in names and not any("Bi" in n for n in names)
    _terms_follow_encoder(model)


def test_grid_search_over_the_encoder(elp):
    train = elp.iloc[:1200]
    grid = GridSearchCV(elpasolite_model(), {"sites__n_knots": [3, 4], "sites__properties": [("row", "column")]},
                        cv=KFold(3, shuffle=True, random_state=0), scoring="neg_mean_absolute_error")
    grid.fit(train, train[ELPASOLITE_TARGET])
    assert grid.cv_results_["mean_test_score"].shape == (2,)
    assert np.all(np.isfinite(grid.cv_results_["mean_test_score"]))
    _terms_follow_encoder(grid.best_estimator_)


def test_site_pairs_rule():
    rule = SitePairs()
    names = ["AB=H", "AB:row#0", "AB:row#1", "C=H", "C:row#0", "D:row#0", "D:row#1"]
    pairs = rule(names)
    assert ("AB:row#0", "AB:row#1") in pairs                  # A–B products live inside the AB block
    assert ("D:row#0", "D:row#1") not in pairs                 # one element's own functions: no pair
    assert not any("=" in a or "=" in b for a, b in pairs)     # no one-hot pairs by default
    assert ("AB=H", "C=H") in SitePairs(one_hot=True)(names)
    assert repr(rule) == "SitePairs(one_hot=False)" and clone(elpasolite_model()).get_params()[
        "multilinear__interactions"] == rule
    with pytest.raises(ValueError, match="'x0' is not a site-encoder column"):
        rule(["x0", "C:row#0"])
