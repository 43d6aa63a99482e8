"""Error metrics of the case studies and the paired bootstrap that says whether two models differ.

All functions take reference values first, then predictions, as scikit-learn's metrics do, and
return numbers in the units of the target (RMSLE is dimensionless).
"""

from __future__ import annotations

import numpy as np
from sklearn.utils import Bunch, check_random_state

__all__ = ["mae", "rmse", "rmsle", "paired_bootstrap", "METRICS"]


def _pair(y_true, y_pred):
    t, p = np.asarray(y_true, dtype=np.float64).ravel(), np.asarray(y_pred, dtype=np.float64).ravel()
    if t.shape != p.shape or t.size == 0:
        raise ValueError(f"need two non-empty arrays of the same length, got {t.size} and {p.size} values")
    if not (np.all(np.isfinite(t)) and np.all(np.isfinite(p))):
        raise ValueError("reference values and predictions must be finite (found NaN or infinity)")
    return t, p


def mae(y_true, y_pred) -> float:
    """Mean absolute error, in the units of the target."""
    t, p = _pair(y_true, y_pred)
    return float(np.mean(np.abs(p - t)))


def rmse(y_true, y_pred) -> float:
    """Root-mean-square error, in the units of the target."""
    t, p = _pair(y_true, y_pred)
    return float(np.sqrt(np.mean((p - t) ** 2)))


def rmsle(y_true, y_pred) -> float:
    """Root-mean-square logarithmic error with the natural log, ``sqrt(mean((ln(1+p) − ln(1+t))²))``,
    the NOMAD 2018 Kaggle metric (dimensionless). Predictions below −1 have no logarithm: an error."""
    t, p = _pair(y_true, y_pred)
    if np.any(t <= -1) or np.any(p <= -1):
        raise ValueError("RMSLE needs values above -1 (ln(1 + y)); clip predictions at 0 for non-negative targets")
    return float(np.sqrt(np.mean((np.log1p(p) - np.log1p(t)) ** 2)))


METRICS = {"mae": mae, "rmse": rmse, "rmsle": rmsle}


def paired_bootstrap(y_true, pred_a, pred_b, *, metric="mae", groups=None, n_boot: int = 2000,
                     random_state=0, level: float = 0.95) -> Bunch:
    """Bootstrap CI of ``metric(a) − metric(b)`` on the SAME resampled rows (a paired comparison).

    ``groups`` (optional, one label per row): resample whole groups instead of rows, e.g. complexes
    seen at several exchange fractions, so correlated rows move together. Returns a Bunch with
    ``difference`` (on all rows), ``low``, ``high`` (the ``level`` percentile interval),
    ``distinguishable`` (the interval excludes 0), ``metric``, ``n_boot`` and ``samples``.
    """
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {sorted(METRICS)}, got {metric!r}")
    if int(n_boot) < 100:
        raise ValueError(f"n_boot must be at least 100 for a percentile interval, got {n_boot!r}")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    f = METRICS[metric]
    t, a = _pair(y_true, pred_a)
    _, b = _pair(y_true, pred_b)
    if len(b) != len(t):
        raise ValueError("pred_b must have one value per reference value")
    rng = check_random_state(random_state)
    if groups is None:
        members = [np.array([i]) for i in range(len(t))]
    else:
        g = np.asarray(groups)
        if len(g) != len(t):
            raise ValueError(f"groups has {len(g)} labels for {len(t)} rows")
        _, inverse = np.unique(g, return_inverse=True)
        order = np.argsort(inverse, kind="stable")
        members = np.split(order, np.cumsum(np.bincount(inverse))[:-1])
    samples = np.empty(int(n_boot))
    for s in range(int(n_boot)):
        idx = np.concatenate([members[k] for k in rng.randint(0, len(members), len(members))])
        samples[s] = f(t[idx], a[idx]) - f(t[idx], b[idx])
    tail = 100 * (1 - level) / 2
    low, high = np.percentile(samples, [tail, 100 - tail])
    return Bunch(difference=f(t, a) - f(t, b), low=float(low), high=float(high),
                 distinguishable=bool(low > 0 or high < 0), metric=metric, n_boot=int(n_boot), samples=samples)
