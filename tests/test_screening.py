"""Tests of helpers.screening: enumeration of the elpasolite space, look-up scoring and candidate flags."""

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from helpers import data, screening
from helpers.models import ELPASOLITE_TARGET, elpasolite_model

ELEMENTS = ("Ba", "Ca", "Cs", "F", "Na", "K")   # deliberately not in atomic-number order


@pytest.fixture(scope="module")
def elp():
    return data.load_elpasolites()


@pytest.fixture(scope="module")
def fitted(elp):
    train = elp.iloc[:2500]
    return elpasolite_model().fit(train, train[ELPASOLITE_TARGET])


@pytest.mark.parametrize(("distinct", "ab", "count"), [
    (True, "ordered", 6 * 5 * 4 * 3), (True, "unordered", 6 * 5 * 4 * 3 // 2),
    (False, "ordered", 6**4), (False, "unordered", 6 * 7 // 2 * 6**2)])
def test_counts_match_the_formulas_and_rows_are_unique(distinct, ab, count):
    space = screening.enumerate_elpasolites(ELEMENTS, distinct=distinct, ab=ab)
    assert len(space) == count
    df = space.frame()
    assert not df.duplicated(["A", "B", "C", "D"]).any()
    if ab == "unordered":
        # each crystal once: no row is the A/B swap of another
        key = pd.DataFrame({"lo": df[["A", "B"]].min(axis=1), "hi": df[["A", "B"]].max(axis=1),
                            "C": df.C, "D": df.D})
        assert not key.duplicated().any()
    if distinct:
        assert (df[["A", "B", "C", "D"]].nunique(axis=1) == 4).all()


def test_unordered_convention_puts_the_lighter_element_on_a():
    space = screening.enumerate_elpasolites(ELEMENTS)
    assert space.elements == ("F", "Na", "K", "Ca", "Cs", "Ba")  # by atomic number
    df = space.frame()
    z = {e: i for i, e in enumerate(space.elements)}
    assert (df.A.map(z) < df.B.map(z)).all()
    assert df.formula.iloc[0] == df.A.iloc[0] + df.B.iloc[0] + df.C.iloc[0] + "2" + df.D.iloc[0] + "6"


def test_full_space_counts():
    els = data.load_elpasolites()[["A", "B", "C", "D"]].stack().unique()
    assert len(screening.enumerate_elpasolites(els, ab="ordered")) == 39 * 38 * 37 * 36
    assert len(screening.enumerate_elpasolites(els, distinct=False, ab="ordered")) == 39**4


def test_enumerate_rejects_bad_input():
    with pytest.raises(ValueError, match="at least 4 distinct"):
        screening.enumerate_elpasolites(["F", "F", "Na", "K"])
    with pytest.raises(ValueError, match="ab must be"):
        screening.enumerate_elpasolites(ELEMENTS, ab="sorted")


def test_lookup_score_equals_predict(elp, fitted):
    space = screening.enumerate_elpasolites(ELEMENTS, distinct=False, ab="ordered")
    np.testing.assert_allclose(screening.score(fitted, space), fitted.predict(space.frame()), atol=1e-10)
    np.testing.assert_allclose(screening.score(fitted, elp.iloc[5000:5300]), fitted.predict(elp.iloc[5000:5300]),
                               atol=1e-10)


def test_score_falls_back_to_predict_for_other_estimators(elp):
    class Mean:
        def predict(self, X):
            return np.full(len(X), 1.5) + (X.D == "F")

    space = screening.enumerate_elpasolites(ELEMENTS)
    s = screening.score(Mean(), space, chunk=7)
    np.testing.assert_array_equal(s, 1.5 + (space.frame().D == "F").to_numpy())


def test_site_effect_is_zero_at_the_reference_and_exact_for_main_effects(elp):
    train = elp.iloc[:2500]
    main = elpasolite_model(interactions=False).fit(train, train[ELPASOLITE_TARGET])
    eff = screening.site_effect(main, train, site="D", reference="F")
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
        screening.site_effect(main, train, site="E")


def test_pair_counts_and_candidates(elp, fitted):
    train = elp.iloc[:2500]
    space = screening.enumerate_elpasolites(ELEMENTS, distinct=False)
    s = screening.score(fitted, space)
    cand = screening.candidates(space, s, train=train, data=elp, n_top=30)
    assert len(cand) == 30 and cand.predicted.is_monotonic_increasing
    assert cand.predicted.iloc[0] == pytest.approx(s.min())
    # a crystal with the same element twice never occurs in the data: its A-B or site pair is unseen
    rep = cand[cand[["A", "B", "C", "D"]].nunique(axis=1) < 4]
    assert (rep.n_unseen_pairs > 0).all() and not rep.in_domain.any()
    # in-data flag and DFT value, whatever the A/B order
    row = elp.iloc[0]
    one = pd.DataFrame({"A": [row.B], "B": [row.A], "C": [row.C], "D": [row.D]})
    counts = screening.pair_counts(elp, one, elements=tuple(elp[["A", "B", "C", "D"]].stack().unique()))
    assert counts.min_pair_count.iloc[0] >= 1 and counts.n_unseen_pairs.iloc[0] == 0
    with pytest.raises(ValueError, match="scores has"):
        screening.candidates(space, s[:-1], train=train)
    for bad in (0, -5, 2.5, True):
        with pytest.raises(ValueError, match="n_top must be a positive integer"):
            screening.candidates(space, s, train=train, n_top=bad)


def test_site_tables_of_an_unfitted_recipe_is_not_fitted_error():
    with pytest.raises(NotFittedError):
        screening.site_tables(elpasolite_model())


def test_charge_balance_flags():
    out = screening.charge_balanced(["CaSrCs2F6", "FFBa2F6", "AlNaK2F6"])
    assert out.charge_balanced.tolist() == [True, False, True]
    assert out.oxidation_states.iloc[0] == "Ca+2 Sr+2 Cs+1 F-1"


# ----------------------------------------------------------------------------- purification
def test_purified_tables_predict_the_same_and_are_centred(elp, fitted):
    train = elp.iloc[:2500]
    tables = screening.site_tables(fitted)
    w = screening.site_weights(train, tables.elements)
    pure = screening.purify(tables, w)
    space = screening.enumerate_elpasolites(tables.elements[:12], distinct=False)
    np.testing.assert_allclose(pure.predict_codes(space.codes), tables.predict_codes(space.codes), atol=1e-10)
    for s in screening.SITES:
        assert abs(w[s] @ pure.unary[s]) < 1e-10
    for s, t in screening.SITE_PAIRS:
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
    train = elp.iloc[:2500]
    tables = screening.site_tables(fitted)
    pure = screening.purify(tables, screening.site_weights(train, tables.elements))
    casr = pd.DataFrame({"A": ["Ca"], "B": ["Sr"], "C": ["Cs"], "D": ["F"]})
    parts = screening.site_contributions(pure, casr)
    assert list(parts.kind) == ["main"] * 4 + ["pair"] * 6 + ["intercept"]
    assert parts.term.iloc[0] == "A = Ca" and parts.term.iloc[-2] == "C × D: Cs–F"
    assert parts.contribution.sum() == pytest.approx(float(fitted.predict(casr)[0]), abs=1e-9)


def test_purify_rejects_bad_weights(elp, fitted):
    tables = screening.site_tables(fitted)
    w = screening.site_weights(elp.iloc[:2500], tables.elements)
    for bad in (w["C"][:-1], -w["C"], np.zeros_like(w["C"])):
        with pytest.raises(ValueError, match=r"weights\['C'\] must be 39 non-negative numbers"):
            screening.purify(tables, {**w, "C": bad})
    with pytest.raises(ValueError, match="unknown element"):
        screening.site_weights(pd.DataFrame({"A": ["Fe"], "B": ["Ca"], "C": ["Cs"], "D": ["F"]}), tables.elements)
