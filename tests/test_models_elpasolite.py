"""Tests of the elpasolite recipe helpers.models.elpasolite_model."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, KFold

from helpers import data
from helpers import elpasolite_screening as screening
from helpers.featurize.elpasolite import ELPASOLITE_ELEMENTS, SITES, SitePairs
from helpers.linear import MultilinearRegressor, local_contributions
from helpers.models import ELPASOLITE_TARGET, elpasolite, elpasolite_model


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


@pytest.mark.parametrize(
    "params",
    [
        {"sites__n_knots": 3},
        {"sites__properties": ("row", "column")},
        {"sites__symmetric_ab": False, "sites__properties": ("row",)},
    ],
)
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
    grid = GridSearchCV(
        elpasolite_model(),
        {"sites__n_knots": [3, 4], "sites__properties": [("row", "column")]},
        cv=KFold(3, shuffle=True, random_state=0),
        scoring="neg_mean_absolute_error",
    )
    grid.fit(train, train[ELPASOLITE_TARGET])
    assert grid.cv_results_["mean_test_score"].shape == (2,)
    assert np.all(np.isfinite(grid.cv_results_["mean_test_score"]))
    _terms_follow_encoder(grid.best_estimator_)


def test_site_pairs_rule():
    rule = SitePairs()
    names = ["AB=H", "AB:row#0", "AB:row#1", "C=H", "C:row#0", "D:row#0", "D:row#1"]
    pairs = rule(names)
    assert ("AB:row#0", "AB:row#1") in pairs  # A–B products live inside the AB block
    assert ("D:row#0", "D:row#1") not in pairs  # one element's own functions: no pair
    assert not any("=" in a or "=" in b for a, b in pairs)  # no one-hot pairs by default
    assert ("AB=H", "C=H") in SitePairs(one_hot=True)(names)
    assert (
        repr(rule) == "SitePairs(one_hot=False)"
        and clone(elpasolite_model()).get_params()["multilinear__interactions"] == rule
    )
    with pytest.raises(ValueError, match="'x0' is not a site-encoder column"):
        rule(["x0", "C:row#0"])


# ----------------------------------------------------------------------------- the table view
def test_site_effect_is_zero_at_the_reference_and_exact_for_main_effects(elp):
    train = elp.iloc[:3000]
    main = elpasolite_model(interactions=False).fit(train, train[ELPASOLITE_TARGET])
    eff = elpasolite.site_effect(main, train, site="D", reference="F")
    assert eff["F"] == 0.0
    names = list(main[-1].term_names_)
    coef = dict(zip(names, main[-1].coef_, strict=True))
    # one-hot + splines of the D element: their sum at C minus at F
    enc = main[0]
    fd = enc.element_features("D") @ main[-1].coef_[enc.block_columns_["D"]]
    els = list(enc.elements_)
    assert eff["C"] == pytest.approx(fd[els.index("C")] - fd[els.index("F")], abs=1e-10)
    assert "D=C" in coef
    with pytest.raises(ValueError, match="unknown site"):
        elpasolite.site_effect(main, train, site="E")


def test_site_tables_of_an_unfitted_recipe_is_not_fitted_error():
    with pytest.raises(NotFittedError):
        elpasolite.site_tables(elpasolite_model())


# ----------------------------------------------------------------------------- purification
def test_purified_tables_predict_the_same_and_are_centred(elp, fitted):
    train = elp.iloc[:3000]
    tables = elpasolite.site_tables(fitted)
    w = elpasolite.site_weights(train, tables.elements)
    pure = elpasolite.purify(tables, w)
    space = screening.enumerate_elpasolites(tables.elements[:12], distinct=False)
    np.testing.assert_allclose(pure.predict_codes(space.codes), tables.predict_codes(space.codes), atol=1e-10)
    for s in SITES:
        assert abs(w[s] @ pure.unary[s]) < 1e-10
    for s, t in elpasolite.SITE_PAIRS:
        P = pure.pair[(s, t)]
        np.testing.assert_allclose(P @ w[t], 0, atol=1e-10)
        np.testing.assert_allclose(w[s] @ P, 0, atol=1e-10)
    # A and B share weights and tables, so the purified model is still A/B-symmetric
    np.testing.assert_allclose(pure.unary["A"], pure.unary["B"], atol=1e-12)
    np.testing.assert_allclose(pure.pair[("A", "B")], pure.pair[("A", "B")].T, atol=1e-12)
    # the intercept is the mean prediction over crystals drawn site by site from the weights
    n = len(tables.elements)
    grid = np.einsum("a,b,c,d->abcd", w["A"], w["B"], w["C"], w["D"])
    a, b, c, d = (g.ravel() for g in np.indices((n,) * 4))
    mean = grid.ravel() @ tables.predict_codes({"A": a, "B": b, "C": c, "D": d})
    assert pure.intercept == pytest.approx(mean, abs=1e-10)


def test_site_contributions_sum_to_the_prediction(elp, fitted):
    train = elp.iloc[:3000]
    tables = elpasolite.site_tables(fitted)
    pure = elpasolite.purify(tables, elpasolite.site_weights(train, tables.elements))
    casr = pd.DataFrame({"A": ["Ca"], "B": ["Sr"], "C": ["Cs"], "D": ["F"]})
    parts = elpasolite.site_contributions(pure, casr)
    assert list(parts.kind) == ["main"] * 4 + ["pair"] * 6 + ["intercept"]
    assert parts.term.iloc[0] == "A = Ca" and parts.term.iloc[-2] == "C × D: Cs–F"
    assert parts.contribution.sum() == pytest.approx(float(fitted.predict(casr)[0]), abs=1e-9)


def test_purify_rejects_bad_weights(elp, fitted):
    tables = elpasolite.site_tables(fitted)
    w = elpasolite.site_weights(elp.iloc[:3000], tables.elements)
    for bad in (w["C"][:-1], -w["C"], np.zeros_like(w["C"])):
        with pytest.raises(ValueError, match=r"weights\['C'\] must be 39 non-negative numbers"):
            elpasolite.purify(tables, {**w, "C": bad})
    with pytest.raises(ValueError, match="unknown element"):
        elpasolite.site_weights(pd.DataFrame({"A": ["Fe"], "B": ["Ca"], "C": ["Cs"], "D": ["F"]}), tables.elements)


def test_onehot_model_is_the_papers_form(elp):
    from helpers.models import elpasolite_onehot_model

    train, test = elp.iloc[:3000], elp.iloc[9000:9300]
    model = elpasolite_onehot_model().fit(train, train[ELPASOLITE_TARGET])
    reg = model[-1]
    names = set(reg.term_names_)
    assert "D=F" in names and "AB=Ca" in names
    assert not any(":" in n for n in names)  # no smooth basis functions
    pairs = [n for n, k in zip(reg.term_names_, reg.term_kinds_, strict=True) if k == "pair"]
    assert pairs and all(n.count("=") == 2 for n in pairs)  # every pair is one-hot × one-hot
    swapped = test.rename(columns={"A": "B", "B": "A"})
    np.testing.assert_allclose(model.predict(swapped), model.predict(test), rtol=0, atol=1e-12)
    mae = np.mean(np.abs(model.predict(test) - test[ELPASOLITE_TARGET]))
    assert mae < 0.5  # eV/atom: a working fit (the chapter compares it properly)
    main = elpasolite_onehot_model(interactions=False).fit(train, train[ELPASOLITE_TARGET])
    assert set(main[-1].term_kinds_) == {"main"}


def test_site_effect_table_has_intervals_and_counts(elp):
    train = elp.iloc[:1500]
    model = elpasolite_model(properties=("row", "column"), n_bootstrap=4).fit(train, train[ELPASOLITE_TARGET])
    table = elpasolite.site_effect_table(model, train, site="D", reference="F")
    assert list(table.columns) == ["element", "value", "ci_low", "ci_high", "n_train"]
    t = table.set_index("element")
    assert t.loc["F", "value"] == 0 and t.loc["F", "ci_low"] == 0 == t.loc["F", "ci_high"]
    assert (t.ci_low <= t.ci_high + 1e-12).all() and t.n_train.sum() == len(train)
    pd.testing.assert_series_equal(
        t.value, elpasolite.site_effect(model, train, site="D", reference="F"), check_names=False
    )
    ab = elpasolite.site_effect_table(model, train, site="A", reference="F").set_index("element")
    assert ab.n_train.sum() == 2 * len(train)  # A and B pooled
    no_boot = elpasolite_model(properties=("row",), n_knots=3).fit(train, train[ELPASOLITE_TARGET])
    assert elpasolite.site_effect_table(no_boot, train).ci_low.isna().all()
    with pytest.raises(ValueError, match="confidence"):
        elpasolite.site_effect_table(model, train, confidence=1.5)


def test_pair_penalty_loo_reproduces_the_recipe_at_weight_one(elp):
    train = elp.iloc[:800]
    y = train[ELPASOLITE_TARGET].to_numpy()
    model = elpasolite_model(properties=("row", "column"), n_knots=3).fit(train, y)
    table = elpasolite.pair_penalty_loo(model, train, y, pair_weights=(0.25, 1.0, 4.0))
    assert list(table.columns) == ["pair_weight", "alpha", "loo_rmse"] and len(table) == 3
    one = table.set_index("pair_weight").loc[1.0]
    assert one.loo_rmse == pytest.approx(np.sqrt(model[-1].loo_mse_), rel=1e-6)
    assert one.alpha == model[-1].alpha_
    assert table.loo_rmse.nunique() == 3  # the weight changes the fit
    with pytest.raises(ValueError, match="pair_weights"):
        elpasolite.pair_penalty_loo(model, train, y, pair_weights=(0.0,))
    with pytest.raises(TypeError, match="fitted Pipeline"):
        elpasolite.pair_penalty_loo(model[-1], train, y)
