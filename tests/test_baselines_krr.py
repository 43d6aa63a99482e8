"""Tests of helpers.baselines.krr: the cheap exact CV over (kernel width, penalty), for one target or
several, and the fixed-hyperparameter member of bootstrap ensembles."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.kernel_ridge import KernelRidge
from sklearn.model_selection import GridSearchCV, KFold

from helpers import interpret
from helpers.baselines.krr import CentredKernelRidge, KernelRidgeCV, median_gamma


def test_cv_choice_and_scores_match_a_grid_search_over_kernel_ridge():
    """The eigendecomposition shortcut gives the errors a brute-force search over KernelRidge gives."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    y = np.sin(X[:, 0]) + X[:, 1] * X[:, 2] + 0.05 * rng.normal(size=120)
    gammas, alphas = [0.05, 0.3, 1.0], [1e-4, 1e-2, 1.0]
    folds = KFold(4, shuffle=True, random_state=0)
    ours = KernelRidgeCV(kernel="rbf", gammas=gammas, alphas=alphas, cv=folds).fit(X, y)
    yc = y - y.mean()  # per-fold centring differs slightly from global centring: compare on centred y
    ours_c = KernelRidgeCV(kernel="rbf", gammas=gammas, alphas=alphas, cv=folds).fit(X, yc)
    brute = GridSearchCV(
        KernelRidge(kernel="rbf"), {"gamma": gammas, "alpha": alphas}, cv=folds, scoring="neg_mean_squared_error"
    ).fit(X, yc)
    assert (ours_c.gamma_, ours_c.alpha_) == (brute.best_params_["gamma"], brute.best_params_["alpha"])
    assert isinstance(ours.gamma_, float) and ours.predict(X[:4]).shape == (4,)
    assert set(ours.cv_results_.columns) == {"gamma", "alpha", "mean_error", "std_error"}
    assert len(ours.cv_results_) == len(gammas) * len(alphas)


def test_median_heuristic_and_bad_input():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0]])
    assert median_gamma(X, "laplacian") == pytest.approx(1 / 2)  # L1 distances 1, 2, 3
    assert median_gamma(X, "rbf") == pytest.approx(1 / 4)  # squared distances 1, 4, 5
    with pytest.raises(ValueError, match="laplacian"):
        median_gamma(X, "poly")
    with pytest.raises(ValueError, match="identical"):
        median_gamma(np.ones((4, 2)), "rbf")
    with pytest.raises(ValueError, match="scoring"):
        KernelRidgeCV(scoring="r2").fit(X, [0.0, 1.0, 2.0])


def test_several_targets_are_tuned_as_each_alone():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(150, 4))
    Y = np.column_stack([np.sin(X[:, 0]) + 0.05 * rng.normal(size=150), X[:, 1] * X[:, 2]])
    grid = dict(kernel="rbf", gammas=[0.05, 0.2, 0.8], alphas=[1e-4, 1e-2, 1], cv=3)
    multi = KernelRidgeCV(**grid).fit(X, Y)
    P = multi.predict(X[:20])
    assert P.shape == (20, 2)
    for j in range(2):
        single = KernelRidgeCV(**grid).fit(X, Y[:, j])
        assert (multi.gamma_[j], multi.alpha_[j]) == (single.gamma_, single.alpha_)
        assert multi.best_error_[j] == pytest.approx(single.best_error_)
        assert_allclose(P[:, j], single.predict(X[:20]), rtol=1e-10, atol=1e-12)
    one = KernelRidgeCV(**grid).fit(X, Y[:, 0])
    assert one.predict(X[:5]).shape == (5,)
    with pytest.raises(ValueError, match="positive"):
        KernelRidgeCV(gammas=[], alphas=[1.0]).fit(X, Y)


def test_centred_kernel_ridge_and_bootstrap_ensemble():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(120, 3))
    y = 5.0 + X[:, 0]
    m = CentredKernelRidge(gamma=0.3, alpha=1e-3).fit(X, y)
    ref = KernelRidge(kernel="rbf", gamma=0.3, alpha=1e-3).fit(X, y - y.mean())
    assert_allclose(m.predict(X), ref.predict(X) + y.mean())
    ens = interpret.fit_ensemble(CentredKernelRidge(gamma=0.3, alpha=1e-3), X, y, n_members=3, resample="bootstrap")
    preds = np.array([e.predict(X) for e in ens])
    assert ens.kind == "bootstrap" and not np.allclose(preds[0], preds[1])  # resamples differ


def test_a_numpy_integer_cv_is_shuffled_like_a_python_int():
    """Before, cv=np.int64(3) went through check_cv: an UNSHUFFLED KFold, silently not what the docs say."""
    rng = np.random.default_rng(2)
    X = np.sort(rng.normal(size=(60, 2)), axis=0)  # sorted rows: unshuffled folds see other errors
    y = X[:, 0] ** 2 + 0.1 * rng.normal(size=60)
    as_int = KernelRidgeCV(kernel="rbf", cv=3).fit(X, y)
    as_numpy = KernelRidgeCV(kernel="rbf", cv=np.int64(3)).fit(X, y)
    assert_allclose(as_numpy.cv_results_.mean_error, as_int.cv_results_.mean_error, rtol=0, atol=0)
    for bad in (1, True, np.int64(0)):
        with pytest.raises(ValueError, match="cv must be"):
            KernelRidgeCV(cv=bad).fit(X, y)


def test_standardize_and_gamma_factors_are_the_median_heuristic_on_scaled_inputs():
    """The one KRR baseline: standardising inside equals standardising by hand and passing absolute widths."""
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(3)
    X = rng.normal(size=(80, 3)) * [1.0, 10.0, 100.0]
    y = X[:, 0] + 0.01 * X[:, 1] + 0.05 * rng.normal(size=80)
    factors = (0.1, 1.0, 10.0)
    inside = KernelRidgeCV(
        kernel="laplacian", gamma_factors=factors, alphas=(1e-3, 1e-1), standardize=True, cv=4, scoring="mae"
    ).fit(X, y)
    Xs = StandardScaler().fit_transform(X)
    by_hand = KernelRidgeCV(
        kernel="laplacian",
        gammas=np.asarray(factors) * median_gamma(Xs, "laplacian"),
        alphas=(1e-3, 1e-1),
        cv=4,
        scoring="mae",
    ).fit(Xs, y)
    assert (inside.gamma_, inside.alpha_, inside.best_error_) == (by_hand.gamma_, by_hand.alpha_, by_hand.best_error_)
    assert_allclose(inside.predict(X[:5]), by_hand.predict(Xs[:5]), rtol=0, atol=0)
    with pytest.raises(ValueError, match="not both"):
        KernelRidgeCV(gammas=[1.0], gamma_factors=[1.0]).fit(X, y)


def test_an_integer_cv_with_groups_keeps_groups_whole():
    rng = np.random.default_rng(4)
    groups = np.repeat(np.arange(30), 3)
    X = rng.normal(size=(90, 2))
    y = X[:, 0] + rng.normal(scale=0.1, size=90)
    model = KernelRidgeCV(kernel="rbf", gamma_factors=(1.0,), alphas=(1e-2,), cv=3)
    for tr, va in model._splitter(groups).split(X, y, groups):
        assert not set(groups[tr]) & set(groups[va])
    model.fit(X, y, groups=groups)
    assert np.isfinite(model.best_error_)
