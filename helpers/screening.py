"""Screening the elpasolite space: enumerate every ABC2D6, score it with a fitted model by table look-ups,
and flag the candidates a chemist can trust (chapter 04, claims C8 and C13-3 of Allen & Tkatchenko).

- :func:`enumerate_elpasolites` — every A B C2 D6 of a list of elements, as integer codes (vectorised);
- :func:`site_tables` — a fitted elpasolite recipe (site encoder → multilinear model) rewritten as one
  table per site and one per pair of sites, so that a prediction is ten look-ups;
- :func:`score` — predictions for a whole space (look-ups for the recipe, ``predict`` in chunks for any
  other estimator that takes the A, B, C, D frame);
- :func:`site_effect` — the contribution of each element on one site, averaged over a set of crystals;
- :func:`purify` and :func:`site_contributions` — the same tables rewritten so that every site term is
  centred and every pair term is a pure interaction (a functional ANOVA), and the resulting
  one-bar-per-site / one-bar-per-pair breakdown of a prediction;
- :func:`pair_counts`, :func:`charge_balanced`, :func:`candidates` — the flags of a candidate list:
  how often each of its site–element pairs was seen in training, whether pymatgen finds a charge-
  balanced assignment of oxidation states, and whether (with which DFT energy) it is in the data.

**A/B convention.** A (4a) and B (4b) are equivalent octahedral sites, so A B C2 D6 and B A C2 D6 are one
crystal. ``ab="unordered"`` (the default) lists each crystal once, with A the element of LOWER atomic
number (A = B allowed only with ``distinct=False``); ``ab="ordered"`` lists both orders, which is how
Faber et al. count "about 2 million" (39·38·37·36 = 1,974,024 for four distinct elements of 39).
"""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.utils.validation import check_is_fitted

from helpers.featurize.base import require_columns
from helpers.featurize.elpasolite import SITES, _SiteEncoder, element_table
from helpers.linear import MultilinearRegressor

__all__ = ["ElpasoliteSpace", "SiteTables", "enumerate_elpasolites", "site_tables", "score", "site_effect",
           "site_weights", "purify", "site_contributions", "pair_counts", "charge_balanced", "candidates",
           "SITE_PAIRS"]

#: The six pairs of sites, in the order of :attr:`SiteTables.pair`.
SITE_PAIRS = tuple(combinations(SITES, 2))
_SOURCE = "helpers.data.load_elpasolites()"


# ----------------------------------------------------------------------------- the space
@dataclass(frozen=True)
class ElpasoliteSpace:
    """A list of A B C2 D6 crystals as integer codes into ``elements`` (ordered by atomic number).

    ``codes[s]`` is the code array of site ``s`` (``"A"``, ``"B"``, ``"C"``, ``"D"``), ``ab`` the A/B
    convention and ``distinct`` whether the four elements differ. :meth:`frame` materialises rows.
    """

    elements: tuple[str, ...]
    codes: dict = field(repr=False)
    ab: str = "unordered"
    distinct: bool = True

    def __len__(self) -> int:
        return len(self.codes["A"])

    def frame(self, rows=None) -> pd.DataFrame:
        """DataFrame with columns ``formula``, ``A``, ``B``, ``C``, ``D`` of ``rows`` (positions; default all)."""
        rows = np.arange(len(self)) if rows is None else np.asarray(rows)
        els = np.asarray(self.elements, dtype=object)
        df = pd.DataFrame({s: els[self.codes[s][rows]] for s in SITES}, index=rows)
        df.insert(0, "formula", df.A + df.B + df.C + "2" + df.D + "6")
        return df


def _by_atomic_number(elements) -> tuple[str, ...]:
    els = [str(e) for e in elements]
    if len(els) < 4 or len(set(els)) != len(els):
        raise ValueError(f"need at least 4 distinct element symbols, got {els!r}")
    table = element_table(tuple(els))
    return tuple(table.sort_values("Z").index)


def enumerate_elpasolites(elements, *, distinct: bool = True, ab: str = "unordered") -> ElpasoliteSpace:
    """Every A B C2 D6 of ``elements`` (main-group symbols), vectorised.

    ``distinct=True``: the four sites hold four different elements (as in Faber et al.'s data);
    ``False``: repeats allowed (e.g. F F Ba2 F6). ``ab``: ``"unordered"`` (each crystal once, A lighter
    than B, or A = B) or ``"ordered"`` (both orders). Counts for n elements: distinct ordered
    n(n−1)(n−2)(n−3), distinct unordered half of it; repeats ordered n⁴, unordered n²·n(n+1)/2.
    """
    if ab not in ("unordered", "ordered"):
        raise ValueError(f"ab must be 'unordered' or 'ordered', got {ab!r}")
    els = _by_atomic_number(elements)
    n = len(els)
    a, b, c, d = (g.ravel() for g in np.indices((n,) * 4, dtype=np.int16))
    keep = np.ones(a.shape, dtype=bool)
    if ab == "unordered":
        keep &= (a < b) if distinct else (a <= b)
    if distinct:
        keep &= (a != b) & (a != c) & (a != d) & (b != c) & (b != d) & (c != d)
    codes = {s: np.ascontiguousarray(v[keep], dtype=np.intp) for s, v in zip(SITES, (a, b, c, d), strict=True)}
    return ElpasoliteSpace(elements=els, codes=codes, ab=ab, distinct=distinct)


def _codes_of(frame: pd.DataFrame, elements) -> dict[str, np.ndarray]:
    require_columns(frame, SITES, source=_SOURCE)
    index = pd.Index(elements)
    out = {}
    for s in SITES:
        code = index.get_indexer(frame[s].astype(str).to_numpy())
        if np.any(code < 0):
            bad = sorted(set(frame[s].astype(str).to_numpy()[code < 0]))
            raise ValueError(f"unknown element(s) {bad} on site {s}; known: {', '.join(elements)}")
        out[s] = code.astype(np.intp)
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


def _recipe_parts(estimator):
    steps = getattr(estimator, "steps", None)
    if not steps or len(steps) != 2 or not isinstance(steps[0][1], _SiteEncoder) \
            or not isinstance(steps[-1][1], MultilinearRegressor):
        return None
    return steps[0][1], steps[-1][1]


def site_tables(estimator, *, coef=None, intercept=None) -> SiteTables:
    """Rewrite a fitted ``Pipeline(site encoder, MultilinearRegressor)`` (e.g. ``elpasolite_model()``) as tables.

    Every site encoder of :mod:`helpers.featurize.elpasolite` sums one row of a per-element table per
    site, ``x = Σ_s F_s[e_s]``, and the model is ``a0 + w·x + xᵀ M x`` (``M`` holds the pair
    coefficients), so ``xᵀ M x = Σ_s Σ_t F_s[e_s] M F_t[e_t]ᵀ`` splits into 39 × 39 tables per pair of
    sites. ``coef``/``intercept`` replace the fitted ones (e.g. a bootstrap replicate's).
    """
    parts = _recipe_parts(estimator)
    if parts is None:
        raise TypeError("site_tables needs a fitted Pipeline of a site encoder from helpers.featurize.elpasolite "
                        f"and a MultilinearRegressor (as models.elpasolite_model() returns), got {estimator!r}")
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
    M = sp.csr_matrix((coef[p:], (reg.pairs_[:, 0], reg.pairs_[:, 1])), shape=(p, p)) if len(reg.pairs_) \
        else sp.csr_matrix((p, p))
    FM = {s: np.asarray((M.T @ F[s].T).T) for s in SITES}   # F_s M, (n, p)
    unary = {s: F[s] @ w + np.einsum("ij,ij->i", FM[s], F[s]) for s in SITES}
    pair = {(s, t): FM[s] @ F[t].T + (FM[t] @ F[s].T).T for s, t in SITE_PAIRS}
    return SiteTables(elements=tuple(enc.elements_), intercept=float(icpt), unary=unary, pair=pair)


def score(estimator, space, *, tables: SiteTables | None = None, chunk: int = 50_000) -> np.ndarray:
    """Predictions of ``estimator`` for every crystal of ``space`` (an :class:`ElpasoliteSpace` or a frame
    with columns A, B, C, D), in the units of the target (eV/atom for the recipe).

    A recipe (site encoder → multilinear model) is scored by :func:`site_tables` look-ups (pass ``tables``
    to reuse them); any other estimator taking the A, B, C, D frame is called on ``chunk`` rows at a time.
    """
    parts = _recipe_parts(estimator)
    if parts is not None or tables is not None:
        tab = tables if tables is not None else site_tables(estimator)
        if isinstance(space, ElpasoliteSpace):
            if space.elements == tab.elements:
                codes = space.codes
            else:
                codes = _codes_of(space.frame(), tab.elements)
        else:
            codes = _codes_of(space, tab.elements)
        return tab.predict_codes(codes)
    n = len(space)
    out = np.empty(n)
    for start in range(0, n, chunk):
        rows = np.arange(start, min(n, start + chunk))
        X = space.frame(rows) if isinstance(space, ElpasoliteSpace) else space.iloc[rows]
        out[rows] = estimator.predict(X)
    return out


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
    codes = _codes_of(X, tab.elements)
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
def _site_counts(codes: dict, n: int) -> dict[str, np.ndarray]:
    """How many crystals hold each of the ``n`` elements on each site; A and B are one site class, so both
    get the pooled count of A and B."""
    ab = np.bincount(np.concatenate([codes["A"], codes["B"]]), minlength=n)
    return {"A": ab, "B": ab, "C": np.bincount(codes["C"], minlength=n), "D": np.bincount(codes["D"], minlength=n)}


def site_weights(frame: pd.DataFrame, elements) -> dict[str, np.ndarray]:
    """How often each element of ``elements`` sits on each site in ``frame`` (columns A, B, C, D), as
    probabilities per site. A and B are one site class: both get the pooled frequencies of A and B."""
    counts = _site_counts(_codes_of(frame, tuple(elements)), len(elements))
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
            raise ValueError(f"weights[{site!r}] must be {n} non-negative numbers (one per element of the "
                             f"tables) with a positive sum")
        w[site] = v / v.sum()
    unary = {site: np.array(tables.unary[site], dtype=np.float64) for site in SITES}
    intercept = float(tables.intercept)
    pair = {}
    for s, t in SITE_PAIRS:
        P = np.asarray(tables.pair[(s, t)], dtype=np.float64)
        rows, cols = P @ w[t], w[s] @ P                 # weighted means over site t, over site s
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
    codes = _codes_of(frame.iloc[[row]], tables.elements)
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


# ----------------------------------------------------------------------------- flags
def _ab_symmetric_pairs():
    """Site pairs up to A/B symmetry: A–B, AB–C, AB–D, C–D."""
    return (("A", "B"), ("A", "C"), ("A", "D"), ("C", "D"))


def pair_counts(train: pd.DataFrame, space, *, elements=None) -> pd.DataFrame:
    """How often each site–element pair of every crystal of ``space`` occurs in the crystals of ``train``.

    A and B are one site class (an element on A or B counts for both), so there are four pair kinds,
    A–B, AB–C, AB–D and C–D, and a crystal has six pairs (A–B, A–C, B–C, A–D, B–D, C–D). Returns a
    frame, one row per crystal: ``min_pair_count`` (the rarest of its six pairs in training),
    ``n_unseen_pairs`` (how many never occur) and ``min_site_count`` (the rarest of its four
    site–element combinations: element on AB, on C, on D).
    """
    require_columns(train, SITES, source=_SOURCE)
    if isinstance(space, ElpasoliteSpace):
        elements = space.elements
    elif elements is None:
        elements = tuple(pd.unique(space[list(SITES)].to_numpy().ravel()))
    # one vocabulary for both: the space's elements, then any other element of the training crystals
    extra = [e for e in pd.unique(train[list(SITES)].astype(str).to_numpy().ravel()) if e not in set(elements)]
    elements = tuple(elements) + tuple(extra)
    n = len(elements)
    codes = _codes_of(space.frame() if isinstance(space, ElpasoliteSpace) else space, elements)
    tc = _codes_of(train, elements)
    site_n = _site_counts(tc, n)

    def table(u, v):
        return np.bincount(u * n + v, minlength=n * n).reshape(n, n)

    ab_ab = table(tc["A"], tc["B"])
    ab_ab = ab_ab + ab_ab.T
    ab_c = table(tc["A"], tc["C"]) + table(tc["B"], tc["C"])
    ab_d = table(tc["A"], tc["D"]) + table(tc["B"], tc["D"])
    c_d = table(tc["C"], tc["D"])
    lookups = [(ab_ab, "A", "B"), (ab_c, "A", "C"), (ab_c, "B", "C"), (ab_d, "A", "D"), (ab_d, "B", "D"),
               (c_d, "C", "D")]
    counts = np.column_stack([T.ravel().take(codes[s] * n + codes[t]) for T, s, t in lookups])
    sites = np.column_stack([site_n[s].take(codes[s]) for s in SITES])
    return pd.DataFrame({"min_pair_count": counts.min(axis=1), "n_unseen_pairs": (counts == 0).sum(axis=1),
                         "min_site_count": sites.min(axis=1)})


def charge_balanced(formulas) -> pd.DataFrame:
    """pymatgen's oxidation-state guess of each formula (``Composition.oxi_state_guesses``).

    Returns a frame indexed like ``formulas``: ``charge_balanced`` (True if pymatgen finds an assignment
    of its known oxidation states summing to zero) and ``oxidation_states`` (the most likely one, e.g.
    ``"Ca+2 Sr+2 Cs+1 F-1"``, or ``""``). About 5–50 ms per formula: use it on a short list.
    """
    from pymatgen.core import Composition

    formulas = pd.Series(formulas)
    ok, states = [], []
    with warnings.catch_warnings():
        # pymatgen warns that noble gases have no Pauling electronegativity (it sets NaN); the guess only
        # ranks assignments by electronegativity, and noble gases have a single oxidation state, 0
        warnings.simplefilter("ignore", UserWarning)
        for f in formulas:
            guesses = Composition(f).oxi_state_guesses()
            ok.append(bool(guesses))
            states.append(" ".join(f"{el}{int(q):+d}" for el, q in guesses[0].items()) if guesses else "")
    return pd.DataFrame({"charge_balanced": ok, "oxidation_states": states}, index=formulas.index)


def candidates(space: ElpasoliteSpace, scores, *, train: pd.DataFrame, data: pd.DataFrame | None = None,
               target: str = "formation_energy_eV_per_atom", n_top: int = 2000,
               charge: bool = True) -> pd.DataFrame:
    """The ``n_top`` crystals of ``space`` with the lowest ``scores``, with the flags a chemist needs.

    Columns: ``formula``, ``A``…``D``, ``predicted``; the :func:`pair_counts` columns against ``train``
    and ``in_domain`` (every element seen on its site and every site–element pair seen at least once in
    ``train``); ``in_data`` and ``dft`` (the DFT value, NaN if absent) against ``data`` (default
    ``train``; A/B order ignored); with ``charge=True`` the :func:`charge_balanced` columns.
    """
    scores = np.asarray(scores, dtype=np.float64)
    if len(scores) != len(space):
        raise ValueError(f"scores has {len(scores)} values but the space has {len(space)} crystals")
    if isinstance(n_top, (bool, np.bool_)) or not isinstance(n_top, numbers.Integral) or n_top < 1:
        raise ValueError(f"n_top must be a positive integer (how many of the lowest-scoring crystals to list), "
                         f"got {n_top!r}")
    n_top = min(int(n_top), len(space))
    top = np.argpartition(scores, n_top - 1)[:n_top] if n_top < len(space) else np.arange(len(space))
    top = top[np.argsort(scores[top], kind="stable")]
    out = space.frame(top).reset_index(drop=True)
    out["predicted"] = scores[top]
    flags = pair_counts(train, out, elements=space.elements)
    out = pd.concat([out, flags], axis=1)
    out["in_domain"] = (out.n_unseen_pairs == 0) & (out.min_site_count > 0)
    ref = train if data is None else data
    require_columns(ref, list(SITES) + [target], source=_SOURCE)
    lo = np.where(ref.A.astype(str) < ref.B.astype(str), ref.A, ref.B)
    hi = np.where(ref.A.astype(str) < ref.B.astype(str), ref.B, ref.A)
    known = pd.Series(ref[target].to_numpy(), index=pd.MultiIndex.from_arrays([lo, hi, ref.C, ref.D]))
    known = known[~known.index.duplicated()]
    olo = np.where(out.A < out.B, out.A, out.B)
    ohi = np.where(out.A < out.B, out.B, out.A)
    key = pd.MultiIndex.from_arrays([olo, ohi, out.C, out.D])
    out["dft"] = known.reindex(key).to_numpy()
    out["in_data"] = np.isfinite(out.dft)
    if charge:
        out = pd.concat([out, charge_balanced(out.formula)], axis=1)
    return out
