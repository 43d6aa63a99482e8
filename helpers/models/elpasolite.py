"""The elpasolite recipe (chapter 04): the chapter's final, UNFITTED multilinear model of the formation
energy of ABC2D6 elpasolites {cite:p}`faber2016`.

:func:`elpasolite_model` returns an sklearn ``Pipeline`` whose ``fit(df, y)``/``predict(df)`` take a
DataFrame with the element symbols in columns ``A``, ``B``, ``C``, ``D`` (as
``helpers.data.load_elpasolites()`` returns) and the formation energy in eV/atom::

    from helpers import data
    from helpers.models import elpasolite_model
    elp = data.load_elpasolites()
    model = elpasolite_model().fit(elp, elp["formation_energy_eV_per_atom"])
    model.predict(elp.head())                              # eV/atom
    model[-1].terms_table()                                # the fitted terms, in eV/atom

The model (:class:`helpers.featurize.elpasolite.SiteSplineBasis` → :class:`helpers.linear.MultilinearRegressor`):

- main effects: one column per (site, element), ``"D=F"``, plus cubic B-splines of each element's
  row, main-group column, electronegativity, radius, first ionisation energy and electron affinity on
  each site (``"C:radius#2"``);
- interactions: every product of a spline of one site with a spline of another site
  (``"C:radius#2 & D:electronegativity#1"``), i.e. a tensor-product spline of each pair of sites; no
  interaction involves a one-hot column, so the pair terms are smooth in the periodic table;
- A and B share one block (``"AB=Ca"`` counts the element on either site), so swapping A and B leaves
  every prediction unchanged;
- the pipeline passes pandas frames between its steps, and the pair rule
  (:class:`helpers.featurize.elpasolite.SitePairs`) is applied at ``fit`` to the encoder's actual
  columns, so the term names and pairs always follow the encoder's parameters;
- ridge penalty chosen by exact leave-one-out cross-validation on the training rows
  (:class:`helpers.linear.GramRidgeCV`, one eigendecomposition of the terms × terms Gram matrix).

The choice of basis (these six properties, four knots, smooth rather than one-hot pairs) was made on the
training rows only, by their leave-one-out error (chapter 04 shows the comparison). Its history: a first
basis of four properties (row, column, electronegativity, radius) missed the kernel baseline, and
ionisation energy and electron affinity were then added. :func:`elpasolite_onehot_model` is the paper's
own form (one-hot site terms and one-hot site–site pairs) for comparison; :func:`pair_penalty_loo`
checks whether a separate penalty for the pair terms would lower the leave-one-out error.

The fitted recipe, rewritten as one table per site and one per pair of sites (a prediction is then ten
look-ups), is its **table view**: :func:`site_tables` (:class:`SiteTables`), from which
:func:`site_effect` (the contribution of each element on one site, averaged over crystals; with
bootstrap intervals and training counts, :func:`site_effect_table`),
:func:`purify` with :func:`site_weights` (the functional-ANOVA rewrite that makes the split into site and
pair terms unique) and :func:`site_contributions` (one bar per site and per pair of one crystal). Scoring
the whole elpasolite space with those tables is :mod:`helpers.elpasolite_screening`.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from helpers.featurize.elpasolite import (
    SITES,
    SiteEncoder,
    SiteOneHot,
    SitePairs,
    SiteSplineBasis,
    site_codes,
    site_counts,
)
from helpers.linear import GramRidgeCV, MultilinearRegressor, local_contributions, transform_terms

__all__ = [
    "elpasolite_model",
    "elpasolite_onehot_model",
    "ELPASOLITE_PROPERTIES",
    "ELPASOLITE_TARGET",
    "grouped_contributions",
    "pair_penalty_loo",
    "SiteTables",
    "site_tables",
    "site_model_parts",
    "site_effect",
    "site_effect_table",
    "site_weights",
    "purify",
    "site_contributions",
    "SITE_PAIRS",
]

#: The six pairs of sites, in the order of :attr:`SiteTables.pair`.
SITE_PAIRS = tuple(combinations(SITES, 2))

#: Element properties whose splines make the per-site basis of the recipe.
ELPASOLITE_PROPERTIES = ("row", "column", "electronegativity", "radius", "ionization_energy", "electron_affinity")
#: Column of ``data.load_elpasolites()`` the recipe is made for (eV/atom).
ELPASOLITE_TARGET = "formation_energy_eV_per_atom"
#: Ridge penalties searched (on standardised terms).
ALPHAS = tuple(np.logspace(-4, 3, 15))


def elpasolite_model(
    *,
    properties=ELPASOLITE_PROPERTIES,
    n_knots: int = 4,
    interactions: bool = True,
    symmetric_ab: bool = True,
    n_bootstrap: int = 0,
    random_state: int = 0,
) -> Pipeline:
    """The chapter's multilinear model of elpasolite formation energies, unfitted.

    Parameters
    ----------
    properties : element properties of :func:`helpers.featurize.elpasolite.element_table` whose cubic
        B-splines are the smooth basis functions of each site (default :data:`ELPASOLITE_PROPERTIES`).
    n_knots : number of uniform spline knots per property (default 4).
    interactions : ``True`` (default): the tensor-product pair terms between sites; ``False``: main
        effects only (site–element terms), the model without site–site interactions.
    symmetric_ab : ``True`` (default): A and B share one block, so swapping them leaves predictions
        unchanged; ``False``: separate A and B blocks (to measure what the symmetry costs or buys).
    n_bootstrap : bootstrap refits for coefficient intervals (``MultilinearRegressor.n_bootstrap``).
    random_state : seed of the bootstrap.

    Returns a ``Pipeline`` of ``("sites", SiteSplineBasis)`` and ``("multilinear", MultilinearRegressor)``.
    """
    encoder = SiteSplineBasis(
        properties=tuple(properties), n_knots=n_knots, symmetric_ab=symmetric_ab, sparse_output=False
    )
    # the terms are named after, and paired from, the columns the FITTED encoder outputs (pandas output),
    # so set_params(sites__...) or a grid search over the encoder keeps names and pairs right
    regressor = MultilinearRegressor(
        interactions=SitePairs() if interactions else None,
        alphas=ALPHAS,
        n_bootstrap=n_bootstrap,
        random_state=random_state,
    )
    return Pipeline([("sites", encoder), ("multilinear", regressor)]).set_output(transform="pandas")


def elpasolite_onehot_model(*, interactions: bool = True, random_state: int = 0) -> Pipeline:
    """The paper's own form of the elpasolite model, unfitted: one-hot site–element terms and, with
    ``interactions=True``, one-hot site–site pairs (a coefficient for every pair of elements on every
    pair of sites seen in training).

    Same interface as :func:`elpasolite_model` (a ``Pipeline`` taking the A, B, C, D frame; A and B share
    one block, so swapping them leaves predictions unchanged), but with no smooth basis: an element, or a
    pair of elements, never seen on its site(s) in training gets no coefficient of its own. The design is
    sparse (:class:`~helpers.featurize.elpasolite.SiteOneHot`), so the ridge penalty is chosen by
    shuffled 5-fold cross-validation on the training rows (seeded by ``random_state``), not by the
    leave-one-out formula of the dense recipe, which would need a terms × terms eigendecomposition of
    several thousand pair terms.
    """
    encoder = SiteOneHot()
    regressor = MultilinearRegressor(
        interactions=SitePairs(one_hot=True) if interactions else None,
        alphas=ALPHAS,
        feature_names=encoder.column_names(),  # sparse output carries no column names
        random_state=random_state,
    )
    return Pipeline([("sites", encoder), ("multilinear", regressor)])


def grouped_contributions(estimator, X, *, row: int = 0) -> pd.DataFrame:
    """Contributions of one crystal summed by site (main effects) and by pair of sites (interactions).

    ``estimator`` is a fitted :func:`elpasolite_model` (or any Pipeline of a site encoder and a
    multilinear model), ``X`` a frame with columns A, B, C, D and ``row`` a position in it. Returns the
    tidy frame of :func:`helpers.linear.local_contributions` (term, kind, contribution) with one row per
    group: ``"D (main)"``, ``"C × D (pairs)"``, ``"AB × AB (pairs)"`` (products within the A/B block: the
    A–B interaction and products of one element's own basis functions), … and the intercept; the
    contributions still sum to the prediction.
    """
    parts = site_model_parts(estimator)
    if parts is None:
        raise TypeError(
            "grouped_contributions needs a fitted Pipeline of a site encoder and a "
            f"MultilinearRegressor (as elpasolite_model() returns), got {estimator!r}"
        )
    enc, reg = parts
    blocks = enc.feature_blocks_  # the block of every input column, from the fitted encoder
    labels = [
        f"{blocks[f[0]]} (main)" if kind == "main" else f"{blocks[f[0]]} × {blocks[f[1]]} (pairs)"
        for f, kind in zip(reg.term_features_, reg.term_kinds_, strict=True)
    ] + ["intercept"]
    local = local_contributions(estimator, X, row=row)
    local = local.assign(term=labels)
    out = local.groupby(["term", "kind"], sort=False, as_index=False)["contribution"].sum()
    return out


def pair_penalty_loo(estimator, X, y, *, pair_weights=(0.5, 1.0, 2.0)) -> pd.DataFrame:
    """Leave-one-out error of a fitted recipe refitted with a separate penalty for its pair terms.

    The recipe penalises every standardised term by the same ``alpha``. Multiplying the standardised pair
    columns by a weight ``w`` before the ridge fit is the same as penalising the pair coefficients by
    ``alpha / w²`` and the main effects by ``alpha``: ``w > 1`` lets the interactions move more freely,
    ``w < 1`` shrinks them harder. For each weight, the penalty is chosen again by exact leave-one-out
    (:class:`helpers.linear.GramRidgeCV`, over the recipe's ``alphas``) on ``X``, ``y`` (the rows the
    estimator was fitted on); ``w = 1`` reproduces the recipe.

    Returns a DataFrame, one row per weight: ``pair_weight``, ``alpha`` (chosen), ``loo_rmse`` (root of
    the mean squared leave-one-out error, in the units of ``y``).
    """
    parts = site_model_parts(estimator)
    if parts is None:
        raise TypeError(
            "pair_penalty_loo needs a fitted Pipeline of a site encoder and a MultilinearRegressor "
            f"(as elpasolite_model() returns), got {estimator!r}"
        )
    reg = parts[1]
    check_is_fitted(reg, "coef_")
    weights = np.asarray(pair_weights, dtype=np.float64).ravel()
    if weights.size == 0 or not np.all(np.isfinite(weights) & (weights > 0)):
        raise ValueError(f"pair_weights must be a non-empty list of positive numbers, got {pair_weights!r}")
    Z = transform_terms(estimator, X) / reg.scale_
    pair = np.asarray(reg.term_kinds_) == "pair"
    alphas = np.asarray(ALPHAS if reg.alphas is None else reg.alphas, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).ravel()
    rows = []
    for w in weights:
        Zw = Z.copy()
        Zw[:, pair] *= w
        cv = GramRidgeCV(alphas=alphas).fit(Zw, y)
        rows.append({"pair_weight": float(w), "alpha": cv.alpha_, "loo_rmse": float(np.sqrt(cv.cv_mse_.min()))})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- look-up tables
@dataclass(frozen=True)
class SiteTables:
    """A fitted recipe as tables: ``predict = intercept + Σ_s unary[s][e_s] + Σ_(s,t) pair[(s,t)][e_s, e_t]``.

    ``elements`` index the tables (eV/atom, or the units of the target). ``unary[s]`` holds the terms of
    one site alone (its main effects and the products of its own basis functions), ``pair[(s, t)]``
    every product of a basis function of site ``s`` with one of site ``t`` (``s`` before ``t`` in A, B,
    C, D).
    """

    elements: tuple[str, ...]
    intercept: float
    unary: dict
    pair: dict

    def predict_codes(self, codes: dict) -> np.ndarray:
        """Predictions for integer codes (one array per site), by 4 + 6 table look-ups per crystal."""
        n = len(self.elements)
        out = np.full(len(codes["A"]), self.intercept)
        for s in SITES:
            out += self.unary[s].take(codes[s])
        for s, t in SITE_PAIRS:
            out += self.pair[(s, t)].ravel().take(codes[s] * n + codes[t])
        return out


def site_model_parts(estimator):
    """``(site encoder, MultilinearRegressor)`` of a ``Pipeline`` of exactly those two steps (the recipe's
    form, which :func:`site_tables` can rewrite as tables), else None."""
    steps = getattr(estimator, "steps", None)
    if (
        not steps
        or len(steps) != 2
        or not isinstance(steps[0][1], SiteEncoder)
        or not isinstance(steps[-1][1], MultilinearRegressor)
    ):
        return None
    return steps[0][1], steps[-1][1]


def site_tables(estimator, *, coef=None, intercept=None) -> SiteTables:
    """Rewrite a fitted ``Pipeline(site encoder, MultilinearRegressor)`` (e.g. ``elpasolite_model()``) as tables.

    Every site encoder of :mod:`helpers.featurize.elpasolite` sums one row of a per-element table per
    site, ``x = Σ_s F_s[e_s]``, and the model is ``a0 + w·x + xᵀ M x`` (``M`` holds the pair
    coefficients), so ``xᵀ M x = Σ_s Σ_t F_s[e_s] M F_t[e_t]ᵀ`` splits into 39 × 39 tables per pair of
    sites. ``coef``/``intercept`` replace the fitted ones (e.g. a bootstrap replicate's).
    """
    parts = site_model_parts(estimator)
    if parts is None:
        raise TypeError(
            "site_tables needs a fitted Pipeline of a site encoder from helpers.featurize.elpasolite "
            f"and a MultilinearRegressor (as models.elpasolite_model() returns), got {estimator!r}"
        )
    enc, reg = parts
    check_is_fitted(enc, "feature_names_")
    check_is_fitted(reg, "coef_")
    coef = reg.coef_ if coef is None else np.asarray(coef, dtype=np.float64)
    icpt = reg.intercept_ if intercept is None else float(intercept)
    p = len(enc.feature_names_)
    n = len(enc.elements_)
    F = {}
    for s in SITES:
        blk = enc.block_of_site(s)
        Fs = np.zeros((n, p))
        Fs[:, enc.block_columns_[blk]] = enc.element_features(blk)
        F[s] = Fs
    w = coef[:p]
    M = (
        sp.csr_matrix((coef[p:], (reg.pairs_[:, 0], reg.pairs_[:, 1])), shape=(p, p))
        if len(reg.pairs_)
        else sp.csr_matrix((p, p))
    )
    FM = {s: np.asarray((M.T @ F[s].T).T) for s in SITES}  # F_s M, (n, p)
    unary = {s: F[s] @ w + np.einsum("ij,ij->i", FM[s], F[s]) for s in SITES}
    pair = {(s, t): FM[s] @ F[t].T + (FM[t] @ F[s].T).T for s, t in SITE_PAIRS}
    return SiteTables(elements=tuple(enc.elements_), intercept=float(icpt), unary=unary, pair=pair)


def site_effect(estimator, X, *, site: str = "D", reference: str = "F", tables: SiteTables | None = None) -> pd.Series:
    """Contribution of each element on ``site``, averaged over the crystals of ``X`` (a frame A, B, C, D).

    For element ``e``: the mean over the rows of ``X`` of the prediction with ``e`` put on ``site``,
    minus the same for ``reference`` (a partial dependence; for a model of main effects only, exactly
    the difference of the two site coefficients). Returns a Series indexed by element (target units).
    """
    if site not in SITES:
        raise ValueError(f"unknown site {site!r}; the sites are {', '.join(SITES)}")
    tab = tables if tables is not None else site_tables(estimator)
    if reference not in tab.elements:
        raise ValueError(f"unknown reference element {reference!r}; known: {', '.join(tab.elements)}")
    codes = site_codes(X, tab.elements)
    n = len(tab.elements)
    base = np.full(len(X), tab.intercept)
    for s in SITES:
        if s != site:
            base += tab.unary[s][codes[s]]
    for s, t in SITE_PAIRS:
        if site not in (s, t):
            base += tab.pair[(s, t)][codes[s], codes[t]]
    pd_values = np.empty(n)
    for e in range(n):
        v = base + tab.unary[site][e]
        for s, t in SITE_PAIRS:
            if s == site:
                v = v + tab.pair[(s, t)][e, codes[t]]
            elif t == site:
                v = v + tab.pair[(s, t)][codes[s], e]
        pd_values[e] = v.mean()
    out = pd.Series(pd_values, index=pd.Index(tab.elements, name="element"), name=f"{site} effect")
    return out - out[reference]


def site_effect_table(estimator, X, *, site: str = "D", reference: str = "F", confidence: float = 0.95) -> pd.DataFrame:
    """:func:`site_effect` of every element with its bootstrap interval and training count, one row each.

    ``estimator`` is a fitted :func:`elpasolite_model` (``n_bootstrap`` > 0 for intervals; without
    refits they are NaN), ``X`` the frame (A, B, C, D) the effects are averaged over, usually its
    training crystals. Columns: ``element``; ``value``, the contribution of the element on ``site``
    against ``reference`` (eV/atom); ``ci_low``/``ci_high``, the ``confidence`` percentile interval of
    the same quantity over the bootstrap refits; ``n_train``, how many rows of ``X`` hold the element on
    ``site`` (A and B: either of them). The chart builder is
    :func:`helpers.plots.periodic_table_chart`.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence!r}")
    effect = site_effect(estimator, X, site=site, reference=reference)
    reg = site_model_parts(estimator)[1]
    boots = getattr(reg, "bootstrap_coefs_", None)
    tail = 100 * (1 - confidence) / 2
    if boots is not None and len(boots):
        draws = np.array(
            [
                site_effect(
                    estimator, X, site=site, reference=reference, tables=site_tables(estimator, coef=c, intercept=0)
                )
                for c in boots
            ]
        )
        low, high = np.percentile(draws, tail, axis=0), np.percentile(draws, 100 - tail, axis=0)
    else:
        low = high = np.full(len(effect), np.nan)
    on_site = X[site] if site in ("C", "D") else pd.concat([X["A"], X["B"]])
    counts = on_site.value_counts().reindex(effect.index, fill_value=0)
    return pd.DataFrame(
        {
            "element": effect.index,
            "value": effect.to_numpy(),
            "ci_low": low,
            "ci_high": high,
            "n_train": counts.to_numpy(),
        }
    )


# ----------------------------------------------------------------------------- a unique breakdown
def site_weights(frame: pd.DataFrame, elements) -> dict[str, np.ndarray]:
    """How often each element of ``elements`` sits on each site in ``frame`` (columns A, B, C, D), as
    probabilities per site. A and B are one site class: both get the pooled frequencies of A and B."""
    counts = site_counts(site_codes(frame, tuple(elements)), len(elements))
    return {s: v / v.sum() for s, v in counts.items()}


def purify(tables: SiteTables, weights: dict) -> SiteTables:
    """The same model, rewritten so that its breakdown into site and pair terms is unique.

    A prediction ``intercept + Σ_s unary[s][e_s] + Σ_(s,t) pair[(s,t)][e_s, e_t]`` can move any function
    of one site between a pair table and a site table, so the split of a prediction into site and pair
    terms is arbitrary. Purification (the functional-ANOVA decomposition, as in Lengerich et al.'s
    "purifying interaction effects") fixes it: with element probabilities ``weights[s]`` on each site
    (e.g. :func:`site_weights` of the training crystals), every pair table gets zero weighted mean over
    either of its sites and every site table zero weighted mean, the removed means moving to the site
    tables and the intercept. Predictions are unchanged (to round-off). The intercept is then the mean
    prediction over crystals drawn site by site from ``weights``, a site term the effect of an element
    against that average, and a pair term what the two elements do together beyond their site terms.
    Under a product of per-site weights one pass is exact.
    """
    n = len(tables.elements)
    w = {}
    for site in SITES:
        v = np.asarray(weights[site], dtype=np.float64)
        if v.shape != (n,) or np.any(~np.isfinite(v)) or np.any(v < 0) or v.sum() <= 0:
            raise ValueError(
                f"weights[{site!r}] must be {n} non-negative numbers (one per element of the "
                f"tables) with a positive sum"
            )
        w[site] = v / v.sum()
    unary = {site: np.array(tables.unary[site], dtype=np.float64) for site in SITES}
    intercept = float(tables.intercept)
    pair = {}
    for s, t in SITE_PAIRS:
        P = np.asarray(tables.pair[(s, t)], dtype=np.float64)
        rows, cols = P @ w[t], w[s] @ P  # weighted means over site t, over site s
        grand = float(w[s] @ rows)
        pair[(s, t)] = P - rows[:, None] - cols[None, :] + grand
        unary[s] += rows
        unary[t] += cols
        intercept -= grand
    for site in SITES:
        mean = float(w[site] @ unary[site])
        unary[site] -= mean
        intercept += mean
    return SiteTables(elements=tables.elements, intercept=intercept, unary=unary, pair=pair)


def site_contributions(tables: SiteTables, frame: pd.DataFrame, *, row: int = 0) -> pd.DataFrame:
    """Breakdown of ONE crystal of ``frame`` (position ``row``) by the tables: one term per site
    (``"D = F"``), one per pair of sites (``"C × D: Cs–F"``) and the intercept, in the tidy format of
    :func:`helpers.linear.local_contributions` (term, kind = main/pair/intercept, contribution), which
    :func:`helpers.plots.contributions_chart` draws. The contributions sum to the prediction; use
    :func:`purify` first to make the split unique."""
    codes = site_codes(frame.iloc[[row]], tables.elements)
    els = {s: tables.elements[int(codes[s][0])] for s in SITES}
    terms, kinds, values = [], [], []
    for s in SITES:
        terms.append(f"{s} = {els[s]}")
        kinds.append("main")
        values.append(float(tables.unary[s][codes[s][0]]))
    for s, t in SITE_PAIRS:
        terms.append(f"{s} × {t}: {els[s]}–{els[t]}")
        kinds.append("pair")
        values.append(float(tables.pair[(s, t)][codes[s][0], codes[t][0]]))
    terms.append("intercept")
    kinds.append("intercept")
    values.append(float(tables.intercept))
    return pd.DataFrame({"term": terms, "kind": kinds, "contribution": values})
