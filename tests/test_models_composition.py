"""helpers.models.composition: the recipe, its pair rule, the fixed-penalty regressor, the validation choice."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from helpers import models
from helpers.linear import MultilinearRegressor

ELEMENTS = ["Li", "Na", "Mg", "Al", "O", "F", "Cl", "S"]


def _toy(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Binary compounds whose 'energy' has main effects and one pair effect, Na & Cl."""
    rng = np.random.default_rng(seed)
    rows, energy = [], []
    pairs = list(itertools.combinations(ELEMENTS, 2))
    for _ in range(n):
        a, b = pairs[rng.integers(len(pairs))]
        i, j = rng.integers(1, 4, 2)
        rows.append(f"{a}{i}{b}{j}")
        fa, fb = i / (i + j), j / (i + j)
        energy.append(-fa * ELEMENTS.index(a) / 4 - fb * ELEMENTS.index(b) / 8 - 2 * fa * fb * ({a, b} == {"Na", "Cl"}))
    return pd.DataFrame({"formula": rows}), np.array(energy)


def test_recipes_are_unfitted_pipelines():
    for name in models.COMPOSITION_CANDIDATES:
        pipe = models.composition_model(candidate=name, alpha=3.0)
        assert isinstance(pipe[-1], MultilinearRegressor) and not hasattr(pipe[-1], "coef_")
        assert clone(pipe).get_params()["model__alpha"] == 3.0
    with pytest.raises(ValueError, match="unknown candidate 'all'"):
        models.composition_model(candidate="all")


def test_pair_rule():
    names = ["O", "Na", "Cl", "mean radius", "mean row", "spread row", "mean row[0]"]
    assert models.CompositionPairs(("fractions",))(names) == [("O", "Na"), ("O", "Cl"), ("Na", "Cl")]
    assert models.CompositionPairs(("means",))(names) == [("mean radius", "mean row")]
    assert models.CompositionPairs(("fractions",)) == models.CompositionPairs(("fractions",))
    with pytest.raises(ValueError, match="kinds must be"):
        models.CompositionPairs(("triples",))


def test_pairs_are_needed_and_contributions_sum_to_the_prediction():
    X, y = _toy(400, 0)
    X_val, y_val = _toy(200, 1)
    cands = {n: models.composition_model(candidate=n, alpha=0.01) for n in ("fractions", "fractions + pairs")}
    sel = models.fit_on_validation(cands, X, y, X_val, y_val)
    assert list(sel.table.columns) == ["candidate", "val_mae", "fit_seconds"]
    assert sel.best == "fractions + pairs"
    mae = sel.table.set_index("candidate").val_mae
    assert mae["fractions + pairs"] < 0.5 * mae["fractions"]
    fitted = sel.fitted["fractions + pairs"]
    contrib = fitted[-1].contributions(fitted[0].transform(X_val))
    np.testing.assert_allclose(contrib.sum(axis=1), fitted.predict(X_val), atol=1e-10)
    assert fitted[-1].alpha_ == 0.01


def test_bad_penalty_and_empty_candidates():
    X, y = _toy(50, 0)
    with pytest.raises(ValueError, match="alpha must be a positive number"):
        models.composition_model(candidate="fractions", alpha=0.0).fit(X, y)
    with pytest.raises(ValueError, match="at least one candidate"):
        models.fit_on_validation({}, X, y, X, y)


def test_validation_choice_re_chooses_at_every_fit_and_clones():
    X, y = _toy(300, 0)
    X_val, y_val = _toy(150, 1)
    cands = {n: models.composition_model(candidate=n, alpha=0.01) for n in ("fractions", "fractions + pairs")}
    choice = models.ValidationChoice(cands, X_val, y_val)
    fitted = clone(choice).fit(X, y)
    assert fitted.best_ == "fractions + pairs"
    np.testing.assert_allclose(fitted.predict(X_val), fitted.best_estimator_.predict(X_val))
    direct = models.fit_on_validation(cands, X, y, X_val, y_val)
    np.testing.assert_allclose(fitted.predict(X_val), direct.fitted[direct.best].predict(X_val))
    assert not hasattr(choice, "best_")  # the template is left unfitted
    with pytest.raises(ValueError, match="needs X_val and y_val"):
        models.ValidationChoice(cands).fit(X, y)


def test_parallel_validation_search_gives_the_same_result():
    X, y = _toy(200, 0)
    X_val, y_val = _toy(100, 1)
    cands = {a: models.composition_model(candidate="fractions + pairs", alpha=a) for a in (0.01, 1.0, 100.0)}
    one = models.fit_on_validation(cands, X, y, X_val, y_val)
    two = models.fit_on_validation(cands, X, y, X_val, y_val, n_jobs=2)
    pd.testing.assert_series_equal(one.table.val_mae, two.table.val_mae)
    assert one.best == two.best
    np.testing.assert_array_equal(one.fitted[one.best].predict(X_val), two.fitted[two.best].predict(X_val))
