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
:func:`pre_design_cv` is the chapter's first model, before its features were iterated (fewer blocks of
columns, ridge on standardised columns, one inner partition), kept to show what that iteration bought.
Reading the fitted model: :func:`helpers.linear.bootstrap_coefficients` (refits over whole complexes),
:func:`helpers.interpret.level_contributions` and :func:`helpers.interpret.column_change`; the black boxes
it is compared with live in :mod:`helpers.baselines`, the CV protocols in :mod:`helpers.evaluate`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from helpers.evaluate import kfold
from helpers.featurize.complexes import BlockPairs, ComplexEncoder
from helpers.linear import MultilinearRegressor, RidgeSpectrum, _column_std, pair_products

__all__ = [
    "spin_splitting_model",
    "SpinSplittingCV",
    "CANDIDATE_INTERACTIONS",
    "DEFAULT_INTERACTIONS",
    "DEFAULT_ALPHA",
    "SPIN_SPLITTING_ALPHAS",
    "PRE_DESIGN_BLOCKS",
    "PRE_DESIGN_CANDIDATES",
    "pre_design_cv",
]

# candidate sets of interaction blocks, from none to every pair chemistry suggests; each adds to the last
_METAL_HFX = (("metal", "hfx"),)
_DONOR = _METAL_HFX + (("metal", "donor"), ("metal", "homoleptic"), ("donor", "hfx"))
_LIGAND = _DONOR + (("metal", "eq"), ("metal", "ax"), ("ox", "eq"), ("ox", "ax"), ("eq", "hfx"), ("ax", "hfx"))
#: Candidate sets of interaction blocks, from none to every pair chemistry suggests; each adds to the last.
CANDIDATE_INTERACTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "main effects": (),
    "+ metal × hfx": _METAL_HFX,
    "+ donor, symmetry × metal; donor × hfx": _DONOR,
    "+ ligand × metal, ligand × hfx": _LIGAND,
    "+ equatorial × axial": _LIGAND + (("eq", "ax"),),
}
#: Ridge penalties tried (kcal/mol-scale one-hot columns, unstandardised).
SPIN_SPLITTING_ALPHAS = tuple(np.logspace(-3, 3, 13))
#: The recipe's interaction blocks and penalty: chosen by 5-fold CV grouped by complex on all 1,717 rows.
DEFAULT_INTERACTIONS = CANDIDATE_INTERACTIONS["+ ligand × metal, ligand × hfx"]
DEFAULT_ALPHA = 10.0

#: The first feature set of chapter 5, before the design was iterated while watching grouped-CV scores
#: (reconstructed from the chapter's account): one-hot metal state, equatorial and axial ligands and the
#: HFX fraction, without the donor-atom counts, the homoleptic flag and the shared oxidation-state column.
PRE_DESIGN_BLOCKS = ("metal", "eq", "ax", "hfx")


def _restricted(candidates: dict, blocks) -> dict:
    """The candidates' pairs among ``blocks`` only; a step that adds nothing there is dropped."""
    out: dict[str, tuple[tuple[str, str], ...]] = {}
    for name, pairs in candidates.items():
        kept = tuple(pair for pair in pairs if set(pair) <= set(blocks))
        if kept not in out.values():
            out[name] = kept
    return out


#: The interaction candidates that exist on the pre-design columns (nested, as :data:`CANDIDATE_INTERACTIONS`).
PRE_DESIGN_CANDIDATES = _restricted(CANDIDATE_INTERACTIONS, PRE_DESIGN_BLOCKS)


def spin_splitting_model(
    *, interactions=DEFAULT_INTERACTIONS, alpha: float = DEFAULT_ALPHA, blocks=None, standardize: bool = False
) -> Pipeline:
    """The chapter's multilinear model, unfitted: ``ComplexEncoder`` → ``MultilinearRegressor``.

    ``interactions``: block pairs (see :meth:`ComplexEncoder.interaction_pairs`), default
    :data:`DEFAULT_INTERACTIONS`; ``alpha``: the ridge penalty (default :data:`DEFAULT_ALPHA`);
    ``blocks``: the encoder's blocks of columns (default None: all); ``standardize``: ridge on columns
    divided by their training standard deviation (default False: on the kcal/mol-scale columns). ``fit``
    takes the loader's DataFrame and ΔE(H−L) in kcal/mol; ``predict`` returns kcal/mol.
    """
    if not (np.isscalar(alpha) and float(alpha) > 0):
        raise ValueError(f"alpha must be a positive number, got {alpha!r}")
    # the pairs are drawn at fit from the columns the fitted encoder outputs, so they follow its vocabularies
    rule = BlockPairs(*interactions) if len(interactions) else None
    model = MultilinearRegressor(
        interactions=rule, penalty="ridge", alphas=(float(alpha),), standardize=bool(standardize)
    )
    return Pipeline([("encode", ComplexEncoder(blocks=blocks)), ("model", model)])


# ----------------------------------------------------------------------------- fast ridge CV
def _design(Xe: pd.DataFrame, interactions, blocks=None) -> np.ndarray:
    """Main columns + products of the blocks' columns, without the columns that are zero in every row."""
    enc = ComplexEncoder(blocks=blocks)
    index = {c: i for i, c in enumerate(Xe.columns)}
    pairs = np.array([(index[a], index[b]) for a, b in enc.interaction_pairs(*interactions)], dtype=np.intp).reshape(
        -1, 2
    )
    X = Xe.to_numpy(dtype=np.float64)
    Z = np.hstack([X, pair_products(X, pairs)]) if len(pairs) else X
    return Z[:, np.any(Z != 0, axis=0)]  # products of never co-occurring columns are all zero


def _ridge_path(Ztr, ytr, Zva, alphas, standardize: bool = False) -> np.ndarray:
    """Validation predictions of ridge (with intercept) for every penalty, shape (n_va, n_alphas): one
    :class:`~helpers.linear.RidgeSpectrum` of the training design serves all penalties. With
    ``standardize`` the columns are divided by their training standard deviation first (as
    ``MultilinearRegressor(standardize=True)`` does)."""
    keep = np.any(Ztr != 0, axis=0)  # a column that is zero in training gets no weight
    Ztr, Zva = Ztr[:, keep], Zva[:, keep]
    if standardize:
        scale = _column_std(Ztr)
        Ztr, Zva = Ztr / scale, Zva / scale
    return RidgeSpectrum(Ztr, ytr).predict(Zva, alphas)


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
    blocks : the encoder's blocks of columns (default None: all; see :class:`ComplexEncoder`).
    standardize : ridge on standardised columns (default False; see :func:`spin_splitting_model`).

    The criterion is the validation MAE (kcal/mol) over all rows; each candidate gets its best penalty.
    After ``fit``: ``best_candidate_``, ``alpha_``, ``best_mae_`` (CV MAE, kcal/mol), ``cv_results_`` (candidate,
    alpha, mae, se) and ``best_estimator_`` (the recipe refitted on all rows).
    """

    def __init__(
        self,
        candidates=None,
        alphas=None,
        cv: int = 5,
        n_repeats: int = 2,
        rule: str = "1se",
        random_state=0,
        blocks=None,
        standardize: bool = False,
    ):
        self.candidates = candidates
        self.alphas = alphas
        self.cv = cv
        self.n_repeats = n_repeats
        self.rule = rule
        self.random_state = random_state
        self.blocks = blocks
        self.standardize = standardize

    def fit(self, X, y, groups=None):
        """Choose (candidate, alpha) by CV on ``X, y`` (grouped if ``groups`` is given) and refit."""
        candidates = CANDIDATE_INTERACTIONS if self.candidates is None else dict(self.candidates)
        alphas = np.asarray(SPIN_SPLITTING_ALPHAS if self.alphas is None else self.alphas, dtype=np.float64)
        if not candidates or alphas.size == 0 or np.any(alphas <= 0):
            raise ValueError("need at least one candidate and a list of positive penalties")
        y = np.asarray(y, dtype=np.float64).ravel()
        if len(y) != len(X):
            raise ValueError(f"X has {len(X)} rows but y has {len(y)} values")
        Xe = ComplexEncoder(blocks=self.blocks).fit_transform(X)
        if groups is not None:
            groups = np.asarray(groups)
            if len(groups) != len(y):
                raise ValueError(f"groups has {len(groups)} labels for {len(y)} rows")
        if int(self.n_repeats) < 1:
            raise ValueError(f"n_repeats must be a positive integer, got {self.n_repeats!r}")
        seed = 0 if self.random_state is None else int(self.random_state)
        folds = []
        for r in range(int(self.n_repeats)):  # repeated CV: a steadier choice than one random partition
            folds += list(kfold(self.cv, groups=groups, random_state=seed + r).split(Xe, y, groups))
        rows = []
        for name, blocks in candidates.items():
            Z = _design(Xe, blocks, self.blocks)
            fold_err = np.array(
                [
                    np.abs(_ridge_path(Z[tr], y[tr], Z[va], alphas, bool(self.standardize)) - y[va][:, None]).mean(
                        axis=0
                    )
                    for tr, va in folds
                ]
            )  # (n_folds, n_alphas)
            sizes = np.array([len(va) for _, va in folds], dtype=np.float64)
            mean = sizes @ fold_err / sizes.sum()  # MAE over all validation rows
            se = fold_err.std(axis=0, ddof=1) / np.sqrt(len(folds)) if len(folds) > 1 else np.zeros(len(alphas))
            rows += [
                {"candidate": name, "alpha": float(a), "mae": float(m), "se": float(e)}
                for a, m, e in zip(alphas, mean, se, strict=True)
            ]
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
        self.best_mae_ = float(per_cand.loc[best, "mae"])
        self.interactions_ = candidates[self.best_candidate_]
        self.best_estimator_ = spin_splitting_model(
            interactions=self.interactions_, alpha=self.alpha_, blocks=self.blocks, standardize=bool(self.standardize)
        ).fit(X, y)
        return self

    def predict(self, X):
        """ΔE(H−L) in kcal/mol from the refitted recipe."""
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_.predict(X)


def pre_design_cv(**params) -> SpinSplittingCV:
    """Chapter 5's first multilinear model, before its features were iterated, as an unfitted
    :class:`SpinSplittingCV`: the :data:`PRE_DESIGN_BLOCKS` columns, :data:`PRE_DESIGN_CANDIDATES`, ridge on
    standardised columns, one inner partition and the candidate with the lowest CV error (``rule="min"``).

    ``params`` override any of these (e.g. ``cv``, ``random_state``). Reconstructed from the chapter's account
    of its exploratory runs; the exploratory code itself was not kept.
    """
    settings = dict(
        candidates=PRE_DESIGN_CANDIDATES, blocks=PRE_DESIGN_BLOCKS, standardize=True, n_repeats=1, rule="min"
    )
    settings.update(params)
    return SpinSplittingCV(**settings)
