"""Tests of the elpasolite recipe helpers.models.elpasolite_model."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from helpers import data
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
