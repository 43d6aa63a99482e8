"""Tests of helpers.linear: the multilinear model, its terms, contributions and the kernel feature map."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.kernel_ridge import KernelRidge
from sklearn.linear_model import Ridge, RidgeCV
from sklearn.metrics.pairwise import polynomial_kernel
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils.estimator_checks import parametrize_with_checks

from helpers.linear import (
    DEFAULT_ALPHAS,
    GramRidgeCV,
    MultilinearRegressor,
    RidgeSpectrum,
    bootstrap_coefficients,
    local_contributions,
    nonzero_pairs,
    pair_products,
    poly2_kernel_features,
    sparsity_path,
    summed_importance,
    terms_table,
)


def _simulated(n=400, beta=1.5, seed=0, noise=0.0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 3))
    y = 1.0 + 2.0 * X[:, 0] - 1.0 * X[:, 1] + 0.5 * X[:, 2] + beta * X[:, 0] * X[:, 1]
    return X, y + noise * rng.normal(size=n)


def _one_hot(n=600, sites=3, elements=5, seed=0):
    """Sparse one-hot of `sites` sites with `elements` choices each (one active per site)."""
    rng = np.random.default_rng(seed)
    choice = rng.integers(0, elements, size=(n, sites)) + elements * np.arange(sites)
    rows = np.repeat(np.arange(n), sites)
    X = sp.csr_matrix((np.ones(n * sites), (rows, choice.ravel())), shape=(n, sites * elements))
    names = [f"{'ABCDEFG'[s]}={e}" for s in range(sites) for e in range(elements)]
    return X, names


# ----------------------------------------------------------------------------- sklearn contract
# Checks that do not apply, each with the reason, would go here. None is needed: the estimator passes
# every check of scikit-learn 1.9.1's suite (legacy=True) for ridge (GCV), OLS main-effects-only and
# lasso (3-fold); only the three array-API checks are skipped (SCIPY_ARRAY_API is not set).
EXPECTED_FAILED: dict[str, str] = {}


# the check suite feeds signal-free random data; the lasso path's smallest penalties then stop at max_iter
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks(
    [
        MultilinearRegressor(),
        MultilinearRegressor(interactions=None, penalty=None),
        MultilinearRegressor(penalty="lasso", cv=3),
    ],
    expected_failed_checks=lambda est: EXPECTED_FAILED,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_pipeline_clone_cross_val():
    X, y = _simulated(noise=0.1)
    pipe = make_pipeline(FunctionTransformer(), MultilinearRegressor(interactions=[(0, 1)]))
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.min() > 0.95
    fitted = MultilinearRegressor(interactions=[(0, 1)], penalty=None).fit(X, y)
    m = clone(fitted)  # a clone of a FITTED model keeps its parameters and drops its fitted state
    assert m.get_params() == fitted.get_params() and hasattr(fitted, "coef_") and not hasattr(m, "coef_")
    assert np.array_equal(cross_val_score(pipe, X, y, cv=3), scores)  # repeatable
    pipe.fit(X, y)
    tt = terms_table(pipe)
    assert "x0 & x1" in set(tt.term)


# ----------------------------------------------------------------------------- recovery and terms
def test_ols_recovers_generating_coefficients_exactly():
    X, y = _simulated()
    m = MultilinearRegressor(interactions=[(0, 1)], penalty=None).fit(X, y)
    assert list(m.term_names_) == ["x0", "x1", "x2", "x0 & x1"]
    assert m.term_features_ == [(0,), (1,), (2,), (0, 1)]
    assert list(m.term_kinds_) == ["main", "main", "main", "pair"]
    assert_allclose(m.coef_, [2.0, -1.0, 0.5, 1.5], atol=1e-10)
    assert m.intercept_ == pytest.approx(1.0, abs=1e-10)


def test_standardized_ridge_reports_original_units():
    # scaling one input by 1000 must scale its coefficients by 1/1000 and leave predictions unchanged
    X, y = _simulated(noise=0.2)
    m1 = MultilinearRegressor(interactions="all", alphas=[1.0]).fit(X, y)
    X2 = X.copy()
    X2[:, 0] *= 1000.0
    m2 = MultilinearRegressor(interactions="all", alphas=[1.0]).fit(X2, y)
    assert_allclose(m2.predict(X2), m1.predict(X), rtol=1e-9)
    assert_allclose(m2.coef_[0] * 1000.0, m1.coef_[0], rtol=1e-9)
    z = m1.transform_terms(X)
    assert_allclose(m1.intercept_ + z @ m1.coef_, m1.predict(X), rtol=1e-13)


def test_feature_names_from_dataframe_and_parameter_and_name_pairs():
    X, y = _simulated()
    df = pd.DataFrame(X, columns=["Al6-O4", "Ga6-O4", "In"])
    m = MultilinearRegressor(interactions=[("Al6-O4", "Ga6-O4")], penalty=None).fit(df, y)
    assert list(m.term_names_) == ["Al6-O4", "Ga6-O4", "In", "Al6-O4 & Ga6-O4"]
    m2 = MultilinearRegressor(interactions=[("b", "a")], penalty=None, feature_names=["a", "b", "c"]).fit(X, y)
    assert m2.term_features_[-1] == (0, 1) and m2.term_names_[-1] == "a & b"
    with pytest.raises(ValueError, match="unknown feature"):
        MultilinearRegressor(interactions=[("a", "zz")], feature_names=["a", "b", "c"]).fit(X, y)
    with pytest.raises(ValueError):
        MultilinearRegressor(interactions=[(0, 0)]).fit(X, y)


def _pairs_with_in(names):
    """A pair rule: every pair of columns whose names contain 'In' with any other column."""
    return [(a, b) for a in names if "In" in a for b in names if b != a]


def test_a_pair_rule_is_called_with_the_columns_seen_at_fit():
    X, y = _simulated()
    seen = []

    def rule(names):
        seen.append(list(names))
        return _pairs_with_in(names)

    df = pd.DataFrame(X, columns=["Al", "Ga", "In"])
    m = MultilinearRegressor(interactions=rule, penalty=None).fit(df, y)
    assert seen == [["Al", "Ga", "In"]]
    assert list(m.term_names_[3:]) == ["Al & In", "Ga & In"]
    assert m.get_params()["interactions"] is rule  # the parameter is never overwritten
    renamed = clone(MultilinearRegressor(interactions=_pairs_with_in, penalty=None)).fit(
        df.rename(columns={"Al": "In2"}), y
    )  # the same rule on other columns
    assert list(renamed.term_names_[3:]) == ["In2 & Ga", "In2 & In", "Ga & In"]
    with pytest.raises(ValueError, match="unknown feature 'zz'"):
        MultilinearRegressor(interactions=lambda names: [("Al", "zz")]).fit(df, y)


def test_all_pairs_and_main_only():
    X, y = _simulated()
    assert len(MultilinearRegressor(interactions="all").fit(X, y).pairs_) == 3
    m = MultilinearRegressor(interactions=None).fit(X, y)
    assert list(m.term_kinds_) == ["main"] * 3 and len(m.pairs_) == 0


def test_top_k_screen_finds_the_true_pair_on_training_data():
    rng = np.random.default_rng(1)
    X = rng.uniform(-1, 1, size=(500, 6))
    y = X.sum(axis=1) + 2.0 * X[:, 2] * X[:, 4] - 1.0 * X[:, 0] * X[:, 5] + 0.1 * rng.normal(size=500)
    m = MultilinearRegressor(interactions=("top", 2)).fit(X, y)
    assert {tuple(p) for p in m.pairs_} == {(2, 4), (0, 5)}
    assert tuple(m.screen_order_[0]) == (2, 4)  # the stronger pair enters the LASSO path first
    assert len(m.screen_order_) == 15


def test_lasso_penalty_zeroes_absent_pairs():
    X, y = _simulated(n=600, noise=0.05)
    m = MultilinearRegressor(interactions="all", penalty="lasso").fit(X, y)
    coef = dict(zip(m.term_names_, m.coef_, strict=True))
    assert coef["x0 & x1"] == pytest.approx(1.5, abs=0.05)
    assert abs(coef["x0 & x2"]) < 0.05 and abs(coef["x1 & x2"]) < 0.05


# ----------------------------------------------------------------------------- contributions
@pytest.mark.parametrize("sparse", [False, True])
def test_contributions_sum_to_prediction(sparse):
    X, y = _simulated(noise=0.3)
    Xin = sp.csr_matrix(X) if sparse else X
    m = MultilinearRegressor(interactions="all").fit(Xin, y)
    c = m.contributions(Xin)
    assert list(c.columns) == list(m.term_names_) + ["intercept"]
    assert_allclose(c.sum(axis=1).to_numpy(dtype=float), m.predict(Xin), rtol=1e-12, atol=1e-10)
    loc = local_contributions(m, Xin, row=7)
    assert loc.contribution.sum() == pytest.approx(m.predict(Xin)[7], abs=1e-10)
    assert loc.kind.iloc[-1] == "intercept"


def test_dense_and_sparse_fits_agree():
    X, y = _simulated(noise=0.3)
    a = MultilinearRegressor(interactions="all", penalty=None).fit(X, y)
    b = MultilinearRegressor(interactions="all", penalty=None).fit(sp.csr_matrix(X), y)
    assert_allclose(a.coef_, b.coef_, atol=1e-8)


# ----------------------------------------------------------------------------- sparse one-hot
def test_sparse_pair_products_match_dense_and_skip_same_site_pairs():
    X, names = _one_hot()
    pairs = nonzero_pairs(X)
    # same-site pairs never co-occur: only the 3 site pairs x 5 x 5 element pairs remain
    assert len(pairs) == 3 * 25
    assert all(i // 5 != j // 5 for i, j in pairs)
    P = pair_products(X, pairs)
    assert sp.issparse(P)
    D = X.toarray()
    assert_allclose(P.toarray(), D[:, pairs[:, 0]] * D[:, pairs[:, 1]])
    # arbitrary (unsorted, reversed) pair lists and non-binary values
    rng = np.random.default_rng(3)
    Xv = X.multiply(rng.normal(size=X.shape)).tocsr()
    some = np.array([[7, 1], [0, 14], [3, 4], [2, 12]])
    assert_allclose(pair_products(Xv, some).toarray(), pair_products(Xv.toarray(), some))


def test_sparse_one_hot_model_names_and_skips():
    X, names = _one_hot()
    rng = np.random.default_rng(0)
    y = X @ rng.normal(size=15) + 0.5 * (X[:, 0].toarray().ravel() * X[:, 5].toarray().ravel())
    m = MultilinearRegressor(interactions="all", feature_names=names).fit(X, y)
    assert m.n_pairs_skipped_ == 15 * 14 // 2 - 75
    assert "A=0 & B=0" in set(m.term_names_)
    m2 = MultilinearRegressor(interactions=[("A=0", "A=1"), ("A=0", "B=0")], feature_names=names).fit(X, y)
    assert list(m2.term_names_[15:]) == ["A=0 & B=0"] and m2.n_pairs_skipped_ == 1


def test_sparse_all_pairs_10k_fit():
    """Elpasolite-sized: 10,000 x 156 one-hot (4 sites x 39 elements), all pairs, ridge-CV.

    Its speed is measured by ``make bench`` (tools/bench.py), not asserted here: a wall-clock bound
    in a unit test fails on a loaded machine or passes on a fast one whatever the code does.
    """
    rng = np.random.default_rng(0)
    n, sites, el = 10_000, 4, 39
    cols = rng.integers(0, el, size=(n, sites)) + el * np.arange(sites)
    X = sp.csr_matrix((np.ones(n * sites), (np.repeat(np.arange(n), sites), cols.ravel())), shape=(n, sites * el))
    y = X @ rng.normal(size=sites * el) + 0.1 * rng.normal(size=n)
    m = MultilinearRegressor(interactions="all").fit(X, y)
    assert len(m.pairs_) > 8_000 and sp.issparse(m.transform_terms(X[:5]))
    c = m.contributions(X[:50])
    assert_allclose(c.sum(axis=1).to_numpy(dtype=float), m.predict(X[:50]), rtol=1e-12, atol=1e-10)


# ----------------------------------------------------------------------------- terms table, bootstrap
def test_terms_table_and_bootstrap_ci():
    X, y = _simulated(n=300, noise=0.5, seed=4)
    m = MultilinearRegressor(interactions=[(0, 1)], penalty=None, n_bootstrap=200).fit(X, y)
    tt = m.terms_table()
    assert list(tt.columns) == ["term", "kind", "features", "coefficient", "importance", "ci_low", "ci_high"]
    assert tt.term.iloc[-1] == "intercept"
    body = tt.iloc[:-1]
    assert (body.importance.diff().dropna() <= 0).all()
    assert (body.ci_low < body.coefficient).all() and (body.coefficient < body.ci_high).all()
    truth = {"x0": 2.0, "x1": -1.0, "x2": 0.5, "x0 & x1": 1.5, "intercept": 1.0}
    for _, r in tt.iterrows():
        assert r.ci_low < truth[r.term] < r.ci_high, r.term
    # importance = mean |contribution| over the training set
    c = m.contributions(X).drop(columns="intercept")
    assert_allclose(body.set_index("term").importance[c.columns], c.abs().mean().to_numpy())
    # no bootstrap: NaN intervals; a refit with the same seed gives the same intervals
    assert m.terms_table().equals(clone(m).fit(X, y).terms_table())
    assert MultilinearRegressor().fit(X, y).terms_table().ci_low.isna().all()


def test_bootstrap_keeps_chosen_alpha():
    X, y = _simulated(noise=0.5)
    m = MultilinearRegressor(n_bootstrap=20).fit(X, y)
    assert m.alpha_ in [float(a) for a in np.logspace(-4, 4, 17)]
    assert m.bootstrap_coefs_.shape == (20, 6)


# ----------------------------------------------------------------------------- kernels are linear
def test_poly2_feature_map_reproduces_kernel_and_krr():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(80, 3))
    y = X[:, 0] * X[:, 1] + X[:, 2]
    g, c, alpha = 0.7, 1.3, 0.1
    Phi, names, w = poly2_kernel_features(X, gamma=g, coef0=c)
    assert Phi.shape[1] == 1 + 3 + 3 + 3 and names[-3:] == ["x0 & x1", "x0 & x2", "x1 & x2"]
    assert_allclose(Phi @ Phi.T, polynomial_kernel(X, degree=2, gamma=g, coef0=c), rtol=1e-12, atol=1e-12)
    krr = KernelRidge(kernel="poly", degree=2, gamma=g, coef0=c, alpha=alpha).fit(X, y)
    lin = Ridge(alpha=alpha, fit_intercept=False).fit(Phi, y)
    Xt = rng.uniform(-1, 1, size=(50, 3))
    assert np.max(np.abs(krr.predict(Xt) - lin.predict(poly2_kernel_features(Xt, gamma=g, coef0=c)[0]))) < 1e-8


# ----------------------------------------------------------------------------- units and bad input (issue 13)
@pytest.mark.parametrize("scale", [1e-8, 1e-6, 1e-3, 1e3, 1e8])
def test_predictions_do_not_depend_on_the_units_of_the_inputs(scale):
    r = np.random.default_rng(0)
    X = r.uniform(1, 2, (400, 3))
    y = X[:, 0] - 2 * X[:, 1] + 3 * X[:, 0] * X[:, 2]
    ref = MultilinearRegressor().fit(X, y)
    m = MultilinearRegressor().fit(X * scale, y)
    assert np.allclose(m.predict(X * scale), ref.predict(X), rtol=1e-8, atol=0)
    assert m.alpha_ == ref.alpha_
    k = list(m.term_names_).index("x0 & x2")
    assert m.coef_[k] * scale**2 == pytest.approx(ref.coef_[k], rel=1e-8)


def test_sparse_small_units_keep_their_pairs():
    r = np.random.default_rng(1)
    X = r.uniform(1, 2, (300, 3))
    y = X[:, 0] * X[:, 1]
    ref = MultilinearRegressor().fit(sp.csr_matrix(X), y)
    small = MultilinearRegressor().fit(sp.csr_matrix(X * 1e-7), y)
    assert np.allclose(small.predict(sp.csr_matrix(X * 1e-7)), ref.predict(sp.csr_matrix(X)), rtol=1e-8, atol=0)
    assert np.sqrt(np.mean((small.predict(sp.csr_matrix(X * 1e-7)) - y) ** 2)) < 1e-2


def test_huge_inputs_fit_or_fail_clearly():
    r = np.random.default_rng(0)
    X = r.uniform(1, 2, (200, 2))
    y = X[:, 0] + X[:, 0] * X[:, 1]
    m = MultilinearRegressor().fit(X * 1e100, y)
    assert np.allclose(m.predict(X * 1e100), y, atol=1e-3)
    with pytest.raises(ValueError, match="overflow"):
        MultilinearRegressor().fit(X * 1e160, y)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"interactions": [(True, 1)]}, "boolean"),
        ({"interactions": ("top", -1)}, "positive integer"),
        ({"interactions": ("top", 0)}, "positive integer"),
        ({"alphas": []}, "non-empty"),
        ({"n_bootstrap": -1}, "non-negative"),
        ({"penalty": "elastic"}, "penalty must be"),
    ],
)
def test_bad_parameters_get_clear_errors(params, match):
    X, y = _simulated()
    with pytest.raises(ValueError, match=match):
        MultilinearRegressor(**params).fit(X, y)


def test_too_few_rows_get_clear_errors():
    X, y = _simulated()
    with pytest.raises(ValueError, match="at least 2"):
        MultilinearRegressor(penalty=None).fit(X[:1], y[:1])
    with pytest.raises(ValueError, match="too few"):
        MultilinearRegressor(penalty="lasso").fit(X[:3], y[:3])


# ----------------------------------------------------------------------------- ridge for every penalty
@pytest.mark.parametrize("n, p", [(300, 20), (40, 90)])  # primal (p <= n) and dual (p > n) branches
def test_gram_ridge_cv_matches_sklearn_leave_one_out(n, p):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, p)) + 3.0
    y = X @ rng.normal(size=p) + rng.normal(size=n)
    alphas = np.logspace(-2, 3, 11)
    ours = GramRidgeCV(alphas=alphas).fit(X, y)
    ref = RidgeCV(alphas=alphas, store_cv_results=True).fit(X, y)
    assert ours.alpha_ == ref.alpha_
    assert_allclose(ours.cv_mse_, ref.cv_results_.mean(axis=0), rtol=1e-7)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-7, atol=1e-9)
    assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("bad", [[], [0.0, 1.0], [-1.0], [np.inf]])
def test_gram_ridge_cv_rejects_bad_penalties(bad):
    X, y = np.random.default_rng(0).normal(size=(20, 3)), np.arange(20.0)
    with pytest.raises(ValueError, match="alphas must be a non-empty list of positive numbers"):
        GramRidgeCV(alphas=bad).fit(X, y)


@pytest.mark.parametrize("n, p", [(60, 20), (30, 50)])
def test_ridge_spectrum_equals_sklearn_ridge_for_every_penalty(n, p):
    rng = np.random.default_rng(1)
    X, Xv, y = rng.normal(size=(n, p)), rng.normal(size=(7, p)), rng.normal(size=n)
    X[:, 2] = X[:, 1]  # a collinear column: a null-space mode is dropped
    path = RidgeSpectrum(X, y)
    alphas = [0.1, 1.0, 10.0]
    pred = path.predict(Xv, alphas)
    for k, a in enumerate(alphas):
        ref = Ridge(alpha=a).fit(X, y)
        coef, intercept = path.coef(a)
        assert_allclose(coef, ref.coef_, rtol=1e-7, atol=1e-9)
        assert intercept == pytest.approx(ref.intercept_, rel=1e-7, abs=1e-9)
        assert_allclose(pred[:, k], ref.predict(Xv), rtol=1e-7, atol=1e-9)


def test_ridge_spectrum_rejects_mismatched_input():
    with pytest.raises(ValueError, match="same length"):
        RidgeSpectrum(np.ones((5, 2)), np.ones(4))


def test_multilinear_dense_ridge_uses_leave_one_out_like_sklearn():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(200, 6))
    y = X[:, 0] * X[:, 1] + X[:, 2] + 0.1 * rng.normal(size=200)
    ours = MultilinearRegressor().fit(X, y)
    Z = ours.transform_terms(X) / ours.scale_
    ref = RidgeCV(alphas=DEFAULT_ALPHAS).fit(Z, y)
    assert ours.alpha_ == ref.alpha_
    assert_allclose(ours.coef_ * ours.scale_, ref.coef_, rtol=1e-7, atol=1e-9)


def test_sparsity_path():
    rng = np.random.default_rng(3)
    X = pd.DataFrame(rng.uniform(0, 1, size=(300, 6)), columns=list("abcdef"))
    y = 1 + 2 * X.a - X.b + 3 * X.a * X.c + 0.05 * rng.normal(size=300)
    model = MultilinearRegressor(interactions="all", penalty=None).fit(X, y)
    sp = sparsity_path(model, X, y, n_alphas=25, cv=5)
    t = sp.table
    assert t.n_terms.iloc[0] == 0 and t.n_terms.iloc[-1] > 3
    assert (np.diff(t.alpha) < 0).all()
    best = sp.coef[sp.best]
    names = list(sp.term_names)
    strong = {names[i] for i in np.argsort(-np.abs(best))[:3]}
    assert strong == {"a", "b", "a & c"}
    # plain arrays, no closure: the result pickles
    import pickle

    again = pickle.loads(pickle.dumps(sp))
    assert_allclose(again.coef, sp.coef) and again.best == sp.best
    assert t.cv_rmse.iloc[sp.best] < 0.1 < t.cv_rmse.iloc[0]


def test_summed_importance():
    """A feature's importance sums the terms it enters, read from term_features_ (names are not parsed)."""
    rng = np.random.default_rng(5)
    X = pd.DataFrame(rng.uniform(0, 1, size=(200, 3)), columns=["a & x", "b", "c"])  # a name with PAIR_SEP
    y = 2 * X["a & x"] + X.b + X["a & x"] * X.b
    model = MultilinearRegressor(interactions=[("a & x", "b")], penalty=None).fit(X, y)
    imp = dict(zip(model.term_names_, model.importances_, strict=True))
    got = summed_importance(model)
    assert got["a & x"] == pytest.approx(imp["a & x"] + imp["a & x & b"])
    assert got["b"] == pytest.approx(imp["b"] + imp["a & x & b"]) and got["c"] == pytest.approx(imp["c"])
    assert list(got.index) == list(got.sort_values(ascending=False).index)
    assert summed_importance(model, features=["b", "z"])["z"] == 0.0


# ----------------------------------------------------------------------------- the logistic link
from helpers.linear import PAIR_SEP, MultilinearClassifier  # noqa: E402


@parametrize_with_checks(
    [MultilinearClassifier(Cs=(0.1, 10.0), cv=3), MultilinearClassifier(interactions=None, Cs=(1.0,))],
    expected_failed_checks=lambda est: {},
)
def test_classifier_sklearn_compatible(estimator, check):
    check(estimator)


def _simulated_classes(n=1500, seed=0):
    X, eta = _simulated(n=n, seed=seed)
    rng = np.random.default_rng(seed + 1)
    y = np.where(rng.uniform(size=n) < 1 / (1 + np.exp(-(eta - 1.0))), "yes", "no")
    return X, y


def test_classifier_recovers_the_interaction_and_sums_its_contributions():
    X, y = _simulated_classes(n=4000)
    model = MultilinearClassifier(feature_names=["a", "b", "c"]).fit(X, y)
    assert list(model.classes_) == ["no", "yes"] and model.C_ > 0
    coef = dict(zip(model.term_names_, model.coef_, strict=True))
    assert coef[f"a{PAIR_SEP}b"] == pytest.approx(1.5, abs=0.5)
    assert abs(coef[f"a{PAIR_SEP}c"]) < 0.5 and coef["a"] == pytest.approx(2.0, abs=0.5)
    contrib = model.contributions(X[:20])
    np.testing.assert_allclose(contrib.sum(axis=1), model.decision_function(X[:20]), atol=1e-10)
    proba = model.predict_proba(X[:20])[:, 1]
    np.testing.assert_allclose(proba, 1 / (1 + np.exp(-model.decision_function(X[:20]))))
    assert list(model.term_kinds_).count("pair") == 3 and len(model.cv_log_loss_) == 13
    table = model.terms_table()
    assert table.term.iloc[-1] == "intercept" and table.importance.iloc[:-1].is_monotonic_decreasing


def test_classifier_pairs_and_bad_input():
    X, y = _simulated_classes(n=200)
    rule = MultilinearClassifier(interactions=lambda names: [(names[0], names[2])]).fit(X, y)
    assert list(rule.term_names_) == ["x0", "x1", "x2", f"x0{PAIR_SEP}x2"]
    main = MultilinearClassifier(interactions=None, Cs=(1.0,)).fit(X, y)
    assert main.cv_log_loss_ is None and len(main.coef_) == 3
    with pytest.raises(ValueError, match="Only binary classification is supported"):
        MultilinearClassifier().fit(X, np.arange(len(y)) % 3)
    with pytest.raises(ValueError, match="regression screen"):
        MultilinearClassifier(interactions=("top", 2)).fit(X, y)
    with pytest.raises(ValueError, match="Cs must be"):
        MultilinearClassifier(Cs=(-1.0,)).fit(X, y)


def test_centred_contributions_sum_to_the_prediction_and_move_the_mean_into_main_effects():
    from helpers.linear import PAIR_SEP, centred_contributions

    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(40, 4)) + 10.0, columns=list("abcd"))  # means far from 0
    y = (X.a * X.b + X.c + 0.1 * rng.normal(size=40)).to_numpy()
    m = MultilinearRegressor(interactions="all", alphas=(0.1, 1.0)).fit(X, y)
    c = centred_contributions(m, X.iloc[:8], reference=X)
    assert_allclose(c.groupby("row").contribution.sum(), m.predict(X.iloc[:8]), rtol=1e-10)
    assert list(c.kind.unique()) == ["main", "pair", "intercept"]
    # at the mean every term but the intercept vanishes
    mean_row = pd.DataFrame([X.mean()], columns=X.columns)
    c0 = centred_contributions(m, mean_row, reference=X)
    assert_allclose(c0.contribution[c0.kind != "intercept"], 0.0, atol=1e-10)
    # uncentred, the pair a & b carries ~ 10 × the main effect of a; centred, it is small
    raw = local_contributions(m, X, row=0).set_index("term").contribution
    cen = c[c.row == 0].set_index("term").contribution
    pair = f"a{PAIR_SEP}b"
    assert abs(cen[pair]) < 0.1 * abs(raw[pair])


def test_ridge_spectrum_from_a_gram_matrix_matches_the_design():
    """Built from G = X Xᵀ alone, the path has the design's leave-one-out errors and fitted values."""
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(30, 50)), rng.normal(size=30)
    alphas = [0.1, 1.0, 10.0]
    direct, dual = RidgeSpectrum(X, y), RidgeSpectrum.from_gram(X @ X.T, y)
    assert_allclose(dual.loo_mse(alphas), direct.loo_mse(alphas), rtol=1e-10)
    A = X - X.mean(axis=0)
    assert_allclose(A @ A.T @ dual.dual_coef(1.0) + y.mean(), direct.predict(X, [1.0])[:, 0], rtol=1e-10)
    with pytest.raises(ValueError, match="no primal coefficients"):
        dual.coef(1.0)
    with pytest.raises(ValueError, match="n × n Gram matrix"):
        RidgeSpectrum.from_gram(X, y)


def test_bootstrap_refit_in_the_dual_matches_the_primal_ridge_solution():
    """More terms than rows: the n x n dual system gives the p x p ridge solution, rows drawn 0 times included."""
    from helpers.linear import _weighted_dual_ridge

    rng = np.random.default_rng(0)
    Z, r = rng.normal(size=(15, 40)), rng.normal(size=15)
    w = rng.integers(0, 3, size=15).astype(float)
    mu, alpha = w @ Z / w.sum(), 0.7
    A = Z - mu
    primal = np.linalg.solve((A * w[:, None]).T @ A + alpha * np.eye(40), (A * w[:, None]).T @ r)
    assert_allclose(_weighted_dual_ridge(Z, Z @ Z.T, w, r, mu, alpha), primal, atol=1e-10)


def test_bootstrap_coefficients_with_more_terms_than_rows():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(30, 10))
    y = X[:, 0] * X[:, 1] + rng.normal(scale=0.1, size=30)
    fitted = MultilinearRegressor(interactions="all").fit(X, y)
    assert len(fitted.coef_) > len(y)
    boot = bootstrap_coefficients(fitted, X, y, n_bootstrap=5, random_state=0)
    assert boot.shape == (5, len(fitted.coef_) + 1) and np.isfinite(boot.to_numpy()).all()
    assert_allclose(boot, bootstrap_coefficients(fitted, X, y, n_bootstrap=5, random_state=0))
