"""Tests of helpers.models.tco: the TCO recipe and its log-target regressor.

The recipe tests use small hand-built structures (no data files).
"""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from pymatgen.core import Lattice, Structure
from sklearn.base import clone
from sklearn.pipeline import Pipeline

from helpers import linear
from helpers.featurize.ngram import UnseenNGramWarning
from helpers.featurize.tco import TCOTabularFeaturizer
from helpers.linear import MultilinearRegressor
from helpers.models import tco_model
from helpers.models.tco import (
    BANDGAP_PAIRS,
    TCOMultilinearRegressor,
)


@pytest.fixture(scope="module")
def toy(oxide_cell):
    """60 toy compounds with a formation-energy-like target built from composition and a pair term."""
    structures = [oxide_cell(s) for s in range(60)]
    df = pd.DataFrame({"structure": structures, "spacegroup": 227})
    tab = TCOTabularFeaturizer().fit(df).transform(df)
    y = 0.1 + 0.2 * tab[:, 2] + 0.3 * tab[:, 0] * tab[:, 2] + 0.01 * tab[:, 1]
    return df, y


@pytest.fixture(scope="module")
def fitted_recipe(toy):
    df, y = toy
    return tco_model("formation_energy").fit(df, y)


def test_recipe_refuses_what_is_not_a_tco_crystal(toy, fitted_recipe):
    df, _ = toy
    s = df.structure[0]
    frac = s.frac_coords.copy()
    frac[5, 0] = np.nan
    big = Structure(Lattice(s.lattice.matrix * 10), s.species, s.frac_coords)
    cases = [
        (Structure(s.lattice, s.species, frac), r"row 1: site\(s\) \[5\] have non-finite coordinates"),
        (big, r"row 1: the cell has \d+ Å³ per atom.*scaled wrongly"),
    ]
    for bad, message in cases:
        with pytest.raises(ValueError, match=message):
            fitted_recipe.predict(pd.DataFrame({"structure": [s, bad], "spacegroup": 227}))
    with pytest.raises(ValueError, match=r"row 0: a space group must be an integer number such as 167, got 227\.5"):
        fitted_recipe.predict(pd.DataFrame({"structure": [s], "spacegroup": [227.5]}))
    # a plausible cell compressed to 0.85× its size: a prediction, with a warning that names the row
    squeezed = Structure(Lattice(s.lattice.matrix * 0.85), s.species, s.frac_coords)
    with pytest.warns(UnseenNGramWarning, match=r"rows \[1\]: \d+ % of their n-gram occurrences were never seen"):
        fitted_recipe.predict(pd.DataFrame({"structure": [s, squeezed], "spacegroup": 227}))


@pytest.mark.parametrize("target", ["formation_energy", "bandgap"])
def test_recipe_is_an_unfitted_pipeline_on_the_loader_frame(toy, target):
    df, y = toy
    model = tco_model(target)
    assert isinstance(model, Pipeline) and isinstance(model[-1], MultilinearRegressor)
    assert not hasattr(model[-1], "coef_")  # unfitted
    fitted = clone(model).fit(df, y)
    pred = fitted.predict(df)
    assert pred.shape == (len(df),) and np.all(np.isfinite(pred))
    table = linear.terms_table(fitted)
    assert {"main", "pair", "intercept"} <= set(table.kind)
    names = set(fitted[-1].term_names_)
    assert "x_In" in names and "Al6" in names  # readable names reach the model
    # the contributions of one compound sum to the prediction (log1p units for the band gap)
    c = linear.local_contributions(fitted, df, row=3)
    want = np.log1p(pred[3]) if target == "bandgap" else pred[3]
    assert c.contribution.sum() == pytest.approx(want, abs=1e-10)


def test_recipe_choices(toy):
    df, y = toy
    fe, bg = tco_model("formation_energy"), tco_model("bandgap")
    fe_ngrams, bg_ngrams = (m[0].transformer_list[0][1].get_params() for m in (fe, bg))
    assert (fe_ngrams["max_n"], bg_ngrams["max_n"]) == (3, 2)
    assert fe_ngrams["normalize"] == bg_ngrams["normalize"] == "atom"
    assert fe[-1].interactions == "all" and fe[-1].pair_among is None and not fe[-1].log_target
    assert bg[-1].log_target and bg[-1].pair_among == BANDGAP_PAIRS
    fitted = clone(bg).fit(df, y)
    pairs = [t for t, k in zip(fitted[-1].term_names_, fitted[-1].term_kinds_, strict=True) if k == "pair"]
    assert pairs and all("-" not in t for t in pairs)  # no 2-gram enters a pair
    assert bg[-1].interactions == "all"  # the parameter is restored after fit
    with pytest.raises(ValueError, match=r"\['bandgap', 'formation_energy'\]"):
        tco_model("band_gap")


def test_log_target_and_pair_among():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.uniform(0, 1, size=(200, 3)), columns=["a", "b", "zz"])
    y = np.expm1(0.5 + X.a + 2 * X.a * X.b + 0.1 * X.zz)
    m = TCOMultilinearRegressor(pair_among=r"^[ab]$", log_target=True, penalty=None).fit(X, y)
    assert list(m.term_names_) == ["a", "b", "zz", "a & b"]
    assert_allclose(m.predict(X), y, rtol=1e-10)
    assert_allclose(m.coef_, [1, 0, 0.1, 2], atol=1e-10)
    with pytest.raises(ValueError, match="matches 1 feature"):
        TCOMultilinearRegressor(pair_among="^a$").fit(X, y)
    with pytest.raises(ValueError, match=r"non-negative target \(y ≥ 0.*200 value\(s\) below 0 or NaN \(e\.g\. -2\)"):
        TCOMultilinearRegressor(log_target=True).fit(X, -2 + 0 * y)
    with pytest.raises(ValueError, match="1 value"):  # log1p would accept it, but expm1 is clipped at 0
        TCOMultilinearRegressor(log_target=True).fit(X, np.r_[-0.5, y[1:]])


def test_log_target_predictions_are_clipped_at_zero():
    # a band-gap-like target falling with a; at a = 3 the linear predictor in log1p units is negative
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"a": rng.uniform(0, 1, 100)})
    y = np.expm1(1.0 - 0.9 * X.a)
    m = TCOMultilinearRegressor(log_target=True, interactions=None, penalty=None).fit(X, y)
    new = pd.DataFrame({"a": [0.5, 3.0]})
    assert MultilinearRegressor.predict(m, new)[1] == pytest.approx(1.0 - 2.7)  # log1p units: negative
    pred = m.predict(new)
    assert_allclose(pred, [np.expm1(1.0 - 0.45), 0.0], atol=1e-10)  # expm1(1 - 2.7) = -0.82 → 0
    # without log_target nothing is clipped (a formation energy may be negative)
    lin = TCOMultilinearRegressor(interactions=None, penalty=None).fit(X, 1.0 - 0.9 * X.a)
    assert lin.predict(new)[1] == pytest.approx(1.0 - 2.7)


# ----------------------------------------------------------------------------- all pairs, dual form
def _bilinear_data(n=40, shift=10.0):
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(n, 4)) + shift, columns=list("abcd"))
    y = X.a * X.b + X.c + 0.1 * rng.normal(size=n)
    return X, y.to_numpy()


def test_quadratic_kernel_ridge_is_ridge_on_all_products():
    from sklearn.linear_model import Ridge

    from helpers.models.tco import QuadraticKernelRidge

    X, y = _bilinear_data()
    q = QuadraticKernelRidge(alphas=[0.01, 0.1, 1.0]).fit(X, y)
    Z = (X.to_numpy() - q.x_mean_) / q.x_scale_
    Phi, names, _ = linear.poly2_kernel_features(Z, gamma=1 / 4, coef0=1.0)
    ridge = Ridge(alpha=q.alpha_).fit(Phi, y)  # unpenalised intercept, as the centred kernel
    assert_allclose(q.predict(X), ridge.predict(Phi), atol=1e-8)
    assert f"x0{linear.PAIR_SEP}x1" in names and q.alpha_ in (0.01, 0.1, 1.0)
    # the leave-one-out error is that of refitting without each row
    i = 3
    rest = np.delete(np.arange(len(y)), i)
    fit_i = Ridge(alpha=q.alpha_).fit(Phi[rest], y[rest])
    loo_i = (fit_i.predict(Phi[[i]])[0] - y[i]) ** 2
    assert loo_i <= len(y) * q.loo_mse_


def test_quadratic_kernel_ridge_log_target_and_bad_input():
    from helpers.models.tco import QuadraticKernelRidge

    X, y = _bilinear_data()
    q = QuadraticKernelRidge(log_target=True).fit(X, y - y.min())
    assert (q.predict(X) >= 0).all()
    with pytest.raises(ValueError, match="non-negative"):
        QuadraticKernelRidge(log_target=True).fit(X, y - y.max())
    with pytest.raises(ValueError, match="alphas"):
        QuadraticKernelRidge(alphas=[]).fit(X, y)
