"""Screening the elpasolite space: enumerate every ABC2D6, score it with a fitted model, and flag the
candidates a chemist can trust (chapter 04, claims C8 and C13-3 of Allen & Tkatchenko).

- :func:`enumerate_elpasolites` — every A B C2 D6 of a list of elements, as integer codes (vectorised);
- :func:`score` — predictions for a whole space: ten table look-ups per crystal for the elpasolite recipe
  (its table view, :func:`helpers.models.elpasolite.site_tables`), ``predict`` in chunks for any other
  estimator that takes the A, B, C, D frame;
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

import numpy as np
import pandas as pd

from helpers.featurize.base import require_columns
from helpers.featurize.elpasolite import SITES, element_table, site_codes, site_counts
from helpers.models.elpasolite import SiteTables, site_model_parts, site_tables

__all__ = ["ElpasoliteSpace", "enumerate_elpasolites", "score", "pair_counts", "charge_balanced", "candidates"]

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


def score(estimator, space, *, tables: SiteTables | None = None, chunk: int = 50_000) -> np.ndarray:
    """Predictions of ``estimator`` for every crystal of ``space`` (an :class:`ElpasoliteSpace` or a frame
    with columns A, B, C, D), in the units of the target (eV/atom for the recipe).

    A recipe (site encoder → multilinear model) is scored by :func:`site_tables` look-ups (pass ``tables``
    to reuse them); any other estimator taking the A, B, C, D frame is called on ``chunk`` rows at a time.
    """
    parts = site_model_parts(estimator)
    if parts is not None or tables is not None:
        tab = tables if tables is not None else site_tables(estimator)
        if isinstance(space, ElpasoliteSpace):
            if space.elements == tab.elements:
                codes = space.codes
            else:
                codes = site_codes(space.frame(), tab.elements)
        else:
            codes = site_codes(space, tab.elements)
        return tab.predict_codes(codes)
    n = len(space)
    out = np.empty(n)
    for start in range(0, n, chunk):
        rows = np.arange(start, min(n, start + chunk))
        X = space.frame(rows) if isinstance(space, ElpasoliteSpace) else space.iloc[rows]
        out[rows] = estimator.predict(X)
    return out


# ----------------------------------------------------------------------------- flags
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
    codes = site_codes(space.frame() if isinstance(space, ElpasoliteSpace) else space, elements)
    tc = site_codes(train, elements)
    site_n = site_counts(tc, n)

    def table(u, v):
        return np.bincount(u * n + v, minlength=n * n).reshape(n, n)

    ab_ab = table(tc["A"], tc["B"])
    ab_ab = ab_ab + ab_ab.T
    ab_c = table(tc["A"], tc["C"]) + table(tc["B"], tc["C"])
    ab_d = table(tc["A"], tc["D"]) + table(tc["B"], tc["D"])
    c_d = table(tc["C"], tc["D"])
    lookups = [
        (ab_ab, "A", "B"),
        (ab_c, "A", "C"),
        (ab_c, "B", "C"),
        (ab_d, "A", "D"),
        (ab_d, "B", "D"),
        (c_d, "C", "D"),
    ]
    counts = np.column_stack([T.ravel().take(codes[s] * n + codes[t]) for T, s, t in lookups])
    sites = np.column_stack([site_n[s].take(codes[s]) for s in SITES])
    return pd.DataFrame(
        {
            "min_pair_count": counts.min(axis=1),
            "n_unseen_pairs": (counts == 0).sum(axis=1),
            "min_site_count": sites.min(axis=1),
        }
    )


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


def candidates(
    space: ElpasoliteSpace,
    scores,
    *,
    train: pd.DataFrame,
    data: pd.DataFrame | None = None,
    target: str = "formation_energy_eV_per_atom",
    n_top: int = 2000,
    charge: bool = True,
) -> pd.DataFrame:
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
        raise ValueError(
            f"n_top must be a positive integer (how many of the lowest-scoring crystals to list), got {n_top!r}"
        )
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
