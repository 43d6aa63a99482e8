"""Cross-validation protocols shared by every chapter: the splitters, and fitting a model on each fold.

- :func:`kfold` — the one rule for inner CV: shuffled with a fixed seed, and grouped (no group on both
  sides of a split) whenever ``groups`` are given (e.g. the complex a spin-splitting row belongs to);
- :func:`fold_predictions` — a clone of one estimator fitted on each ``(train, test)`` fold, the test
  rows predicted;
- :func:`fold_probabilities` — the same for a binary classifier, giving out-of-fold probabilities;
- :func:`evaluate_on_folds` — several models on the folds of several protocols, in one parallel pool;
- :func:`frozen_holdout` — a hold-out of whole groups fixed by their names alone (a hash), so that it
  stays the same whatever the row order, the seeds or the rest of the analysis;
- :func:`learning_curve` — test errors of several models on random training subsets of several sizes,
  a few draws per size (the spread of the draws gives the curve's error bars).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.model_selection import GroupKFold, KFold
from threadpoolctl import threadpool_limits

__all__ = ["kfold", "fold_predictions", "fold_probabilities", "evaluate_on_folds", "frozen_holdout", "learning_curve"]


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


def frozen_holdout(groups, *, fraction: float = 0.2, salt: str = "holdout") -> np.ndarray:
    """Boolean mask of the rows whose group falls in a hold-out fixed by the group names alone.

    A group is held out when the SHA-256 digest of ``salt + name`` (read as a number in [0, 1)) is below
    ``fraction``: the assignment depends on nothing else (not the row order, a seed or the other groups),
    so it can be frozen once and checked later. Every row of a group falls on the same side. ``groups``:
    one label per row (converted with ``str``); ``fraction``: expected share of groups held out, in (0, 1);
    ``salt``: names the hold-out (a different salt draws an independent one).
    """
    import hashlib

    if not 0 < float(fraction) < 1:
        raise ValueError(f"fraction must be between 0 and 1 (the share of groups held out), got {fraction!r}")
    names = pd.unique(np.asarray(groups, dtype=object).ravel())
    if len(names) < 2:
        raise ValueError(f"need at least two groups to hold some out, got {len(names)}")
    draw = {
        g: int(hashlib.sha256(f"{salt}{g}".encode()).hexdigest()[:13], 16) / 16**13 < float(fraction) for g in names
    }
    return np.array([draw[g] for g in np.asarray(groups, dtype=object).ravel()], dtype=bool)


def learning_curve(models: dict, X, y, X_test, y_test, *, sizes, n_draws: int = 3, random_state=0) -> pd.DataFrame:
    """Test error of each model trained on random subsets of the training rows, for a few draws per size.

    Parameters
    ----------
    models : name → unfitted estimator (``fit(X, y)``, ``predict(X)``); each is cloned for every fit.
    X, y : the training rows (DataFrame or array) and their target.
    X_test, y_test : the fixed test rows every fit is scored on.
    sizes : training-set sizes; a size equal to ``len(y)`` is fitted once, on all rows.
    n_draws : subsets drawn per smaller size (without replacement; draw ``d`` is seeded by
        ``random_state + d``). Every model gets the same rows in a draw, so the curves are paired.

    Returns
    -------
    pandas.DataFrame
        One row per model, size and draw: ``model``, ``n_train``, ``draw``, ``mae`` (mean absolute
        test error, in the units of ``y``).
    """
    y = np.asarray(y, dtype=np.float64).ravel()
    y_test = np.asarray(y_test, dtype=np.float64).ravel()
    bad = [n for n in sizes if not 1 < int(n) <= len(y)]
    if bad or n_draws < 1:
        raise ValueError(f"sizes must lie in 2..{len(y)} (got {bad}) and n_draws must be >= 1 (got {n_draws})")
    rows = []
    for n in sizes:
        for draw in range(1 if int(n) == len(y) else int(n_draws)):
            idx = np.sort(np.random.default_rng(random_state + draw).choice(len(y), int(n), replace=False))
            Xn = X.iloc[idx] if isinstance(X, pd.DataFrame) else np.asarray(X)[idx]
            for name, est in models.items():
                pred = np.asarray(clone(est).fit(Xn, y[idx]).predict(X_test), dtype=np.float64).ravel()
                mae = float(np.mean(np.abs(pred - y_test)))
                rows.append({"model": name, "n_train": int(n), "draw": draw, "mae": mae})
    return pd.DataFrame(rows)


def _proba_fold(estimator, X, y, tr, te):
    with threadpool_limits(1):  # one BLAS/OpenMP thread per worker: small matrices, shared cores
        Xtr = X.iloc[tr] if isinstance(X, pd.DataFrame) else X[tr]
        Xte = X.iloc[te] if isinstance(X, pd.DataFrame) else X[te]
        fitted = clone(estimator).fit(Xtr, y[tr])
        return np.asarray(fitted.predict_proba(Xte)[:, 1], dtype=np.float64)


def fold_probabilities(estimator, X, y, folds, *, n_jobs=None) -> np.ndarray:
    """Out-of-fold probabilities of a binary classifier: a clone of ``estimator`` fitted on the training rows of
    each ``(train, test)`` fold gives ``predict_proba(...)[:, 1]`` (the probability of the larger class, e.g.
    ``True``) for its test rows.

    ``y`` holds the two classes (e.g. bool); ``folds`` a list of ``(train, test)`` index arrays whose test parts
    do not overlap (one repeat of a k-fold CV). Returns one probability per row, NaN for rows in no test part.
    ``n_jobs`` folds run in parallel (joblib), each with one BLAS/OpenMP thread.
    """
    y = np.asarray(y).ravel()
    tests = np.concatenate([np.asarray(te) for _, te in folds]) if len(folds) else np.zeros(0, int)
    if len(np.unique(tests)) != len(tests):
        raise ValueError("the test parts of the folds overlap; pass one repeat of a k-fold CV at a time")
    out = Parallel(n_jobs=n_jobs)(delayed(_proba_fold)(estimator, X, y, tr, te) for tr, te in folds)
    proba = np.full(len(y), np.nan)
    for (_, te), p in zip(folds, out, strict=True):
        proba[te] = p
    return proba
