"""Cross-validation protocols shared by every chapter: the splitters, and fitting a model on each fold.

- :func:`kfold` — the one rule for inner CV: shuffled with a fixed seed, and grouped (no group on both
  sides of a split) whenever ``groups`` are given (e.g. the complex a spin-splitting row belongs to);
- :func:`fold_predictions` — a clone of one estimator fitted on each ``(train, test)`` fold, the test
  rows predicted;
- :func:`evaluate_on_folds` — several models on the folds of several protocols, in one parallel pool.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.model_selection import GroupKFold, KFold
from threadpoolctl import threadpool_limits

__all__ = ["kfold", "fold_predictions", "evaluate_on_folds"]


def kfold(n_splits: int, *, groups=None, random_state=0) -> KFold | GroupKFold:
    """Shuffled ``GroupKFold`` if ``groups`` is given (not None), else shuffled ``KFold``, seeded by
    ``random_state``. Pass the same ``groups`` to the splitter's ``split``."""
    if groups is not None:
        return GroupKFold(n_splits, shuffle=True, random_state=random_state)
    return KFold(n_splits, shuffle=True, random_state=random_state)


def _fit_fold(estimator, X, y, tr, te, groups):
    with threadpool_limits(1):  # one BLAS/OpenMP thread per worker: small matrices, shared cores
        Xtr = X.iloc[tr] if isinstance(X, pd.DataFrame) else X[tr]
        Xte = X.iloc[te] if isinstance(X, pd.DataFrame) else X[te]
        fitted = clone(estimator).fit(Xtr, y[tr], groups=None if groups is None else groups[tr])
        return fitted, np.asarray(fitted.predict(Xte), dtype=np.float64)


def fold_predictions(estimator, X, y, folds, *, groups=None, n_jobs=None):
    """Fit a clone of ``estimator`` on the training rows of each ``(train, test)`` fold and predict its test
    rows. ``estimator.fit`` must accept ``groups=`` (given the training rows' groups, or None).

    Returns ``(pred, fitted)``: an array with the prediction of every test row (NaN for rows in no test
    part) and the list of fitted estimators, in the order of ``folds``. ``n_jobs`` folds run in parallel
    (joblib), each with one BLAS thread.
    """
    y = np.asarray(y, dtype=np.float64).ravel()
    g = None if groups is None else np.asarray(groups)
    out = Parallel(n_jobs=n_jobs)(delayed(_fit_fold)(estimator, X, y, tr, te, g) for tr, te in folds)
    pred = np.full(len(y), np.nan)
    for (_, te), (_, p) in zip(folds, out, strict=True):
        pred[te] = p
    return pred, [f for f, _ in out]


def evaluate_on_folds(models: dict, inputs: dict, y, protocols: dict, *, groups, grouped=("grouped-cv",), n_jobs=None):
    """Every model on every fold of every protocol, all fits in one parallel pool.

    ``models``: name → ``(estimator, input name)``; ``inputs``: input name → X (DataFrame or array, rows
    aligned with ``y``); ``protocols``: split name → list of ``(train, test)`` folds. For the splits named in
    ``grouped`` each fit gets its training rows' ``groups`` (grouped inner CV), for the others ``None``.
    Returns ``(pred, fitted)``, dicts keyed by ``(model, split)``: the test-row predictions (NaN elsewhere,
    as :func:`fold_predictions`) and the fitted estimators in fold order.
    """
    y = np.asarray(y, dtype=np.float64).ravel()
    g = np.asarray(groups)
    tasks = [
        (name, split, k, est, inputs[inp], tr, te, g if split in grouped else None)
        for name, (est, inp) in models.items()
        for split, folds in protocols.items()
        for k, (tr, te) in enumerate(folds)
    ]
    out = Parallel(n_jobs=n_jobs)(delayed(_fit_fold)(est, X, y, tr, te, gg) for _, _, _, est, X, tr, te, gg in tasks)
    pred = {(n, s): np.full(len(y), np.nan) for n in models for s in protocols}
    fitted = {(n, s): [None] * len(f) for n in models for s, f in protocols.items()}
    for (name, split, k, _, _, _, te, _), (est, p) in zip(tasks, out, strict=True):
        pred[name, split][te] = p
        fitted[name, split][k] = est
    return pred, fitted
