"""Tests of helpers.baselines.mlp: MLP ensembles in the style of Janet & Kulik (2017)."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import clone

from helpers.baselines.mlp import MLPEnsemble, MLPEnsembleCV


def simulated(n=300, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 3))
    y = 20 * np.tanh(X[:, 0]) + 10 * X[:, 1] * X[:, 2] - 5.0 + rng.normal(0, 0.5, n)
    groups = np.repeat(np.arange(n // 3), 3)  # triples of correlated rows, like one complex at 3 HFX
    return X, y, groups


def test_architecture_defaults_follow_the_2017_network():
    m = MLPEnsemble()
    assert m.hidden_layer_sizes == (50, 50) and m.activation == "tanh" and m.n_members >= 3


def test_ensemble_learns_a_smooth_function_and_is_the_mean_of_its_members():
    X, y, g = simulated()
    Xt, yt, _ = simulated(200, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning escapes (ConvergenceWarning is expected)
        m = MLPEnsemble(n_members=3, max_iter=200).fit(X, y, groups=g)
    assert len(m.members_) == 3 and all(1 <= k <= 200 for k in m.n_iter_)
    mae = np.mean(np.abs(m.predict(Xt) - yt))
    assert mae < 2.0, mae  # target SD ≈ 14: the function is learned
    members = [
        ys.inverse_transform(net.predict(xs.transform(Xt).astype(m.dtype)).reshape(-1, 1)).ravel()
        for xs, net, ys in m.members_
    ]
    assert_allclose(m.predict(Xt), np.mean(members, axis=0), rtol=1e-6)


def test_fixed_seeds_give_identical_predictions_and_seeds_differ_between_members():
    X, y, g = simulated()
    a = MLPEnsemble(n_members=2, max_iter=50).fit(X, y, groups=g)
    b = clone(a).fit(X, y, groups=g)
    assert_allclose(a.predict(X), b.predict(X))
    first = [net.coefs_[0] for _, net, _ in a.members_]
    assert not np.allclose(first[0], first[1])


def test_without_validation_every_member_trains_max_iter_or_converges():
    X, y, _ = simulated()
    m = MLPEnsemble(n_members=1, max_iter=30, validation_fraction=0.0).fit(X, y)
    assert m.n_iter_ == [30]


def test_grouped_early_stopping_holds_out_whole_groups(monkeypatch):
    X, y, g = simulated()
    seen = []
    from sklearn.model_selection import GroupShuffleSplit

    original = GroupShuffleSplit.split

    def spy(self, X_, y_=None, groups=None):
        for tr, va in original(self, X_, y_, groups):
            seen.append((set(groups[tr]), set(groups[va])))
            yield tr, va

    monkeypatch.setattr(GroupShuffleSplit, "split", spy)
    MLPEnsemble(n_members=2, max_iter=25).fit(X, y, groups=g)
    assert len(seen) == 2 and all(tr.isdisjoint(va) and va for tr, va in seen)


def test_cv_chooses_the_penalty_from_the_grid():
    X, y, g = simulated(150)
    cv = MLPEnsembleCV(MLPEnsemble(n_members=1, max_iter=40), alphas=(0.01, 10.0), cv=3).fit(X, y, groups=g)
    assert list(cv.cv_results_["alpha"]) == [0.01, 10.0]
    assert cv.alpha_ == 0.01 and cv.best_estimator_.alpha == 0.01  # a huge penalty cannot fit y
    assert cv.predict(X).shape == (150,)


def test_bad_input_fails_clearly():
    X, y, g = simulated(60)
    with pytest.raises(ValueError, match="n_members must be at least 1"):
        MLPEnsemble(n_members=0).fit(X, y)
    with pytest.raises(ValueError, match="validation_fraction"):
        MLPEnsemble(validation_fraction=1.0).fit(X, y)
    with pytest.raises(ValueError, match="groups has 5 labels"):
        MLPEnsemble().fit(X, y, groups=g[:5])
    with pytest.raises(ValueError, match="X has 60 rows but y has 59"):
        MLPEnsemble().fit(X, y[:-1])
    m = MLPEnsemble(n_members=1, max_iter=5, validation_fraction=0).fit(X, y)
    with pytest.raises(ValueError, match="X must have 3 columns"):
        m.predict(X[:, :2])
    with pytest.raises(ValueError, match="at least one L2 penalty"):
        MLPEnsembleCV(alphas=()).fit(X, y)


def test_members_record_their_early_stopping_error():
    X, y, g = simulated(120)
    m = MLPEnsemble(n_members=2, max_iter=50, check_every=10).fit(X, y, groups=g)
    assert len(m.validation_mae_) == 2 and all(np.isfinite(v) and v >= 0 for v in m.validation_mae_)
    full = MLPEnsemble(n_members=1, max_iter=5, validation_fraction=0).fit(X, y)
    assert np.isnan(full.validation_mae_[0])


def test_a_grid_of_settings_on_one_validation_split():
    X, y, g = simulated(150)
    grid = {"alpha": [0.01, 30.0], "hidden_layer_sizes": [(8,), (16,)]}
    cv = MLPEnsembleCV(MLPEnsemble(n_members=2, max_iter=40), param_grid=grid, cv=1).fit(X, y, groups=g)
    assert len(cv.cv_results_) == 4 and set(cv.cv_results_.columns) == {"alpha", "hidden_layer_sizes", "mae"}
    assert cv.best_params_["alpha"] == 0.01  # a huge penalty cannot fit y
    assert cv.best_estimator_.get_params()["hidden_layer_sizes"] == cv.best_params_["hidden_layer_sizes"]
    assert len(cv.best_estimator_.members_) == 2 and cv.alpha_ == 0.01
    # the same grid by k-fold CV
    kf = MLPEnsembleCV(MLPEnsemble(n_members=1, max_iter=40), param_grid=grid, cv=2).fit(X, y, groups=g)
    assert kf.best_params_["alpha"] == 0.01
    with pytest.raises(ValueError, match="validation_fraction > 0"):
        MLPEnsembleCV(MLPEnsemble(validation_fraction=0), cv=1).fit(X, y)
    with pytest.raises(ValueError, match="non-empty lists"):
        MLPEnsembleCV(param_grid={"alpha": []}).fit(X, y)


def test_one_split_search_reuses_its_networks_exactly():
    X, y, g = simulated(150)
    base = MLPEnsemble(n_members=3, max_iter=40)
    cv = MLPEnsembleCV(base, param_grid={"alpha": [0.01, 1.0]}, cv=1).fit(X, y, groups=g)
    plain = clone(base).set_params(**cv.best_params_).fit(X, y, groups=g)
    assert_allclose(cv.predict(X), plain.predict(X))
    assert cv.best_estimator_.n_iter_ == plain.n_iter_
