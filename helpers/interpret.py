"""Post-hoc interpretation of fitted models: PD/ICE with ensemble bands, Friedman's H-statistic, and the
contribution of each level of a categorical input to a multilinear model.

Every function computes and returns a :class:`sklearn.utils.Bunch` (or a DataFrame); nothing here
draws (see :mod:`helpers.plots`). A "model" is anything with a ``predict`` method or a plain
callable ``f(X) -> y``; a list of models is an *ensemble*.

References: partial dependence, Friedman (2001); ICE curves, Goldstein et al. (2015); the
H-statistic, Friedman & Popescu (2008), as used by Allen & Tkatchenko (2022, Fig. 7).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import clone, is_regressor
from sklearn.inspection import partial_dependence
from sklearn.utils import Bunch, check_random_state

from helpers.linear import PAIR_SEP, transform_terms

__all__ = [
    "Ensemble",
    "SPREADS",
    "BAND_LABELS",
    "fit_ensemble",
    "partial_dependence_ice",
    "h_statistic",
    "h_statistic_three_way",
    "level_contributions",
    "column_change",
]

#: Maximum number of rows handed to one ``predict`` call by the brute-force routines.
CHUNK_ROWS = 200_000


# ----------------------------------------------------------------------------- ensembles
#: What the spread of an ensemble's members means, by how they were made (see :func:`fit_ensemble`).
SPREADS = {
    "seed": "random initialisation (same data, a different random_state per member)",
    "bootstrap": "bootstrap resamples of the training rows (and a different random_state where there is one)",
    "given": "members fitted elsewhere",
}


#: The bands of :func:`partial_dependence_ice`, by ``band``, as a chart's legend names them.
BAND_LABELS = {
    "sd": "95 % spread of members",
    "mean_ci": "95 % CI of the mean",
    "percentile": "95 % range of members",
}


class Ensemble:
    """The mean prediction of fitted members; ``predict(X) = mean_m members[m].predict(X)``.

    ``kind`` says what the members' spread measures (a key of :data:`SPREADS`); bands drawn from an
    ensemble carry it, so a reader knows whether a band is initialisation noise or data noise.
    """

    def __init__(self, members: Sequence, kind: str = "given"):
        if len(members) == 0:
            raise ValueError("an ensemble needs at least one member")
        if kind not in SPREADS:
            raise ValueError(f"kind must be one of {sorted(SPREADS)}, got {kind!r}")
        self.members = list(members)
        self.kind = kind

    def predict(self, X):
        return np.mean([_as_predict(m, X)(X) for m in self.members], axis=0)

    def __len__(self):
        return len(self.members)

    def __iter__(self):
        return iter(self.members)

    def __getitem__(self, i):
        return self.members[i]


def fit_ensemble(estimator, X, y, *, n_members: int = 5, resample: str = "seed", random_state: int = 0) -> Ensemble:
    """Fit ``n_members`` clones of ``estimator`` and return them as an :class:`Ensemble`.

    ``resample="seed"``: every member sees the same data with its own ``random_state`` (the spread is
    initialisation noise, as for the paper's five networks); refused for an estimator without a
    ``random_state`` or whose first two members come out identical (a deterministic fit: its band would
    have width 0 and look like certainty). ``resample="bootstrap"``: every member is fitted on a
    bootstrap resample of the rows (the spread is sampling noise of the data); works for any estimator.
    Seeds are drawn from ``numpy.random.SeedSequence(random_state)``, so the ensemble is repeatable.
    """
    if isinstance(n_members, bool) or not isinstance(n_members, (int, np.integer)) or n_members < 2:
        raise ValueError(f"an ensemble needs n_members >= 2, got {n_members!r}")
    if resample not in ("seed", "bootstrap"):
        raise ValueError(f"resample must be 'seed' or 'bootstrap', got {resample!r}")
    has_seed = "random_state" in estimator.get_params()
    if resample == "seed" and not has_seed:
        raise ValueError(
            f"{type(estimator).__name__} has no random_state: its clones would be identical; use resample='bootstrap'"
        )
    seeds = np.random.SeedSequence(random_state).generate_state(n_members)
    n = len(y)
    members = []
    for s in seeds:
        m = clone(estimator)
        if has_seed:
            m.set_params(random_state=int(s))
        if resample == "bootstrap":
            idx = np.random.default_rng(int(s)).integers(0, n, n)
            Xb = X.iloc[idx] if isinstance(X, pd.DataFrame) else X[idx]
            yb = y.iloc[idx] if isinstance(y, pd.Series) else np.asarray(y)[idx]
            members.append(m.fit(Xb, yb))
        else:
            members.append(m.fit(X, y))
        if resample == "seed" and len(members) == 2:
            X_probe = X.iloc[:50] if isinstance(X, pd.DataFrame) else X[:50]
            if np.array_equal(members[0].predict(X_probe), members[1].predict(X_probe)):
                raise ValueError(
                    f"{type(estimator).__name__} fits identically whatever its random_state "
                    "(a deterministic fit): use resample='bootstrap' for a meaningful band"
                )
    return Ensemble(members, kind=resample)


def _members(estimator) -> tuple[list, str]:
    """(members, kind) of an Ensemble, a list of models, or one model."""
    if isinstance(estimator, Ensemble):
        return estimator.members, estimator.kind
    if isinstance(estimator, (list, tuple)):
        return list(estimator), "given"
    return [estimator], "given"


# ----------------------------------------------------------------------------- plumbing
def _as_predict(model, X_template=None) -> Callable:
    """``f(ndarray) -> ndarray``; rebuilds a DataFrame with X_template's columns if X was a frame."""
    f = model.predict if hasattr(model, "predict") else model
    if not callable(f):
        raise TypeError(f"{model!r} has no predict method and is not callable")
    if isinstance(X_template, pd.DataFrame):
        cols = X_template.columns
        return lambda A: np.asarray(f(pd.DataFrame(A, columns=cols))).ravel()
    return lambda A: np.asarray(f(A)).ravel()


def _feature_index(X, feature, feature_names=None) -> tuple[int, str]:
    names = (
        list(X.columns)
        if isinstance(X, pd.DataFrame)
        else (list(feature_names) if feature_names is not None else [f"x{i}" for i in range(np.shape(X)[1])])
    )
    if isinstance(feature, (int, np.integer)):
        return int(feature), str(names[int(feature)])
    if feature in names:
        return names.index(feature), str(feature)
    raise ValueError(f"unknown feature {feature!r}; known: {names[:10]}...")


def _ice_direct(f, A, j, values) -> np.ndarray:
    """ICE matrix (n_samples, n_values): f(x_i with feature j set to each value), brute force."""
    n, g = A.shape[0], len(values)
    out = np.empty((n, g))
    step = max(1, CHUNK_ROWS // max(n, 1))
    for s in range(0, g, step):
        vals = values[s : s + step]
        big = np.tile(A, (len(vals), 1))
        big[:, j] = np.repeat(vals, n)
        out[:, s : s + len(vals)] = f(big).reshape(len(vals), n).T
    return out


def _ice_one_model(model, X, A, j, feature, values) -> np.ndarray:
    """Use sklearn.inspection.partial_dependence for fitted sklearn regressors, else brute force."""
    if hasattr(model, "__sklearn_tags__") and is_regressor(model):
        key = feature if isinstance(X, pd.DataFrame) else j
        res = partial_dependence(model, X, [key], kind="both", method="brute", custom_values={key: values})
        return np.asarray(res["individual"][0])
    return _ice_direct(_as_predict(model, X), A, j, values)


# ----------------------------------------------------------------------------- PD / ICE
def partial_dependence_ice(
    estimator,
    X,
    feature,
    *,
    grid=None,
    grid_resolution: int = 50,
    percentiles: tuple[float, float] = (0.0, 1.0),
    centered: bool = True,
    center_at: float = 0.0,
    band: str = "sd",
    feature_names=None,
) -> Bunch:
    """Partial dependence (PD) and individual conditional expectation (ICE) of one feature.

    Parameters
    ----------
    estimator : a fitted model (``predict`` or callable), an :class:`Ensemble` or a list of models.
    X : array-like or DataFrame, the data over which curves are averaged (one ICE curve per row).
    feature : column index or name.
    grid : values of the feature at which to evaluate; default ``grid_resolution`` evenly spaced
        values between the ``percentiles`` of the feature (default: its full range).
    centered : if True (the paper's Fig. 7 convention) every ICE curve is shifted to be 0 at
        ``x = center_at`` and the PD is the mean of the centred curves, so ``PD(center_at) = 0``.
        The value at ``center_at`` is *evaluated*, not interpolated: ``center_at`` is added to the
        evaluation points (and dropped from the returned grid if it was not asked for).
    band : what the dashed 95 % band around the ensemble-mean PD shows (see :data:`BAND_LABELS`):

        - ``"sd"`` (default): the spread of the members, mean ± 1.96 × their standard deviation (ddof=1),
          where a new member's PD would fall (with five members percentiles are just the extremes);
        - ``"mean_ci"``: a confidence interval of the ensemble mean, mean ± t(0.975, m − 1) × SD / √m
          for m members (narrower: 1.24 SD for m = 5);
        - ``"percentile"``: the 2.5 / 97.5 percentiles across members.

    Returns
    -------
    Bunch with
        feature, feature_index, grid (n_grid,), feature_values (the data column, for a rug),
        individual (n_models, n_samples, n_grid) ICE curves of each member,
        ice (n_samples, n_grid) ICE curves of the ensemble mean,
        average (n_models, n_grid) PD of each member,
        pd_mean, pd_low, pd_high (n_grid,) ensemble mean and 95 % band,
        n_models, band, centered, center_at,
        spread (what the members' spread measures: a value of :data:`SPREADS`).

    For an estimator recognised by :func:`sklearn.base.is_regressor` the curves come from
    :func:`sklearn.inspection.partial_dependence` (``kind="both"``, ``method="brute"``,
    ``custom_values``); other models and callables are evaluated by the same brute-force rule
    directly.
    """
    models, kind = _members(estimator)
    if band not in BAND_LABELS:
        raise ValueError(f"band must be one of {sorted(BAND_LABELS)}, got {band!r}")
    j, name = _feature_index(X, feature, feature_names)
    A = X.to_numpy(dtype=float) if isinstance(X, pd.DataFrame) else np.asarray(X, dtype=float)
    col = A[:, j]
    if grid is None:
        lo, hi = np.quantile(col, percentiles)
        grid = np.linspace(lo, hi, grid_resolution)
    grid = np.unique(np.asarray(grid, dtype=float))
    values = np.unique(np.append(grid, center_at)) if centered else grid
    keep = np.searchsorted(values, grid)
    ices = []
    for m in models:
        ice = _ice_one_model(m, X, A, j, feature, values)
        if centered:
            ice = ice - ice[:, [int(np.searchsorted(values, center_at))]]
        ices.append(ice[:, keep])
    individual = np.stack(ices)  # (n_models, n_samples, n_grid)
    average = individual.mean(axis=1)  # (n_models, n_grid)
    pd_mean = average.mean(axis=0)
    if len(models) == 1:
        lo_b = hi_b = pd_mean.copy()
    elif band in ("sd", "mean_ci"):
        sd = average.std(axis=0, ddof=1)
        m = len(models)
        half = 1.96 * sd if band == "sd" else stats.t.ppf(0.975, m - 1) * sd / np.sqrt(m)
        lo_b, hi_b = pd_mean - half, pd_mean + half
    else:
        lo_b, hi_b = np.percentile(average, [2.5, 97.5], axis=0)
    return Bunch(
        feature=name,
        feature_index=j,
        grid=grid,
        grid_values=grid,
        feature_values=col,
        individual=individual,
        ice=individual.mean(axis=0),
        average=average,
        pd_mean=pd_mean,
        pd_low=lo_b,
        pd_high=hi_b,
        n_models=len(models),
        band=band,
        centered=centered,
        center_at=center_at,
        spread=SPREADS[kind],
    )


# ----------------------------------------------------------------------------- H-statistic
def _pd_at_data(f, A, cols) -> np.ndarray:
    """PD_S(x_iS) for every row i: mean over l of f(x_l with columns S replaced by x_iS), centred."""
    n = A.shape[0]
    out = np.empty(n)
    step = max(1, CHUNK_ROWS // n)
    cols = list(cols)
    for s in range(0, n, step):
        rows = np.arange(s, min(n, s + step))
        big = np.tile(A, (len(rows), 1))
        big[:, cols] = np.repeat(A[rows][:, cols], n, axis=0)
        out[rows] = f(big).reshape(len(rows), n).mean(axis=1)
    return out - out.mean()


def _pair_indices(X, pairs, feature_names, p, *, size: int = 2) -> list[tuple[int, ...]]:
    """Validated column indices: ``size`` different, existing features per pair (or triple)."""
    what = {2: "a pair must be two features", 3: "a triple must be three features"}[size]
    out = []
    for pr in pairs:
        if isinstance(pr, (str, bytes)) or len(pr) != size:
            raise ValueError(f"{what} (indices or names), got {pr!r}")
        ij = []
        for q in pr:
            if isinstance(q, (bool, np.bool_)):
                raise ValueError(f"a feature index must be an integer or a name, got the boolean {q!r}")
            if isinstance(q, (int, np.integer)) and not 0 <= int(q) < p:
                raise ValueError(f"feature index {q} out of range for {p} features (negative indices are refused)")
            ij.append(_feature_index(X, q, feature_names)[0])
        if len(set(ij)) != size:
            raise ValueError(f"H² is defined for {what.split()[-2]} different features, got {pr!r}")
        out.append(tuple(ij))
    return out


def _h_sample(estimator, X, n_max, random_state) -> tuple[np.ndarray, Callable, np.ndarray, float]:
    """Checked (sub)sample ``A`` of X, the prediction function, its predictions on ``A`` and their
    centred sum of squares (the scale below which a PD counts as identically zero)."""
    model = Ensemble(estimator) if isinstance(estimator, (list, tuple)) else estimator
    A = X.to_numpy(dtype=float) if isinstance(X, pd.DataFrame) else np.asarray(X, dtype=float)
    if A.ndim != 2:
        raise ValueError(f"X must be 2-dimensional, got shape {A.shape}")
    n = A.shape[0]
    if isinstance(n_max, bool) or not isinstance(n_max, (int, np.integer)) or n_max < 2:
        raise ValueError(f"n_max must be an integer >= 2, got {n_max!r}")
    if n < 2:
        raise ValueError(f"H² needs at least 2 rows of X to average over, got {n}")
    if not np.all(np.isfinite(A)):
        bad = sorted({int(c) for c in np.argwhere(~np.isfinite(A))[:, 1]})
        raise ValueError(f"X has NaN or infinite values in column(s) {bad}: impute or drop those rows first")
    if n > n_max:
        rng = check_random_state(random_state)
        A = A[np.sort(rng.choice(n, n_max, replace=False))]
    f = _as_predict(model, X)
    fA = f(A)
    if not np.all(np.isfinite(fA)):
        raise ValueError("the model's predictions on X are not all finite: H² would be meaningless")
    return A, f, fA, float(np.sum((fA - fA.mean()) ** 2))


def _pd_cache(f, A) -> Callable[..., np.ndarray]:
    """``pd_of(*columns)``: the centred PD of those columns at the sample's points, each computed once."""
    cache: dict[tuple[int, ...], np.ndarray] = {}

    def pd_of(*cols: int) -> np.ndarray:
        key = tuple(sorted(cols))
        if key not in cache:
            cache[key] = _pd_at_data(f, A, key)
        return cache[key]

    return pd_of


def _share(num: float, joint: np.ndarray, total: float) -> float:
    """``num / Σ joint²``; NaN when the joint PD is identically zero (below 1e-20 × ``total``)."""
    den = float(np.sum(joint**2))
    return num / den if den > 1e-20 * total and den > 0 else np.nan


def _pair_h(pd_of, j: int, k: int, total: float) -> tuple[float, float]:
    """H² of features j and k, and Friedman's numerator per sample (the interaction strength)."""
    joint = pd_of(j, k)
    num = float(np.sum((joint - pd_of(j) - pd_of(k)) ** 2))
    return _share(num, joint, total), num / len(joint)


def _pair_table(names, idx_pairs, h2: np.ndarray, strength: np.ndarray) -> pd.DataFrame:
    """The pairs' table of :func:`h_statistic` (and :func:`h_statistic_three_way`)."""
    return pd.DataFrame(
        {
            "pair": [f"{names[j]}{PAIR_SEP}{names[k]}" for j, k in idx_pairs],
            "feature_a": [names[j] for j, _ in idx_pairs],
            "feature_b": [names[k] for _, k in idx_pairs],
            "h_squared": h2,
            "h": np.sqrt(h2),
            "interaction_strength": strength,
            "interaction_rms": np.sqrt(strength),
        }
    )


def h_statistic(estimator, X, *, pairs=None, n_max: int = 200, random_state=0, feature_names=None) -> Bunch:
    """Friedman & Popescu's pairwise interaction statistic H² for pairs of features.

    ``H²_jk = Σ_i [PD_jk(x_ij, x_ik) − PD_j(x_ij) − PD_k(x_ik)]² / Σ_i PD_jk(x_ij, x_ik)²``, with
    every partial dependence centred to mean zero over the (sub)sample and evaluated at the
    sample's own points. H² = 0 for an additive function of x_j and x_k, 1 when the joint effect
    is a pure interaction. H² is a *share*: a tiny interaction of a feature pair that barely matters
    can have H² near 1. The un-normalised size is ``interaction_strength``, Friedman's numerator per
    sample, ``mean_i [PD_jk − PD_j − PD_k]²`` in squared target units (its square root,
    ``interaction_rms``, is in target units).

    Cost: ``n²`` predictions per feature and per pair (each PD is one stacked ``predict`` call on
    ``n`` copies of the sample), so ``X`` is subsampled to ``n_max`` rows without replacement (seeded
    by ``random_state``) when larger.

    Parameters
    ----------
    estimator : a model with ``predict``, a callable, an :class:`Ensemble` or a list of models (their mean).
    X : the data (at least 2 finite rows).
    pairs : list of (feature, feature) by index or name, two different features each; default all pairs.

    Returns
    -------
    Bunch with ``feature_pairs`` (list of name tuples), ``pair_indices``, ``h_squared``, ``h`` (its
    square root), ``interaction_strength``, ``interaction_rms`` arrays, ``n_samples`` used, and
    ``table`` (a DataFrame with those columns; pair named ``"A & B"``). H² is NaN only when the joint
    PD is identically zero (Σ PD_jk² below 1e-20 × the sum of squares of the centred predictions:
    the model does not depend on the pair); non-finite inputs or predictions are an error.
    """
    A, f, fA, total = _h_sample(estimator, X, n_max, random_state)
    p = A.shape[1]
    idx_pairs = list(combinations(range(p), 2)) if pairs is None else _pair_indices(X, pairs, feature_names, p)
    names = [_feature_index(X, i, feature_names)[1] for i in range(p)]
    pd_of = _pd_cache(f, A)
    stats = np.array([_pair_h(pd_of, j, k, total) for j, k in idx_pairs], dtype=float).reshape(-1, 2)
    h2, strength = stats[:, 0], stats[:, 1]
    table = _pair_table(names, idx_pairs, h2, strength)
    fpairs = [(names[j], names[k]) for j, k in idx_pairs]
    return Bunch(
        feature_pairs=fpairs,
        pair_indices=idx_pairs,
        h_squared=h2,
        h=np.sqrt(h2),
        interaction_strength=strength,
        interaction_rms=np.sqrt(strength),
        n_samples=A.shape[0],
        table=table,
    )


def h_statistic_three_way(estimator, X, *, triples, n_max: int = 200, random_state=0, feature_names=None) -> Bunch:
    """Friedman & Popescu's three-way interaction statistic H² for triples of features, and the
    pairwise H² of every pair inside them, from one set of partial dependences.

    ``H²_jkl = Σ_i [PD_jkl − PD_jk − PD_jl − PD_kl + PD_j + PD_k + PD_l]² / Σ_i PD_jkl²`` (every PD
    centred and evaluated at the sample's own points, as in :func:`h_statistic`): the share of the
    triple's joint effect that no sum of one- and two-feature functions holds. It is 0 when the model
    is a sum of pairwise terms in the three features (a multilinear model's form) and 1 for a pure
    three-way product.

    Cost: ``n²`` predictions for each feature, pair and triple involved, each computed once, so ``X``
    is subsampled to ``n_max`` rows (seeded by ``random_state``) when larger.

    Returns a Bunch with ``triples``, a DataFrame with one row per triple: ``triple`` (``"A & B & C"``),
    ``h_squared`` (NaN when the joint PD is identically zero), ``interaction_rms`` (root mean square of
    the bracket, in target units) and ``joint_rms`` (of PD_jkl: how much the three features move the
    prediction together); ``pairs``, the same columns as :func:`h_statistic`'s ``table`` for every pair
    inside the triples; and ``n_samples``.
    """
    A, f, _, total = _h_sample(estimator, X, n_max, random_state)
    p = A.shape[1]
    names = [_feature_index(X, i, feature_names)[1] for i in range(p)]
    pd_of = _pd_cache(f, A)
    rows, pairs = [], {}
    for trio in _pair_indices(X, triples, feature_names, p, size=3):
        joint = pd_of(*trio)
        rest = joint - sum(pd_of(*c) for c in combinations(trio, 2)) + sum(pd_of(q) for q in trio)
        rows.append(
            {
                "triple": PAIR_SEP.join(names[q] for q in trio),
                "h_squared": _share(float(np.sum(rest**2)), joint, total),
                "interaction_rms": float(np.sqrt(np.mean(rest**2))),
                "joint_rms": float(np.sqrt(np.mean(joint**2))),
            }
        )
        pairs.update({pair: _pair_h(pd_of, *pair, total) for pair in combinations(trio, 2) if pair not in pairs})
    stats = np.array(list(pairs.values()), dtype=float).reshape(-1, 2)
    return Bunch(
        triples=pd.DataFrame(rows, columns=["triple", "h_squared", "interaction_rms", "joint_rms"]),
        pairs=_pair_table(names, list(pairs), stats[:, 0], stats[:, 1]),
        n_samples=A.shape[0],
    )


# ----------------------------------------------------------------------------- levels of a categorical input
def _set_level(X: pd.DataFrame, column: str, value) -> pd.DataFrame:
    """``X`` with ``column`` set to ``value``; ``"metal_state"`` (a label like ``"Fe(II)"``) sets the columns
    ``metal`` and ``oxidation_state`` of a spin-splitting frame."""
    if column == "metal_state":
        metal, _, ox = str(value).partition("(")
        return X.assign(metal=metal, oxidation_state=ox.rstrip(")"))
    return X.assign(**{column: value})


def _with_interval(estimator, D: np.ndarray, labels, coefficients, confidence: float) -> pd.DataFrame:
    """``D @ coef_`` per label (a contribution), with the percentile interval over bootstrap coefficients."""
    model = estimator[-1] if hasattr(estimator, "steps") else estimator
    out = pd.DataFrame({"level": list(labels), "contribution": D @ model.coef_})
    if coefficients is None:
        out["ci_low"] = out["ci_high"] = np.nan
        return out
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    samples = D @ coefficients[list(model.term_names_)].to_numpy().T
    tail = 100 * (1 - confidence) / 2
    out["ci_low"], out["ci_high"] = np.percentile(samples, [tail, 100 - tail], axis=1)
    return out


def level_contributions(
    estimator,
    X: pd.DataFrame,
    *,
    column: str | tuple[str, ...],
    levels,
    coefficients: pd.DataFrame | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Contribution of each level of a categorical input to the prediction of a multilinear model,
    averaged over ``X``.

    ``estimator`` is a fitted MultilinearRegressor or a Pipeline ending in one, taking ``X``. For each level
    the rows of ``X`` are copied with ``column`` (a column name, or several set together, e.g.
    ``("eq_ligand", "ax1_ligand", "ax2_ligand")`` for a homoleptic complex; ``"metal_state"`` sets ``metal``
    and ``oxidation_state`` from labels like ``"Fe(II)"``) set to the level, and the mean of every term over
    the copies is taken: the contribution is the sum of the terms that change with the level (their
    coefficients times their mean value), i.e. a partial dependence centred on the mean over levels. With
    ``coefficients`` (from :func:`helpers.linear.bootstrap_coefficients`) the ``confidence`` percentile
    interval is added. Returns a frame: level, contribution, ci_low, ci_high (units of the target).
    """
    cols = (column,) if isinstance(column, str) else tuple(column)
    means = []
    for lev in levels:
        Xc = X.copy()
        for c in cols:
            Xc = _set_level(Xc, c, lev)
        means.append(transform_terms(estimator, Xc).mean(axis=0))
    M = np.array(means)
    M = M - M.mean(axis=0)  # centre: only terms that change with the level remain
    return _with_interval(estimator, M, levels, coefficients, confidence)


def column_change(
    estimator,
    X: pd.DataFrame,
    *,
    column: str,
    low: float,
    high: float,
    by: str,
    levels,
    coefficients: pd.DataFrame | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Change of the prediction when the numeric ``column`` rises from ``low`` to ``high``, for each level
    of the categorical input ``by`` (set as in :func:`level_contributions`), averaged over the rows of ``X``.

    E.g. the change of ΔE(H−L) (kcal/mol) per metal state when the HFX fraction rises from 0.20 to 0.30:
    ``column_change(model, X, column="hfx", low=0.2, high=0.3, by="metal_state", levels=states)``. With
    ``coefficients`` (from :func:`helpers.linear.bootstrap_coefficients`) the ``confidence`` percentile
    interval is added. Returns a frame: level, contribution (the change), ci_low, ci_high.
    """
    rows = []
    for lev in levels:
        Xc = _set_level(X, by, lev)
        terms = [transform_terms(estimator, Xc.assign(**{column: v})).mean(axis=0) for v in (low, high)]
        rows.append(terms[1] - terms[0])
    return _with_interval(estimator, np.array(rows), levels, coefficients, confidence)
