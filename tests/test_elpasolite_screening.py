"""Tests of helpers.elpasolite_screening: enumeration of the elpasolite space, look-up scoring and candidate flags."""

import numpy as np
import pandas as pd
import pytest

from helpers import data
from helpers import elpasolite_screening as screening
from helpers.models import ELPASOLITE_TARGET, elpasolite_model

ELEMENTS = ("Ba", "Ca", "Cs", "F", "Na", "K")  # deliberately not in atomic-number order


@pytest.fixture(scope="module")
def elp():
    return data.load_elpasolites()


@pytest.fixture(scope="module")
def fitted(elp):
    train = elp.iloc[:2500]
    return elpasolite_model().fit(train, train[ELPASOLITE_TARGET])


@pytest.mark.parametrize(
    ("distinct", "ab", "count"),
    [
        (True, "ordered", 6 * 5 * 4 * 3),
        (True, "unordered", 6 * 5 * 4 * 3 // 2),
        (False, "ordered", 6**4),
        (False, "unordered", 6 * 7 // 2 * 6**2),
    ],
)
def test_counts_match_the_formulas_and_rows_are_unique(distinct, ab, count):
    space = screening.enumerate_elpasolites(ELEMENTS, distinct=distinct, ab=ab)
    assert len(space) == count
    df = space.frame()
    assert not df.duplicated(["A", "B", "C", "D"]).any()
    if ab == "unordered":
        # each crystal once: no row is the A/B swap of another
        key = pd.DataFrame({"lo": df[["A", "B"]].min(axis=1), "hi": df[["A", "B"]].max(axis=1), "C": df.C, "D": df.D})
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
    np.testing.assert_allclose(
        screening.score(fitted, elp.iloc[5000:5300]), fitted.predict(elp.iloc[5000:5300]), atol=1e-10
    )


def test_score_falls_back_to_predict_for_other_estimators(elp):
    class Mean:
        def predict(self, X):
            return np.full(len(X), 1.5) + (X.D == "F")

    space = screening.enumerate_elpasolites(ELEMENTS)
    s = screening.score(Mean(), space, chunk=7)
    np.testing.assert_array_equal(s, 1.5 + (space.frame().D == "F").to_numpy())


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


def test_charge_balance_flags():
    out = screening.charge_balanced(["CaSrCs2F6", "FFBa2F6", "AlNaK2F6"])
    assert out.charge_balanced.tolist() == [True, False, True]
    assert out.oxidation_states.iloc[0] == "Ca+2 Sr+2 Cs+1 F-1"
