"""Error metrics of the case studies and the paired bootstrap that says whether two models differ.

All functions take reference values first, then predictions, as scikit-learn's metrics do, and
return numbers in the units of the target (RMSLE is dimensionless).
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import pandas as pd
from sklearn.utils import Bunch, check_random_state

__all__ = [
    "mae",
    "rmse",
    "rmsle",
    "eta_squared",
    "paired_bootstrap",
    "reliability_table",
    "METRICS",
    "MIN_BOOTSTRAP_UNITS",
    "FewUnitsWarning",
]


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


def eta_squared(frame: pd.DataFrame, target: str, *, by) -> float:
    """Share of the variance of ``frame[target]`` explained by the group means of ``by`` (η², 0 to 1).

    η² = 1 − Σ (y − mean of y's group)² / Σ (y − overall mean)²: the R² of a model that predicts every row
    by the mean of its group (``by``: a column name or a list of them, e.g. ``"spacegroup"``), a first
    measure of how much a categorical variable matters before any model is fitted.
    """
    columns = [by] if isinstance(by, str) else list(by)
    missing = [c for c in [target, *columns] if c not in frame.columns]
    if missing:
        raise KeyError(f"column(s) {missing} not in the frame; it has {list(frame.columns)}")
    y = frame[target].astype(float)
    total = ((y - y.mean()) ** 2).sum()
    if not total > 0:
        raise ValueError(f"{target!r} is constant (or empty): it has no variance to explain")
    within = ((y - y.groupby([frame[c] for c in columns]).transform("mean")) ** 2).sum()
    return float(1.0 - within / total)


METRICS = {"mae": mae, "rmse": rmse, "rmsle": rmsle}


#: Fewer resampling units (rows, or groups) than this give a warning: the interval is then unreliable.
MIN_BOOTSTRAP_UNITS = 10


class FewUnitsWarning(UserWarning):
    """A paired bootstrap resamples so few units (rows or groups) that its interval is unreliable."""


def _resampling_units(groups, n_rows: int) -> list[np.ndarray]:
    """Row positions of each resampling unit: one per row, or one per distinct label of ``groups``."""
    if groups is None:
        return [np.array([i]) for i in range(n_rows)]
    g = pd.Series(np.asarray(groups, dtype=object).ravel())
    if len(g) != n_rows:
        raise ValueError(f"groups has {len(g)} labels for {n_rows} rows; give one label per row")
    if g.isna().any():
        bad = np.flatnonzero(g.isna().to_numpy())
        raise ValueError(
            f"groups has missing labels (NaN/None) at row(s) {bad[:10].tolist()}"
            f"{' …' if len(bad) > 10 else ''}; every row needs the label of its group"
        )
    codes, _ = pd.factorize(g, sort=True)
    order = np.argsort(codes, kind="stable")
    return np.split(order, np.cumsum(np.bincount(codes))[:-1])


def paired_bootstrap(
    y_true,
    pred_a,
    pred_b,
    *,
    metric="mae",
    groups=None,
    n_bootstrap: int = 2000,
    random_state=0,
    confidence: float = 0.95,
) -> Bunch:
    """Bootstrap CI of ``metric(a) − metric(b)`` on the SAME resampled rows (a paired comparison).

    ``groups`` (optional, one label per row): resample whole groups instead of rows, e.g. complexes
    seen at several exchange fractions, so correlated rows move together. Returns a Bunch with
    ``difference`` (on all rows, in the units of the metric), ``low``, ``high`` (the ``confidence``
    percentile interval), ``distinguishable`` (the interval has a positive width and excludes 0),
    ``metric``, ``n_bootstrap``, ``n_units`` (rows or groups resampled) and ``samples``.

    At least 2 resampling units are needed (one unit resamples to itself: no evidence either way);
    below :data:`MIN_BOOTSTRAP_UNITS` a :class:`FewUnitsWarning` says the interval is unreliable. A
    zero-width interval (every resample gives the same difference) is never called distinguishable.
    """
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {sorted(METRICS)}, got {metric!r}")
    if isinstance(n_bootstrap, (bool, np.bool_)) or not isinstance(n_bootstrap, numbers.Integral) or n_bootstrap < 100:
        raise ValueError(
            f"n_bootstrap must be an integer of at least 100 for a percentile interval, got {n_bootstrap!r}"
        )
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    f = METRICS[metric]
    t, a = _pair(y_true, pred_a)
    _, b = _pair(y_true, pred_b)
    if len(b) != len(t):
        raise ValueError("pred_b must have one value per reference value")
    members = _resampling_units(groups, len(t))
    unit = "rows" if groups is None else "groups"
    if len(members) < 2:
        raise ValueError(
            f"a paired bootstrap needs at least 2 {unit} to resample, got {len(members)}: one "
            "unit resamples to itself and says nothing about the difference; compare on more data"
        )
    if len(members) < MIN_BOOTSTRAP_UNITS:
        warnings.warn(
            f"the paired bootstrap resamples only {len(members)} {unit}; with fewer than "
            f"{MIN_BOOTSTRAP_UNITS} its interval is unreliable",
            FewUnitsWarning,
            stacklevel=2,
        )
    rng = check_random_state(random_state)
    samples = np.empty(int(n_bootstrap))
    for s in range(int(n_bootstrap)):
        idx = np.concatenate([members[k] for k in rng.randint(0, len(members), len(members))])
        samples[s] = f(t[idx], a[idx]) - f(t[idx], b[idx])
    tail = 100 * (1 - confidence) / 2
    low, high = (float(v) for v in np.percentile(samples, [tail, 100 - tail]))
    return Bunch(
        difference=f(t, a) - f(t, b),
        low=low,
        high=high,
        distinguishable=bool(high > low and (low > 0 or high < 0)),
        metric=metric,
        n_bootstrap=int(n_bootstrap),
        n_units=len(members),
        samples=samples,
    )


def reliability_table(y_true, proba, *, n_bins: int = 10) -> pd.DataFrame:
    """Calibration of probabilities: the rows of ``n_bins`` equal-width bins of predicted probability.

    ``y_true``: 0/1 or bool outcomes; ``proba``: predicted probabilities of the outcome 1 (in [0, 1]).
    Returns one row per non-empty bin: ``bin_low``, ``bin_high``, ``mean_predicted``, ``fraction_positive``
    (observed frequency), ``count``. The table's ``attrs["ece"]`` is the expected calibration error,
    Σ (count/n) |fraction_positive − mean_predicted| (0 for a perfectly calibrated model), and
    ``attrs["brier"]`` the Brier score, mean (proba − y)² (both in units of probability).
    """
    t, p = _pair(np.asarray(y_true, dtype=float), proba)
    if not set(np.unique(t)) <= {0.0, 1.0}:
        raise ValueError("y_true must hold 0/1 (or bool) outcomes")
    if np.any(p < 0) or np.any(p > 1):
        raise ValueError("proba must be probabilities in [0, 1]")
    if isinstance(n_bins, (bool, np.bool_)) or not isinstance(n_bins, numbers.Integral) or n_bins < 1:
        raise ValueError(f"n_bins must be a positive integer, got {n_bins!r}")
    edges = np.linspace(0.0, 1.0, int(n_bins) + 1)
    which = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, int(n_bins) - 1)
    frame = pd.DataFrame({"bin": which, "p": p, "y": t})
    g = frame.groupby("bin")
    out = pd.DataFrame(
        {
            "bin_low": edges[g.size().index],
            "bin_high": edges[g.size().index + 1],
            "mean_predicted": g.p.mean().to_numpy(),
            "fraction_positive": g.y.mean().to_numpy(),
            "count": g.size().to_numpy(),
        }
    )
    out.attrs["ece"] = float(np.sum(out["count"] * np.abs(out.fraction_positive - out.mean_predicted)) / len(t))
    out.attrs["brier"] = float(np.mean((p - t) ** 2))
    return out
