"""The composition recipe: a multilinear model of the formation energy from the chemical formula alone (chapter 7).

:func:`composition_model` returns an UNFITTED ``Pipeline`` of :class:`helpers.featurize.CompositionFeaturizer`
and :class:`CompositionRegressor` whose ``fit(df, y)``/``predict(df)`` take the DataFrames of
:func:`helpers.data.load_composition_ef` (column ``formula``; predictions in eV/atom). The candidates of
:data:`COMPOSITION_CANDIDATES` grow from the element fractions as main effects, through their pairwise
products, to spline bases of fraction-weighted element properties with products of the property means.

The penalty and the candidate are chosen on the benchmark's VALIDATION split (:func:`fit_on_validation`:
every setting is fitted on the training split and scored by its validation MAE); the test split is never
looked at. Ridge runs on a sparse design, fitted once per penalty from its normal equations (no internal CV: on
~60,000 rows and a few thousand terms each fit takes seconds).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.pipeline import Pipeline
from sklearn.utils import Bunch
from threadpoolctl import threadpool_limits

from helpers.featurize.base import PairRule
from helpers.featurize.composition import CompositionFeaturizer
from helpers.linear import MultilinearRegressor, pair_products

__all__ = [
    "COMPOSITION_CANDIDATES",
    "COMPOSITION_ALPHAS",
    "CompositionPairs",
    "CompositionRegressor",
    "ValidationChoice",
    "composition_model",
    "fit_on_validation",
]

#: The candidate models: featurizer blocks and which products get a term.
COMPOSITION_CANDIDATES = {
    "fractions": {"blocks": ("fractions",), "pairs": None},
    "fractions + pairs": {"blocks": ("fractions",), "pairs": ("fractions",)},
    "+ property splines": {"blocks": ("fractions", "splines"), "pairs": ("fractions",)},
    "+ property splines and pairs": {
        "blocks": ("fractions", "properties", "splines"),
        "pairs": ("fractions", "means"),
    },
}
#: Ridge penalties tried (on standardised term columns).
COMPOSITION_ALPHAS = (1.0, 10.0, 100.0)


class CompositionPairs(PairRule):
    """The product terms of a composition model, from the featurizer's column names.

    ``kinds`` holds ``"fractions"`` (every pair of element fractions: ``"Fe & O"``) and/or ``"means"`` (every
    pair of fraction-weighted property means: ``"mean electronegativity & mean radius"``). Elements are the
    column names without a space; means are the columns named ``"mean <property>"``.
    """

    KINDS = ("fractions", "means")

    def __init__(self, kinds=("fractions",)):
        bad = [k for k in kinds if k not in self.KINDS]
        if bad or not kinds:
            raise ValueError(f"kinds must be a non-empty selection of {self.KINDS}, got {kinds!r}")
        self.kinds = tuple(kinds)

    def _params(self) -> tuple:
        return self.kinds

    def __call__(self, names) -> list[tuple[str, str]]:
        groups = []
        if "fractions" in self.kinds:
            groups.append([n for n in names if " " not in n])
        if "means" in self.kinds:
            groups.append([n for n in names if n.startswith("mean ") and "[" not in n])
        return [(a, b) for g in groups for i, a in enumerate(g) for b in g[i + 1 :]]


def _gram(X) -> np.ndarray:
    """``XᵀX`` as a dense array. For a sparse ``X`` the columns filled in more than a tenth of the rows (the
    spline bases) are multiplied as dense blocks with BLAS, the rest as sparse products: a sparse-sparse
    product over rows with a hundred non-zeros each would be slow."""
    if not sp.issparse(X):
        X = np.asarray(X, dtype=np.float64)
        return X.T @ X
    X = sp.csc_matrix(X, dtype=np.float64)
    full = np.diff(X.indptr) > 0.1 * X.shape[0]
    order = np.concatenate([np.flatnonzero(~full), np.flatnonzero(full)])
    S, D = X[:, ~full].tocsr(), X[:, full].toarray()
    top = np.hstack([(S.T @ S).toarray(), np.asarray(S.T @ D)])
    bottom = np.hstack([np.asarray((S.T @ D).T), D.T @ D])
    gram = np.empty((X.shape[1], X.shape[1]))
    gram[np.ix_(order, order)] = np.vstack([top, bottom])
    return gram


class _GramRidge(RegressorMixin, BaseEstimator):
    """Ridge with one penalty and an unpenalised intercept, solved from the normal equations.

    ``(AᵀA + αI) β = Aᵀ(y − ȳ)`` with ``A`` the column-centred design (the centring is applied to the Gram
    matrix, so a sparse design stays sparse): one sparse product and one Cholesky solve of the p × p system.
    For the few thousand terms of the composition models this is exact and takes seconds, where an iterative
    sparse solver needed thousands of iterations on the badly scaled pair columns. ``alpha_`` repeats ``alpha``
    as the CV solvers name it.
    """

    def __init__(self, alpha: float = 1.0):
        self.alpha = alpha

    @property
    def alpha_(self) -> float:
        return float(self.alpha)

    def fit(self, X, y):
        """Solve for ``coef_`` and ``intercept_``."""
        from scipy.linalg import solve

        y = np.asarray(y, dtype=np.float64)
        n = X.shape[0]
        mean = np.asarray(X.mean(axis=0)).ravel()
        gram = _gram(X) - n * np.outer(mean, mean)
        gram[np.diag_indices_from(gram)] += float(self.alpha)
        rhs = np.asarray(X.T @ (y - y.mean())).ravel()
        self.coef_ = solve(gram, rhs, assume_a="pos")
        self.intercept_ = float(y.mean() - mean @ self.coef_)
        return self

    def predict(self, X):
        """``X @ coef_ + intercept_``."""
        return np.asarray(X @ self.coef_).ravel() + self.intercept_


def _restricted_products(X, pairs):
    """``pair_products`` computed on the columns the pairs use only: with a few dense spline columns beside
    the sparse fractions, the products of ALL co-occurring non-zeros of a row would be thousands per row."""
    cols, inverse = np.unique(np.asarray(pairs, dtype=np.intp), return_inverse=True)
    sub = X[:, cols] if sp.issparse(X) else np.asarray(X)[:, cols]
    return pair_products(sub, inverse.reshape(-1, 2))


class CompositionRegressor(MultilinearRegressor):
    """:class:`~helpers.linear.MultilinearRegressor` with ONE ridge penalty ``alpha``, fitted once.

    The penalty is chosen outside, on a validation split (:func:`fit_on_validation`). Everything else
    (named main and pair terms, standardised columns, contributions that sum to the prediction) is the
    parent's; ``interactions`` as there (a list, a rule such as :class:`CompositionPairs`, or None).
    """

    def __init__(self, interactions=None, alpha: float = 10.0, standardize: bool = True, random_state=0):
        super().__init__(interactions=interactions, penalty="ridge", standardize=standardize, random_state=random_state)
        self.alpha = alpha

    def _resolve_interactions(self, X, y, names) -> tuple[np.ndarray, int]:
        """The listed pairs (or a rule's) that are not all zero on the training rows; see the parent."""
        self.screen_order_ = None
        inter = self.interactions
        if inter is None:
            return np.zeros((0, 2), dtype=np.intp), 0
        if isinstance(inter, str) or (isinstance(inter, tuple) and inter and inter[0] == "top"):
            raise ValueError(f"interactions must be None, a list of pairs or a rule, got {inter!r}")
        pairs = self._resolve_pairs(list(inter(list(names)) if callable(inter) else inter), names)
        if not len(pairs):
            return pairs, 0
        nonzero = np.asarray(abs(_restricted_products(X, pairs)).sum(axis=0)).ravel() > 0
        return pairs[nonzero], int((~nonzero).sum())

    def _design(self, X):
        if not len(self.pairs_):
            return super()._design(X)
        main = sp.csr_matrix(X, dtype=np.float64) if sp.issparse(X) else np.asarray(X, dtype=np.float64)
        prods = _restricted_products(main, self.pairs_)
        if sp.issparse(main):
            return sp.hstack([main, sp.csr_matrix(prods)], format="csr", dtype=np.float64)
        return np.hstack([main, prods])

    def _make_solver(self, alpha=None, sparse=False):
        a = self.alpha if alpha is None else alpha
        if not (np.isfinite(a) and a > 0):
            raise ValueError(f"alpha must be a positive number, got {a!r}")
        return _GramRidge(alpha=float(a))


def composition_model(*, candidate: str = "+ property splines and pairs", alpha: float = 10.0) -> Pipeline:
    """The unfitted recipe ``candidate`` of :data:`COMPOSITION_CANDIDATES` with ridge penalty ``alpha``.

    A ``Pipeline`` (``features`` → ``model``) that takes a DataFrame with a ``formula`` column and predicts
    the formation energy in the units of the target it was fitted on (eV/atom for the benchmark).
    """
    if candidate not in COMPOSITION_CANDIDATES:
        raise ValueError(f"unknown candidate {candidate!r}; choose one of {list(COMPOSITION_CANDIDATES)}")
    spec = COMPOSITION_CANDIDATES[candidate]
    pairs = CompositionPairs(spec["pairs"]) if spec["pairs"] else None
    return Pipeline(
        [
            ("features", CompositionFeaturizer(blocks=spec["blocks"])),
            ("model", CompositionRegressor(interactions=pairs, alpha=alpha)),
        ]
    )


def _fit_and_score(estimator, X, y, X_val, y_val) -> tuple:
    """(fitted clone, validation MAE, seconds), with one BLAS/OpenMP thread (workers share the cores)."""
    import time

    start = time.perf_counter()
    with threadpool_limits(1):
        fitted = clone(estimator).fit(X, y)
        pred = np.asarray(fitted.predict(X_val), dtype=np.float64)
    return fitted, float(np.mean(np.abs(pred - y_val))), time.perf_counter() - start


def fit_on_validation(candidates: dict, X, y, X_val, y_val, *, n_jobs=None) -> Bunch:
    """Fit every candidate on the training rows and score it on the validation rows (MAE, units of ``y``).

    ``candidates``: name → unfitted estimator (``fit(X, y)``, ``predict(X)``). ``n_jobs`` candidates are
    fitted at a time (joblib; None: one after the other), each with one BLAS/OpenMP thread; the result does
    not depend on ``n_jobs``. Returns a Bunch with ``table`` (one row per candidate, in the order given:
    ``candidate``, ``val_mae``, ``fit_seconds``), ``best`` (the name with the lowest validation MAE, the first
    one on a tie) and ``fitted`` (name → fitted estimator).
    """
    from joblib import Parallel, delayed

    if not candidates:
        raise ValueError("give at least one candidate estimator")
    y, y_val = np.asarray(y, dtype=np.float64), np.asarray(y_val, dtype=np.float64)
    names = list(candidates)
    out = Parallel(n_jobs=n_jobs)(delayed(_fit_and_score)(candidates[n], X, y, X_val, y_val) for n in names)
    table = pd.DataFrame({"candidate": names, "val_mae": [o[1] for o in out], "fit_seconds": [o[2] for o in out]})
    best = table.loc[table["val_mae"].idxmin(), "candidate"]
    return Bunch(table=table, best=best, fitted={n: o[0] for n, o in zip(names, out, strict=True)})


class ValidationChoice(RegressorMixin, BaseEstimator):
    """An estimator that, at every ``fit``, picks among ``candidates`` by MAE on a fixed validation split.

    :func:`fit_on_validation` as a scikit-learn estimator, so that a learning curve
    (:func:`helpers.evaluate.learning_curve`) re-makes the choice at each training size instead of reusing
    the full-size one (a ridge penalty that suits 60,000 compounds over-fits 1,000). ``candidates``: name →
    unfitted estimator; ``X_val``, ``y_val``: the validation rows, never the test rows. After ``fit``:
    ``best_`` (the chosen name), ``best_estimator_`` and ``table_`` (as :func:`fit_on_validation`'s).
    ``n_jobs``: candidates fitted at a time, as there.
    """

    def __init__(self, candidates=None, X_val=None, y_val=None, n_jobs=None):
        self.candidates = candidates
        self.X_val = X_val
        self.y_val = y_val
        self.n_jobs = n_jobs

    def fit(self, X, y):
        """Fit every candidate on ``(X, y)`` and keep the one with the lowest validation MAE."""
        if self.X_val is None or self.y_val is None:
            raise ValueError("ValidationChoice needs X_val and y_val: the validation rows the choice is made on")
        search = fit_on_validation(dict(self.candidates or {}), X, y, self.X_val, self.y_val, n_jobs=self.n_jobs)
        self.best_, self.table_ = search.best, search.table
        self.best_estimator_ = search.fitted[search.best]
        return self

    def predict(self, X):
        """The chosen estimator's predictions."""
        return self.best_estimator_.predict(X)
