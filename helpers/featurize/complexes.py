"""Interpretable encoding of octahedral transition-metal complexes (Janet & Kulik's spin-splitting sets).

A complex is a metal in an oxidation state, one equatorial ligand type (filling the four equatorial sites)
and two axial ligands, computed at a Hartree-Fock exchange (HFX) fraction. :class:`ComplexEncoder` turns
the loader's columns (``metal``, ``oxidation_state``, ``eq_ligand``, ``ax1_ligand``, ``ax2_ligand``,
``hfx``; see :func:`helpers.data.load_spin_splitting`) into readable columns:

============== ======================================================================================
block          columns
============== ======================================================================================
``"metal"``    one-hot of metal and oxidation state, ``"Fe(II)"``, ``"Co(III)"``, ... (9 combinations)
``"ox"``       ``"ox=III"``: 1 for oxidation state III (shared by the metals, so that its products with
               the ligands describe how a ligand's effect changes with the oxidation state for every metal)
``"eq"``       one-hot of the equatorial ligand, ``"eq=co"``, ``"eq=h2o"``, ...
``"ax"``       number of axial sites (0, 1 or 2) the ligand occupies, ``"ax=cl"``, ...: symmetric in
               the two axial ligands by construction
``"donor"``    number of the six coordination sites bound through each donor atom, ``"donor=C"``,
               ``"donor=N"``, ``"donor=O"``, ``"donor=P"``, ``"donor=S"``, ``"donor=Cl"`` (the equatorial
               ligand fills four sites, each axial ligand one); they sum to 6
``"homoleptic"`` ``"homoleptic"``: 1 if all six sites hold the same ligand (eq = ax1 = ax2), the octahedral
               (O_h) case; heteroleptic complexes have lower symmetry and a differently split d shell
``"hfx"``      the HFX fraction measured from B3LYP's 0.20 in steps of 0.10, ``(HFX - 0.20) / 0.10``
               (dimensionless; -2 to +1 in the data), so main effects refer to B3LYP and a coefficient
               of ``"Fe(II) & hfx"`` is the change in kcal/mol per 10 percentage points of exact exchange
============== ======================================================================================

The donor atoms (:data:`LIGAND_DONORS`) are read off the data's own RAC descriptors: ``lc.Z.0`` is the
squared nuclear charge of the connecting atom(s), averaged over the atoms of a position (a test checks the
table against them). Two chelates bind through two different atoms and count half a site for each:
ethanolamine (N, O) and 2-phenylbenzoxazole (C, N, cyclometalated).

The vocabularies are fixed (every label of the rac155_2018 set, synonyms merged), not learned from the
training rows, so the columns are the same whatever rows are used for fitting; a ligand that a training
fold happens not to contain gets an all-zero column there. Input labels are case-insensitive and the
synonyms of molSimplify's ligand library are merged (``chloride`` → ``cl``, ``cyanide`` → ``cn``,
``isothiocyanate`` → ``ncs``, ``thiocyanate`` → ``scn``, ``pyridine`` → ``pyr``; ``carbonyl``, ``water``
and ``ammonia`` are written ``co``, ``h2o`` and ``nh3``; ``methylisocyanide`` is the data's ``misc``).
An unknown ligand, metal or metal/oxidation-state combination raises a ``ValueError`` naming the known
ones; an HFX fraction outside 0-0.30, the range of the data, gives an :class:`ExtrapolationWarning`.
"""

from __future__ import annotations

import numbers
import warnings
from itertools import product

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from helpers.featurize.base import Featurizer, PairRule, require_columns

__all__ = [
    "ComplexEncoder",
    "BlockPairs",
    "ExtrapolationWarning",
    "canonical_ligand",
    "complex_key",
    "complex_categories",
    "LIGANDS",
    "LIGAND_SYNONYMS",
    "LIGAND_DONORS",
    "DONOR_ATOMS",
    "METAL_STATES",
    "HFX_RANGE",
    "HFX_REFERENCE",
    "HFX_STEP",
    "COMPLEX_COLUMNS",
]

#: The loader's columns the encoder reads.
COMPLEX_COLUMNS = ("metal", "oxidation_state", "eq_ligand", "ax1_ligand", "ax2_ligand", "hfx")

#: Alternative labels → the label used in feature names. From molSimplify's ``ligands.dict`` (the pairs
#: point to the same structure file) and the 2017 set's names for water, ammonia and carbonyl.
LIGAND_SYNONYMS: dict[str, str] = {
    "carbonyl": "co",
    "water": "h2o",
    "ammonia": "nh3",
    "chloride": "cl",
    "cyanide": "cn",
    "isothiocyanate": "ncs",
    "thiocyanate": "scn",
    "pyridine": "pyr",
    "methylisocyanide": "misc",
}

#: Every ligand of the rac155_2018 set, after merging synonyms (66 labels), in alphabetical order.
LIGANDS: tuple[str, ...] = tuple(
    sorted(
        {
            "co",
            "h2o",
            "misc",
            "nh3",
            "pisc",
            "ncs",
            "pyr",
            "cn",
            "acach",
            "en",
            "phen",
            "furan",
            "tbuc",
            "bipy",
            "ox",
            "cl",
            "benzisc",
            "scn",
            "cyanopyridine",
            "acac",
            "mec",
            "chloropyridine",
            "methylamine",
            "aceticacidbipyridine",
            "porphyrin",
            "mebipyridine",
            "phenisc",
            "thiopyridine",
            "tbisc",
            "imidazole",
            "phosphine",
            "dicyanamide",
            "acetonitrile",
            "propdiol",
            "pentacyanopentadienide",
            "sulfacidbipyridine",
            "opme3",
            "dpmu",
            "dmf",
            "tetrahydrofuran",
            "cat",
            "methanethiol",
            "oethanolamine",
            "pme3",
            "tricyanomethyl",
            "ethylamine",
            "antipyrine",
            "amine",
            "pyrimidone",
            "ethanethiol",
            "cyclam",
            "nethanolamine",
            "benzenedithiol",
            "trifluoromethyl",
            "thiane",
            "benzenethiol",
            "tbutylthiol",
            "ethyl",
            "ethanolamine",
            "phendione",
            "phenylbenzoxazole",
            "methanal",
            "quinoxalinedithiol",
            "dmi",
            "corrolazine",
            "phenacac",
            "opph3",
        }
    )
)

#: Donor (connecting) atom of every ligand, as fractions of its sites (derived from the RAC column lc.Z.0).
LIGAND_DONORS: dict[str, dict[str, float]] = {
    **{
        lig: {"C": 1.0}
        for lig in ("benzisc", "cn", "co", "ethyl", "methanal", "misc", "phenisc", "pisc", "tbisc", "trifluoromethyl")
    },
    **{
        lig: {"N": 1.0}
        for lig in (
            "aceticacidbipyridine",
            "acetonitrile",
            "amine",
            "bipy",
            "chloropyridine",
            "corrolazine",
            "cyanopyridine",
            "cyclam",
            "dicyanamide",
            "en",
            "ethylamine",
            "imidazole",
            "mebipyridine",
            "methylamine",
            "ncs",
            "nethanolamine",
            "nh3",
            "pentacyanopentadienide",
            "phen",
            "phendione",
            "porphyrin",
            "pyr",
            "sulfacidbipyridine",
            "thiopyridine",
            "tricyanomethyl",
        )
    },
    **{
        lig: {"O": 1.0}
        for lig in (
            "acac",
            "acach",
            "antipyrine",
            "cat",
            "dmf",
            "dmi",
            "dpmu",
            "furan",
            "h2o",
            "mec",
            "oethanolamine",
            "opme3",
            "opph3",
            "ox",
            "phenacac",
            "propdiol",
            "pyrimidone",
            "tbuc",
            "tetrahydrofuran",
        )
    },
    **{lig: {"P": 1.0} for lig in ("phosphine", "pme3")},
    **{
        lig: {"S": 1.0}
        for lig in (
            "benzenedithiol",
            "benzenethiol",
            "ethanethiol",
            "methanethiol",
            "quinoxalinedithiol",
            "scn",
            "tbutylthiol",
            "thiane",
        )
    },
    "cl": {"Cl": 1.0},
    "ethanolamine": {"N": 0.5, "O": 0.5},
    "phenylbenzoxazole": {"C": 0.5, "N": 0.5},
}
#: Donor atoms, in the order of the ``"donor"`` columns.
DONOR_ATOMS: tuple[str, ...] = ("C", "N", "O", "P", "S", "Cl")

_ROMAN = {2: "II", 3: "III"}
_FROM_ROMAN = {"ii": 2, "iii": 3}
_METAL_NAMES = {"cr": "Cr", "mn": "Mn", "fe": "Fe", "co": "Co", "ni": "Ni"}
#: Metal/oxidation-state combinations with data (Ni(III) has none), in the order of the columns.
METAL_STATES: tuple[str, ...] = (
    "Cr(II)",
    "Cr(III)",
    "Mn(II)",
    "Mn(III)",
    "Fe(II)",
    "Fe(III)",
    "Co(II)",
    "Co(III)",
    "Ni(II)",
)
#: HFX fractions covered by the data; outside this range a prediction is an extrapolation.
HFX_RANGE = (0.0, 0.30)
#: The HFX fraction of B3LYP, the reference of the ``"hfx"`` column, and the step it is measured in.
HFX_REFERENCE, HFX_STEP = 0.20, 0.10


#: The blocks of columns, in column order.
BLOCKS = ("metal", "ox", "eq", "ax", "donor", "homoleptic", "hfx")


def _block_of_column(name: str) -> str:
    """Block of an encoder column: ``"eq=co"`` → ``"eq"``, ``"hfx"`` → ``"hfx"``, ``"Fe(II)"`` → ``"metal"``."""
    prefix = name.split("=", 1)[0] if "=" in name else name
    return prefix if prefix in BLOCKS else "metal"


class BlockPairs(PairRule):
    """The pair rule of the spin-splitting recipe, as a callable for ``MultilinearRegressor(interactions=...)``.

    ``BlockPairs(("metal", "hfx"), ("eq", "ax"))`` called with the column names of a
    :class:`ComplexEncoder` returns every pair of columns between the two blocks of each block pair
    (``("ax", "ax")``: the products of two different axial ligands), in column order. The regressor calls
    it at ``fit`` with the columns it receives, so the pair terms follow the encoder's vocabularies
    (``set_params(encode__ligands=...)``).
    """

    def __init__(self, *block_pairs):
        for pair in block_pairs:
            if isinstance(pair, str) or len(pair) != 2:
                raise ValueError(f"a block pair must name two blocks, got {pair!r}")
            for b in pair:
                if b not in BLOCKS:
                    raise ValueError(f"unknown block {b!r} in {tuple(pair)!r}; blocks are {', '.join(BLOCKS)}")
        self.block_pairs = tuple(tuple(p) for p in block_pairs)

    def __repr__(self) -> str:
        return f"BlockPairs{self.block_pairs!r}"

    def _params(self) -> tuple:
        return self.block_pairs

    def __call__(self, names) -> list[tuple[str, str]]:
        columns = {b: [] for b in BLOCKS}
        for nm in map(str, names):
            columns[_block_of_column(nm)].append(nm)
        out: list[tuple[str, str]] = []
        for a, b in self.block_pairs:
            ca, cb = columns[a], columns[b]
            if a == b:
                out.extend((ca[i], ca[j]) for i in range(len(ca)) for j in range(i + 1, len(ca)))
            else:
                out.extend(product(ca, cb))
        return out


class ExtrapolationWarning(UserWarning):
    """An input lies outside the range the model was built on (e.g. an HFX fraction above 0.30)."""


def canonical_ligand(label, *, known=LIGANDS) -> str:
    """The feature-name label of a ligand: lower-cased, synonyms merged; ``ValueError`` if unknown."""
    if not isinstance(label, str) or not label.strip():
        raise ValueError(f"a ligand label must be a non-empty string, got {label!r}")
    key = label.strip().lower()
    key = LIGAND_SYNONYMS.get(key, key)
    if key not in known:
        syn = ", ".join(f"{a}→{b}" for a, b in LIGAND_SYNONYMS.items())
        raise ValueError(f"unknown ligand {label!r}. Known ligands: {', '.join(known)} (synonyms accepted: {syn})")
    return key


def _metal_state(metal, ox, known=METAL_STATES) -> str:
    if not isinstance(metal, str) or metal.strip().lower() not in _METAL_NAMES:
        raise ValueError(
            f"unknown metal {metal!r}. Known metals: {', '.join(_METAL_NAMES.values())}; "
            f"known metal/oxidation states: {', '.join(known)}"
        )
    if isinstance(ox, str):
        s = ox.strip().lower()
        ox_int = _FROM_ROMAN.get(s, int(s) if s.isdigit() else None)
    elif (
        isinstance(ox, (int, np.integer, float, np.floating))
        and not isinstance(ox, (bool, np.bool_))
        and np.isfinite(ox)
        and float(ox) == int(ox)
    ):
        ox_int = int(ox)
    else:
        ox_int = None
    if ox_int not in _ROMAN:
        raise ValueError(
            f"unknown oxidation state {ox!r} (use 2 or 3, or 'II'/'III'); "
            f"known metal/oxidation states: {', '.join(known)}"
        )
    name = f"{_METAL_NAMES[metal.strip().lower()]}({_ROMAN[ox_int]})"
    if name not in known:
        raise ValueError(
            f"{name} is not covered: the data hold no {name} complex. Known metal/oxidation states: {', '.join(known)}"
        )
    return name


def complex_key(X: pd.DataFrame) -> pd.Series:
    """One label per row naming the *complex*: metal, oxidation state, equatorial ligand and the UNORDERED
    pair of axial ligands (synonyms merged), e.g. ``"Fe(II)|eq=co|ax=cl+h2o"``; the same complex at several
    HFX fractions gets the same label. Use it as ``groups`` for grouped cross-validation."""
    _check_columns(X, COMPLEX_COLUMNS[:-1])
    out = []
    for m, ox, eq, a1, a2 in X[list(COMPLEX_COLUMNS[:-1])].itertuples(index=False):
        ax = "+".join(sorted((canonical_ligand(a1), canonical_ligand(a2))))
        out.append(f"{_metal_state(m, ox)}|eq={canonical_ligand(eq)}|ax={ax}")
    return pd.Series(out, index=X.index, name="complex")


def complex_categories(X: pd.DataFrame) -> pd.DataFrame:
    """The complex as categorical columns, for tree models: ``metal_state`` (e.g. ``"Fe(II)"``), ``eq``,
    ``ax_a``, ``ax_b`` (the two axial ligands in alphabetical order, so the frame is symmetric in them; all
    pandas ``Categorical`` over the fixed vocabularies, synonyms merged), then the six ``donor=…`` site
    counts, ``homoleptic`` and ``hfx`` (the fraction, as given)."""
    _check_columns(X, COMPLEX_COLUMNS)
    a1 = [canonical_ligand(v) for v in X["ax1_ligand"]]
    a2 = [canonical_ligand(v) for v in X["ax2_ligand"]]
    donors = ComplexEncoder().fit(X).transform(X)[[f"donor={a}" for a in DONOR_ATOMS] + ["homoleptic"]]
    out = pd.DataFrame(
        {
            "metal_state": pd.Categorical(
                [_metal_state(m, o) for m, o in zip(X["metal"], X["oxidation_state"], strict=True)],
                categories=list(METAL_STATES),
            ),
            "eq": pd.Categorical([canonical_ligand(v) for v in X["eq_ligand"]], categories=list(LIGANDS)),
            "ax_a": pd.Categorical([min(a, b) for a, b in zip(a1, a2, strict=True)], categories=list(LIGANDS)),
            "ax_b": pd.Categorical([max(a, b) for a, b in zip(a1, a2, strict=True)], categories=list(LIGANDS)),
        },
        index=X.index,
    )
    return pd.concat([out, donors, X[["hfx"]].astype(float)], axis=1)


def _check_columns(X, columns):
    require_columns(X, columns, source="helpers.data.load_spin_splitting()")


class ComplexEncoder(Featurizer):
    """Readable columns of a complex: metal/oxidation state, equatorial and axial ligands, HFX fraction.

    Parameters
    ----------
    ligands : the ligand vocabulary (default :data:`LIGANDS`, every ligand of the data).
    metal_states : the metal/oxidation-state vocabulary (default :data:`METAL_STATES`).
    hfx_range : ``(low, high)`` HFX fractions covered by the model; outside → :class:`ExtrapolationWarning`.
    hfx_reference, hfx_step : the ``"hfx"`` column is ``(HFX - hfx_reference) / hfx_step``.
    blocks : the blocks of columns to output, a subset of ``"metal"``, ``"ox"``, ``"eq"``, ``"ax"``,
        ``"donor"``, ``"homoleptic"``, ``"hfx"`` (default None: all of them, in that order). Chapter 5's
        first, pre-design feature set is ``("metal", "eq", "ax", "hfx")``.

    ``fit(X)`` validates ``X`` and fixes the column names (they do not depend on the rows); ``transform(X)``
    returns a float DataFrame with those columns and ``X``'s index, so a following
    :class:`~helpers.linear.MultilinearRegressor` names its terms after them. Blocks of columns:
    :meth:`block`; products of blocks for the ``interactions`` of the multilinear model:
    :meth:`interaction_pairs` (both work before ``fit``).
    """

    CITATIONS = ("janet2017chemsci", "janet2017jpca")

    def __init__(
        self,
        ligands=LIGANDS,
        metal_states=METAL_STATES,
        hfx_range=HFX_RANGE,
        hfx_reference=HFX_REFERENCE,
        hfx_step=HFX_STEP,
        blocks=None,
    ):
        self.ligands = ligands
        self.metal_states = metal_states
        self.hfx_range = hfx_range
        self.hfx_reference = hfx_reference
        self.hfx_step = hfx_step
        self.blocks = blocks

    # -- vocabulary
    def block(self, name: str) -> list[str]:
        """Column names of one block: ``"metal"``, ``"ox"``, ``"eq"``, ``"ax"``, ``"donor"``, ``"homoleptic"``
        or ``"hfx"``."""
        blocks = {
            "metal": list(self.metal_states),
            "ox": ["ox=III"],
            "eq": [f"eq={lig}" for lig in self.ligands],
            "ax": [f"ax={lig}" for lig in self.ligands],
            "donor": [f"donor={atom}" for atom in DONOR_ATOMS],
            "homoleptic": ["homoleptic"],
            "hfx": ["hfx"],
        }
        if name not in blocks:
            raise ValueError(f"unknown block {name!r}; blocks are {', '.join(blocks)}")
        return blocks[name]

    def _blocks(self) -> tuple[str, ...]:
        if self.blocks is None:
            return BLOCKS
        if isinstance(self.blocks, str) or not len(self.blocks):
            raise ValueError(
                f"blocks must be a non-empty list of block names from {', '.join(BLOCKS)}, got {self.blocks!r}"
            )
        unknown = [b for b in self.blocks if b not in BLOCKS]
        if unknown:
            raise ValueError(f"unknown block(s) {', '.join(map(repr, unknown))}; blocks are {', '.join(BLOCKS)}")
        return tuple(b for b in BLOCKS if b in set(self.blocks))

    def _all_names(self) -> list[str]:
        return [c for b in BLOCKS for c in self.block(b)]

    def _names(self) -> list[str]:
        return [c for b in self._blocks() for c in self.block(b)]

    def interaction_pairs(self, *block_pairs) -> list[tuple[str, str]]:
        """Every pair of column names between two blocks, for each ``(block_a, block_b)`` given, e.g.
        ``interaction_pairs(("metal", "hfx"), ("eq", "ax"))``. ``("ax", "ax")`` gives the products of two
        different axial ligands. Pairs that never co-occur are dropped by the model at fit time. The same
        rule as a callable for the regressor is :class:`BlockPairs`."""
        return BlockPairs(*block_pairs)(self._names())

    # -- fit / transform
    def _check_params(self):
        step, ref = self.hfx_step, self.hfx_reference
        if not (isinstance(step, numbers.Real) and np.isfinite(step) and step > 0):
            raise ValueError(
                f"hfx_step must be a positive number (the HFX step the 'hfx' column counts, e.g. "
                f"{HFX_STEP}), got {step!r}"
            )
        if not (isinstance(ref, numbers.Real) and np.isfinite(ref)):
            raise ValueError(f"hfx_reference must be a finite HFX fraction (e.g. {HFX_REFERENCE}), got {ref!r}")
        lo_hi = tuple(self.hfx_range) if np.ndim(self.hfx_range) == 1 else ()
        if not (
            len(lo_hi) == 2
            and all(isinstance(v, numbers.Real) and np.isfinite(v) for v in lo_hi)
            and lo_hi[0] <= lo_hi[1]
        ):
            raise ValueError(
                f"hfx_range must be (low, high) HFX fractions with low <= high, e.g. {HFX_RANGE}, "
                f"got {self.hfx_range!r}"
            )

    def fit(self, X, y=None):
        """Check ``X`` and set ``feature_names_`` (fixed by the vocabularies, not by the rows)."""
        self._check_params()
        missing = [lig for lig in self.ligands if lig not in LIGAND_DONORS]
        if missing:
            raise ValueError(f"no donor atom known for ligand(s) {', '.join(missing)}; add them to LIGAND_DONORS")
        self._encode(X)
        self.feature_names_ = self._names()
        self.n_features_in_ = len(COMPLEX_COLUMNS)
        return self

    def transform(self, X) -> pd.DataFrame:
        """The encoded columns (float DataFrame, index of ``X``); see the module docstring."""
        check_is_fitted(self, "feature_names_")
        self._check_params()
        return self._encode(X)

    def _encode(self, X) -> pd.DataFrame:
        _check_columns(X, COMPLEX_COLUMNS)
        if len(X) == 0:
            raise ValueError("X has no rows; give at least one complex")
        known_l = tuple(self.ligands)
        known_m = tuple(self.metal_states)
        n = len(X)
        names = self._all_names()
        col = {c: i for i, c in enumerate(names)}
        Z = np.zeros((n, len(names)))
        rows = np.arange(n)
        metal = [_metal_state(m, o, known_m) for m, o in zip(X["metal"], X["oxidation_state"], strict=True)]
        Z[rows, [col[m] for m in metal]] = 1.0
        Z[:, col["ox=III"]] = [m.endswith("(III)") for m in metal]
        eq = [canonical_ligand(v, known=known_l) for v in X["eq_ligand"]]
        Z[rows, [col[f"eq={v}"] for v in eq]] = 1.0
        donor = np.array([[LIGAND_DONORS[v].get(a, 0.0) for a in DONOR_ATOMS] for v in eq]) * 4.0
        homoleptic = np.ones(n, dtype=bool)
        for c in ("ax1_ligand", "ax2_ligand"):
            ax = [canonical_ligand(v, known=known_l) for v in X[c]]
            np.add.at(Z, (rows, [col[f"ax={v}"] for v in ax]), 1.0)
            donor += np.array([[LIGAND_DONORS[v].get(a, 0.0) for a in DONOR_ATOMS] for v in ax])
            homoleptic &= np.array(ax) == np.array(eq)
        Z[:, col["homoleptic"]] = homoleptic
        Z[:, [col[f"donor={a}"] for a in DONOR_ATOMS]] = donor
        hfx = pd.to_numeric(X["hfx"], errors="coerce").to_numpy(dtype=float)
        if not np.all(np.isfinite(hfx)):
            raise ValueError("hfx must be a number (the Hartree-Fock exchange fraction, e.g. 0.20) in every row")
        if np.any(hfx < 0) or np.any(hfx > 1):
            raise ValueError(
                f"hfx is a fraction between 0 and 1 (e.g. 0.20 for B3LYP), got values "
                f"from {hfx.min():g} to {hfx.max():g}; did you give a percentage?"
            )
        lo, hi = self.hfx_range
        out = (hfx < lo - 1e-12) | (hfx > hi + 1e-12)
        if out.any():
            warnings.warn(
                f"{int(out.sum())} row(s) have an HFX fraction outside {lo:g}-{hi:g} (e.g. "
                f"{hfx[out][0]:g}), the range of the training data: their prediction is an extrapolation",
                ExtrapolationWarning,
                stacklevel=3,
            )
        Z[:, col["hfx"]] = np.round((hfx - self.hfx_reference) / self.hfx_step, 12)  # 0.25 → 0.5, not 0.4999…
        out = self._names()
        if len(out) < len(names):
            Z = Z[:, [col[c] for c in out]]
        return pd.DataFrame(Z, index=X.index, columns=out)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Readable column names (``"Fe(II)"``, ``"eq=co"``, ``"ax=cl"``, ``"donor=C"``, ``"hfx"``)."""
        return super().get_feature_names_out(input_features)
