"""Kernel ridge regression, tuned the way the original works did: kernel width and ridge penalty by
k-fold cross-validation on the training data only.

Tuning is cheap because one kernel matrix per kernel width serves every penalty: for each fold the
training block is eigendecomposed once, ``K = V diag(w) Vᵀ``, and the validation predictions for every
``alpha`` follow from ``K_va,tr V diag(1/(w + alpha)) Vᵀ y`` at the cost of a matrix-vector product. The
final model is scikit-learn's :class:`~sklearn.kernel_ridge.KernelRidge` refitted on all training rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.kernel_ridge import KernelRidge
from sklearn.metrics.pairwise import pairwise_distances, pairwise_kernels
from sklearn.model_selection import KFold, check_cv
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["KernelRidgeCV", "median_gamma"]

#: Kernel widths tried, as multiples of the median heuristic (see :func:`median_gamma`).
DEFAULT_GAMMA_FACTORS = tuple(np.logspace(-2, 1, 7))
#: Ridge penalties tried (the kernel's diagonal is 1, so these are relative to it).
DEFAULT_ALPHAS = tuple(np.logspace(-8, 0, 9))
_METRICS = {"mse": lambda e: np.mean(e**2, axis=0), "mae": lambda e: np.mean(np.abs(e), axis=0)}


def median_gamma(X, kernel: str, n_max: int = 1000, random_state=0) -> float:
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


class KernelRidgeCV(RegressorMixin, BaseEstimator):
    """Kernel ridge regression with (gamma, alpha) chosen by k-fold CV on the training data.

    Parameters
    ----------
    kernel : ``"laplacian"`` (``exp(-γ‖x−x'‖₁)``, Faber et al.'s choice) or ``"rbf"`` (Gaussian).
    gammas : kernel widths to try; default ``DEFAULT_GAMMA_FACTORS × median_gamma(X)``.
    alphas : ridge penalties to try (default ``1e-8 … 1``).
    cv : number of folds or a CV splitter (default: 5 shuffled folds seeded by ``random_state``).
    scoring : ``"mse"`` or ``"mae"``, the validation error minimised (in the units of ``y``).
    random_state : seed of the folds and of the median-heuristic subsample.

    The target is centred on its training mean (kernel ridge has no intercept). Attributes after
    ``fit``: ``gamma_``, ``alpha_``, ``best_score_`` (the CV error of the chosen pair),
    ``cv_results_`` (a DataFrame: gamma, alpha, mean_error, std_error), ``model_`` (the refitted
    :class:`~sklearn.kernel_ridge.KernelRidge`) and ``y_mean_``.
    """

    def __init__(self, kernel="laplacian", gammas=None, alphas=None, cv=5, scoring="mse", random_state=0):
        self.kernel = kernel
        self.gammas = gammas
        self.alphas = alphas
        self.cv = cv
        self.scoring = scoring
        self.random_state = random_state

    def _splitter(self):
        if isinstance(self.cv, int):
            return KFold(self.cv, shuffle=True, random_state=self.random_state)
        return check_cv(self.cv)

    def fit(self, X, y, groups=None):
        """Choose (gamma, alpha) by CV (``groups`` go to a group-aware splitter), then refit on all rows."""
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True)
        if self.scoring not in _METRICS:
            raise ValueError(f"scoring must be one of {sorted(_METRICS)}, got {self.scoring!r}")
        gammas = (np.asarray(DEFAULT_GAMMA_FACTORS) * median_gamma(X, self.kernel, random_state=self.random_state)
                  if self.gammas is None else np.asarray(self.gammas, dtype=np.float64))
        alphas = np.asarray(DEFAULT_ALPHAS if self.alphas is None else self.alphas, dtype=np.float64)
        if gammas.size == 0 or alphas.size == 0 or np.any(gammas <= 0) or np.any(alphas <= 0):
            raise ValueError("gammas and alphas must be non-empty lists of positive numbers")
        folds = list(self._splitter().split(X, y, groups))
        err = _METRICS[self.scoring]
        scores = np.empty((len(gammas), len(alphas), len(folds)))
        for g, gamma in enumerate(gammas):
            K = pairwise_kernels(X, metric=self.kernel, gamma=gamma)
            for f, (tr, va) in enumerate(folds):
                mean = y[tr].mean()
                w, V = np.linalg.eigh(K[np.ix_(tr, tr)])
                Vty = V.T @ (y[tr] - mean)
                P = K[np.ix_(va, tr)] @ V                         # (n_va, n_tr), shared by every alpha
                pred = P @ (Vty[:, None] / (w[:, None] + alphas[None, :])) + mean
                scores[g, :, f] = err(pred - y[va][:, None])
        mean_err = scores.mean(axis=2)
        g, a = np.unravel_index(np.argmin(mean_err), mean_err.shape)
        self.gamma_, self.alpha_ = float(gammas[g]), float(alphas[a])
        self.best_score_ = float(mean_err[g, a])
        gg, aa = np.meshgrid(gammas, alphas, indexing="ij")
        self.cv_results_ = pd.DataFrame({"gamma": gg.ravel(), "alpha": aa.ravel(),
                                         "mean_error": mean_err.ravel(),
                                         "std_error": scores.std(axis=2).ravel()})
        self.y_mean_ = float(y.mean())
        self.model_ = KernelRidge(alpha=self.alpha_, kernel=self.kernel, gamma=self.gamma_).fit(X, y - self.y_mean_)
        return self

    def predict(self, X):
        """Predictions of the refitted kernel ridge model, in the units of ``y``."""
        check_is_fitted(self, "model_")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return self.model_.predict(X) + self.y_mean_
