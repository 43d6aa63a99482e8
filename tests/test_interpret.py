"""Tests of helpers.interpret: PD/ICE (single model and ensembles) and the H-statistic.

H-statistic tolerances are set from measured sampling spread, not loosened to pass. For
f = x0 + x1 + x0*x1 with x0, x1 ~ U(-1, 1) independent, the population value is exactly 1/7
(numerator E[(x0 x1)^2] = 1/9, denominator 1/3 + 1/3 + 1/9 = 7/9). Measured over seeds:
n = 400: mean − 1/7 = +0.0007, sd 0.0113 (200 seeds); n = 1000: −0.0006, sd 0.0068 (100 seeds).
"""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import LinearRegression
from sklearn.neural_network import MLPRegressor

from helpers.interpret import fit_ensemble, h_statistic, h_statistic_three_way, partial_dependence_ice


def _f(X):
    return X[:, 0] + X[:, 1] + X[:, 0] * X[:, 1]


def _grid_design(k=15, p=2):
    v = np.linspace(-1, 1, k)
    return np.array(np.meshgrid(*[v] * p, indexing="ij")).reshape(p, -1).T, v


# ----------------------------------------------------------------------------- H-statistic
def test_h_statistic_exact_on_symmetric_full_factorial():
    # on a symmetric full-factorial design every sample mean used by the statistic is exactly
    # that of independent zero-mean variables, so H² = s / (2 + s) with s = mean(v²) exactly
    X, v = _grid_design()
    s = np.mean(v**2)
    h = h_statistic(_f, X, n_max=len(X))
    assert h.h_squared[0] == pytest.approx(s / (2 + s), abs=1e-12)
    # pure product: exactly 1; additive: exactly 0
    assert h_statistic(lambda A: A[:, 0] * A[:, 1], X, n_max=len(X)).h_squared[0] == pytest.approx(1.0, abs=1e-12)
    assert h_statistic(lambda A: np.sin(3 * A[:, 0]) + A[:, 1] ** 2, X, n_max=len(X)).h_squared[0] < 1e-12


def test_h_statistic_one_seventh_on_uniform_sample():
    # n = 1000: sd 0.0068 measured, so 0.03 is ~4.4 sd (a false failure < 1e-4)
    for seed in range(3):
        X = np.random.default_rng(seed).uniform(-1, 1, size=(1000, 2))
        assert abs(h_statistic(_f, X, n_max=1000).h_squared[0] - 1 / 7) < 0.03
    # the average over 20 independent samples of n = 400 (sd of the mean 0.0113/√20 = 0.0025):
    # within 0.01 (4 sd) of 1/7, so the estimator is unbiased to that precision
    vals = [
        h_statistic(_f, np.random.default_rng(100 + s).uniform(-1, 1, (400, 2)), n_max=400).h_squared[0]
        for s in range(20)
    ]
    assert abs(np.mean(vals) - 1 / 7) < 0.01


def test_h_statistic_additive_and_pure_product_on_random_sample():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(300, 3))
    additive = h_statistic(lambda A: np.exp(A[:, 0]) + A[:, 1] ** 3 - 2 * A[:, 2], X)
    assert np.nanmax(additive.h_squared) < 1e-12
    # pure product: sampling bias of order 1/n below 1 (n = 1000: mean 0.9976, sd 0.0035, min 0.983 in 100 seeds)
    Xb = rng.uniform(-1, 1, size=(1000, 2))
    assert h_statistic(lambda A: A[:, 0] * A[:, 1], Xb, n_max=1000).h_squared[0] > 0.97


def test_h_statistic_pairs_names_models_and_subsampling():
    rng = np.random.default_rng(1)
    X = rng.uniform(-1, 1, size=(500, 3))
    y = _f(X) + 0.5 * X[:, 2]
    df = pd.DataFrame(X, columns=["a", "b", "c"])
    lin = LinearRegression().fit(np.column_stack([X, X[:, 0] * X[:, 1]]), y)

    class Wrapped:  # noqa: E306 - a model object with predict, fitted elsewhere
        def predict(self, A):
            A = np.asarray(A)
            return lin.predict(np.column_stack([A, A[:, 0] * A[:, 1]]))

    h = h_statistic(Wrapped(), df, n_max=150, random_state=3)
    assert h.n_samples == 150
    assert h.feature_pairs == [("a", "b"), ("a", "c"), ("b", "c")]
    assert list(h.table.pair) == ["a & b", "a & c", "b & c"]
    assert h.h_squared[0] > 0.05 and h.h_squared[1] < 1e-12 and h.h_squared[2] < 1e-12
    assert_allclose(h.h, np.sqrt(h.h_squared))
    again = h_statistic(Wrapped(), df, pairs=[("a", "b")], n_max=150, random_state=3)
    assert again.h_squared[0] == h.h_squared[0]
    # a list of models is their mean
    ens = h_statistic([Wrapped(), Wrapped()], df, pairs=[(0, 1)], n_max=150, random_state=3)
    assert ens.h_squared[0] == pytest.approx(h.h_squared[0], rel=1e-12)


def test_h_statistic_nan_when_pair_irrelevant():
    X = np.random.default_rng(0).uniform(size=(50, 3))
    h = h_statistic(lambda A: A[:, 2], X, pairs=[(0, 1)])
    assert np.isnan(h.h_squared[0])


# ----------------------------------------------------------------------------- PD / ICE
def test_centred_ice_and_pd_closed_form():
    # f = 2 x0 + x0 x1 + x1²: ICE_i(x) − ICE_i(0) = (2 + x1_i) x
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(200, 2))
    f = lambda A: 2 * A[:, 0] + A[:, 0] * A[:, 1] + A[:, 1] ** 2  # noqa: E731
    grid = np.linspace(-1, 1, 11)
    r = partial_dependence_ice(f, X, 0, grid=grid)
    expected_ice = (2 + X[:, 1])[:, None] * grid[None, :]
    assert_allclose(r.ice, expected_ice, atol=1e-12)
    assert_allclose(r.pd_mean, (2 + X[:, 1].mean()) * grid, atol=1e-12)
    assert r.pd_mean[5] == 0.0 and np.all(r.ice[:, 5] == 0.0)
    # uncentred: raw PD
    raw = partial_dependence_ice(f, X, 0, grid=grid, centered=False)
    assert_allclose(
        raw.pd_mean,
        f(np.column_stack([np.full(200, 0.3), X[:, 1]])).mean() + 0 * grid + (2 + X[:, 1].mean()) * (grid - 0.3),
        atol=1e-12,
    )


def test_centre_not_on_grid_is_evaluated_exactly():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(100, 2))
    f = lambda A: A[:, 0] ** 2 + A[:, 1]  # noqa: E731
    grid = np.linspace(-0.95, 0.95, 4)  # 0 not on the grid
    r = partial_dependence_ice(f, X, 0, grid=grid)
    assert_allclose(r.grid, grid)
    assert_allclose(r.pd_mean, grid**2, atol=1e-12)  # exact, no interpolation error
    assert r.ice.shape == (100, 4) and r.individual.shape == (1, 100, 4)


def test_sklearn_path_matches_direct_path_and_dataframe_names():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(150, 2))
    y = 3 * X[:, 0] - X[:, 1]
    df = pd.DataFrame(X, columns=["u", "v"])
    lin = LinearRegression().fit(df, y)
    a = partial_dependence_ice(lin, df, "u", grid_resolution=7)  # sklearn.inspection path
    b = partial_dependence_ice(lin.predict, df, "u", grid_resolution=7)  # callable path
    assert a.feature == "u" and b.feature_index == 0
    assert_allclose(a.individual, b.individual, atol=1e-12)
    assert_allclose(a.pd_mean, 3 * a.grid, atol=1e-12)
    assert len(a.grid) == 7 and a.grid[0] == X[:, 0].min() and a.grid[-1] == X[:, 0].max()


def test_ensemble_band():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(50, 1))
    models = [(lambda A, k=k: k * A[:, 0]) for k in (1.0, 2.0, 3.0, 4.0, 5.0)]
    grid = np.array([-1.0, 0.0, 1.0])
    r = partial_dependence_ice(models, X, 0, grid=grid)
    assert r.n_models == 5 and r.average.shape == (5, 3)
    slopes = np.arange(1.0, 6.0)
    assert_allclose(r.pd_mean, 3.0 * grid)
    sd = slopes.std(ddof=1)
    assert_allclose(r.pd_high, 3.0 * grid + 1.96 * sd * np.abs(grid), atol=1e-12)
    assert_allclose(r.pd_low, 3.0 * grid - 1.96 * sd * np.abs(grid), atol=1e-12)
    p = partial_dependence_ice(models, X, 0, grid=grid, band="percentile")
    assert_allclose(p.pd_high[-1], np.percentile(slopes, 97.5))
    assert_allclose(r.ice, 3.0 * np.tile(grid, (50, 1)))
    # a confidence interval of the mean of 5 members: t(0.975, 4) · SD / √5 = 2.776 · SD / 2.236
    c = partial_dependence_ice(models, X, 0, grid=grid, band="mean_ci")
    assert_allclose(c.pd_high - c.pd_mean, 2.7764451 * sd / np.sqrt(5) * np.abs(grid), rtol=1e-6)
    with pytest.raises(ValueError, match=r"band must be one of \['mean_ci', 'percentile', 'sd'\], got 'bogus'"):
        partial_dependence_ice(models, X, 0, band="bogus")


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_fit_ensemble_members_differ_and_repeat():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(120, 2))
    y = _f(X)
    est = MLPRegressor(hidden_layer_sizes=(8,), max_iter=50, solver="lbfgs")
    e1 = fit_ensemble(est, X, y, n_members=3, random_state=7)
    e2 = fit_ensemble(est, X, y, n_members=3, random_state=7)
    seeds = [m.random_state for m in e1]
    assert len(set(seeds)) == 3 and seeds == [m.random_state for m in e2]
    p = [m.predict(X[:5]) for m in e1]
    assert not np.allclose(p[0], p[1])
    assert_allclose(e1.predict(X[:5]), np.mean(p, axis=0))
    assert e1.kind == "seed"
    with pytest.raises(ValueError, match="no random_state"):
        fit_ensemble(LinearRegression(), X, y)


def test_fit_ensemble_refuses_a_deterministic_fit_and_bootstraps_it():
    from helpers.linear import MultilinearRegressor

    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(120, 2))
    y = _f(X) + rng.normal(0, 0.1, 120)
    with pytest.raises(ValueError, match="deterministic"):
        fit_ensemble(MultilinearRegressor(), X, y)  # has a random_state, but it does not change the fit
    ens = fit_ensemble(MultilinearRegressor(), X, y, n_members=5, resample="bootstrap")
    r = partial_dependence_ice(ens, X, 0, grid=np.linspace(-1, 1, 5))
    assert ens.kind == "bootstrap" and "bootstrap" in r.spread
    assert np.all(r.pd_high - r.pd_low >= 0) and np.max(r.pd_high - r.pd_low) > 0  # a real band
    with pytest.raises(ValueError, match="n_members"):
        fit_ensemble(MultilinearRegressor(), X, y, n_members=1, resample="bootstrap")


def test_three_way_h_statistic_exact_on_symmetric_full_factorial():
    # a pure three-way product: every lower-order PD vanishes on a symmetric grid, so H² = 1;
    # a sum of pairwise products (a multilinear model's form) has no three-way part: H² = 0
    X, _ = _grid_design(k=7, p=3)
    n = len(X)
    pure = h_statistic_three_way(lambda A: A[:, 0] * A[:, 1] * A[:, 2], X, triples=[(0, 1, 2)], n_max=n).triples
    assert pure.h_squared[0] == pytest.approx(1.0, abs=1e-12)
    pairs = h_statistic_three_way(
        lambda A: A[:, 0] * A[:, 1] + np.sin(A[:, 1]) * A[:, 2] + A[:, 0] ** 2, X, triples=[(0, 1, 2)], n_max=n
    )
    assert pairs.triples.h_squared[0] < 1e-12 and pairs.triples.interaction_rms[0] < 1e-12
    # the pairwise H² inside the triple agree with h_statistic's
    direct = h_statistic(lambda A: A[:, 0] * A[:, 1] + np.sin(A[:, 1]) * A[:, 2] + A[:, 0] ** 2, X, n_max=n)
    assert list(pairs.pairs.pair) == list(direct.table.pair)
    np.testing.assert_allclose(pairs.pairs.h_squared, direct.h_squared, atol=1e-12)
    np.testing.assert_allclose(pairs.pairs.interaction_rms, direct.interaction_rms, atol=1e-12)
    # mixed: f = x0 x1 x2 + x0 has joint PD f itself, three-way part x0 x1 x2
    mixed = h_statistic_three_way(
        lambda A: A[:, 0] * A[:, 1] * A[:, 2] + A[:, 0], X, triples=[(0, 1, 2)], n_max=n
    ).triples
    s = np.mean(X[:, 0] ** 2)
    assert mixed.h_squared[0] == pytest.approx(s**3 / (s**3 + s), abs=1e-12)
    assert mixed.interaction_rms[0] == pytest.approx(np.sqrt(s**3), abs=1e-12)
    assert mixed.joint_rms[0] == pytest.approx(np.sqrt(s**3 + s), abs=1e-12)


def test_three_way_h_statistic_names_subsampling_and_bad_triples():
    rng = np.random.default_rng(2)
    df = pd.DataFrame(rng.uniform(-1, 1, (400, 4)), columns=list("abcd"))
    t = h_statistic_three_way(
        lambda F: F["a"] * F["b"] * F["c"] + F["d"], df, triples=[("a", "b", "c"), ("a", "b", "d")], n_max=60
    )
    assert list(t.triples.triple) == ["a & b & c", "a & b & d"] and t.n_samples == 60
    assert t.triples.h_squared[0] > 0.9 and t.triples.h_squared[1] < 1e-12
    assert list(t.pairs.pair) == ["a & b", "a & c", "b & c", "a & d", "b & d"]  # each pair once
    irrelevant = h_statistic_three_way(lambda F: F["a"] * 0.0 + 1.0, df, triples=[("a", "b", "c")], n_max=20)
    assert np.isnan(irrelevant.triples.h_squared[0])
    for bad, match in [([(0, 1)], "three features"), ([(0, 0, 1)], "three different"), ([(0, 1, 9)], "out of range")]:
        with pytest.raises(ValueError, match=match):
            h_statistic_three_way(lambda A: A[:, 0], df.to_numpy(), triples=bad)


# ----------------------------------------------------------------------------- H² input checks (issue 13)
@pytest.mark.parametrize(
    "pairs, match",
    [
        ([(0, 0)], "two different"),
        ([(-1, 1)], "out of range"),
        ([(True, 1)], "boolean"),
        ([(0, 5)], "out of range"),
        (["ab"], "two features"),
    ],
)
def test_h_statistic_refuses_bad_pairs(pairs, match):
    X = np.random.default_rng(0).uniform(-1, 1, (50, 3))
    with pytest.raises(ValueError, match=match):
        h_statistic(lambda A: A[:, 0] + A[:, 1], X, pairs=pairs)


def test_h_statistic_refuses_non_finite_or_empty_input():
    X = np.random.default_rng(0).uniform(-1, 1, (50, 2))
    bad = X.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="column"):
        h_statistic(lambda A: A[:, 0] * A[:, 1], bad)
    bad[3, 1] = np.inf
    with pytest.raises(ValueError, match="NaN or infinite"):
        h_statistic(lambda A: A[:, 0] * A[:, 1], bad)
    with pytest.raises(ValueError, match="not all finite"):
        h_statistic(lambda A: np.where(A[:, 0] > 0, A[:, 0], np.nan), X)
    with pytest.raises(ValueError, match="at least 2 rows"):
        h_statistic(lambda A: A[:, 0] * A[:, 1], X[:0])
    with pytest.raises(ValueError, match="n_max"):
        h_statistic(lambda A: A[:, 0] * A[:, 1], X, n_max=0)


def test_interaction_strength_is_friedmans_numerator_in_target_units():
    X = np.random.default_rng(0).uniform(-1, 1, (300, 2))
    # y = 2 x0 x1: centred joint PD minus the (zero) single PDs is 2 (x0 x1 - mean); strength = its mean square
    h = h_statistic(lambda A: 2 * A[:, 0] * A[:, 1], X, n_max=300)
    prod = 2 * X[:, 0] * X[:, 1]
    single0 = 2 * X[:, 0] * X[:, 1].mean() - np.mean(2 * X[:, 0] * X[:, 1].mean())
    single1 = 2 * X[:, 1] * X[:, 0].mean() - np.mean(2 * X[:, 1] * X[:, 0].mean())
    expected = np.mean((prod - prod.mean() - single0 - single1) ** 2)
    assert h.interaction_strength[0] == pytest.approx(expected, rel=1e-10)
    # scaling the target by 10 scales the strength by 100 and leaves H² unchanged
    h10 = h_statistic(lambda A: 20 * A[:, 0] * A[:, 1], X, n_max=300)
    assert h10.interaction_strength[0] == pytest.approx(100 * h.interaction_strength[0], rel=1e-10)
    assert h10.h_squared[0] == pytest.approx(h.h_squared[0], rel=1e-10)
