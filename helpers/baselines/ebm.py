"""InterpretML's Explainable Boosting Machine (EBM), with early stopping on validation bags of whole groups.

An EBM is an additive model with pairwise terms, ``f(x) = b + sum_i f_i(x_i) + sum_ij f_ij(x_i, x_j)``, each
shape function a sum of boosted shallow trees on binned features: the multilinear model's form, with
shapes learnt from the data instead of built from a fixed basis. It is the closest off-the-shelf relative
of the multilinear model and the strongest glass box to compare it with.

Its early stopping holds out a random share of ROWS in each outer bag. With correlated rows (one complex
at several exchange fractions; an elpasolite and its A/B twin) that validation set leaks and stops the
boosting too late. :func:`grouped_bags` draws the validation share by whole groups, and
:class:`EBMRegressorCV` passes those bags to ``fit(bags=...)``, in its inner CV and in its final refit.
"""

from __future__ import annotations

import math

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.model_selection import ParameterGrid
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from helpers.evaluate import kfold

__all__ = ["DEFAULT_EBM_GRID", "EBMRegressorCV", "grouped_bags"]

#: The inner-CV grid: a pure additive model (no pairs), a few pairs, many pairs; learning rate of the
#: boosting. Four settings, to keep the inner CV affordable in every chapter.
DEFAULT_EBM_GRID = {"interactions": [0, 16], "learning_rate": [0.015, 0.05]}


def grouped_bags(groups, *, n_bags: int, validation_size: float = 0.15, random_state=0) -> np.ndarray:
    """Outer bags for ``ExplainableBoostingRegressor.fit(bags=...)`` whose validation rows are whole groups.

    ``groups``: one label per row (``None``: every row its own group). Returns an int8 array of shape
    (n_rows, n_bags): +1 where a row trains the bag, -1 where it validates it. In each bag a random
    ``validation_size`` share of the groups (at least one, never all) validates.
    """
    if isinstance(n_bags, bool) or not isinstance(n_bags, int) or n_bags < 1:
        raise ValueError(f"n_bags must be a positive integer, got {n_bags!r}")
    if not 0 < validation_size < 1:
        raise ValueError(f"validation_size must be a share strictly between 0 and 1, got {validation_size!r}")
    labels = np.asarray(groups)
    if labels.ndim != 1 or len(labels) == 0:
        raise ValueError("groups must be a non-empty 1-D sequence of labels, one per row")
    _, inverse = np.unique(labels, return_inverse=True)
    n_groups = inverse.max() + 1
    if n_groups < 2:
        raise ValueError("grouped_bags needs at least two groups: one to train and one to validate")
    n_val = min(max(1, math.ceil(validation_size * n_groups)), n_groups - 1)
    rng = check_random_state(random_state)
    bags = np.ones((len(labels), n_bags), dtype=np.int8)
    for b in range(n_bags):
        validating = np.zeros(n_groups, dtype=bool)
        validating[rng.permutation(n_groups)[:n_val]] = True
        bags[validating[inverse], b] = -1
    return bags


def _rows(X, index):
    return X.iloc[index] if hasattr(X, "iloc") else np.asarray(X)[index]


def _checked(X, y, groups) -> tuple[np.ndarray, np.ndarray | None]:
    """``y`` as floats and ``groups`` as an array (or None), both checked to have one entry per row of X."""
    y = np.asarray(y, dtype=np.float64).ravel()
    if len(y) != len(X):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)} values")
    groups = None if groups is None else np.asarray(groups)
    if groups is not None and len(groups) != len(y):
        raise ValueError(f"groups has {len(groups)} labels for {len(y)} rows")
    return y, groups


class EBMRegressorCV(RegressorMixin, BaseEstimator):
    """An EBM regressor tuned by (grouped) inner CV, with grouped early-stopping bags.

    Parameters
    ----------
    param_grid : settings of ``ExplainableBoostingRegressor`` to choose from by inner-CV mean absolute
        error (default :data:`DEFAULT_EBM_GRID`).
    cv : number of inner folds (shuffled, grouped when ``fit`` gets ``groups``).
    outer_bags : bags averaged by each EBM (interpret's default is 14; 8 keeps the chapters' run time).
    validation_size : share of the groups that validates each bag (early stopping).
    random_state : seed of the folds, the bags and the boosting.

    ``fit(X, y, groups=None)``; ``best_params_``, ``cv_results_`` (mean inner-CV MAE per setting, in y's
    units) and ``model_`` (the refitted EBM; its ``explain_global()`` shows the learnt shapes).
    """

    def __init__(
        self, param_grid=None, cv: int = 3, outer_bags: int = 8, validation_size: float = 0.15, random_state=0
    ):
        self.param_grid = param_grid
        self.cv = cv
        self.outer_bags = outer_bags
        self.validation_size = validation_size
        self.random_state = random_state

    def _ebm(self, params):
        # imported here: interpret is only needed by whoever fits an EBM
        from interpret.glassbox import ExplainableBoostingRegressor

        return ExplainableBoostingRegressor(
            outer_bags=self.outer_bags, n_jobs=1, random_state=self.random_state, **params
        )

    def _fit_one(self, params, X, y, groups):
        labels = np.arange(len(y)) if groups is None else groups
        bags = grouped_bags(
            labels, n_bags=self.outer_bags, validation_size=self.validation_size, random_state=self.random_state
        )
        return self._ebm(params).fit(X, y, bags=bags)

    def fit(self, X, y, groups=None):
        """Inner CV over ``param_grid`` (grouped if ``groups`` is given), then the refit on all rows."""
        y, groups = _checked(X, y, groups)
        folds = list(kfold(self.cv, groups=groups, random_state=self.random_state).split(X, y, groups))
        settings = list(ParameterGrid(self.param_grid or DEFAULT_EBM_GRID))
        errors = []
        for params in settings:
            fold_mae = []
            for tr, va in folds:
                model = self._fit_one(params, _rows(X, tr), y[tr], None if groups is None else groups[tr])
                fold_mae.append(np.mean(np.abs(model.predict(_rows(X, va)) - y[va])))
            errors.append(float(np.mean(fold_mae)))
        self.cv_results_ = [{"params": p, "mean_mae": e} for p, e in zip(settings, errors, strict=True)]
        self.best_params_ = settings[int(np.argmin(errors))]
        self.model_ = self._fit_one(self.best_params_, X, y, groups)
        return self

    def refit(self, X, y, groups=None):
        """Fit the setting chosen by :meth:`fit` again on other rows, without a new search.

        For a search on a subset of the training rows (the inner CV costs a dozen fits) followed by one
        fit on all of them; ``groups`` again shapes the early-stopping bags. Returns ``self``.
        """
        check_is_fitted(self, "best_params_")
        y, groups = _checked(X, y, groups)
        self.model_ = self._fit_one(self.best_params_, X, y, groups)
        return self

    def predict(self, X):
        """Predictions of the refitted EBM, in y's units."""
        check_is_fitted(self, "model_")
        return self.model_.predict(X)
