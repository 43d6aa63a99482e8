"""The multilinear model of Allen & Tkatchenko (2022): main effects plus pairwise products.

.. math::  y = a_0 + \\sum_i a_i x_i + \\sum_{i<j} \\beta_{ij} x_i x_j

:class:`MultilinearRegressor` is an ordinary scikit-learn regressor (``fit``/``predict``, works in
``Pipeline``, ``clone`` and ``cross_val_score``) whose *terms* are the input features ("main"
terms) and chosen products of two features ("pair" terms, named ``"A & B"``). The coefficients
are fitted by ridge or LASSO with the penalty strength chosen by internal cross-validation, or
by ordinary least squares (``penalty=None``). :class:`MultilinearClassifier` builds the same terms behind
a logistic link (binary classes; every prediction a sum of named contributions to the log-odds).

Conventions
-----------
* ``term_features_`` is a list of index tuples, ``(i,)`` for a main term and ``(i, j)`` (i < j)
  for a pair term, in the order of ``coef_`` and ``term_names_``; nothing needs string parsing.
* With ``standardize=True`` every term column is divided by its training standard deviation
  before the penalised fit (no centring, so sparse input stays sparse; the intercept absorbs the
  means). ``coef_`` and everything derived from it are converted back, so they are always in
  the ORIGINAL units: ``predict(X) == intercept_ + sum_k coef_[k] * term_k(X)`` exactly.
* Pairs whose product column is identically zero in the training data are skipped (for
  one-hot encodings: two elements on the same site never co-occur, so their product carries
  no information and could never get a coefficient). Pairs are never formed of a feature with
  itself. The skipped pairs are counted in ``n_pairs_skipped_``.
* Ridge on dense input with ``cv=None`` (the default) chooses its penalty by exact leave-one-out CV
  from one eigendecomposition (:class:`GramRidgeCV`); every penalty then costs a matrix–vector
  product. :class:`RidgeSpectrum` is that shared primitive (also used for k-fold ridge paths).
* Sparse input (any ``scipy.sparse`` matrix or array) is supported; product columns are built
  sparsely, from the co-occurring non-zeros of each row, so a one-hot matrix with ``m`` active
  entries per row yields only ``m(m-1)/2`` products per row whatever the number of pairs.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.linalg
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
from sklearn.linear_model import Lasso, LassoCV, LinearRegression, Ridge, RidgeCV
from sklearn.model_selection import KFold
from sklearn.utils import Bunch, check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = [
    "MultilinearRegressor",
    "MultilinearClassifier",
    "DEFAULT_CS",
    "GramRidgeCV",
    "RidgeSpectrum",
    "PAIR_SEP",
    "pair_products",
    "nonzero_pairs",
    "terms_table",
    "transform_terms",
    "local_contributions",
    "centred_contributions",
    "bootstrap_coefficients",
    "sparsity_path",
    "summed_importance",
    "poly2_kernel_features",
]

#: Default ridge penalty grid (applied to standardised term columns).
DEFAULT_ALPHAS = tuple(np.logspace(-4, 4, 17))
#: Separator of the two feature names in a pair term's name, ``"A & B"``; every module uses this constant.
PAIR_SEP = " & "


# ----------------------------------------------------------------------------- design matrix
def nonzero_pairs(X) -> np.ndarray:
    """All index pairs ``(i, j)``, ``i < j``, whose product column ``X[:, i] * X[:, j]`` is not all zero.

    Returns an integer array of shape ``(n_pairs, 2)`` in lexicographic order.
    """
    if sp.issparse(X):
        B = sp.csr_matrix(X, copy=True)
        B.eliminate_zeros()
        B.data = np.ones_like(B.data, dtype=np.float64)
        C = sp.triu(B.T @ B, k=1).tocoo()
        pairs = np.column_stack([C.row, C.col]).astype(np.intp)
    else:
        B = (np.asarray(X) != 0).astype(np.float64)
        C = np.triu(B.T @ B, k=1)
        pairs = np.argwhere(C > 0).astype(np.intp)
    order = np.lexsort((pairs[:, 1], pairs[:, 0])) if len(pairs) else np.arange(0)
    return pairs[order].reshape(-1, 2)


def pair_products(X, pairs):
    """Product columns ``X[:, i] * X[:, j]`` for each row ``(i, j)`` of ``pairs``.

    Dense input gives a dense array; sparse input a CSR matrix built without ever forming a
    dense column: for each row, only products of its non-zero entries are generated (grouped by
    the number of non-zeros per row, so the work is vectorised) and kept if the pair is wanted.
    """
    pairs = np.asarray(pairs, dtype=np.intp).reshape(-1, 2)
    n = X.shape[0]
    if not sp.issparse(X):
        X = np.asarray(X, dtype=np.float64)
        with np.errstate(over="ignore"):  # an overflow is reported by fit() with a clear error
            return X[:, pairs[:, 0]] * X[:, pairs[:, 1]]
    p = X.shape[1]
    X = sp.csr_matrix(X, dtype=np.float64, copy=True)
    X.sum_duplicates()
    X.eliminate_zeros()
    X.sort_indices()
    if len(pairs) == 0:
        return sp.csr_matrix((n, 0))
    # wanted pairs, looked up by key i * p + j (i < j)
    lo, hi = np.minimum(pairs[:, 0], pairs[:, 1]), np.maximum(pairs[:, 0], pairs[:, 1])
    keys = lo.astype(np.int64) * p + hi
    sorter = np.argsort(keys)
    skeys = keys[sorter]
    nnz_row = np.diff(X.indptr)
    rows_out, cols_out, vals_out = [], [], []
    for m in np.unique(nnz_row):
        if m < 2:
            continue
        rows = np.flatnonzero(nnz_row == m)
        pos = X.indptr[rows][:, None] + np.arange(m)[None, :]
        idx, val = X.indices[pos], X.data[pos]  # (len(rows), m), column indices sorted per row
        a, b = np.triu_indices(m, k=1)
        k = idx[:, a].astype(np.int64) * p + idx[:, b]
        loc = np.searchsorted(skeys, k)
        loc_c = np.minimum(loc, len(skeys) - 1)
        hit = skeys[loc_c] == k
        r = np.broadcast_to(rows[:, None], k.shape)[hit]
        rows_out.append(r)
        cols_out.append(sorter[loc_c[hit]])
        vals_out.append((val[:, a] * val[:, b])[hit])
    if rows_out:
        r, c, v = (np.concatenate(z) for z in (rows_out, cols_out, vals_out))
    else:
        r, c, v = np.zeros(0, np.intp), np.zeros(0, np.intp), np.zeros(0)
    return sp.csr_matrix((v, (r, c)), shape=(n, len(pairs)))


def _hstack(main, prods):
    if sp.issparse(main):
        return sp.hstack([main, prods], format="csr", dtype=np.float64)
    return np.hstack([main, prods])


def _column_std(Z) -> np.ndarray:
    """Training standard deviation of every column, 1.0 for a constant column.

    Scale-free: a column counts as constant when its spread is below 1e-12 of its own largest
    magnitude, so a change of units (features × 1e-8 or × 1e8) never turns a term into a constant.
    The variance is computed on the column divided by that magnitude, so huge values do not overflow.
    """
    if sp.issparse(Z):
        Z = sp.csr_matrix(Z)
        mag = np.asarray(abs(Z).max(axis=0).todense()).ravel()
        safe = np.where(mag > 0, mag, 1.0)
        U = Z @ sp.diags(1.0 / safe)
        mean = np.asarray(U.mean(axis=0)).ravel()
        var = np.maximum(np.asarray(U.multiply(U).mean(axis=0)).ravel() - mean**2, 0.0)
    else:
        mag = np.max(np.abs(Z), axis=0, initial=0.0)
        safe = np.where(mag > 0, mag, 1.0)
        var = np.var(Z / safe, axis=0)
    rel = np.sqrt(var)
    std = rel * safe
    std[~(rel > 1e-12)] = 1.0
    return std


def _scale_columns(Z, scale):
    if sp.issparse(Z):
        return sp.csr_matrix(Z @ sp.diags(1.0 / scale))
    return Z / scale


# ----------------------------------------------------------------------------- ridge for every penalty
class RidgeSpectrum:
    """Ridge regression with an unpenalised intercept, for every penalty, from ONE eigendecomposition.

    With ``A = X − mean(X)`` the centred design (n × p) and ``yc = y − mean(y)``, the eigendecomposition of
    the smaller Gram matrix (``AᵀA``, p × p, if p ≤ n, else ``AAᵀ``, n × n) gives a spectrum ``s`` and two
    bases, ``L = A V`` (n × r) and ``V`` (p × r), such that for every penalty ``α``

    - the coefficients are ``β(α) = V diag(1/(s+α)) Lᵀ yc`` and the intercept ``mean(y) − mean(X)·β``;
    - the fitted values are ``L diag(1/(s+α)) Lᵀ yc`` and the hat matrix has the diagonal
      ``h = 1/n + Σ_k L_ik² / (s_k+α)``, so the exact leave-one-out residuals are ``e_i / (1 − h_i)``.

    Each penalty then costs matrix–vector products only. Modes with ``s_k ≤ 1e-12 · max(s)`` (the null
    space of the design) are dropped: they carry no signal. ``y`` is 1-D (n,).
    """

    def __init__(self, X, y):
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64).ravel()
        if X.ndim != 2 or len(X) != len(y) or len(y) < 2:
            raise ValueError(f"need a 2-D design and a target of the same length >= 2, got {X.shape} and {y.shape}")
        self.x_mean, self.y_mean = X.mean(axis=0), float(y.mean())
        A, self.yc = X - self.x_mean, y - self.y_mean
        n, p = A.shape
        if p <= n:  # primal: AᵀA = V diag(s) Vᵀ
            s, V = np.linalg.eigh(A.T @ A)
            keep = s > 1e-12 * max(s.max(), 0.0)
            self.s, self.V = s[keep], V[:, keep]
            self.L = A @ self.V
        else:  # dual: AAᵀ = Q diag(s) Qᵀ, L = Q √s, V = AᵀQ / √s
            s, Q = np.linalg.eigh(A @ A.T)
            keep = s > 1e-12 * max(s.max(), 0.0)
            self.s, root = s[keep], np.sqrt(s[keep])
            self.L = Q[:, keep] * root
            self.V = (A.T @ Q[:, keep]) / root
        self.n = n
        self.Lty = self.L.T @ self.yc

    @classmethod
    def from_gram(cls, gram, y) -> RidgeSpectrum:
        """The same path from the n × n Gram matrix of the rows, ``G = Φ Φᵀ`` for a feature map Φ that need
        not be written out (a kernel matrix, e.g. of the quadratic kernel): ``G`` is centred on both sides
        (the unpenalised intercept) and decomposed once. :meth:`loo_mse` and :meth:`dual_coef` work;
        :meth:`coef` and :meth:`predict` need the design and raise."""
        G = np.asarray(gram, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64).ravel()
        if G.ndim != 2 or G.shape != (len(y), len(y)) or len(y) < 2:
            raise ValueError(f"need an n × n Gram matrix and a target of length n >= 2, got {G.shape} and {y.shape}")
        self = cls.__new__(cls)
        self.x_mean, self.V, self.n = None, None, len(y)
        self.y_mean = float(y.mean())
        self.yc = y - self.y_mean
        g = G.mean(axis=0)
        s, Q = np.linalg.eigh(G - g[None, :] - g[:, None] + g.mean())
        keep = s > 1e-12 * max(s.max(), 0.0)
        self.s = s[keep]
        self.L = Q[:, keep] * np.sqrt(self.s)
        self.Lty = self.L.T @ self.yc
        return self

    def dual_coef(self, alpha: float) -> np.ndarray:
        """Dual coefficients ``c`` (n,) of penalty ``alpha``: the fitted values are ``Gc c + mean(y)``, with
        ``Gc`` the centred Gram matrix (for a new row, its centred Gram row replaces ``Gc``)."""
        return self.L @ (self.Lty / (self.s * (self.s + alpha)))

    def coef(self, alpha: float) -> tuple[np.ndarray, float]:
        """``(coef, intercept)`` of penalty ``alpha``."""
        if self.V is None:
            raise ValueError("built from a Gram matrix: there are no primal coefficients; use dual_coef")
        beta = self.V @ (self.Lty / (self.s + alpha))
        return beta, float(self.y_mean - self.x_mean @ beta)

    def predict(self, X, alphas) -> np.ndarray:
        """Predictions for the rows of ``X``, one column per penalty: shape (m, len(alphas))."""
        if self.V is None:
            raise ValueError("built from a Gram matrix: predict from dual_coef and the new rows' Gram rows")
        alphas = np.asarray(alphas, dtype=np.float64)
        P = (np.asarray(X, dtype=np.float64) - self.x_mean) @ self.V
        return P @ (self.Lty[:, None] / (self.s[:, None] + alphas[None, :])) + self.y_mean

    def loo_mse(self, alphas) -> np.ndarray:
        """Mean squared leave-one-out error of every penalty in ``alphas``."""
        L2 = self.L * self.L
        out = np.empty(len(alphas))
        for k, a in enumerate(np.asarray(alphas, dtype=np.float64)):
            d = 1.0 / (self.s + a)
            resid = self.yc - self.L @ (d * self.Lty)
            h = 1.0 / self.n + L2 @ d
            out[k] = np.mean((resid / (1.0 - h)) ** 2)
        return out


class GramRidgeCV(RegressorMixin, BaseEstimator):
    """Ridge regression with the penalty chosen by exact leave-one-out CV, for dense designs.

    The criterion of scikit-learn's ``RidgeCV(cv=None)`` (mean squared leave-one-out error, unpenalised
    intercept), computed by :class:`RidgeSpectrum` from one eigendecomposition of the smaller Gram matrix.
    Hand-written because ``RidgeCV`` runs an SVD of the whole n × p design, several times slower for the
    designs of a few thousand terms this book fits. Attributes: ``alpha_``, ``coef_``, ``intercept_``,
    ``cv_mse_`` (one value per alpha, in squared units of ``y``).
    """

    def __init__(self, alphas=DEFAULT_ALPHAS):
        self.alphas = alphas

    def fit(self, X, y):
        """Choose ``alpha_`` by leave-one-out CV and fit on all rows (``X`` dense, n × p)."""
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True)
        alphas = np.asarray(self.alphas, dtype=np.float64)
        if alphas.size == 0 or not np.all(np.isfinite(alphas) & (alphas > 0)):
            raise ValueError(f"alphas must be a non-empty list of positive numbers, got {self.alphas!r}")
        path = RidgeSpectrum(X, y)
        self.cv_mse_ = path.loo_mse(alphas)
        self.alpha_ = float(alphas[int(np.argmin(self.cv_mse_))])
        self.coef_, self.intercept_ = path.coef(self.alpha_)
        return self

    def predict(self, X):
        """``X @ coef_ + intercept_``."""
        check_is_fitted(self, "coef_")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return X @ self.coef_ + self.intercept_


# ----------------------------------------------------------------------------- the estimator
def _listed_pairs(X, inter, names, resolve, *, accepted: str) -> tuple[np.ndarray, int]:
    """The pair terms of ``interactions`` = ``"all"``, None, a list of pairs or a rule (a callable of the
    column names), as index pairs, and how many candidate pairs were skipped for being all zero on ``X``.
    ``resolve`` turns a list of pairs (names or indices) into index pairs; ``accepted`` names the values
    the caller accepts, for the error message."""
    if inter is None:
        return np.zeros((0, 2), dtype=np.intp), 0
    if isinstance(inter, str):
        if inter != "all":
            raise ValueError(f"interactions must be {accepted}, got {inter!r}")
        pairs = nonzero_pairs(X)
        return pairs, X.shape[1] * (X.shape[1] - 1) // 2 - len(pairs)
    if callable(inter):  # a rule: the pairs of the columns this fit actually sees
        inter = inter(list(names))
    pairs = resolve(list(inter), names)
    if not len(pairs):
        return pairs, 0
    nonzero = np.asarray(abs(pair_products(X, pairs)).sum(axis=0)).ravel() > 0
    return pairs[nonzero], int((~nonzero).sum())


class MultilinearRegressor(RegressorMixin, BaseEstimator):
    """Linear model on main effects and pairwise products, ``y = a0 + Σ a_i x_i + Σ β_ij x_i x_j``.

    Parameters
    ----------
    interactions : "all", None, list of pairs, callable, or ("top", k)
        Which product terms to add. ``"all"``: every pair ``i < j`` that is not identically
        zero in the training data. ``None``: main effects only. A list of ``(i, j)`` index pairs
        or ``(name_i, name_j)`` feature-name pairs. A callable (a rule): called at ``fit`` with the
        list of input feature names, it returns such a list, so that in a ``Pipeline`` the pairs
        follow the columns the fitted encoder actually produced (e.g.
        :class:`helpers.featurize.elpasolite.SitePairs`). ``("top", k)``: a screen on the TRAINING data:
        a LASSO path (standardised main + all pairs, from the largest penalty down) ranks the
        pairs by the order in which they enter the model, and the first ``k`` are kept; the final
        model is then fitted with ``penalty`` on main effects + those ``k`` pairs.
    penalty : "ridge", "lasso" or None
        ``"ridge"``: the penalty is chosen from ``alphas`` (see ``cv``). ``"lasso"``:
        :class:`~sklearn.linear_model.LassoCV` (its own path of ``n_alphas`` penalties).
        ``None``: ordinary least squares.
    alphas : sequence of float, default ``logspace(-4, 4, 17)``
        Ridge penalty grid (in the standardised units if ``standardize``).
    cv : int, CV splitter or None, default None
        Internal CV. ``None``: for ridge on dense input the exact leave-one-out error of
        :class:`GramRidgeCV` (one eigendecomposition of the smaller Gram matrix); for sparse input
        (where that needs a dense terms × terms or samples × samples matrix, minutes for ~10k pair
        terms) and for lasso, shuffled 5-fold CV seeded by ``random_state``. An int or splitter:
        k-fold ``RidgeCV``/``LassoCV`` with it.
    standardize : bool, default True
        Divide every term column by its training standard deviation before the penalised fit.
        Reported coefficients are always in original units.
    feature_names : sequence of str, optional
        Names of the input columns when ``X`` is not a DataFrame (a DataFrame's own column names
        win). Default ``x0, x1, ...``.
    n_bootstrap : int, default 0
        Number of bootstrap refits (rows resampled with replacement, penalty fixed at the chosen
        ``alpha_``, same terms, same column scaling) giving 95 % percentile intervals
        ``coef_ci_`` and ``intercept_ci_``. 0 → NaN intervals and no extra cost.
    n_alphas : int, default 30
        Length of the LASSO paths (``penalty="lasso"`` and the ``("top", k)`` screen).
    max_iter : int, default 5000
        Coordinate-descent iterations for LASSO fits.
    random_state : int, default 0
        Seed of the bootstrap and of shuffled CV splits.

    Attributes
    ----------
    coef_ : ndarray (n_terms,)        coefficients in original units
    intercept_ : float
    alpha_ : float or None            chosen penalty (None for OLS)
    loo_mse_ : float or None          mean squared leave-one-out error at ``alpha_`` (dense ridge with
                                      ``cv=None``, in squared units of y; else None)
    term_features_ : list of tuples   ``(i,)`` main, ``(i, j)`` pair
    term_names_ : ndarray of str      feature name or ``"A & B"``
    term_kinds_ : ndarray of str      ``"main"`` or ``"pair"``
    pairs_ : ndarray (n_pairs, 2)     the pair terms, as index pairs
    n_pairs_skipped_ : int            candidate pairs dropped for being all zero in training
    importances_ : ndarray            mean |contribution| of each term over the training set
    coef_ci_ : ndarray (2, n_terms)   bootstrap 2.5 / 97.5 percentiles (NaN if n_bootstrap=0)
    intercept_ci_ : ndarray (2,)
    screen_order_ : ndarray or None   for ("top", k): all candidate pairs ranked by the screen
    n_iter_ : int                     coordinate-descent iterations (lasso); 1 for direct solves
    """

    def __init__(
        self,
        interactions="all",
        penalty="ridge",
        alphas=None,
        cv=None,
        standardize=True,
        feature_names=None,
        n_bootstrap=0,
        n_alphas=30,
        max_iter=5000,
        random_state=0,
    ):
        self.interactions = interactions
        self.penalty = penalty
        self.alphas = alphas
        self.cv = cv
        self.standardize = standardize
        self.feature_names = feature_names
        self.n_bootstrap = n_bootstrap
        self.n_alphas = n_alphas
        self.max_iter = max_iter
        self.random_state = random_state

    # -- sklearn plumbing
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    # -- helpers
    def _input_names(self, n_features):
        if hasattr(self, "feature_names_in_"):
            return [str(c) for c in self.feature_names_in_]
        if self.feature_names is not None:
            names = [str(c) for c in self.feature_names]
            if len(names) != n_features:
                raise ValueError(f"feature_names has {len(names)} names but X has {n_features} columns")
            return names
        return [f"x{i}" for i in range(n_features)]

    def _resolve_pairs(self, pairs, names):
        index = {nm: i for i, nm in enumerate(names)}
        out = []
        for pr in pairs:
            if len(pr) != 2:
                raise ValueError(f"an interaction must be a pair, got {pr!r}")
            ij = []
            for f in pr:
                if isinstance(f, (bool, np.bool_)):
                    raise ValueError(f"a pair index must be an integer or a feature name, got the boolean {f!r}")
                if isinstance(f, numbers.Integral):
                    if not 0 <= int(f) < len(names):
                        raise ValueError(f"feature index {f} out of range")
                    ij.append(int(f))
                elif f in index:
                    ij.append(index[f])
                else:
                    raise ValueError(f"unknown feature {f!r} in interactions")
            i, j = sorted(ij)
            if i == j:
                raise ValueError(f"a pair needs two different features, got {pr!r}")
            out.append((i, j))
        out = sorted(set(out))
        return np.array(out, dtype=np.intp).reshape(-1, 2)

    def _design(self, X):
        return (
            _hstack(X, pair_products(X, self.pairs_))
            if len(self.pairs_)
            else (sp.csr_matrix(X, dtype=np.float64) if sp.issparse(X) else np.asarray(X, dtype=np.float64))
        )

    def _make_solver(self, alpha=None, sparse=False):
        pen = self.penalty
        cv = self.cv
        if cv is None and (sparse or pen == "lasso"):
            cv = KFold(5, shuffle=True, random_state=self.random_state)
        if pen is None:
            return LinearRegression()
        if pen == "ridge":
            if alpha is not None:
                return Ridge(alpha=alpha)
            alphas = DEFAULT_ALPHAS if self.alphas is None else tuple(self.alphas)
            if len(alphas) == 0 or not all(np.isfinite(a) and a > 0 for a in alphas):
                raise ValueError(f"alphas must be a non-empty list of positive numbers, got {self.alphas!r}")
            if cv is None:  # dense: exact leave-one-out from one eigendecomposition
                return GramRidgeCV(alphas=np.asarray(alphas, dtype=np.float64))
            return RidgeCV(alphas=np.asarray(alphas, dtype=np.float64), cv=cv)
        if pen == "lasso":
            if alpha is not None:
                return Lasso(alpha=alpha, max_iter=self.max_iter)
            return LassoCV(alphas=self.n_alphas, cv=cv, max_iter=self.max_iter, random_state=self.random_state)
        raise ValueError(f"penalty must be 'ridge', 'lasso' or None, got {pen!r}")

    def _screen(self, X, y, k):
        """Rank all non-zero pairs by their entry into a LASSO path fitted on the training data."""
        cand = nonzero_pairs(X)
        p = X.shape[1]
        if len(cand) == 0 or k <= 0:
            return cand[:0], cand
        Z = _hstack(X, pair_products(X, cand))
        Zs = _scale_columns(Z, _column_std(Z))
        yc = y - y.mean()
        corr = np.abs(np.asarray(Zs.T @ yc)).ravel() / len(y)
        # correlation with y in the centred sense: Zs^T (y - ybar) is exact for sparse Zs too
        alpha_max = float(corr.max()) if corr.max() > 0 else 1.0
        alphas = alpha_max * np.logspace(0, -3, self.n_alphas)
        entry = np.full(len(cand), np.inf)
        lasso = Lasso(alpha=alphas[0], warm_start=True, max_iter=self.max_iter, tol=1e-4)
        coef = np.zeros(Zs.shape[1])
        for step, a in enumerate(alphas):
            lasso.set_params(alpha=a)
            lasso.fit(Zs, y)
            coef = lasso.coef_
            new = (coef[p:] != 0) & ~np.isfinite(entry)
            entry[new] = step
            if np.isfinite(entry).sum() >= k:
                break
        order = np.lexsort((-corr[p:], -np.abs(coef[p:]), entry))
        return cand[np.sort(order[:k])], cand[order]

    # -- fit / predict
    def _interaction_spec(self, names):
        """What ``fit`` resolves into pair terms (``interactions``); a subclass may derive it from other
        parameters, never by writing ``self.interactions``."""
        return self.interactions

    def _resolve_interactions(self, X, y, names) -> tuple[np.ndarray, int]:
        """The pair terms (index pairs, lexicographic) of ``self.interactions`` on the training data, and how
        many candidate pairs were skipped for being all zero. Sets ``screen_order_``."""
        n_features = X.shape[1]
        self.screen_order_ = None
        inter = self._interaction_spec(names)
        if isinstance(inter, tuple) and len(inter) == 2 and inter[0] == "top":
            k = inter[1]
            if isinstance(k, (bool, np.bool_)) or not isinstance(k, numbers.Integral) or k < 1:
                raise ValueError(
                    f"('top', k) needs a positive integer k, got {k!r}; use interactions=None for main effects only"
                )
            pairs, self.screen_order_ = self._screen(X, y, int(k))
            return pairs, n_features * (n_features - 1) // 2 - len(self.screen_order_)
        accepted = "'all', None, ('top', k) or a list of pairs"
        return _listed_pairs(X, inter, names, self._resolve_pairs, accepted=accepted)

    def fit(self, X, y):
        """Build the terms, choose the penalty by internal CV and fit; see the class docstring."""
        X, y = validate_data(self, X, y, accept_sparse="csr", dtype=np.float64, y_numeric=True, multi_output=False)
        y = np.asarray(y, dtype=np.float64)
        n, p = X.shape
        self._check_params(n)
        names = self._input_names(p)
        pairs, n_skipped = self._resolve_interactions(X, y, names)
        self.pairs_ = pairs
        self.n_pairs_skipped_ = int(n_skipped)
        self.term_features_ = [(i,) for i in range(p)] + [tuple(map(int, pr)) for pr in pairs]
        self.term_names_ = np.array(names + [f"{names[i]}{PAIR_SEP}{names[j]}" for i, j in pairs], dtype=object)
        self.term_kinds_ = np.array(["main"] * p + ["pair"] * len(pairs), dtype=object)

        Z = self._design(X)
        if not np.all(np.isfinite(Z.data if sp.issparse(Z) else Z)):
            raise ValueError(
                "products of the features overflow float64 (values beyond ~1e154): rescale the "
                "features (e.g. change their units) before fitting"
            )
        self.scale_ = _column_std(Z) if (self.standardize and self.penalty is not None) else np.ones(Z.shape[1])
        Zs = _scale_columns(Z, self.scale_)
        solver = self._make_solver(sparse=sp.issparse(Zs))
        solver.fit(Zs, y)
        self.alpha_ = None if self.penalty is None else float(solver.alpha_)
        # the exact leave-one-out error at the chosen penalty, when it was the selection criterion
        self.loo_mse_ = float(np.min(solver.cv_mse_)) if isinstance(solver, GramRidgeCV) else None
        self.coef_ = np.asarray(solver.coef_, dtype=np.float64).ravel() / self.scale_
        self.intercept_ = float(solver.intercept_)
        self.importances_ = self._importances(Z)
        it = getattr(solver, "n_iter_", None)
        self.n_iter_ = int(np.max(it)) if it is not None else 1  # 1 = a direct (closed-form) solve
        self._bootstrap(Zs, y)
        return self

    def _bootstrap(self, Zs, y) -> None:
        """``n_bootstrap`` refits on resampled rows with the chosen penalty fixed: ``coef_ci_``, ``intercept_ci_``
        (95 % percentile intervals, NaN without refits) and ``bootstrap_coefs_``."""
        nb, n, n_terms = int(self.n_bootstrap), Zs.shape[0], Zs.shape[1]
        self.coef_ci_ = np.full((2, n_terms), np.nan)
        self.intercept_ci_ = np.full(2, np.nan)
        if nb == 0:
            return
        rng = check_random_state(self.random_state)
        coefs, icpts = np.empty((nb, n_terms)), np.empty(nb)
        base = self._make_solver(alpha=self.alpha_)
        for b in range(nb):
            idx = rng.randint(0, n, n)
            m = clone(base).fit(Zs[idx], y[idx])
            coefs[b] = np.asarray(m.coef_).ravel() / self.scale_
            icpts[b] = m.intercept_
        self.coef_ci_ = np.percentile(coefs, [2.5, 97.5], axis=0)
        self.intercept_ci_ = np.percentile(icpts, [2.5, 97.5])
        self.bootstrap_coefs_ = coefs

    def _check_params(self, n_samples):
        nb = self.n_bootstrap
        if isinstance(nb, (bool, np.bool_)) or not isinstance(nb, numbers.Integral) or nb < 0:
            raise ValueError(f"n_bootstrap must be a non-negative integer, got {nb!r}")
        if self.penalty not in ("ridge", "lasso", None):
            raise ValueError(f"penalty must be 'ridge', 'lasso' or None, got {self.penalty!r}")
        if n_samples < 2:
            raise ValueError(
                f"need at least 2 training rows to fit an intercept and coefficients, got {n_samples} sample(s)"
            )
        uses_kfold = self.penalty is not None and (self.cv is not None or self.penalty == "lasso")
        folds = self.cv if isinstance(self.cv, numbers.Integral) else 5
        if uses_kfold and n_samples < folds:
            raise ValueError(
                f"{n_samples} training rows are too few for {folds}-fold internal CV of the penalty; "
                "pass penalty=None (least squares) or more data"
            )

    def _importances(self, Z):
        mean_abs = np.asarray(abs(Z).mean(axis=0)).ravel()
        return mean_abs * np.abs(self.coef_)

    def _check_X(self, X):
        check_is_fitted(self, "coef_")
        return validate_data(self, X, accept_sparse="csr", dtype=np.float64, reset=False)

    def transform_terms(self, X):
        """Term columns (original units): the main features, then the pair products (dense or CSR)."""
        return self._design(self._check_X(X))

    def predict(self, X):
        """``intercept_ + terms(X) @ coef_``."""
        Z = self.transform_terms(X)
        return np.asarray(Z @ self.coef_).ravel() + self.intercept_

    def contributions(self, X) -> pd.DataFrame:
        """Per-term contributions ``coef_k * term_k(x)`` plus an ``"intercept"`` column.

        Row sums equal ``predict(X)``. Dense input gives a dense frame; sparse input a frame of
        pandas sparse columns (zero contributions not stored) so that thousands of pair terms
        stay cheap; ``df.sum(axis=1)`` works on both.
        """
        Z = self.transform_terms(X)
        index = X.index if isinstance(X, pd.DataFrame) else None
        cols = list(self.term_names_)
        if sp.issparse(Z):
            C = sp.csc_matrix(Z @ sp.diags(self.coef_))
            df = pd.DataFrame.sparse.from_spmatrix(C, index=index, columns=cols)
        else:
            df = pd.DataFrame(Z * self.coef_, index=index, columns=cols)
        df["intercept"] = self.intercept_
        return df

    def terms_table(self, X=None) -> pd.DataFrame:
        """One row per term: term, kind, features, coefficient, importance, ci_low, ci_high.

        ``importance`` is the mean absolute contribution over ``X`` (default: the training set).
        Sorted by decreasing importance. The intercept is a last row of kind ``"intercept"``.
        """
        check_is_fitted(self, "coef_")
        imp = self.importances_ if X is None else self._importances(self.transform_terms(X))
        df = pd.DataFrame(
            {
                "term": list(self.term_names_),
                "kind": list(self.term_kinds_),
                "features": list(self.term_features_),
                "coefficient": self.coef_,
                "importance": imp,
                "ci_low": self.coef_ci_[0],
                "ci_high": self.coef_ci_[1],
            }
        )
        df = df.sort_values("importance", ascending=False, kind="stable").reset_index(drop=True)
        icpt = pd.DataFrame(
            {
                "term": ["intercept"],
                "kind": ["intercept"],
                "features": [()],
                "coefficient": [self.intercept_],
                "importance": [abs(self.intercept_)],
                "ci_low": [self.intercept_ci_[0]],
                "ci_high": [self.intercept_ci_[1]],
            }
        )
        return pd.concat([df, icpt], ignore_index=True)


def _final_step(estimator, X=None):
    """The fitted MultilinearRegressor of ``estimator`` (itself or a Pipeline's last step) and ``X``
    transformed by the pipeline's earlier steps."""
    if hasattr(estimator, "steps"):
        if X is not None:
            X = estimator[:-1].transform(X)
        estimator = estimator[-1]
    if not isinstance(estimator, MultilinearRegressor):
        raise TypeError(f"need a MultilinearRegressor or a Pipeline ending in one, got {type(estimator).__name__}")
    return estimator, X


def transform_terms(estimator, X) -> np.ndarray:
    """Dense term columns (original units) of ``X`` under a fitted ``estimator`` (a MultilinearRegressor or a
    Pipeline ending in one, ``X`` then in the pipeline's input format), in the order of ``term_names_``."""
    model, Xt = _final_step(estimator, X)
    Z = model.transform_terms(Xt)
    return np.asarray(Z.toarray() if sp.issparse(Z) else Z, dtype=np.float64)


def terms_table(estimator, X=None) -> pd.DataFrame:
    """:meth:`MultilinearRegressor.terms_table` of ``estimator`` (the regressor or a fitted Pipeline ending in one).

    ``X`` (optional) is in the pipeline's input format; importances are then mean |contribution| over it.
    """
    model, X = _final_step(estimator, X)
    return model.terms_table(X)


def local_contributions(estimator, X, *, row=0) -> pd.DataFrame:
    """Tidy contributions of ONE sample: columns term, kind, contribution (intercept last).

    ``estimator`` is a fitted MultilinearRegressor or a Pipeline ending in one (``X`` then in the
    pipeline's input format); ``row`` is a position in ``X``. The contributions sum to
    ``estimator.predict(X)[row]``; this is the input of :func:`helpers.plots.contributions_chart`.
    """
    if isinstance(X, pd.DataFrame):
        Xr = X.iloc[[row]]
    elif sp.issparse(X):
        Xr = sp.csr_matrix(X)[[row]]
    else:
        Xr = np.asarray(X)[[row]]
    model, Xr = _final_step(estimator, Xr)
    c = model.contributions(Xr).iloc[0]
    c = c.astype(float)
    kinds = list(model.term_kinds_) + ["intercept"]
    return pd.DataFrame({"term": list(c.index), "kind": kinds, "contribution": c.to_numpy()})


def bootstrap_coefficients(estimator, X, y, *, groups=None, n_bootstrap: int = 200, random_state=0) -> pd.DataFrame:
    """Coefficients of a FITTED ridge multilinear model refitted on ``n_bootstrap`` bootstrap samples.

    ``estimator`` is a fitted :class:`MultilinearRegressor` with ``penalty="ridge"`` (or a Pipeline ending in
    one; ``X`` then in the pipeline's input format). With ``groups`` (one label per row) whole groups are
    resampled, e.g. complexes, so that a complex's HFX series stays together; without, rows. Terms, penalty
    ``alpha_`` and column scaling stay those of the fitted model. Returns a frame of shape
    (n_bootstrap, n_terms + 1): one column per term (named as in ``term_names_``) and ``"intercept"``, in the
    original units.
    """
    model, _ = _final_step(estimator)
    check_is_fitted(model, "coef_")
    if model.penalty != "ridge":
        raise ValueError(
            f"bootstrap_coefficients refits a ridge model with its penalty fixed; this model has "
            f"penalty={model.penalty!r}"
        )
    nb = n_bootstrap
    if isinstance(nb, (bool, np.bool_)) or not isinstance(nb, numbers.Integral) or nb < 1:
        raise ValueError(f"n_bootstrap must be a positive integer, got {nb!r}")
    Z = transform_terms(estimator, X) / model.scale_
    y = np.asarray(y, dtype=np.float64).ravel()
    if len(y) != len(Z):
        raise ValueError(f"X has {len(Z)} rows but y has {len(y)} values")
    labels = np.arange(len(y)) if groups is None else np.asarray(groups)
    if len(labels) != len(y):
        raise ValueError(f"groups has {len(labels)} labels for {len(y)} rows")
    _, inverse = np.unique(labels, return_inverse=True)
    n_groups = inverse.max() + 1
    rng = check_random_state(random_state)
    out = np.empty((int(nb), Z.shape[1] + 1))
    # more terms than rows (e.g. all pairs of a few hundred features): the same ridge solution from the
    # n x n dual system, built from one Gram matrix, instead of a p x p system per refit
    gram = Z @ Z.T if Z.shape[1] > len(y) else None
    for b in range(int(nb)):
        # a bootstrap sample as row weights: how often each row's group was drawn
        w = np.bincount(rng.randint(0, n_groups, n_groups), minlength=n_groups)[inverse].astype(np.float64)
        mu = w @ Z / w.sum()
        ym = w @ y / w.sum()
        if gram is None:
            A = Z - mu
            coef = np.linalg.solve(
                (A * w[:, None]).T @ A + model.alpha_ * np.eye(Z.shape[1]), (A * w[:, None]).T @ (y - ym)
            )
        else:
            coef = _weighted_dual_ridge(Z, gram, w, y - ym, mu, model.alpha_)
        out[b, :-1], out[b, -1] = coef / model.scale_, ym - mu @ coef
    return pd.DataFrame(out, columns=list(model.term_names_) + ["intercept"])


def _weighted_dual_ridge(Z, gram, w, r, mu, alpha) -> np.ndarray:
    """argmin_c sum_i w_i (r_i - (z_i - mu) c)^2 + alpha |c|^2 through the dual, for p > n.

    With A = Z - mu on the rows of positive weight and S = diag(sqrt(w)), c = A^T S (S A A^T S + alpha I)^-1 S r;
    A A^T comes from ``gram`` = Z Z^T, so a refit costs one m x m solve (m rows drawn) instead of p x p.
    """
    keep = w > 0
    Zk, s = Z[keep], np.sqrt(w[keep])
    z_mu = gram[np.ix_(keep, keep)] @ w[keep] / w.sum()  # (z_i . mu) for the kept rows
    AAt = gram[np.ix_(keep, keep)] - z_mu[:, None] - z_mu[None, :] + mu @ mu
    M = s[:, None] * AAt * s[None, :]
    M[np.diag_indices_from(M)] += alpha
    u = s * scipy.linalg.solve(M, s * r[keep], assume_a="pos")  # M is symmetric positive definite: Cholesky
    return Zk.T @ u - mu * u.sum()


# ----------------------------------------------------------------------------- sparsity and importance
def sparsity_path(
    estimator,
    X,
    y,
    *,
    n_alphas: int = 30,
    eps: float = 1e-3,
    cv: int = 5,
    random_state: int = 0,
    max_iter: int = 20_000,
    tol: float = 1e-4,
) -> Bunch:
    """The LASSO path over the terms of a fitted multilinear ``estimator``: accuracy against sparsity.

    The terms (main effects and the model's pairs, ``estimator.transform_terms(X)``) are standardised and
    fitted by LASSO for ``n_alphas`` penalties from the smallest that keeps every term out down to ``eps``
    times it. For each penalty: the number of non-zero terms on all rows and the ``cv``-fold (shuffled,
    ``random_state``) cross-validated RMSE, in the units of ``y``.

    Returns a Bunch (plain arrays, so it pickles) with ``table`` (alpha, n_terms, cv_rmse, cv_rmse_se: one
    row per penalty, strongest first), ``best`` (row position of the smallest CV error), ``coef``
    (n_alphas, n_terms) and ``intercept`` (n_alphas,) in the ORIGINAL units of the terms, ``term_names`` and
    ``term_kinds``. The path's model ``i`` predicts ``transform_terms(estimator, X_new) @ coef[i] +
    intercept[i]``.
    """
    from sklearn.linear_model import lasso_path

    model, _ = _final_step(estimator)
    check_is_fitted(model, "coef_")
    Z = transform_terms(estimator, X)
    y = np.asarray(y, dtype=np.float64)
    scale = Z.std(axis=0)
    scale[scale < 1e-12] = 1.0
    Zs = Z / scale

    def path(A, b, alphas=None):
        am, bm = A.mean(axis=0), b.mean()
        alphas, coefs, _ = lasso_path(
            A - am, b - bm, alphas=n_alphas if alphas is None else alphas, eps=eps, max_iter=max_iter, tol=tol
        )
        return alphas, coefs, bm - am @ coefs  # coefs (p, n_alphas), intercepts (n_alphas,)

    alphas, coefs, icpt = path(Zs, y)
    errs = []
    for tr, va in KFold(cv, shuffle=True, random_state=random_state).split(Zs):
        _, c, b0 = path(Zs[tr], y[tr], alphas)
        errs.append(np.mean((Zs[va] @ c + b0 - y[va][:, None]) ** 2, axis=0))
    errs = np.array(errs)  # (folds, n_alphas)
    rmse = np.sqrt(errs.mean(axis=0))
    se = errs.std(axis=0, ddof=1) / np.sqrt(cv) / (2 * rmse)  # delta method: se of sqrt(mean MSE)
    table = pd.DataFrame({"alpha": alphas, "n_terms": (coefs != 0).sum(axis=0), "cv_rmse": rmse, "cv_rmse_se": se})
    return Bunch(
        table=table,
        best=int(np.argmin(rmse)),
        coef=(coefs / scale[:, None]).T,
        intercept=icpt,
        term_names=np.asarray(model.term_names_),
        term_kinds=np.asarray(model.term_kinds_),
    )


def summed_importance(estimator, X=None, *, features=None) -> pd.Series:
    """Total importance of each input feature of a fitted multilinear ``estimator``: the sum of the
    importance (mean |contribution| over ``X``, default the training rows, in the units of the target) of
    every term it enters. A pair term counts for both of its features (from ``term_features_``).
    ``features`` (optional) restricts the result to those names. Sorted from the most important.
    """
    table = terms_table(estimator, X)
    model, _ = _final_step(estimator)
    names = np.asarray(model.term_names_[model.term_kinds_ == "main"])
    t = table[table.kind != "intercept"]
    parts = t.features.explode()
    out = t.importance.loc[parts.index].groupby(names[parts.to_numpy().astype(int)]).sum()
    if features is not None:
        out = out.reindex(list(features), fill_value=0.0)
    return out.sort_values(ascending=False, kind="stable")


# ----------------------------------------------------------------------------- kernels are linear
def poly2_kernel_features(X, *, gamma: float, coef0: float, feature_names: Sequence[str] | None = None):
    """Explicit feature map of the degree-2 polynomial kernel ``k(x, x') = (γ⟨x, x'⟩ + c)²``.

    Expanding, ``(γ⟨x,x'⟩ + c)² = c² + Σ_i 2cγ x_i x'_i + Σ_i γ² x_i² x_i'² + Σ_{i<j} 2γ² x_i x_j x'_i x'_j``,
    so with ``φ(x) = [c, √(2cγ) x_i, γ x_i², √2 γ x_i x_j (i<j)]`` we have ``φ(x)·φ(x') = k(x, x')``
    exactly. Ridge on ``φ`` without intercept and with the same ``alpha`` is kernel ridge
    regression with this kernel. Returns ``(Phi, names, weights)`` where ``weights`` is the factor
    multiplying each monomial (so that a ridge weight ``w`` on column k is the coefficient
    ``w * weights[k]`` of the monomial ``names[k]``).
    """
    if gamma <= 0 or coef0 < 0:
        raise ValueError("need gamma > 0 and coef0 >= 0 for a real feature map")
    X = np.asarray(X, dtype=np.float64)
    n, p = X.shape
    names = list(feature_names) if feature_names is not None else [f"x{i}" for i in range(p)]
    iu, ju = np.triu_indices(p, k=1)
    cols = [np.ones((n, 1)), X, X**2, X[:, iu] * X[:, ju]]
    weights = np.concatenate(
        [[coef0], np.full(p, np.sqrt(2 * coef0 * gamma)), np.full(p, gamma), np.full(len(iu), np.sqrt(2.0) * gamma)]
    )
    mono = (
        ["1"]
        + names
        + [f"{nm}^2" for nm in names]
        + [f"{names[i]}{PAIR_SEP}{names[j]}" for i, j in zip(iu, ju, strict=True)]
    )
    Phi = np.hstack(cols) * weights
    return Phi, mono, weights


# ----------------------------------------------------------------------------- the logistic link
#: Default grid of inverse penalties C of :class:`MultilinearClassifier` (on standardised term columns).
DEFAULT_CS = tuple(np.logspace(-3, 3, 13))


class MultilinearClassifier(ClassifierMixin, BaseEstimator):
    """Binary logistic model on main effects and pairwise products: the multilinear model with a logistic link,

    .. math::  \\log \\frac{p}{1 - p} = a_0 + \\sum_i a_i x_i + \\sum_{i<j} \\beta_{ij} x_i x_j ,

    so that every prediction is a sum of named contributions to the log-odds of the second class
    (``classes_[1]``). The terms are built as in :class:`MultilinearRegressor` (same naming with
    :data:`PAIR_SEP`, ``term_features_``/``term_kinds_``, all-zero pairs skipped); the coefficients are fitted
    by L2-penalised logistic regression (:class:`~sklearn.linear_model.LogisticRegressionCV`, Newton-Cholesky
    solver, intercept not penalised) with the inverse penalty ``C`` chosen by stratified k-fold CV log-loss
    on the training rows.

    Parameters
    ----------
    interactions : "all", None, list of pairs or callable
        As in :class:`MultilinearRegressor` (a callable is a rule called at ``fit`` with the input feature
        names); the LASSO screen ``("top", k)`` of the regressor is not offered.
    Cs : sequence of float, default ``logspace(-3, 3, 13)``
        Inverse penalties tried (on standardised columns if ``standardize``); one value: no internal CV.
    cv : int, default 5
        Folds of the internal stratified CV (shuffled, seeded by ``random_state``).
    standardize : bool, default True
        Divide every term column by its training standard deviation before the fit; reported coefficients
        are in the original units of the terms.
    feature_names : sequence of str, optional
        Names of the input columns when ``X`` is not a DataFrame.
    max_iter : int, default 5000
        Newton iterations per fit.
    random_state : int, default 0
        Seed of the internal CV folds.

    Attributes
    ----------
    classes_, coef_ (n_terms,), intercept_ (float), C_ (chosen inverse penalty), cv_log_loss_ (mean CV
    log-loss per value of ``Cs``, nats per sample; None without CV), term_features_, term_names_,
    term_kinds_, pairs_, n_pairs_skipped_, importances_ (mean |contribution| to the log-odds over the
    training rows), n_iter_ (largest number of Newton iterations of the fits).
    """

    def __init__(
        self, interactions="all", Cs=None, cv=5, standardize=True, feature_names=None, max_iter=5000, random_state=0
    ):
        self.interactions = interactions
        self.Cs = Cs
        self.cv = cv
        self.standardize = standardize
        self.feature_names = feature_names
        self.max_iter = max_iter
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags

    # the term construction is the regressor's
    _input_names = MultilinearRegressor._input_names
    _resolve_pairs = MultilinearRegressor._resolve_pairs
    _design = MultilinearRegressor._design

    def _pairs(self, X, names) -> tuple[np.ndarray, int]:
        inter = self.interactions
        if isinstance(inter, tuple) and len(inter) == 2 and inter[0] == "top":
            raise ValueError("the ('top', k) screen is a regression screen; pass the pairs or a rule instead")
        return _listed_pairs(X, inter, names, self._resolve_pairs, accepted="'all', None, a list of pairs or a rule")

    def fit(self, X, y):
        """Build the terms, choose ``C_`` by stratified CV log-loss and fit on all rows (binary ``y``)."""
        from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
        from sklearn.model_selection import StratifiedKFold
        from sklearn.utils.multiclass import check_classification_targets

        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        if X.shape[0] < 2:
            raise ValueError(f"need at least 2 training rows, got n_samples = {X.shape[0]}")
        self.classes_, y01 = np.unique(y, return_inverse=True)
        if len(self.classes_) != 2:
            raise ValueError(
                f"Only binary classification is supported: y must have exactly 2 classes, got {len(self.classes_)} "
                f"({list(self.classes_)[:5]})"
            )
        Cs = DEFAULT_CS if self.Cs is None else tuple(np.atleast_1d(self.Cs))
        if len(Cs) == 0 or not all(np.isfinite(c) and c > 0 for c in Cs):
            raise ValueError(f"Cs must be a non-empty list of positive numbers, got {self.Cs!r}")
        folds = self.cv
        if len(Cs) > 1 and (
            isinstance(folds, (bool, np.bool_)) or not isinstance(folds, numbers.Integral) or folds < 2
        ):
            raise ValueError(f"cv must be an integer of at least 2 (folds of the internal CV), got {folds!r}")
        n, p = X.shape
        names = self._input_names(p)
        pairs, n_skipped = self._pairs(X, names)
        self.pairs_, self.n_pairs_skipped_ = pairs, int(n_skipped)
        self.term_features_ = [(i,) for i in range(p)] + [tuple(map(int, pr)) for pr in pairs]
        self.term_names_ = np.array(names + [f"{names[i]}{PAIR_SEP}{names[j]}" for i, j in pairs], dtype=object)
        self.term_kinds_ = np.array(["main"] * p + ["pair"] * len(pairs), dtype=object)
        Z = self._design(X)
        if not np.all(np.isfinite(Z)):
            raise ValueError("products of the features overflow float64: rescale the features before fitting")
        self.scale_ = _column_std(Z) if self.standardize else np.ones(Z.shape[1])
        Zs = _scale_columns(Z, self.scale_)
        if len(Cs) == 1:
            solver = LogisticRegression(C=float(Cs[0]), solver="newton-cholesky", max_iter=self.max_iter)
            solver.fit(Zs, y01)
            self.C_, self.cv_log_loss_ = float(Cs[0]), None
        else:
            if np.bincount(y01).min() < folds:
                raise ValueError(
                    f"each class needs at least cv={folds} rows for the internal stratified CV, got "
                    f"{np.bincount(y01).min()}; pass fewer folds or a single value of Cs"
                )
            solver = LogisticRegressionCV(
                Cs=np.asarray(Cs, dtype=np.float64),
                l1_ratios=(0.0,),
                cv=StratifiedKFold(folds, shuffle=True, random_state=self.random_state),
                scoring="neg_log_loss",
                solver="newton-cholesky",
                max_iter=self.max_iter,
                use_legacy_attributes=False,
            ).fit(Zs, y01)
            self.C_ = float(solver.C_)
            self.cv_log_loss_ = -np.asarray(solver.scores_).reshape(folds, -1).mean(axis=0)
        self.coef_ = np.asarray(solver.coef_, dtype=np.float64).ravel() / self.scale_
        self.intercept_ = float(np.ravel(solver.intercept_)[0])
        self.n_iter_ = int(np.max(solver.n_iter_))
        self.importances_ = np.abs(Z).mean(axis=0) * np.abs(self.coef_)
        return self

    def transform_terms(self, X) -> np.ndarray:
        """Term columns (original units): the main features, then the pair products."""
        check_is_fitted(self, "coef_")
        return self._design(validate_data(self, X, dtype=np.float64, reset=False))

    def decision_function(self, X) -> np.ndarray:
        """Log-odds of ``classes_[1]``: ``intercept_ + terms(X) @ coef_``."""
        return self.transform_terms(X) @ self.coef_ + self.intercept_

    def predict_proba(self, X) -> np.ndarray:
        """Probabilities of ``classes_[0]`` and ``classes_[1]``, shape (n, 2)."""
        from scipy.special import expit

        p1 = expit(self.decision_function(X))
        return np.column_stack([1.0 - p1, p1])

    def predict(self, X) -> np.ndarray:
        """``classes_[1]`` where the log-odds are positive, else ``classes_[0]``."""
        positive = self.decision_function(X) > 0  # checks that the model is fitted
        return self.classes_[positive.astype(int)]

    def contributions(self, X) -> pd.DataFrame:
        """Per-term contributions ``coef_k * term_k(x)`` to the log-odds, plus an ``"intercept"`` column;
        row sums equal ``decision_function(X)``."""
        Z = self.transform_terms(X)
        index = X.index if isinstance(X, pd.DataFrame) else None
        df = pd.DataFrame(Z * self.coef_, index=index, columns=list(self.term_names_))
        df["intercept"] = self.intercept_
        return df

    def terms_table(self, X=None) -> pd.DataFrame:
        """One row per term: term, kind, features, coefficient, importance (mean |contribution| to the
        log-odds over ``X``, default the training rows), sorted by importance; the intercept last."""
        check_is_fitted(self, "coef_")
        imp = self.importances_ if X is None else np.abs(self.transform_terms(X)).mean(axis=0) * np.abs(self.coef_)
        df = pd.DataFrame(
            {
                "term": list(self.term_names_),
                "kind": list(self.term_kinds_),
                "features": list(self.term_features_),
                "coefficient": self.coef_,
                "importance": imp,
            }
        ).sort_values("importance", ascending=False, kind="stable")
        icpt = pd.DataFrame(
            {
                "term": ["intercept"],
                "kind": ["intercept"],
                "features": [()],
                "coefficient": [self.intercept_],
                "importance": [abs(self.intercept_)],
            }
        )
        return pd.concat([df.reset_index(drop=True), icpt], ignore_index=True)


def centred_contributions(estimator, X, *, reference) -> pd.DataFrame:
    """Contributions of the terms of a fitted multilinear ``estimator`` to its predictions, in CENTRED form.

    A product ``x_i x_j`` of raw features mixes a main effect into the pair term whenever the features
    have a non-zero mean (a volume of 10 Å³/atom turns ``β x V`` into mostly ``10 β x``). With ``m`` the
    mean of the features over ``reference`` (e.g. the training rows), the same model is rewritten exactly as

    ``f(x) = f(m) + Σ_i a'_i (x_i − m_i) + Σ_{i<j} β_ij (x_i − m_i)(x_j − m_j)``,
    ``a'_i = a_i + Σ_j β_ij m_j`` (the slope of the model at the mean),

    so that a pair term is zero whenever either feature is at its mean. For independent features this is
    the functional-ANOVA ("purified") decomposition. ``X`` and ``reference`` are in the estimator's input
    format (the loader's DataFrame for a recipe). Returns a long frame with columns row (position in
    ``X``), term, kind (``main``, ``pair``, ``intercept``: the model at the mean, ``f(m)``) and
    contribution, in the units the model was fitted in; for each row the contributions sum to its
    prediction (to ``log1p`` of it for a ``log_target`` model).
    """
    model, Xf = _final_step(estimator, X)
    _, R = _final_step(estimator, reference)
    m = np.asarray(R, dtype=np.float64).mean(axis=0)
    D = np.asarray(Xf, dtype=np.float64) - m
    p = int(np.sum(model.term_kinds_ == "main"))
    slope = model.coef_[:p].copy()
    C = np.empty((len(D), len(model.coef_)))
    for k, feats in enumerate(model.term_features_):
        if len(feats) == 2:
            i, j = feats
            slope[i] += model.coef_[k] * m[j]
            slope[j] += model.coef_[k] * m[i]
            C[:, k] = model.coef_[k] * D[:, i] * D[:, j]
    C[:, :p] = D * slope
    # the linear predictor at the mean (log1p units for a log_target model)
    at_terms = np.array([np.prod(m[list(f)]) for f in model.term_features_])
    at_mean = float(model.intercept_ + at_terms @ model.coef_)
    n_terms = len(model.coef_) + 1
    return pd.DataFrame(
        {
            "row": np.repeat(np.arange(len(D)), n_terms),
            "term": np.tile(list(model.term_names_) + ["intercept"], len(D)),
            "kind": np.tile(list(model.term_kinds_) + ["intercept"], len(D)),
            "contribution": np.column_stack([C, np.full(len(D), at_mean)]).ravel(),
        }
    )
