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
training rows only, by their leave-one-out error (chapter 04 shows the comparison).

The fitted recipe, rewritten as one table per site and one per pair of sites (a prediction is then ten
look-ups), is its **table view**: :func:`site_tables` (:class:`SiteTables`), from which
:func:`site_effect` (the contribution of each element on one site, averaged over crystals),
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

from helpers.featurize.elpasolite import SITES, SiteEncoder, SitePairs, SiteSplineBasis, site_codes, site_counts
from helpers.linear import MultilinearRegressor, local_contributions

__all__ = [
    "elpasolite_model",
    "ELPASOLITE_PROPERTIES",
    "ELPASOLITE_TARGET",
    "grouped_contributions",
    "SiteTables",
    "site_tables",
    "site_model_parts",
    "site_effect",
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
