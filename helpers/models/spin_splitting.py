"""The spin-splitting recipe: the multilinear model of chapter 5 for ΔE(H−L) of transition-metal complexes.

``spin_splitting_model()`` returns the chapter's final, UNFITTED estimator, a ``Pipeline`` of
:class:`~helpers.featurize.complexes.ComplexEncoder` and :class:`~helpers.linear.MultilinearRegressor`,
whose ``fit(df, y)``/``predict(df)`` take a DataFrame with the columns of
:func:`helpers.data.load_spin_splitting` (``metal``, ``oxidation_state``, ``eq_ligand``, ``ax1_ligand``,
``ax2_ligand``, ``hfx``) and predict ΔE(H−L) = E(HS) − E(LS) in kcal/mol (positive: low-spin ground state).

The terms are the encoder's columns (metal/oxidation state, equatorial ligand, axial ligands, donor-atom
site counts, HFX fraction) plus products of whole blocks of them (``("metal", "hfx")`` = every
``"Fe(II) & hfx"``-like term). The coefficients are fitted by ridge regression on the UNSTANDARDISED
columns: every one-hot coefficient is a contribution in kcal/mol and the penalty shrinks all of them alike,
so a ligand seen in a few rows is not given a large, poorly determined coefficient (standardising would
multiply its penalty down by its small standard deviation).

:class:`SpinSplittingCV` chooses the blocks of interactions and the ridge penalty by (optionally grouped)
k-fold cross-validation on the training rows only, then refits the recipe with them; the recipe's defaults
are what it chooses with 5 folds grouped by complex on the whole data set (chapter 5 checks this).
:func:`bootstrap_coefficients` refits the chosen model on bootstrap samples of whole complexes and
:func:`level_contributions` turns coefficients into the contribution of each metal state or ligand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from helpers.baselines.boosting import tuned_boosting
from helpers.baselines.krr import KernelRidgeCV, median_gamma
from helpers.featurize.complexes import BlockPairs, ComplexEncoder
from helpers.linear import MultilinearRegressor, RidgeSpectrum, pair_products
from helpers.splits import kfold

__all__ = ["spin_splitting_model", "SpinSplittingCV", "bootstrap_coefficients", "level_contributions",
           "hfx_sensitivity", "fold_predictions", "evaluate_on_folds", "KRRBaseline", "BoostingBaseline",
           "BOOSTING_GRID",
           "CANDIDATE_INTERACTIONS", "DEFAULT_INTERACTIONS", "DEFAULT_ALPHA", "SPIN_SPLITTING_ALPHAS"]

#: Candidate sets of interaction blocks, from none to every pair chemistry suggests; each adds to the last.
CANDIDATE_INTERACTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "main effects": (),
    "+ metal × hfx": (("metal", "hfx"),),
    "+ donor, symmetry × metal; donor × hfx": (("metal", "hfx"), ("metal", "donor"), ("metal", "homoleptic"),
                                              ("donor", "hfx")),
    "+ ligand × metal, ligand × hfx": (("metal", "hfx"), ("metal", "donor"), ("metal", "homoleptic"),
                                       ("donor", "hfx"), ("metal", "eq"), ("metal", "ax"), ("ox", "eq"),
                                       ("ox", "ax"), ("eq", "hfx"), ("ax", "hfx")),
    "+ equatorial × axial": (("metal", "hfx"), ("metal", "donor"), ("metal", "homoleptic"), ("donor", "hfx"),
                             ("metal", "eq"), ("metal", "ax"), ("ox", "eq"), ("ox", "ax"), ("eq", "hfx"),
                             ("ax", "hfx"), ("eq", "ax")),
}
#: Ridge penalties tried (kcal/mol-scale one-hot columns, unstandardised).
SPIN_SPLITTING_ALPHAS = tuple(np.logspace(-3, 3, 13))
#: The recipe's interaction blocks and penalty: chosen by 5-fold CV grouped by complex on all 1,717 rows.
DEFAULT_INTERACTIONS = CANDIDATE_INTERACTIONS["+ ligand × metal, ligand × hfx"]
DEFAULT_ALPHA = 10.0


def spin_splitting_model(*, interactions=DEFAULT_INTERACTIONS, alpha: float = DEFAULT_ALPHA) -> Pipeline:
    """The chapter's multilinear model, unfitted: ``ComplexEncoder`` → ``MultilinearRegressor``.

    ``interactions``: block pairs (see :meth:`ComplexEncoder.interaction_pairs`), default
    :data:`DEFAULT_INTERACTIONS`; ``alpha``: the ridge penalty (default :data:`DEFAULT_ALPHA`). ``fit``
    takes the loader's DataFrame and ΔE(H−L) in kcal/mol; ``predict`` returns kcal/mol.
    """
    if not (np.isscalar(alpha) and float(alpha) > 0):
        raise ValueError(f"alpha must be a positive number, got {alpha!r}")
    # the pairs are drawn at fit from the columns the fitted encoder outputs, so they follow its vocabularies
    rule = BlockPairs(*interactions) if len(interactions) else None
    model = MultilinearRegressor(interactions=rule, penalty="ridge", alphas=(float(alpha),), standardize=False)
    return Pipeline([("encode", ComplexEncoder()), ("model", model)])


# ----------------------------------------------------------------------------- fast ridge CV
def _design(Xe: pd.DataFrame, interactions) -> np.ndarray:
    """Main columns + products of the blocks' columns, without the columns that are zero in every row."""
    enc = ComplexEncoder()
    index = {c: i for i, c in enumerate(Xe.columns)}
    pairs = np.array([(index[a], index[b]) for a, b in enc.interaction_pairs(*interactions)],
                     dtype=np.intp).reshape(-1, 2)
    X = Xe.to_numpy(dtype=np.float64)
    Z = np.hstack([X, pair_products(X, pairs)]) if len(pairs) else X
    return Z[:, np.any(Z != 0, axis=0)]              # products of never co-occurring columns are all zero


def _ridge_path(Ztr, ytr, Zva, alphas) -> np.ndarray:
    """Validation predictions of ridge (with intercept) for every penalty, shape (n_va, n_alphas): one
    :class:`~helpers.linear.RidgeSpectrum` of the training design serves all penalties."""
    keep = np.any(Ztr != 0, axis=0)                   # a column that is zero in training gets no weight
    return RidgeSpectrum(Ztr[:, keep], ytr).predict(Zva[:, keep], alphas)


class SpinSplittingCV(RegressorMixin, BaseEstimator):
    """The recipe with its interaction blocks and ridge penalty chosen by k-fold CV on the training rows.

    Parameters
    ----------
    candidates : dict name → block pairs (default :data:`CANDIDATE_INTERACTIONS`).
    alphas : ridge penalties (default :data:`SPIN_SPLITTING_ALPHAS`).
    cv : number of folds. ``fit(X, y, groups=g)`` uses shuffled ``GroupKFold`` (no group in two folds),
        ``fit(X, y)`` shuffled ``KFold`` over rows.
    n_repeats : the k-fold partition is drawn this many times (seeds ``random_state + r``) and the errors
        are averaged over all of them.
    rule : ``"1se"`` (default): the simplest candidate (in the order given) whose CV error is within one
        standard error (across folds) of the best candidate's, the usual guard against picking a rich
        model on a noisy CV difference; ``"min"``: the candidate with the lowest CV error.
    random_state : seed of the fold assignment.

    The criterion is the validation MAE (kcal/mol) over all rows; each candidate gets its best penalty.
    After ``fit``: ``best_candidate_``, ``alpha_``, ``best_score_`` (CV MAE), ``cv_results_`` (candidate,
    alpha, mae, se) and ``best_estimator_`` (the recipe refitted on all rows).
    """

    def __init__(self, candidates=None, alphas=None, cv: int = 5, n_repeats: int = 2, rule: str = "1se",
                 random_state=0):
        self.candidates = candidates
        self.alphas = alphas
        self.cv = cv
        self.n_repeats = n_repeats
        self.rule = rule
        self.random_state = random_state

    def fit(self, X, y, groups=None):
        """Choose (candidate, alpha) by CV on ``X, y`` (grouped if ``groups`` is given) and refit."""
        candidates = CANDIDATE_INTERACTIONS if self.candidates is None else dict(self.candidates)
        alphas = np.asarray(SPIN_SPLITTING_ALPHAS if self.alphas is None else self.alphas, dtype=np.float64)
        if not candidates or alphas.size == 0 or np.any(alphas <= 0):
            raise ValueError("need at least one candidate and a list of positive penalties")
        y = np.asarray(y, dtype=np.float64).ravel()
        if len(y) != len(X):
            raise ValueError(f"X has {len(X)} rows but y has {len(y)} values")
        Xe = ComplexEncoder().fit_transform(X)
        if groups is not None:
            groups = np.asarray(groups)
            if len(groups) != len(y):
                raise ValueError(f"groups has {len(groups)} labels for {len(y)} rows")
        if int(self.n_repeats) < 1:
            raise ValueError(f"n_repeats must be a positive integer, got {self.n_repeats!r}")
        seed = 0 if self.random_state is None else int(self.random_state)
        folds = []
        for r in range(int(self.n_repeats)):     # repeated CV: a steadier choice than one random partition
            folds += list(kfold(self.cv, groups=groups, random_state=seed + r).split(Xe, y, groups))
        rows = []
        for name, blocks in candidates.items():
            Z = _design(Xe, blocks)
            fold_err = np.array([np.abs(_ridge_path(Z[tr], y[tr], Z[va], alphas) - y[va][:, None]).mean(axis=0)
                                 for tr, va in folds])                     # (n_folds, n_alphas)
            sizes = np.array([len(va) for _, va in folds], dtype=np.float64)
            mean = sizes @ fold_err / sizes.sum()                         # MAE over all validation rows
            se = fold_err.std(axis=0, ddof=1) / np.sqrt(len(folds)) if len(folds) > 1 else np.zeros(len(alphas))
            rows += [{"candidate": name, "alpha": float(a), "mae": float(m), "se": float(e)}
                     for a, m, e in zip(alphas, mean, se, strict=True)]
        res = pd.DataFrame(rows)
        self.cv_results_ = res
        per_cand = res.loc[res.groupby("candidate", sort=False)["mae"].idxmin()].set_index("candidate")
        per_cand = per_cand.loc[list(candidates)]
        best = per_cand["mae"].idxmin()
        if self.rule == "1se":
            # the simplest candidate whose CV error is within one standard error of the best one
            limit = per_cand.loc[best, "mae"] + per_cand.loc[best, "se"]
            best = next(name for name in candidates if per_cand.loc[name, "mae"] <= limit)
        elif self.rule != "min":
            raise ValueError(f"rule must be '1se' or 'min', got {self.rule!r}")
        self.best_candidate_ = str(best)
        self.alpha_ = float(per_cand.loc[best, "alpha"])
        self.best_score_ = float(per_cand.loc[best, "mae"])
        self.interactions_ = candidates[self.best_candidate_]
        self.best_estimator_ = spin_splitting_model(interactions=self.interactions_, alpha=self.alpha_).fit(X, y)
        return self

    def predict(self, X):
        """ΔE(H−L) in kcal/mol from the refitted recipe."""
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_.predict(X)


# ----------------------------------------------------------------------------- uncertainty and reading
def bootstrap_coefficients(model: Pipeline, X, y, *, groups, n_boot: int = 200, random_state=0) -> pd.DataFrame:
    """Coefficients of ``model`` (a FITTED recipe) refitted on ``n_boot`` bootstrap samples of whole groups.

    Resampling complexes (``groups``) rather than rows keeps a complex's HFX series together. Terms and the
    penalty stay those of the fitted model. Returns a frame of shape (n_boot, n_terms + 1): one column per
    term (named as in ``term_names_``) and ``"intercept"``.
    """
    check_is_fitted(model[-1], "coef_")
    if int(n_boot) < 1:
        raise ValueError(f"n_boot must be a positive integer, got {n_boot!r}")
    ml = model[-1]
    Z = np.asarray(ml.transform_terms(model[:-1].transform(X)), dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).ravel()
    _, inverse = np.unique(np.asarray(groups), return_inverse=True)
    n_groups = inverse.max() + 1
    rng = check_random_state(random_state)
    out = np.empty((int(n_boot), Z.shape[1] + 1))
    eye = np.eye(Z.shape[1])
    for b in range(int(n_boot)):
        w = np.bincount(rng.randint(0, n_groups, n_groups), minlength=n_groups)[inverse].astype(np.float64)
        mu = w @ Z / w.sum()
        ym = w @ y / w.sum()
        A = Z - mu
        coef = np.linalg.solve((A * w[:, None]).T @ A + ml.alpha_ * eye, (A * w[:, None]).T @ (y - ym))
        out[b, :-1], out[b, -1] = coef, ym - mu @ coef
    return pd.DataFrame(out, columns=list(ml.term_names_) + ["intercept"])


def level_contributions(model: Pipeline, X: pd.DataFrame, *, column: str | tuple[str, ...], levels,
                        coefficients: pd.DataFrame | None = None, level: float = 0.95) -> pd.DataFrame:
    """Contribution of each level of a categorical input to the predicted ΔE(H−L), averaged over ``X``.

    For each level the rows of ``X`` are copied with ``column`` (a column name, or several set together,
    e.g. ``("eq_ligand", "ax1_ligand", "ax2_ligand")`` for a homoleptic complex; ``"metal_state"`` sets
    ``metal`` and ``oxidation_state`` from labels like ``"Fe(II)"``) set to the level, and the mean of every
    term over the copies is taken: the contribution is the sum of the terms that change with the level
    (their coefficients times their mean value), i.e. a partial dependence centred on the mean over levels.
    With ``coefficients`` (from :func:`bootstrap_coefficients`) the ``level`` percentile interval is added.
    Returns a frame: level, contribution, ci_low, ci_high (kcal/mol).
    """
    check_is_fitted(model[-1], "coef_")
    ml = model[-1]
    cols = (column,) if isinstance(column, str) else tuple(column)
    means = []
    for lev in levels:
        Xc = X.copy()
        for c in cols:
            if c == "metal_state":
                metal, _, ox = str(lev).partition("(")
                Xc["metal"], Xc["oxidation_state"] = metal, ox.rstrip(")")
            else:
                Xc[c] = lev
        means.append(np.asarray(ml.transform_terms(model[:-1].transform(Xc)), dtype=np.float64).mean(axis=0))
    M = np.array(means)
    M = M - M.mean(axis=0)                            # centre: only terms that change with the level remain
    out = pd.DataFrame({"level": list(levels), "contribution": M @ ml.coef_})
    if coefficients is not None:
        C = coefficients[list(ml.term_names_)].to_numpy()
        samples = M @ C.T
        tail = 100 * (1 - level) / 2
        out["ci_low"], out["ci_high"] = np.percentile(samples, [tail, 100 - tail], axis=1)
    else:
        out["ci_low"] = out["ci_high"] = np.nan
    return out


# ----------------------------------------------------------------------------- the black boxes of chapter 5
class KRRBaseline(RegressorMixin, BaseEstimator):
    """Kernel ridge regression as compared in chapter 5: inputs standardised (optional), then
    :class:`~helpers.baselines.krr.KernelRidgeCV` with kernel widths ``gamma_factors`` × the median
    heuristic of the training rows and the penalty chosen by k-fold CV (grouped if ``fit`` gets ``groups``).
    The validation criterion is the MAE. ``model_`` is the fitted ``KernelRidgeCV``."""

    def __init__(self, kernel="laplacian", gamma_factors=(0.01, 0.1, 1.0), alphas=(1e-4, 1e-3, 1e-2, 1e-1, 1.0),
                 standardize=True, cv: int = 3, random_state=0):
        self.kernel = kernel
        self.gamma_factors = gamma_factors
        self.alphas = alphas
        self.standardize = standardize
        self.cv = cv
        self.random_state = random_state

    def fit(self, X, y, groups=None):
        """Standardise, choose (gamma, alpha) by CV on ``X, y`` and refit."""
        X = _as_float(X)
        self.scaler_ = StandardScaler().fit(X) if self.standardize else None
        Xs = self.scaler_.transform(X) if self.standardize else X
        g0 = median_gamma(Xs, self.kernel, random_state=self.random_state)
        splitter = kfold(self.cv, groups=groups, random_state=self.random_state)
        self.model_ = KernelRidgeCV(kernel=self.kernel, gammas=[f * g0 for f in self.gamma_factors],
                                    alphas=self.alphas, cv=splitter, scoring="mae",
                                    random_state=self.random_state).fit(Xs, y, groups=groups)
        return self

    def predict(self, X):
        """Predictions in the units of ``y``."""
        check_is_fitted(self, "model_")
        X = _as_float(X)
        return self.model_.predict(self.scaler_.transform(X) if self.standardize else X)


#: The boosting grid of chapter 5 (small, to keep nested CV affordable; the iterations are tuned in it).
BOOSTING_GRID = {"learning_rate": [0.1], "max_iter": [100, 300], "max_leaf_nodes": [15],
                 "min_samples_leaf": [5, 20]}


class BoostingBaseline(RegressorMixin, BaseEstimator):
    """:func:`helpers.baselines.boosting.tuned_boosting` with a (grouped) k-fold inner CV: pass the
    categorical frame of :func:`~helpers.featurize.complexes.complex_categories`. ``search_`` is the fitted
    ``GridSearchCV``."""

    def __init__(self, param_grid=None, cv: int = 3, random_state=0):
        self.param_grid = param_grid
        self.cv = cv
        self.random_state = random_state

    def fit(self, X, y, groups=None):
        """Grid search by (grouped) CV, then the refit on all rows."""
        splitter = kfold(self.cv, groups=groups, random_state=self.random_state)
        self.search_ = tuned_boosting(param_grid=self.param_grid or BOOSTING_GRID, cv=splitter,
                                      random_state=self.random_state)
        self.search_.fit(X, np.asarray(y, dtype=np.float64), groups=groups)
        return self

    def predict(self, X):
        """Predictions of the refitted best model."""
        check_is_fitted(self, "search_")
        return self.search_.predict(X)


def _as_float(X) -> np.ndarray:
    return X.to_numpy(dtype=np.float64) if isinstance(X, pd.DataFrame) else np.asarray(X, dtype=np.float64)


def _fit_fold(estimator, X, y, tr, te, groups):
    with threadpool_limits(1):   # one BLAS/OpenMP thread per worker: small matrices, shared cores
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


def hfx_sensitivity(model: Pipeline, X: pd.DataFrame, *, metal_states, coefficients: pd.DataFrame | None = None,
                    low: float = 0.20, high: float = 0.30, level: float = 0.95) -> pd.DataFrame:
    """Change of the predicted ΔE(H−L) (kcal/mol) when the HFX fraction rises from ``low`` to ``high``, for
    each metal state, averaged over the ligand spheres of ``X`` (every row given that metal state).

    The model is linear in the HFX fraction, so this is the slope times ``high - low`` whatever ``low``.
    Negative: more exact exchange favours high spin. With ``coefficients`` (from
    :func:`bootstrap_coefficients`) the ``level`` percentile interval is added. Returns a frame: level,
    contribution (the change), ci_low, ci_high.
    """
    check_is_fitted(model[-1], "coef_")
    ml = model[-1]
    rows = []
    for ms in metal_states:
        metal, _, ox = str(ms).partition("(")
        Xc = X.assign(metal=metal, oxidation_state=ox.rstrip(")"))
        terms = [np.asarray(ml.transform_terms(model[:-1].transform(Xc.assign(hfx=h))), dtype=np.float64).mean(axis=0)
                 for h in (low, high)]
        rows.append(terms[1] - terms[0])
    D = np.array(rows)
    out = pd.DataFrame({"level": list(metal_states), "contribution": D @ ml.coef_})
    if coefficients is not None:
        samples = D @ coefficients[list(ml.term_names_)].to_numpy().T
        tail = 100 * (1 - level) / 2
        out["ci_low"], out["ci_high"] = np.percentile(samples, [tail, 100 - tail], axis=1)
    else:
        out["ci_low"] = out["ci_high"] = np.nan
    return out


def evaluate_on_folds(models: dict, inputs: dict, y, protocols: dict, *, groups, grouped=("grouped-cv",),
                      n_jobs=None):
    """Every model on every fold of every protocol, all fits in one parallel pool.

    ``models``: name → ``(estimator, input name)``; ``inputs``: input name → X (DataFrame or array, rows
    aligned with ``y``); ``protocols``: split name → list of ``(train, test)`` folds. For the splits named in
    ``grouped`` each fit gets its training rows' ``groups`` (grouped inner CV), for the others ``None``.
    Returns ``(pred, fitted)``, dicts keyed by ``(model, split)``: the test-row predictions (NaN elsewhere,
    as :func:`fold_predictions`) and the fitted estimators in fold order.
    """
    y = np.asarray(y, dtype=np.float64).ravel()
    g = np.asarray(groups)
    tasks = [(name, split, k, est, inputs[inp], tr, te, g if split in grouped else None)
             for name, (est, inp) in models.items() for split, folds in protocols.items()
             for k, (tr, te) in enumerate(folds)]
    out = Parallel(n_jobs=n_jobs)(delayed(_fit_fold)(est, X, y, tr, te, gg)
                                  for _, _, _, est, X, tr, te, gg in tasks)
    pred = {(n, s): np.full(len(y), np.nan) for n in models for s in protocols}
    fitted = {(n, s): [None] * len(f) for n in models for s, f in protocols.items()}
    for (name, split, k, _, _, _, te, _), (est, p) in zip(tasks, out, strict=True):
        pred[name, split][te] = p
        fitted[name, split][k] = est
    return pred, fitted
