"""What-if explorers: a fitted multilinear model evaluated in the reader's browser, with no server.

A model of main effects and pairwise products of features that are sums over its inputs is, input by
input, a set of look-up tables: one table per input (a reader's choice, a *slot*: the element on site D,
the equatorial ligand, the exchange fraction) and one per pair of inputs. A prediction is the intercept
plus one value from each table, which a static web page can compute with Vega-Lite's own filters and
aggregates. This module exports those tables from a fitted recipe and draws them as an altair chart with
drop-downs (``alt.binding_select``) or a slider (``alt.binding_range``):

- :func:`elpasolite_terms` (chapter 04): the purified site and site-pair tables of
  :func:`helpers.models.elpasolite.site_tables`, in eV/atom;
- :func:`spin_splitting_terms` (chapter 05): tables of the spin-splitting recipe over the metal state,
  the three ligands, a grid of exchange fractions and the derived homoleptic flag, in kcal/mol;
- :class:`TermTable`: the tables, with :meth:`TermTable.contributions` and :meth:`TermTable.predict`, the
  exact arithmetic the page does (pick one value per table, sum), and :meth:`TermTable.domain`, the
  training counts behind every term (a term never seen in training makes the prediction an extrapolation);
- :func:`explorer_chart`: the chart; :func:`explorer_data` the data it embeds, :func:`spec_bytes` its size;
- :func:`browser_cases`: what a browser must show for given inputs, with the model's own predictions,
  for the end-to-end check of the built book (``tools/check_explorers.py``).

Every exporter checks its tables against ``estimator.predict`` on the rows it is given and raises if they
disagree, so a change of an encoder cannot silently break the page. Values are rounded to
``decimals`` (default 10) decimal places of the target's unit, far below anything displayed (eleven
rounded terms move a prediction by less than 1e-9).
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field

import altair as alt
import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from helpers.featurize import complexes
from helpers.featurize.elpasolite import SITES, site_codes
from helpers.linear import MultilinearRegressor
from helpers.models.elpasolite import SITE_PAIRS, purify, site_model_parts, site_tables, site_weights
from helpers.style import KIND_COLOURS, axis_title, kind_scale

__all__ = [
    "TermGroup",
    "TermTable",
    "elpasolite_terms",
    "spin_splitting_terms",
    "spin_splitting_inputs",
    "explorer_data",
    "explorer_chart",
    "browser_cases",
    "spec_bytes",
    "KEY_ALPHABET",
    "KEY_SEPARATOR",
]

#: Characters that encode a level's position in the compact keys of :meth:`TermTable.keys` (no quote,
#: backslash, ``<``, ``>``, ``&`` or ``/``, so a key is safe inside a page's ``<script>``).
KEY_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%()*+,-.:;=?@[]^_{}~"
#: Separates the keys of the reference values on the page (not in :data:`KEY_ALPHABET`).
KEY_SEPARATOR = "|"


@dataclass(frozen=True)
class TermGroup:
    """One look-up table's use: ``name`` (``"D"``, ``"C × D"``), ``kind`` (``"main"``, ``"pair"`` or
    ``"intercept"``), the slots it reads (none, one or two) and the position of its table in
    :attr:`TermTable.tables` (two groups may share a table, e.g. A × C and B × C of a model symmetric in A
    and B)."""

    name: str
    kind: str
    slots: tuple[str, ...]
    table: int


@dataclass(frozen=True)
class TermTable:
    """A fitted model as look-up tables over its inputs: ``prediction = Σ_groups table[level(s)]``.

    Attributes
    ----------
    quantity, unit : the predicted quantity and its unit (e.g. ``"formation energy"``, ``"eV/atom"``).
    slots : slot → its levels, in order (what a reader chooses: an element, a ligand, an HFX fraction).
    titles : slot → the label of its control on the page.
    derived : slot → the slots whose levels must all be equal for it to be ``"yes"`` (levels
        ``("no", "yes")``; e.g. the homoleptic flag of a complex), computed, not chosen.
    interchangeable : pairs of slots that name the same thing in either order (A and B of an elpasolite,
        the two axial ligands); the keys of :meth:`keys` ignore their order.
    groups : the :class:`TermGroup` of every table use, the intercept last.
    tables : contributions (target units): a vector over the levels of a main group's slot, a matrix
        (levels of the first slot × levels of the second) for a pair, a 1-vector for the intercept.
    counts : same shapes: training rows holding that level (pair: that combination of levels); the
        intercept's count is the number of training rows.
    decimals : the contributions are rounded to this many decimal places of ``unit``.
    """

    quantity: str
    unit: str
    slots: dict[str, tuple]
    titles: dict[str, str]
    derived: dict[str, tuple[str, ...]]
    interchangeable: tuple[tuple[str, str], ...]
    groups: tuple[TermGroup, ...]
    tables: tuple[np.ndarray, ...]
    counts: tuple[np.ndarray, ...]
    decimals: int = 10
    _index: dict = field(default_factory=dict, init=False, repr=False, compare=False)  # level → position

    # -- levels
    def levels(self, slot: str) -> tuple:
        """Levels of a chosen or derived slot."""
        if slot in self.derived:
            return ("no", "yes")
        if slot not in self.slots:
            raise ValueError(f"unknown slot {slot!r}; this explorer's inputs are {', '.join(self.slots)}")
        return self.slots[slot]

    def codes(self, inputs: Mapping) -> dict[str, int]:
        """Position of the chosen level in every slot (derived slots included) for one set of ``inputs``
        (slot → level); an unknown slot value is a ``ValueError`` naming the known levels."""
        missing = [s for s in self.slots if s not in inputs]
        if missing:
            raise ValueError(
                f"no level given for {', '.join(missing)}; the explorer's inputs are {', '.join(self.slots)}"
            )
        return {s: int(v[0]) for s, v in self._codes({s: [inputs[s]] for s in self.slots}).items()}

    def _codes(self, columns: Mapping) -> dict[str, np.ndarray]:
        """Level positions of every row, one integer array per slot (derived slots computed)."""
        out = {}
        for slot, levels in self.slots.items():
            if slot not in self._index:
                self._index[slot] = {_level_key(v): i for i, v in enumerate(levels)}
            index = self._index[slot]
            codes = np.array([index.get(_level_key(v), -1) for v in columns[slot]], dtype=np.intp)
            if np.any(codes < 0):
                value = list(columns[slot])[int(np.flatnonzero(codes < 0)[0])]
                known = ", ".join(map(str, levels))
                raise ValueError(f"unknown {self.titles.get(slot, slot)} {value!r}; the model knows: {known}")
            out[slot] = codes
        for slot, members in self.derived.items():
            same = np.ones(len(out[members[0]]), dtype=bool)
            for a, b in zip(members, members[1:], strict=False):
                same &= out[a] == out[b]
            out[slot] = same.astype(np.intp)
        return out

    def _lookup(self, X: pd.DataFrame, arrays) -> list[np.ndarray]:
        """For each group, its ``arrays`` (tables or counts) at the levels of every row of ``X``."""
        _check_frame(X, self.slots)
        codes = self._codes({s: X[s].tolist() for s in self.slots})
        n = len(X)
        return [
            arrays[g.table][tuple(codes[s] for s in g.slots)] if g.slots else np.repeat(arrays[g.table][0], n)
            for g in self.groups
        ]

    # -- the page's arithmetic
    def contributions(self, inputs: Mapping) -> pd.DataFrame:
        """The terms of one prediction, as the page computes them: for each group, the value of its
        table at the chosen level(s). Columns ``term`` (``"D = F"``, ``"C × D: Cs–F"``, ``"intercept"``),
        ``group``, ``kind``, ``contribution`` (target units) and ``n_train`` (training rows with that
        level or combination); the contributions sum to the prediction."""
        codes = self.codes(inputs)
        rows = []
        for g in self.groups:
            at = tuple(codes[s] for s in g.slots) or (0,)
            names = [_level_name(self.levels(s)[codes[s]]) for s in g.slots]
            term = (
                "intercept"
                if g.kind == "intercept"
                else f"{g.name} = {names[0]}"
                if g.kind == "main"
                else f"{g.name}: {names[0]}–{names[1]}"
            )
            rows.append(
                {
                    "term": term,
                    "group": g.name,
                    "kind": g.kind,
                    "contribution": float(self.tables[g.table][at]),
                    "n_train": int(self.counts[g.table][at]),
                }
            )
        return pd.DataFrame(rows)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Predictions (target units) for a frame with one column per slot: the sum of one value per group,
        as :meth:`contributions` (vectorised over rows)."""
        parts = self._lookup(X, self.tables)
        return np.sum(parts, axis=0) if parts else np.zeros(len(X))

    def domain(self, X: pd.DataFrame) -> pd.DataFrame:
        """Per row of ``X`` (one column per slot): ``n_unseen`` (terms whose level or combination of
        levels never occurs in training) and ``extrapolation`` (``n_unseen > 0``), as the page labels it."""
        counts = self._lookup(X, self.counts)
        unseen = np.zeros(len(X), dtype=int)
        for g, n in zip(self.groups, counts, strict=True):
            if g.kind != "intercept":
                unseen += n == 0
        return pd.DataFrame({"n_unseen": unseen, "extrapolation": unseen > 0}, index=X.index)

    # -- keys of known inputs
    def keys(self, X: pd.DataFrame) -> list[str]:
        """A short key per row of ``X`` (one column per slot): one :data:`KEY_ALPHABET` character per
        chosen slot, interchangeable slots in increasing order, so both orders give one key."""
        if max(len(v) for v in self.slots.values()) > len(KEY_ALPHABET):
            raise ValueError(f"a slot has more than {len(KEY_ALPHABET)} levels; the keys cannot encode it")
        _check_frame(X, self.slots)
        codes = self._codes({s: X[s].tolist() for s in self.slots})
        for a, b in self.interchangeable:
            codes[a], codes[b] = np.minimum(codes[a], codes[b]), np.maximum(codes[a], codes[b])
        chars = np.array(list(KEY_ALPHABET))
        return ["".join(t) for t in zip(*(chars[codes[s]] for s in self.slots), strict=True)]

    def reference(self, X: pd.DataFrame, y, *, decimals: int = 3) -> dict[str, float]:
        """Observed values by key (:meth:`keys`): the mean of ``y`` over the rows of ``X`` with that key
        (e.g. a crystal stored in both A/B orders), rounded to ``decimals`` places (the page shows them
        at the precision of the prediction)."""
        y = np.asarray(y, dtype=np.float64).ravel()
        if len(y) != len(X):
            raise ValueError(f"X has {len(X)} rows but y has {len(y)} values")
        means = pd.Series(y).groupby(pd.Series(self.keys(X)), sort=True).mean()
        return {k: round(float(v), decimals) for k, v in means.items()}


def _level_key(value):
    """Levels compare as strings, numbers as rounded floats (so 0.25 from a slider matches 0.25)."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return round(float(value), 9)
    return str(value)


def _level_name(value) -> str:
    return f"{value:g}" if isinstance(value, numbers.Real) and not isinstance(value, bool) else str(value)


def _check_frame(X, slots) -> None:
    if not isinstance(X, pd.DataFrame):
        raise TypeError(f"X must be a DataFrame with one column per slot ({', '.join(slots)}), got {type(X).__name__}")
    missing = [s for s in slots if s not in X.columns]
    if missing:
        raise ValueError(f"X lacks the column(s) {', '.join(missing)}; the explorer's inputs are {', '.join(slots)}")


def _records(X: pd.DataFrame, slots) -> list[dict]:
    _check_frame(X, slots)
    return X[list(slots)].to_dict("records")


# ----------------------------------------------------------------------------- building tables
def _slot_tables(reg: MultilinearRegressor, F: dict[str, np.ndarray]):
    """Unary and pair tables of ``a0 + w·x + xᵀMx`` for ``x = Σ_s F[s][level_s]`` (``F[s]``: levels × p)."""
    p = next(iter(F.values())).shape[1]
    coef = np.asarray(reg.coef_, dtype=np.float64)
    pairs = np.asarray(reg.pairs_, dtype=np.intp).reshape(-1, 2)
    M = sp.csr_matrix((coef[p:], (pairs[:, 0], pairs[:, 1])), shape=(p, p))
    FM = {s: np.asarray((M.T @ F[s].T).T) for s in F}
    unary = {s: F[s] @ coef[:p] + np.einsum("ij,ij->i", FM[s], F[s]) for s in F}
    names = list(F)
    pair = {(s, t): FM[s] @ F[t].T + (FM[t] @ F[s].T).T for i, s in enumerate(names) for t in names[i + 1 :]}
    return float(reg.intercept_), unary, pair


def _assemble(
    *,
    quantity,
    unit,
    slots,
    titles,
    derived,
    interchangeable,
    intercept,
    unary,
    pair,
    codes,
    decimals,
):
    """Round the tables, drop all-zero pair tables, share equal ones, and count the training rows.

    Two groups share a table when their values agree to the rounding and their slots are the same up to
    swapping interchangeable slots (A × C and B × C); the shared table's counts pool both groups', as A and
    B are one site class in :func:`helpers.elpasolite_screening.pair_counts`."""
    tables, counts, groups, kinship = [], [], [], []
    n_rows = len(next(iter(codes.values())))
    swapped = {frozenset(p) for p in interchangeable}
    rep = {b: a for a, b in interchangeable}  # each interchangeable slot → the first of its pair

    def count(slots_):
        if len(slots_) == 1:
            return np.bincount(codes[slots_[0]], minlength=len(_levels(slots, derived, slots_[0])))
        a, b = slots_
        na, nb = len(_levels(slots, derived, a)), len(_levels(slots, derived, b))
        n = np.bincount(codes[a] * nb + codes[b], minlength=na * nb).reshape(na, nb)
        return n + n.T if frozenset(slots_) in swapped else n

    def add(name, kind, slots_, values):
        values = np.round(np.asarray(values, dtype=np.float64), decimals)
        n = count(slots_) if slots_ else np.array([n_rows])
        kin = tuple(rep.get(x, x) for x in slots_)
        for j, t in enumerate(tables):  # share a table equal to one already kept (to its rounding)
            if kinship[j] == kin and t.shape == values.shape and np.max(np.abs(t - values)) <= 10.0**-decimals:
                counts[j] = counts[j] + n
                groups.append(TermGroup(name, kind, tuple(slots_), j))
                return
        tables.append(values)
        counts.append(n)
        kinship.append(kin)
        groups.append(TermGroup(name, kind, tuple(slots_), len(tables) - 1))

    for s, values in unary.items():
        if s not in derived or np.any(np.round(values, decimals)):  # a derived slot without terms: dropped
            add(s, "main", (s,), values)
    for (s, t), values in pair.items():
        if np.any(np.round(values, decimals)):  # pairs of inputs the model has no products of: dropped
            add(f"{s} × {t}", "pair", (s, t), values)
    add("intercept", "intercept", (), np.array([intercept]))
    return TermTable(
        quantity=quantity,
        unit=unit,
        slots=slots,
        titles=titles,
        derived=derived,
        interchangeable=tuple(interchangeable),
        groups=tuple(groups),
        tables=tuple(tables),
        counts=tuple(np.asarray(c, dtype=np.int64) for c in counts),
        decimals=decimals,
    )


def _levels(slots, derived, s):
    return ("no", "yes") if s in derived else slots[s]


def _check_against(table: TermTable, estimator, X, inputs: pd.DataFrame, what: str, *, atol: float = 1e-8):
    """The tables must reproduce ``estimator.predict`` on the given rows (a guard against a changed encoder)."""
    want = np.asarray(estimator.predict(X), dtype=np.float64)
    got = table.predict(inputs)
    worst = float(np.max(np.abs(got - want))) if len(want) else 0.0
    if not worst <= atol:
        raise RuntimeError(
            f"{what}: the look-up tables differ from the model's predictions by up to {worst:.3g} "
            f"{table.unit} on the rows given; the encoder no longer writes its features as a sum over "
            "its inputs in the way this exporter assumes"
        )


def _not_fitted(what: str, exc: Exception) -> NotFittedError:
    return NotFittedError(f"{what} needs a fitted model: call fit(X, y) on it first ({exc})")


# ----------------------------------------------------------------------------- elpasolites
def elpasolite_terms(estimator, X: pd.DataFrame, *, purified: bool = True, decimals: int = 10, check_rows: int = 200):
    """The fitted elpasolite recipe (:func:`helpers.models.elpasolite_model`) as a :class:`TermTable`.

    ``X`` is the training frame (columns A, B, C, D): its crystals weight the purification
    (:func:`helpers.models.elpasolite.purify` with :func:`~helpers.models.elpasolite.site_weights`, the
    decomposition of the chapter's Fig. 5, ``purified=True``) and give the training counts behind each
    term, with A and B one site class as in :func:`helpers.elpasolite_screening.pair_counts`. Slots
    A, B, C, D (the model's elements); groups ``"A"`` … ``"D"`` (main), ``"A × B"`` … ``"C × D"`` (pairs)
    and the intercept; contributions in the target's unit (eV/atom for the recipe). The tables are
    checked against ``estimator.predict`` on the first ``check_rows`` rows of ``X``.
    """
    if site_model_parts(estimator) is None:
        raise TypeError(
            "elpasolite_terms needs a fitted Pipeline of a site encoder and a MultilinearRegressor "
            f"(as models.elpasolite_model() returns), got {estimator!r}"
        )
    try:
        tables = site_tables(estimator)
    except NotFittedError as exc:
        raise _not_fitted("elpasolite_terms", exc) from None
    elements = tables.elements
    if purified:
        tables = purify(tables, site_weights(X, elements))
    codes = site_codes(X, elements)
    table = _assemble(
        quantity="formation energy",
        unit="eV/atom",
        slots={s: tuple(elements) for s in SITES},
        titles={s: f"site {s}" for s in SITES},
        derived={},
        interchangeable=(("A", "B"),) if _symmetric_ab(estimator) else (),
        intercept=tables.intercept,
        unary=dict(tables.unary),
        pair={st: tables.pair[st] for st in SITE_PAIRS},
        codes=codes,
        decimals=decimals,
    )
    head = X.iloc[: max(1, int(check_rows))]
    _check_against(table, estimator, head, head[list(SITES)], "elpasolite_terms")
    return table


def _symmetric_ab(estimator) -> bool:
    enc = site_model_parts(estimator)[0]
    return enc.block_of_site("A") == enc.block_of_site("B")


# ----------------------------------------------------------------------------- spin splitting
SPIN_SLOTS = ("metal", "eq", "ax1", "ax2", "hfx")


def spin_splitting_inputs(X: pd.DataFrame) -> pd.DataFrame:
    """The loader's columns (``metal``, ``oxidation_state``, ``eq_ligand``, ``ax1_ligand``, ``ax2_ligand``,
    ``hfx``) as the explorer's slots: ``metal`` (``"Fe(II)"``), ``eq``, ``ax1``, ``ax2`` (ligand labels,
    synonyms merged) and ``hfx`` (the exchange fraction), with the index of ``X``."""
    cat = complexes.complex_categories(X)
    return pd.DataFrame(
        {
            "metal": cat["metal_state"].astype(str),
            "eq": cat["eq"].astype(str),
            "ax1": [complexes.canonical_ligand(v) for v in X["ax1_ligand"]],
            "ax2": [complexes.canonical_ligand(v) for v in X["ax2_ligand"]],
            "hfx": X["hfx"].astype(float).to_numpy(),
        },
        index=X.index,
    )


def spin_splitting_terms(estimator, X: pd.DataFrame, *, hfx_grid=None, decimals: int = 10) -> TermTable:
    """The fitted spin-splitting recipe (:func:`helpers.models.spin_splitting_model`) as a :class:`TermTable`.

    Slots: ``metal`` (metal and oxidation state), ``eq``, ``ax1``, ``ax2`` (the ligands the encoder
    knows) and ``hfx``, a grid of exchange fractions (default: the fractions in ``X``; every value within
    the encoder's ``hfx_range``), plus the derived slot ``homoleptic`` (``"yes"`` when all six sites hold
    one ligand). Each table holds the model's own terms grouped by the inputs they depend on (a metal's
    one-hot and oxidation-state terms in ``"metal"``, a ligand's one-hot and donor-atom terms in ``"eq"``,
    their products in ``"metal × eq"``, …), not centred; contributions in kcal/mol (ΔE(H−L), positive:
    low-spin ground state). ``X`` (the loader's columns) gives the training counts and the grid, and the
    tables are checked against ``estimator.predict`` on its rows at grid fractions.
    """
    steps = getattr(estimator, "steps", None)
    if (
        not steps
        or len(steps) != 2
        or not isinstance(steps[0][1], complexes.ComplexEncoder)
        or not isinstance(steps[-1][1], MultilinearRegressor)
    ):
        raise TypeError(
            "spin_splitting_terms needs a fitted Pipeline of a ComplexEncoder and a MultilinearRegressor "
            f"(as models.spin_splitting_model() returns), got {estimator!r}"
        )
    enc, reg = steps[0][1], steps[-1][1]
    try:
        check_is_fitted(enc, "feature_names_")
        check_is_fitted(reg, "coef_")
    except NotFittedError as exc:
        raise _not_fitted("spin_splitting_terms", exc) from None
    grid = np.unique(np.asarray(X["hfx"], dtype=np.float64)) if hfx_grid is None else np.asarray(hfx_grid, float)
    lo, hi = enc.hfx_range
    if grid.ndim != 1 or grid.size == 0 or np.any(~np.isfinite(grid)) or np.any(np.diff(grid) <= 0):
        raise ValueError(f"hfx_grid must be increasing exchange fractions, got {hfx_grid!r}")
    if grid[0] < lo - 1e-12 or grid[-1] > hi + 1e-12:
        raise ValueError(f"hfx_grid must lie within the model's range {lo:g}-{hi:g}, got {grid[0]:g}-{grid[-1]:g}")
    grid = tuple(round(float(v), 9) for v in grid)
    col = {c: j for j, c in enumerate(enc.feature_names_)}
    p = len(col)
    ligands, metals = tuple(enc.ligands), tuple(enc.metal_states)

    def rows(n, fill):
        F = np.zeros((n, p))
        for i in range(n):
            for name, value in fill(i).items():
                if name in col:  # a block the encoder leaves out has no column
                    F[i, col[name]] += value
        return F

    def ligand(prefix, weight):
        def fill(i):
            lig = ligands[i]
            donors = complexes.LIGAND_DONORS[lig]
            return {
                f"{prefix}={lig}": 1.0,
                **{f"donor={a}": weight * donors.get(a, 0.0) for a in complexes.DONOR_ATOMS},
            }

        return fill

    F = {
        "metal": rows(len(metals), lambda i: {metals[i]: 1.0, "ox=III": float(metals[i].endswith("(III)"))}),
        "eq": rows(len(ligands), ligand("eq", 4.0)),
        "ax1": rows(len(ligands), ligand("ax", 1.0)),
        "ax2": rows(len(ligands), ligand("ax", 1.0)),
        "hfx": rows(len(grid), lambda i: {"hfx": round((grid[i] - enc.hfx_reference) / enc.hfx_step, 12)}),
        "homoleptic": rows(2, lambda i: {"homoleptic": float(i)}),
    }
    intercept, unary, pair = _slot_tables(reg, F)
    inputs = spin_splitting_inputs(X)
    on_grid = inputs["hfx"].round(9).isin(grid).to_numpy()
    if not on_grid.any():
        raise ValueError("no row of X is at an exchange fraction of hfx_grid; the training counts need some")
    slots = {"metal": metals, "eq": ligands, "ax1": ligands, "ax2": ligands, "hfx": grid}
    derived = {"homoleptic": ("eq", "ax1", "ax2")}
    sub = inputs[on_grid]
    codes = {
        "metal": pd.Index(metals).get_indexer(sub["metal"]),
        "eq": pd.Index(ligands).get_indexer(sub["eq"]),
        "ax1": pd.Index(ligands).get_indexer(sub["ax1"]),
        "ax2": pd.Index(ligands).get_indexer(sub["ax2"]),
        "hfx": pd.Index(grid).get_indexer(sub["hfx"].round(9)),
    }
    codes["homoleptic"] = ((codes["eq"] == codes["ax1"]) & (codes["ax1"] == codes["ax2"])).astype(np.intp)
    table = _assemble(
        quantity="ΔE(H−L)",
        unit="kcal/mol",
        slots=slots,
        titles={
            "metal": "metal (oxidation state)",
            "eq": "equatorial ligand",
            "ax1": "axial ligand 1",
            "ax2": "axial ligand 2",
            "hfx": "HFX fraction",
        },
        derived=derived,
        interchangeable=(("ax1", "ax2"),),
        intercept=intercept,
        unary=unary,
        pair=pair,
        codes=codes,
        decimals=decimals,
    )
    _check_against(table, estimator, X[on_grid], sub, "spin_splitting_terms")
    return table


# ----------------------------------------------------------------------------- the page
def explorer_data(table: TermTable) -> dict:
    """What the page embeds: ``rows`` (one record per table and level of its first slot: ``i`` the level's
    position, ``v`` the contribution or, for a pair, the contributions over the second slot's levels,
    ``n`` the training counts alike, ``g`` the groups that use the table) and ``groups`` (``g``, ``name``,
    ``kind``, ``sa``/``sb`` the positions of its slots in :attr:`TermTable.slots` followed by the derived
    slots, -1 if none). Plain JSON types only."""
    order = list(table.slots) + list(table.derived)
    users: dict[int, list[int]] = {}
    for gi, g in enumerate(table.groups):
        users.setdefault(g.table, []).append(gi)
    rows = []
    for t, (values, counts) in enumerate(zip(table.tables, table.counts, strict=True)):
        if t not in users:
            continue
        for i in range(values.shape[0]):
            v, n = values[i], counts[i]
            rows.append(
                {
                    "g": users[t],
                    "i": i,
                    "v": [float(x) for x in v] if np.ndim(v) else float(v),
                    "n": [int(x) for x in n] if np.ndim(n) else int(n),
                }
            )
    groups = [
        {
            "g": gi,
            "name": g.name,
            "kind": g.kind,
            "sa": order.index(g.slots[0]) if g.slots else -1,
            "sb": order.index(g.slots[1]) if len(g.slots) > 1 else -1,
        }
        for gi, g in enumerate(table.groups)
    ]
    return {"rows": rows, "groups": groups}


def _pack_reference(reference: Mapping[str, float], width: int) -> dict:
    """Reference values as one string of keys, each closed by :data:`KEY_SEPARATOR` and opened by the
    previous one (``"|k1|k2|…|"``), and the list of their values in the same order: a key's position in the
    string over ``width + 1`` is its value's index. A third smaller than a JSON object of 10,000 keys."""
    keys = sorted(reference)
    bad = [k for k in keys if len(k) != width or any(c not in KEY_ALPHABET for c in k)]
    if bad:
        raise ValueError(f"reference keys must be {width} characters of KEY_ALPHABET (TermTable.keys), got {bad[:3]}")
    values = [float(reference[k]) for k in keys]
    if not all(np.isfinite(values)):
        raise ValueError("reference values must be finite numbers")
    return {"k": KEY_SEPARATOR + KEY_SEPARATOR.join(keys) + KEY_SEPARATOR, "v": values}


def _js(value) -> str:
    """A JSON literal for a Vega expression."""
    import json

    return json.dumps(value, ensure_ascii=False)


def _uniform_step(levels) -> float | None:
    if len(levels) < 2 or not all(isinstance(v, numbers.Real) for v in levels):
        return None
    d = np.diff(np.asarray(levels, dtype=float))
    return float(d[0]) if np.allclose(d, d[0], rtol=0, atol=1e-9) else None


def explorer_chart(
    table: TermTable,
    *,
    start: Mapping | None = None,
    reference: Mapping[str, float] | None = None,
    reference_label: str = "DFT",
    sign_labels: tuple[str, str] | None = None,
    sign_title: str = "predicted ground state",
    digits: int = 3,
    width: int = 400,
) -> alt.VConcatChart:
    """An interactive chart of one prediction of ``table``'s model, computed in the browser.

    One control per slot: a drop-down (``alt.binding_select``) or, for evenly spaced numbers, a slider
    (``alt.binding_range``), starting at ``start`` (slot → level; default the first level of each slot).
    The page picks, for every group of terms, the value of its table at the chosen levels (Vega-Lite
    flatten, lookup, calculate and filter transforms) and draws them as horizontal bars sorted by size
    (main effects blue, pairs red, intercept grey, :mod:`helpers.style`); the text above gives
    "predicted <quantity>: <sum> <unit>" to ``digits`` decimals, the ``reference`` value (key of
    :meth:`TermTable.keys` → observed value, e.g. DFT) when the chosen inputs have one and, with
    ``sign_labels=(negative, positive)``, "<sign_title>: <label of the prediction's sign>" (e.g. the spin
    ground state),
    and whether every term was seen in training; a term never seen makes the prediction an extrapolation.
    The bottom row shows the prediction as a bar and the reference as a black diamond on the same axis.
    The chart renders as SVG, so its texts can be read from the page.
    """
    if not isinstance(table, TermTable):
        raise TypeError(f"table must be a TermTable (from elpasolite_terms or spin_splitting_terms), got {type(table)}")
    if not (isinstance(digits, numbers.Integral) and 0 <= digits <= 6):
        raise ValueError(f"digits must be an integer from 0 to 6, got {digits!r}")
    start = dict(start or {})
    unknown = [s for s in start if s not in table.slots]
    if unknown:
        raise ValueError(f"start names unknown slot(s) {', '.join(unknown)}; the slots are {', '.join(table.slots)}")
    first = {s: levels[0] for s, levels in table.slots.items()}
    table.codes({**first, **start})  # an unknown start level fails here, naming the known ones
    data = explorer_data(table)
    slots = list(table.slots)
    params, index_expr, name_expr = [], [], []
    for k, s in enumerate(slots):
        levels = table.slots[s]
        value = start.get(s, levels[0])
        step = _uniform_step(levels)
        title = table.titles.get(s, s) + " "
        if step is not None:
            bind = alt.binding_range(min=levels[0], max=levels[-1], step=step, name=title)
            params.append(alt.param(name=f"s{k}", value=float(value), bind=bind))
            index_expr.append(f"round((s{k} - {_js(levels[0])}) / {_js(step)})")
            name_expr.append(f"{_js([_level_name(v) for v in levels])}[i{k}]")
        else:
            opts = list(levels)
            bind = alt.binding_select(options=opts, name=title)
            params.append(alt.param(name=f"s{k}", value=value, bind=bind))
            index_expr.append(f"indexof({_js(opts)}, s{k})")
            name_expr.append(f"s{k}")
    for j, members in enumerate(table.derived.values()):
        k = len(slots) + j
        ks = [slots.index(m) for m in members]
        same = " && ".join(f"i{a} == i{b}" for a, b in zip(ks, ks[1:], strict=False)) or "true"
        index_expr.append(f"(({same}) ? 1 : 0)")
        name_expr.append(f"['no', 'yes'][i{k}]")
    params += [alt.param(name=f"i{k}", expr=e) for k, e in enumerate(index_expr)]
    idx = "[" + ", ".join(f"i{k}" for k in range(len(index_expr))) + "]"
    nm = "[" + ", ".join(name_expr) + "]"
    d3_format = f".{int(digits)}f"
    fmt = _js(d3_format)
    unit = _js(" " + table.unit)
    ref_label = _js(f"{reference_label}: ")
    datasets = {"explorer-terms": data["rows"], "explorer-groups": data["groups"]}
    terms = (
        alt.Chart(alt.NamedData(name="explorer-terms"))
        .transform_flatten(["g"])
        .transform_lookup(
            lookup="g",
            from_=alt.LookupData(alt.NamedData(name="explorer-groups"), key="g", fields=["name", "kind", "sa", "sb"]),
        )
        .transform_calculate(ia=f"datum.sa < 0 ? 0 : {idx}[datum.sa]")
        .transform_filter("datum.i == datum.ia")
        .transform_calculate(
            c=f"datum.sb < 0 ? datum.v : datum.v[{idx}[datum.sb]]",
            nt=f"datum.sb < 0 ? datum.n : datum.n[{idx}[datum.sb]]",
        )
        .transform_calculate(
            term=(
                "datum.kind == 'intercept' ? 'intercept' : datum.kind == 'main' ? "
                f"datum.name + ' = ' + {nm}[datum.sa] : "
                f"datum.name + ': ' + {nm}[datum.sa] + '–' + {nm}[datum.sb]"
            ),
            size="datum.kind == 'intercept' ? -1 : abs(datum.c)",
            unseen="datum.kind != 'intercept' && datum.nt == 0 ? 1 : 0",
        )
    )
    x_title = axis_title(f"contribution to {table.quantity}", table.unit)
    # a term worth exactly zero (e.g. "homoleptic = no") is summed but not drawn
    bars = terms.transform_filter("datum.c != 0 || datum.kind == 'intercept'").mark_bar()
    bars = bars.encode(
        y=alt.Y(
            "term:N",
            sort=alt.EncodingSortField(field="size", order="descending"),
            title=None,
            axis=alt.Axis(labelLimit=320),
        ),
        x=alt.X("c:Q", title=x_title),
        color=alt.Color("kind:N", scale=kind_scale(["main", "pair", "intercept"]), title="term"),
        opacity=alt.condition("datum.unseen == 1", alt.value(0.35), alt.value(1.0)),
        tooltip=[
            alt.Tooltip("term:N"),
            alt.Tooltip("c:Q", title=f"contribution ({table.unit})", format=".4f"),
            alt.Tooltip("nt:Q", title="training rows"),
        ],
    )
    total = terms.transform_aggregate(total="sum(c)", unseen="sum(unseen)")
    line = 16
    texts = [
        total.transform_calculate(
            text=f"{_js(f'predicted {table.quantity}: ')} + format(datum.total, {fmt}) + {unit}"
        ).mark_text(align="left", baseline="top", fontSize=14, fontWeight="bold"),
        total.transform_calculate(
            text="datum.unseen == 0 ? 'every term seen in training' : 'extrapolation: ' + datum.unseen + "
            "(datum.unseen == 1 ? ' term' : ' terms') + ' never seen in training (pale bars)'",
            bad="datum.unseen > 0",
        )
        .mark_text(align="left", baseline="top", fontSize=13)
        .encode(color=alt.condition("datum.bad", alt.value(KIND_COLOURS["pair"]), alt.value("#333333"))),
    ]
    if sign_labels is not None:
        neg, pos = sign_labels
        texts.append(
            total.transform_calculate(
                text=f"{_js(sign_title + ': ')} + (datum.total > 0 ? {_js(pos)} : {_js(neg)})"
            ).mark_text(align="left", baseline="top", fontSize=13)
        )
    key_parts = [f"i{k}" for k in range(len(slots))]
    for a, b in table.interchangeable:
        ka, kb = slots.index(a), slots.index(b)
        key_parts[ka], key_parts[kb] = f"min(i{ka}, i{kb})", f"max(i{ka}, i{kb})"
    key = " + ".join(f"substring({_js(KEY_ALPHABET)}, {p}, {p} + 1)" for p in key_parts)
    ref = None
    if reference is not None:
        datasets["explorer-reference"] = [_pack_reference(reference, len(slots))]
        sep = _js(KEY_SEPARATOR)
        ref = alt.Chart(alt.NamedData(name="explorer-reference")).transform_calculate(
            at=f"indexof(datum.k, {sep} + {key} + {sep})"
        )
        ref = ref.transform_calculate(y=f"datum.at < 0 ? null : datum.v[datum.at / {len(slots) + 1}]")
        texts.append(
            ref.transform_calculate(
                text=f"isValid(datum.y) ? {ref_label} + format(datum.y, {fmt}) + {unit} : "
                f"{ref_label} + 'not in the data'"
            ).mark_text(align="left", baseline="top", fontSize=13)
        )
    texts = [t.encode(x=alt.value(0), y=alt.value(i * (line + 4)), text="text:N") for i, t in enumerate(texts)]
    header = alt.layer(*texts).properties(width=width, height=len(texts) * (line + 4))
    row = alt.Y("row:N", title=None)
    summary = [
        total.transform_calculate(row="'prediction'")
        .mark_bar(color="#333333", opacity=0.5)
        .encode(
            x=alt.X("total:Q", title=axis_title(table.quantity, table.unit)),
            y=row,
            tooltip=[alt.Tooltip("total:Q", title="prediction", format=d3_format)],
        )
    ]
    if ref is not None:
        # drawn at 0 and transparent when there is no reference value: an empty layer would give the
        # shared x scale an infinite extent (and the browser console a warning)
        summary.append(
            ref.transform_calculate(row="'prediction'", seen="isValid(datum.y)", xr="isValid(datum.y) ? datum.y : 0")
            .mark_point(shape="diamond", size=140, filled=True, color="black")
            .encode(
                x="xr:Q",
                y=row,
                opacity=alt.condition("datum.seen", alt.value(1), alt.value(0)),
                tooltip=[alt.Tooltip("y:Q", title=reference_label, format=d3_format)],
            )
        )
    bottom = alt.layer(*summary).properties(width=width, height=28)
    chart = (
        alt.vconcat(header, bars.properties(width=width), bottom, spacing=6)
        .resolve_scale(x="shared")
        .add_params(*params)
        .properties(usermeta={"embedOptions": {"renderer": "svg"}}, datasets=datasets)
    )
    return chart


def spec_bytes(chart) -> int:
    """Size in bytes of the chart's Vega-Lite specification as a page embeds it (compact JSON, UTF-8): what
    the chart adds to its page, give or take the few hundred bytes of altair's script around it."""
    import json

    return len(json.dumps(chart.to_dict(), ensure_ascii=False).encode("utf-8"))


def browser_cases(
    table: TermTable,
    X: pd.DataFrame,
    predicted,
    *,
    reference: Mapping[str, float] | None = None,
    reference_label: str = "DFT",
    sign_labels: tuple[str, str] | None = None,
    digits: int = 3,
) -> dict:
    """What the page of :func:`explorer_chart` (same options) must show for each row of ``X``.

    ``X`` holds one column per slot; ``predicted`` the model's own predictions for those rows
    (``estimator.predict``, target units), which a browser check compares with the prediction the page
    computes. Returns plain JSON: ``controls`` (slot → the label of its control), ``quantity``, ``unit``,
    ``digits``, ``reference_label`` and ``cases``, one per row: ``inputs`` (slot → level), ``predicted``,
    ``reference`` (the reference value, or None), ``extrapolation`` (a term never seen in training) and
    ``sign`` (the label of the prediction's sign, or None without ``sign_labels``).
    """
    predicted = np.asarray(predicted, dtype=np.float64).ravel()
    rows = _records(X, table.slots)
    if len(predicted) != len(rows) or not np.all(np.isfinite(predicted)):
        raise ValueError(f"predicted must hold {len(rows)} finite predictions, one per row of X")
    keys = table.keys(X)
    flags = table.domain(X)["extrapolation"].to_numpy()
    cases = []
    for row, p, key, flag in zip(rows, predicted, keys, flags, strict=True):
        ref = None if reference is None or key not in reference else float(reference[key])
        sign = None if sign_labels is None else sign_labels[int(p > 0)]
        inputs = {
            s: (float(v) if isinstance(v, numbers.Real) and not isinstance(v, str) else str(v)) for s, v in row.items()
        }
        cases.append(
            {"inputs": inputs, "predicted": float(p), "reference": ref, "extrapolation": bool(flag), "sign": sign}
        )
    return {
        "controls": {s: table.titles.get(s, s) for s in table.slots},
        "quantity": table.quantity,
        "unit": table.unit,
        "digits": int(digits),
        "reference_label": reference_label if reference is not None else None,
        "cases": cases,
    }
