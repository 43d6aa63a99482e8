"""Histogram gradient boosting, tuned by (optionally grouped) inner cross-validation.

scikit-learn's :class:`~sklearn.ensemble.HistGradientBoostingRegressor` stops early on a validation
split of random ROWS; with correlated rows (one complex at several exchange fractions) that split leaks
and misleads the tuning. Here early stopping is off and the number of boosting iterations is a tuned
hyperparameter like the others, chosen by a CV splitter that can respect groups.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.utils.validation import check_is_fitted

from helpers.evaluate import kfold

__all__ = [
    "tuned_boosting",
    "BoostingCV",
    "BoostingClassifierCV",
    "DEFAULT_BOOSTING_GRID",
    "SMALL_BOOSTING_GRID",
    "SMALL_CLASSIFIER_GRID",
]

#: A small grid that covers shallow-and-many to deep-and-few trees (48 settings).
DEFAULT_BOOSTING_GRID = {
    "learning_rate": [0.05, 0.1],
    "max_iter": [200, 500],
    "max_leaf_nodes": [15, 31, 63],
    "min_samples_leaf": [5, 20],
    "l2_regularization": [0.0, 1.0],
}


def tuned_boosting(
    *,
    param_grid=None,
    cv=None,
    categorical_features="from_dtype",
    scoring="neg_mean_absolute_error",
    random_state=0,
    n_jobs=None,
) -> GridSearchCV:
    """An unfitted ``GridSearchCV`` over :class:`~sklearn.ensemble.HistGradientBoostingRegressor`.

    ``cv``: a splitter (pass ``GroupKFold`` and call ``fit(X, y, groups=g)`` for grouped CV); default
    5 shuffled folds seeded by ``random_state``. ``scoring`` is a scikit-learn scorer name (default:
    mean absolute error). The refitted best model is ``best_estimator_``.
    """
    model = HistGradientBoostingRegressor(
        early_stopping=False, categorical_features=categorical_features, random_state=random_state
    )
    return GridSearchCV(
        model,
        param_grid or DEFAULT_BOOSTING_GRID,
        scoring=scoring,
        cv=cv if cv is not None else KFold(5, shuffle=True, random_state=random_state),
        n_jobs=n_jobs,
    )


#: A small grid (4 settings), to keep nested CV affordable (chapter 5); the iterations are tuned in it.
SMALL_BOOSTING_GRID = {
    "learning_rate": [0.1],
    "max_iter": [100, 300],
    "max_leaf_nodes": [15],
    "min_samples_leaf": [5, 20],
}


class BoostingCV(RegressorMixin, BaseEstimator):
    """:func:`tuned_boosting` as an estimator whose inner CV is grouped when ``fit`` gets ``groups``.

    ``param_grid`` (default :data:`SMALL_BOOSTING_GRID`), ``cv`` folds (shuffled, seeded by ``random_state``,
    grouped with :func:`helpers.evaluate.kfold`). Categorical columns of a DataFrame (pandas ``Categorical``)
    are split natively, e.g. :func:`helpers.featurize.complexes.complex_categories`. ``search_`` is the
    fitted ``GridSearchCV``.
    """

    def __init__(self, param_grid=None, cv: int = 3, random_state=0):
        self.param_grid = param_grid
        self.cv = cv
        self.random_state = random_state

    def fit(self, X, y, groups=None):
        """Grid search by (grouped) CV, then the refit on all rows."""
        splitter = kfold(self.cv, groups=groups, random_state=self.random_state)
        self.search_ = tuned_boosting(
            param_grid=self.param_grid or SMALL_BOOSTING_GRID, cv=splitter, random_state=self.random_state
        )
        self.search_.fit(X, np.asarray(y, dtype=np.float64), groups=groups)
        return self

    def predict(self, X):
        """Predictions of the refitted best model."""
        check_is_fitted(self, "search_")
        return self.search_.predict(X)


#: The grid of :class:`BoostingClassifierCV` (4 settings): iterations and leaf size, shallow trees.
SMALL_CLASSIFIER_GRID = {
    "learning_rate": [0.1],
    "max_iter": [100, 300],
    "max_leaf_nodes": [7],
    "min_samples_leaf": [5, 20],
}


class BoostingClassifierCV(ClassifierMixin, BaseEstimator):
    """Histogram gradient boosting CLASSIFIER tuned by stratified inner CV (log-loss), early stopping off.

    ``param_grid`` (default :data:`SMALL_CLASSIFIER_GRID`), ``cv`` stratified shuffled folds seeded by
    ``random_state``. Categorical columns of a DataFrame (pandas ``Categorical``) are split natively. The
    fits run with one OpenMP thread (small data on shared cores). ``search_`` is the fitted ``GridSearchCV``.
    """

    def __init__(self, param_grid=None, cv: int = 3, random_state=0):
        self.param_grid = param_grid
        self.cv = cv
        self.random_state = random_state

    def fit(self, X, y):
        """Grid search by stratified CV log-loss, then the refit on all rows."""
        from sklearn.ensemble import HistGradientBoostingClassifier
        from sklearn.model_selection import StratifiedKFold
        from threadpoolctl import threadpool_limits

        model = HistGradientBoostingClassifier(early_stopping=False, random_state=self.random_state)
        self.search_ = GridSearchCV(
            model,
            self.param_grid or SMALL_CLASSIFIER_GRID,
            scoring="neg_log_loss",
            cv=StratifiedKFold(self.cv, shuffle=True, random_state=self.random_state),
        )
        with threadpool_limits(1):
            self.search_.fit(X, y)
        self.classes_ = self.search_.classes_
        return self

    def predict_proba(self, X):
        """Class probabilities of the refitted best model."""
        check_is_fitted(self, "search_")
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1):
            return self.search_.predict_proba(X)

    def predict(self, X):
        """Classes of the refitted best model."""
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]
