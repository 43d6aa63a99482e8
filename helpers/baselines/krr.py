"""Kernel ridge regression, tuned the way the original works did: kernel width and ridge penalty by
k-fold cross-validation on the training data only.

Tuning is cheap because one kernel matrix per kernel width serves every penalty: for each fold the
training block is eigendecomposed once, ``K = V diag(w) Vᵀ``, and the validation predictions for every
``alpha`` follow from ``K_va,tr V diag(1/(w + alpha)) Vᵀ y`` at the cost of a matrix-vector product. The
final model is scikit-learn's :class:`~sklearn.kernel_ridge.KernelRidge` refitted on all training rows.
Several targets on the same features share that one pass (the kernel and its eigendecomposition do not
depend on the target); each target still gets its own (gamma, alpha).
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.kernel_ridge import KernelRidge
from sklearn.metrics.pairwise import pairwise_distances, pairwise_kernels
from sklearn.model_selection import check_cv
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from helpers.evaluate import kfold

__all__ = ["KernelRidgeCV", "CentredKernelRidge", "median_gamma", "DEFAULT_GAMMA_FACTORS", "DEFAULT_KRR_ALPHAS"]

#: Kernel widths tried, as multiples of the median heuristic (see :func:`median_gamma`).
DEFAULT_GAMMA_FACTORS = tuple(np.logspace(-2, 1, 7))
#: Ridge penalties tried (the kernel's diagonal is 1, so these are relative to it).
DEFAULT_KRR_ALPHAS = tuple(np.logspace(-8, 0, 9))
#: validation errors, averaged over the validation rows (axis 0) per penalty and target
_METRICS = {"mse": lambda e: np.mean(e**2, axis=0), "mae": lambda e: np.mean(np.abs(e), axis=0)}


def median_gamma(X, kernel: str, *, n_max: int = 1000, random_state=0) -> float:
    """The median heuristic: ``1 / median distance`` (L1, Laplacian kernel) or ``1 / median squared
    distance`` (Euclidean, Gaussian kernel) over at most ``n_max`` rows, so that a typical pair of rows
    has kernel value ``exp(-1)``."""
    X = np.asarray(X, dtype=np.float64)
    if len(X) > n_max:
        X = X[check_random_state(random_state).choice(len(X), n_max, replace=False)]
    if kernel == "laplacian":
        d = pairwise_distances(X, metric="manhattan")
    elif kernel == "rbf":
        d = pairwise_distances(X, metric="sqeuclidean")
    else:
        raise ValueError(f"kernel must be 'laplacian' or 'rbf', got {kernel!r}")
    med = float(np.median(d[np.triu_indices(len(X), k=1)]))
    if not med > 0:
        raise ValueError("all rows are identical: no kernel width can be chosen")
    return 1.0 / med


class CentredKernelRidge(RegressorMixin, BaseEstimator):
    """Kernel ridge regression with FIXED (gamma, alpha) and ``y`` centred on its training mean.

    The model :class:`KernelRidgeCV` refits once its hyperparameters are chosen, without the search; also
    the member of a bootstrap ensemble
    (``interpret.fit_ensemble(CentredKernelRidge(gamma=…, alpha=…), X, y, resample="bootstrap")``),
    whose spread then measures how much the kernel solution moves when the training rows are resampled.
    Kernel ridge has no intercept, hence the centring.
    """

    def __init__(self, gamma=1.0, alpha=1e-3, kernel="rbf"):
        self.gamma = gamma
        self.alpha = alpha
        self.kernel = kernel

    def fit(self, X, y):
        """Centre ``y`` and fit :class:`~sklearn.kernel_ridge.KernelRidge` with the given (gamma, alpha)."""
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True)
        self.y_mean_ = float(np.mean(y))
        self.model_ = KernelRidge(alpha=self.alpha, kernel=self.kernel, gamma=self.gamma).fit(X, y - self.y_mean_)
        return self

    def predict(self, X):
        """Predictions in the units of ``y``."""
        check_is_fitted(self, "model_")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return self.model_.predict(X) + self.y_mean_


class KernelRidgeCV(RegressorMixin, BaseEstimator):
    """Kernel ridge regression with (gamma, alpha) chosen by k-fold CV on the training data: THE kernel
    baseline of every case study (the TCO n-grams, the elpasolite sites, the complexes' descriptors).

    Parameters
    ----------
    kernel : ``"laplacian"`` (``exp(-γ‖x−x'‖₁)``, Faber et al.'s choice) or ``"rbf"`` (Gaussian).
    gamma_factors : kernel widths to try, as multiples of the median heuristic of the training rows
        (:func:`median_gamma`, after standardising if ``standardize``); default :data:`DEFAULT_GAMMA_FACTORS`.
    gammas : absolute kernel widths to try instead (then ``gamma_factors`` must be left at None).
    alphas : ridge penalties to try (default ``1e-8 … 1``).
    standardize : scale every input column to zero mean and unit variance (training rows) first.
    cv : number of folds or a CV splitter (default 5). A number gives shuffled folds seeded by
        ``random_state``, grouped (no group in two folds) when ``fit`` gets ``groups``
        (:func:`helpers.evaluate.kfold`).
    scoring : ``"mse"`` or ``"mae"``, the validation error minimised (in the units of ``y``).

    ``fit(X, y)`` takes ``y`` of shape (n,) or, for several targets on the same features, (n, t): then
    (gamma, alpha) are chosen for each column exactly as for that column alone (same folds, grid and
    error), in one pass, and ``predict`` returns shape (n, t). Each target is centred on its training
    mean (kernel ridge has no intercept). Attributes after ``fit``: ``gamma_``, ``alpha_``,
    ``best_error_`` (the CV error of the chosen pair, of the kind ``scoring`` names: MSE in squared units
    of ``y`` or MAE in its units; floats for 1-D ``y``, arrays of length t otherwise), ``cv_results_`` (a
    DataFrame: [target,] gamma, alpha, mean_error, std_error), ``scaler_`` (the fitted ``StandardScaler``
    or None) and ``models_`` (one fitted :class:`CentredKernelRidge` per target).
    """

    def __init__(
        self,
        kernel="laplacian",
        gamma_factors=None,
        gammas=None,
        alphas=None,
        standardize=False,
        cv=5,
        scoring="mse",
        random_state=0,
    ):
        self.kernel = kernel
        self.gamma_factors = gamma_factors
        self.gammas = gammas
        self.alphas = alphas
        self.standardize = standardize
        self.cv = cv
        self.scoring = scoring
        self.random_state = random_state

    def _splitter(self, groups):
        cv = self.cv
        if isinstance(cv, (bool, np.bool_)):
            raise ValueError(f"cv must be a number of folds (>= 2) or a CV splitter, got {cv!r}")
        if isinstance(cv, numbers.Integral):  # np.int64 too: shuffled, as documented, never check_cv's
            if cv < 2:  # unshuffled KFold
                raise ValueError(f"cv must be at least 2 folds, got {cv!r}")
            return kfold(int(cv), groups=groups, random_state=self.random_state)
        return check_cv(cv)

    def _grid(self, X) -> tuple[np.ndarray, np.ndarray]:
        if self.scoring not in _METRICS:
            raise ValueError(f"scoring must be one of {sorted(_METRICS)}, got {self.scoring!r}")
        if self.gammas is not None and self.gamma_factors is not None:
            raise ValueError(
                "give gammas (absolute kernel widths) or gamma_factors (multiples of the median heuristic), not both"
            )
        if self.gammas is None:
            factors = DEFAULT_GAMMA_FACTORS if self.gamma_factors is None else self.gamma_factors
            gammas = np.asarray(factors, dtype=np.float64) * median_gamma(
                X, self.kernel, random_state=self.random_state
            )
        else:
            gammas = np.asarray(self.gammas, dtype=np.float64)
        alphas = np.asarray(DEFAULT_KRR_ALPHAS if self.alphas is None else self.alphas, dtype=np.float64)
        if gammas.size == 0 or alphas.size == 0 or np.any(gammas <= 0) or np.any(alphas <= 0):
            raise ValueError("gammas (or gamma_factors) and alphas must be non-empty lists of positive numbers")
        return gammas, alphas

    def fit(self, X, y, groups=None):
        """Choose (gamma, alpha) per target by CV (``groups`` go to a group-aware splitter), then refit
        each target on all rows."""
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True, multi_output=True)
        self._1d = y.ndim == 1
        Y = y.reshape(len(y), -1)
        self.scaler_ = StandardScaler().fit(X) if self.standardize else None
        if self.scaler_ is not None:
            X = self.scaler_.transform(X)
        gammas, alphas = self._grid(X)
        folds = list(self._splitter(groups).split(X, Y, groups))
        err = _METRICS[self.scoring]
        t = Y.shape[1]
        scores = np.empty((len(gammas), len(alphas), len(folds), t))
        for g, gamma in enumerate(gammas):
            K = pairwise_kernels(X, metric=self.kernel, gamma=gamma)
            for f, (tr, va) in enumerate(folds):
                mean = Y[tr].mean(axis=0)
                w, V = np.linalg.eigh(K[np.ix_(tr, tr)])
                Vty = V.T @ (Y[tr] - mean)  # (n_tr, t)
                P = K[np.ix_(va, tr)] @ V  # (n_va, n_tr), shared by every alpha
                for a, alpha in enumerate(alphas):
                    scores[g, a, f] = err(P @ (Vty / (w[:, None] + alpha)) + mean - Y[va])
        mean_err = scores.mean(axis=2)  # (gamma, alpha, target)
        best = [np.unravel_index(np.argmin(mean_err[:, :, j]), mean_err.shape[:2]) for j in range(t)]
        gamma_ = np.array([gammas[g] for g, _ in best])
        alpha_ = np.array([alphas[a] for _, a in best])
        score_ = np.array([mean_err[g, a, j] for j, (g, a) in enumerate(best)])
        gg, aa = np.meshgrid(gammas, alphas, indexing="ij")
        self.cv_results_ = pd.concat(
            [
                pd.DataFrame(
                    {
                        "target": j,
                        "gamma": gg.ravel(),
                        "alpha": aa.ravel(),
                        "mean_error": mean_err[:, :, j].ravel(),
                        "std_error": scores[:, :, :, j].std(axis=2).ravel(),
                    }
                )
                for j in range(t)
            ],
            ignore_index=True,
        )
        if self._1d:
            self.cv_results_ = self.cv_results_.drop(columns="target")
            gamma_, alpha_, score_ = float(gamma_[0]), float(alpha_[0]), float(score_[0])
        self.gamma_, self.alpha_, self.best_error_ = gamma_, alpha_, score_
        self.models_ = [
            CentredKernelRidge(
                gamma=float(np.atleast_1d(gamma_)[j]), alpha=float(np.atleast_1d(alpha_)[j]), kernel=self.kernel
            ).fit(X, Y[:, j])
            for j in range(t)
        ]
        return self

    def predict(self, X):
        """Predictions of the refitted model(s), in the units of ``y`` (shape (n,) or (n, t), as fitted)."""
        check_is_fitted(self, "models_")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        if self.scaler_ is not None:
            X = self.scaler_.transform(X)
        P = np.column_stack([m.predict(X) for m in self.models_])
        return P[:, 0] if self._1d else P
