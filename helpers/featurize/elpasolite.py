"""Site encodings of ABC2D6 elpasolites {cite:p}`faber2016`: which element sits on which site.

An elpasolite A B C2 D6 is given by four element symbols, one per site, in the columns ``A``, ``B``,
``C``, ``D`` of a DataFrame (as :func:`helpers.data.load_elpasolites` returns). A and B are both
octahedral sites and their order in the data is a labelling convention, so every encoder here is
**A/B-symmetric by default** (``symmetric_ab=True``): swapping the elements on A and B gives the same
features.

- :class:`SiteOneHot` — one column per (site, element), named ``"D=F"``; with the symmetric encoding A
  and B share one block ``"AB=Ca"`` that counts the element on either site. Sparse output.
- :class:`SitePeriodic` — each site's element as periodic-table coordinates (row and main-group
  column, Faber et al.'s representation) for kernel ridge regression and boosting; A/B-symmetric by
  putting the lighter of the two elements first.
- :class:`SiteSplineBasis` — the one-hot block plus smooth functions (cubic B-splines) of element
  properties (row, column, electronegativity, radius, ...) on each site: the per-site basis functions of
  the chapter's multilinear model, whose pair products between sites are the interaction terms.
  Sparse output (a cubic B-spline basis has at most four non-zero functions at any value).

Element data come from pymatgen's :class:`~pymatgen.core.periodic_table.Element`
{cite:p}`ong2013` (see :func:`element_table`).
"""

from __future__ import annotations

import warnings
from functools import lru_cache

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.preprocessing import SplineTransformer
from sklearn.utils.validation import check_is_fitted

from helpers.featurize.base import Featurizer, PairRule, require_columns

__all__ = [
    "SITES",
    "ELPASOLITE_ELEMENTS",
    "ELEMENT_PROPERTIES",
    "element_table",
    "site_codes",
    "site_counts",
    "crystal_groups",
    "SiteEncoder",
    "SiteOneHot",
    "SitePeriodic",
    "SiteSplineBasis",
    "SitePairs",
]

#: The four sites of A B C2 D6 (1, 1, 2 and 6 atoms per formula unit).
SITES = ("A", "B", "C", "D")
#: The 39 main-group elements of Faber et al.'s data set, in order of atomic number.
ELPASOLITE_ELEMENTS = (
    "H",
    "He",
    "Li",
    "Be",
    "B",
    "C",
    "N",
    "O",
    "F",
    "Ne",
    "Na",
    "Mg",
    "Al",
    "Si",
    "P",
    "S",
    "Cl",
    "Ar",
    "K",
    "Ca",
    "Ga",
    "Ge",
    "As",
    "Se",
    "Br",
    "Kr",
    "Rb",
    "Sr",
    "In",
    "Sn",
    "Sb",
    "Te",
    "I",
    "Xe",
    "Cs",
    "Ba",
    "Tl",
    "Pb",
    "Bi",
)
#: Columns of :func:`element_table` that :class:`SiteSplineBasis` can use.
ELEMENT_PROPERTIES = (
    "row",
    "column",
    "electronegativity",
    "radius",
    "ionization_energy",
    "electron_affinity",
    "mendeleev",
)


@lru_cache(maxsize=8)
def _element_table(elements: tuple[str, ...]) -> pd.DataFrame:
    from pymatgen.core.periodic_table import Element

    rows = []
    with warnings.catch_warnings():
        # pymatgen warns that noble gases have no Pauling electronegativity; they are filled below
        warnings.simplefilter("ignore", UserWarning)
        for sym in elements:
            try:
                el = Element(sym)
            except ValueError:
                raise ValueError(f"{sym!r} is not an element symbol") from None
            if not el.is_noble_gas and el.group not in (1, 2, 13, 14, 15, 16, 17):
                raise ValueError(
                    f"{sym} (group {el.group}) is not a main-group element: the main-group column "
                    "used by these encoders is defined for groups 1, 2 and 13-18 only"
                )
            pauling = float(el.X)
            rows.append(
                {
                    "element": sym,
                    "Z": int(el.Z),
                    "row": int(el.row),
                    "group": int(el.group),
                    "column": int(el.group if el.group <= 2 else el.group - 10),
                    "pauling": pauling,
                    "mulliken": (float(el.ionization_energy) + float(el.electron_affinity)) / 2,
                    "radius": float(el.atomic_radius_calculated),
                    "ionization_energy": float(el.ionization_energy),
                    "electron_affinity": float(el.electron_affinity),
                    "mendeleev": int(el.mendeleev_no),
                }
            )
    df = pd.DataFrame(rows).set_index("element")
    ok = np.isfinite(df.pauling.to_numpy())
    if ok.sum() >= 2:
        slope, offset = np.polyfit(df.mulliken[ok], df.pauling[ok], 1)
        df["electronegativity"] = np.where(ok, df.pauling, slope * df.mulliken + offset)
    else:
        df["electronegativity"] = df.pauling
    df["electronegativity_filled"] = ~ok
    return df[
        [
            "Z",
            "row",
            "group",
            "column",
            "electronegativity",
            "radius",
            "ionization_energy",
            "electron_affinity",
            "mendeleev",
            "pauling",
            "mulliken",
            "electronegativity_filled",
        ]
    ]


def element_table(elements=ELPASOLITE_ELEMENTS) -> pd.DataFrame:
    """Periodic-table data of main-group ``elements`` from pymatgen, one row per element (index: symbol).

    Columns: ``Z``; ``row`` (period); ``group`` (IUPAC 1-18); ``column`` (main-group column 1-8:
    groups 1, 2 → 1, 2 and 13-18 → 3-8, so that the 10 empty transition-metal groups leave no gap);
    ``electronegativity`` (Pauling; He, Ne and Ar, which have no Pauling value, get the linear fit of
    Pauling on Mulliken electronegativity over the other elements, marked in
    ``electronegativity_filled``); ``radius`` (Å, Clementi's calculated atomic radius, defined for
    every element); ``ionization_energy`` (first ionisation energy, eV) and ``electron_affinity`` (eV);
    ``mendeleev`` (Pettifor's Mendeleev number); ``pauling`` and ``mulliken`` ((first ionisation energy +
    electron affinity)/2, eV).
    """
    return _element_table(tuple(elements)).copy()


# ----------------------------------------------------------------------------- which element is where
def site_codes(frame: pd.DataFrame, elements) -> dict[str, np.ndarray]:
    """Position in ``elements`` of the element on each site of every row of ``frame`` (columns A, B, C, D):
    one integer array per site. An element outside ``elements`` is an error that names it and its site."""
    require_columns(frame, SITES, source="helpers.data.load_elpasolites()")
    index = pd.Index(elements)
    codes = {}
    for s in SITES:
        values = frame[s].astype(str).to_numpy()
        code = index.get_indexer(values).astype(np.intp)
        if np.any(code < 0):
            bad = sorted(set(values[code < 0]))
            raise ValueError(
                f"unknown element(s) {bad} on site {s}; this encoder knows the "
                f"{len(elements)} elements {', '.join(elements)}. A model can only "
                "predict for elements its encoder knows: to add one, refit with the encoder's "
                "`elements` parameter extended (for the recipe: "
                "elpasolite_model().set_params(sites__elements=[...]))"
            )
        codes[s] = code
    return codes


def site_counts(codes: dict, n: int) -> dict[str, np.ndarray]:
    """How many crystals hold each of the ``n`` elements on each site (``codes`` from :func:`site_codes`);
    A and B are one site class, so both get the pooled count of A and B."""
    ab = np.bincount(np.concatenate([codes["A"], codes["B"]]), minlength=n)
    return {"A": ab, "B": ab, "C": np.bincount(codes["C"], minlength=n), "D": np.bincount(codes["D"], minlength=n)}


def crystal_groups(frame: pd.DataFrame) -> np.ndarray:
    """One integer per row of ``frame`` (columns A, B, C, D) naming its crystal with the A/B order
    ignored: a crystal stored twice, as (A, B, C, D) and (B, A, C, D), gets the same number in both rows.

    Use it as ``groups`` of a grouped split (``sklearn.model_selection.GroupShuffleSplit``,
    :func:`helpers.evaluate.kfold`) so that the two orders of one crystal never fall on both sides of a
    split. Numbers follow the order of first appearance (0, 1, 2, ...)."""
    require_columns(frame, SITES, source="helpers.data.load_elpasolites()")
    a, b = frame["A"].astype(str).to_numpy(), frame["B"].astype(str).to_numpy()
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    keys = pd.Series(lo, dtype=object) + "|" + hi + "|" + frame["C"].astype(str).to_numpy() + "|"
    keys = keys + frame["D"].astype(str).to_numpy()
    return pd.factorize(keys)[0].astype(np.intp)


# ----------------------------------------------------------------------------- shared plumbing
class SiteEncoder(Featurizer):
    """Base of the site encoders: input checks, the element vocabulary and the per-element tables.

    Every encoder here writes a crystal's features as a sum over sites of one row of a per-element table
    (:meth:`element_features`), which is what lets :func:`helpers.models.elpasolite.site_tables` rewrite a
    fitted model as look-up tables."""

    CITATIONS = ("faber2016", "ong2013")

    def _vocabulary(self) -> tuple[str, ...]:
        if isinstance(self.elements, str):  # tuple("FClBrI") would be the letters F, C, l, B, ...
            raise ValueError(
                f"elements must be a list of element symbols, got the string {self.elements!r}; "
                "e.g. elements=['F', 'Cl', 'Br', 'I']"
            )
        els = ELPASOLITE_ELEMENTS if self.elements is None else tuple(str(e) for e in self.elements)
        if len(els) == 0 or len(set(els)) != len(els):
            raise ValueError(f"elements must be a non-empty list of distinct symbols, got {els!r}")
        return els

    def _blocks(self) -> list[tuple[str, tuple[str, ...]]]:
        """(block name, sites it covers): ``AB`` covers A and B in the symmetric encoding."""
        if self.symmetric_ab:
            return [("AB", ("A", "B")), ("C", ("C",)), ("D", ("D",))]
        return [(s, (s,)) for s in SITES]

    def _codes(self, X) -> dict[str, np.ndarray]:
        """Integer code of each site's element (position in the vocabulary); clear errors for bad input."""
        return site_codes(X, self.elements_)

    def _start_fit(self, X):
        self.elements_ = self._vocabulary()
        self._codes(X)  # validates the training frame
        self.blocks_ = self._blocks()
        self.n_features_in_ = len(SITES)
        self.feature_names_in_ = np.asarray(SITES, dtype=object)

    def _block_values(self, codes, tables: dict[str, np.ndarray]):
        """Rows of each block's per-element table, summed over the sites the block covers."""
        out = []
        for name, sites in self.blocks_:
            T = tables[name]
            out.append(sum(T[codes[s]] for s in sites))
        return out

    def element_features(self, block: str) -> np.ndarray:
        """Feature values (n_elements × n_features) of each known element on ONE site of ``block``.

        Column ``k`` belongs to the output column ``self.block_columns_[block][k]``; with the symmetric
        encoding an AB feature is the sum of this table's rows for the elements on A and on B. This is
        what :func:`helpers.models.elpasolite.site_tables` turns into look-up tables.
        """
        check_is_fitted(self, "feature_names_")
        if block not in self.tables_:
            raise ValueError(f"unknown block {block!r}; the blocks are {[b for b, _ in self.blocks_]}")
        T = self.tables_[block]
        return T.toarray() if sp.issparse(T) else np.asarray(T, dtype=np.float64)

    def _finish_fit(self, tables: dict[str, np.ndarray], names: dict[str, list[str]]):
        self.tables_ = tables
        self.feature_names_, self.feature_blocks_, self.block_columns_ = [], [], {}
        for name, _ in self.blocks_:
            start = len(self.feature_names_)
            self.feature_names_ += names[name]
            self.feature_blocks_ += [name] * len(names[name])
            self.block_columns_[name] = np.arange(start, len(self.feature_names_))
        self.feature_blocks_ = np.asarray(self.feature_blocks_, dtype=object)
        return self

    def _named(self):
        """``self`` if fitted, else a clone fitted on a one-row frame (the column names do not depend on data)."""
        return self if hasattr(self, "feature_names_") else clone(self).fit(_dummy_frame(self._vocabulary()))

    def column_names(self) -> list[str]:
        """Names of the output columns, also before ``fit`` (they depend on the parameters only)."""
        return [str(n) for n in self._named().feature_names_]

    def interaction_pairs(self, *, one_hot: bool = False) -> list[tuple[str, str]]:
        """Names of the candidate pair terms between DIFFERENT sites: every product of a column of one block
        with a column of another block, plus the products within the ``AB`` block (with A/B symmetry the
        AB block holds two sites, so its products carry the A–B interaction).

        ``one_hot=False`` (the default) leaves out every product that involves a one-hot column, so the
        interactions are smooth functions of the elements' properties; products of columns of one
        single-site block (``C`` or ``D``) are never candidates, being functions of one element, which its
        one-hot main effect already covers. Works before ``fit`` (the names do not depend on the data).
        The same rule, applied to the columns a fitted encoder produced, is :class:`SitePairs`.
        """
        return SitePairs(one_hot=one_hot)(self.column_names())

    def block_of_site(self, site: str) -> str:
        """Name of the block that encodes ``site`` (``"AB"`` for A and B in the symmetric encoding)."""
        check_is_fitted(self, "blocks_")
        for name, sites in self.blocks_:
            if site in sites:
                return name
        raise ValueError(f"unknown site {site!r}; the sites are {', '.join(SITES)}")


class SitePairs(PairRule):
    """The pair rule of the elpasolite recipe, as a callable for ``MultilinearRegressor(interactions=...)``.

    Called with the column names of a site encoder (``"AB=Ca"``: one-hot, ``"C:radius#2"``: a basis
    function of a property; the part before ``=`` or ``:`` is the block), it returns every pair of columns
    of two different blocks, plus the pairs within a block that covers two sites (``AB``); with
    ``one_hot=False`` (the default) no pair involves a one-hot column. Because the regressor calls it at
    ``fit`` with the columns it receives, the pair terms follow the encoder's parameters: a
    ``set_params(sites__properties=...)`` or a grid search over the encoder renames and re-pairs the terms.
    """

    def __init__(self, one_hot: bool = False):
        self.one_hot = one_hot

    def __repr__(self) -> str:
        return f"SitePairs(one_hot={self.one_hot!r})"

    def _params(self) -> tuple:
        return (self.one_hot,)

    def __call__(self, names) -> list[tuple[str, str]]:
        names = [str(n) for n in names]
        parsed = []
        for nm in names:
            cut = min((nm.find(sep) for sep in "=:" if sep in nm), default=-1)
            if cut <= 0 or not set(nm[:cut]) <= set(SITES):
                raise ValueError(
                    f"{nm!r} is not a site-encoder column ('<block>=<element>' or "
                    "'<block>:<property>#<k>'): SitePairs pairs the columns of the encoders of "
                    "helpers.featurize.elpasolite"
                )
            parsed.append((nm[:cut], nm[cut] == "="))
        out = []
        for i, (block_i, oh_i) in enumerate(parsed):
            for j in range(i + 1, len(names)):
                block_j, oh_j = parsed[j]
                if block_i == block_j and len(block_i) == 1:  # one element's own functions: its main effect
                    continue
                if not self.one_hot and (oh_i or oh_j):
                    continue
                out.append((names[i], names[j]))
        return out


def _dummy_frame(elements) -> pd.DataFrame:
    """A one-row frame with the first known element on every site (to name columns before a fit)."""
    return pd.DataFrame({s: [elements[0]] for s in SITES})


def _onehot_table(n: int) -> sp.csr_matrix:
    return sp.identity(n, format="csr", dtype=np.float64)


# ----------------------------------------------------------------------------- encoders
class SiteOneHot(SiteEncoder):
    """One-hot encoding of the element on each site, named ``"<site>=<element>"`` (e.g. ``"D=F"``).

    Parameters
    ----------
    elements : symbols the encoder knows (default :data:`ELPASOLITE_ELEMENTS`); an element outside
        them is an error at ``fit`` and ``transform``. The columns do not depend on the training data,
        so an element never seen in training gets a column of zeros there (and a zero coefficient).
    symmetric_ab : bool, default True
        One block ``"AB=<element>"`` counting the element on A or B (1, or 2 if A and B hold the same
        element), then ``"C=…"`` and ``"D=…"``: 3 × n_elements columns, unchanged by swapping A and B.
        ``False``: four blocks ``"A=…"``, ``"B=…"``, ``"C=…"``, ``"D=…"``.

    ``transform`` returns a CSR sparse matrix (float64).
    """

    def __init__(self, elements=None, symmetric_ab=True):
        self.elements = elements
        self.symmetric_ab = symmetric_ab

    def fit(self, X, y=None):
        """Check ``X`` (columns A, B, C, D of known elements) and name the columns."""
        self._start_fit(X)
        n = len(self.elements_)
        tables = {b: _onehot_table(n) for b, _ in self.blocks_}
        names = {b: [f"{b}={e}" for e in self.elements_] for b, _ in self.blocks_}
        return self._finish_fit(tables, names)

    def transform(self, X):
        """CSR matrix (n_rows × n_features) of the one-hot (AB: count) encoding."""
        check_is_fitted(self, "feature_names_")
        return sp.hstack(self._block_values(self._codes(X), self.tables_), format="csr", dtype=np.float64)


class SitePeriodic(SiteEncoder):
    """Each site's element as periodic-table coordinates, Faber et al.'s representation for KRR.

    Parameters
    ----------
    elements : as in :class:`SiteOneHot`.
    properties : columns of :func:`element_table` to use per site (default ``("row", "column")``).
    symmetric_ab : bool, default True
        Order A and B by atomic number: the first two blocks are ``"A/B lighter"`` and ``"A/B
        heavier"``, so swapping A and B gives identical features. ``False``: sites A and B as given.

    Output: a dense float array, columns named e.g. ``"A/B lighter: row"``, ``"D: column"``.
    """

    def __init__(self, elements=None, properties=("row", "column"), symmetric_ab=True):
        self.elements = elements
        self.properties = properties
        self.symmetric_ab = symmetric_ab

    def _blocks(self):
        return [(s, (s,)) for s in SITES]  # one block per site; symmetry comes from the ordering below

    def fit(self, X, y=None):
        """Check ``X`` and name the columns."""
        props = tuple(self.properties)
        unknown = [p for p in props if p not in ("Z", "row", "group") + ELEMENT_PROPERTIES]
        if not props or unknown:
            raise ValueError(
                f"unknown properties {unknown or props}; choose from {('Z', 'row', 'group') + ELEMENT_PROPERTIES}"
            )
        self._start_fit(X)
        table = element_table(self.elements_)
        self.table_ = table[list(props)].to_numpy(dtype=np.float64)
        self.z_ = table["Z"].to_numpy()
        labels = {"A": "A/B lighter", "B": "A/B heavier"} if self.symmetric_ab else {"A": "A", "B": "B"}
        labels.update({"C": "C", "D": "D"})
        names = {s: [f"{labels[s]}: {p}" for p in props] for s in SITES}
        return self._finish_fit({s: self.table_ for s in SITES}, names)

    def transform(self, X):
        """Dense array (n_rows × 4·n_properties)."""
        check_is_fitted(self, "feature_names_")
        c = self._codes(X)
        a, b = c["A"], c["B"]
        if self.symmetric_ab:
            swap = self.z_[a] > self.z_[b]
            a, b = np.where(swap, b, a), np.where(swap, a, b)
        return np.hstack([self.table_[a], self.table_[b], self.table_[c["C"]], self.table_[c["D"]]])


class SiteSplineBasis(SiteEncoder):
    """Per-site basis functions of the element: its one-hot column plus smooth functions of its properties.

    For each block (``AB``, ``C``, ``D`` in the symmetric encoding) the columns are

    - ``"<block>=<element>"``, the one-hot (AB: count) encoding of :class:`SiteOneHot` (if ``one_hot``);
    - ``"<block>:<property>#<k>"``, the k-th cubic B-spline basis function (``n_knots`` uniform knots
      over the range of the property among the known elements, :class:`~sklearn.preprocessing.SplineTransformer`
      without the redundant constant) evaluated at the element's property, for each of ``properties``.
      With A/B symmetry an AB column is the sum of the functions at the elements on A and on B.

    The one-hot columns let each element have its own main effect; the spline columns are smooth in the
    element's position in the periodic table, so their products between sites (the pair terms of
    :class:`helpers.linear.MultilinearRegressor`) describe site–site interactions with a few hundred
    coefficients, and they say something about elements or combinations absent from training.

    Parameters
    ----------
    elements, symmetric_ab : as in :class:`SiteOneHot`.
    properties : columns of :func:`element_table` (default all of :data:`ELEMENT_PROPERTIES`).
    n_knots : int, default 4.  degree : int, default 3.
    one_hot : bool, default True.
    sparse_output : bool, default True
        CSR output; ``False`` gives a dense array (then :class:`~helpers.linear.MultilinearRegressor`
        chooses its ridge penalty by the fast leave-one-out formula instead of 5-fold refits).
    """

    def __init__(
        self,
        elements=None,
        properties=ELEMENT_PROPERTIES,
        n_knots=4,
        degree=3,
        one_hot=True,
        symmetric_ab=True,
        sparse_output=True,
    ):
        self.elements = elements
        self.sparse_output = sparse_output
        self.properties = properties
        self.n_knots = n_knots
        self.degree = degree
        self.one_hot = one_hot
        self.symmetric_ab = symmetric_ab

    def fit(self, X, y=None):
        """Check ``X``, build the per-element basis table and name the columns.

        The spline knots depend only on the known elements' properties, not on the training rows."""
        props = tuple(self.properties)
        unknown = [p for p in props if p not in ELEMENT_PROPERTIES]
        if unknown:
            raise ValueError(f"unknown properties {unknown}; choose from {ELEMENT_PROPERTIES}")
        if not props and not self.one_hot:
            raise ValueError("no basis functions: set one_hot=True or give at least one property")
        self._start_fit(X)
        table = element_table(self.elements_)
        n = len(self.elements_)
        parts, labels = [], []
        if self.one_hot:
            parts.append(np.eye(n))
            labels.append(("=", [e for e in self.elements_]))
        for p in props:
            v = table[p].to_numpy(dtype=np.float64)[:, None]
            st = SplineTransformer(n_knots=self.n_knots, degree=self.degree, knots="uniform", include_bias=False).fit(v)
            B = st.transform(v)
            B[np.abs(B) < 1e-14] = 0.0
            parts.append(B)
            labels.append((":", [f"{p}#{k}" for k in range(B.shape[1])]))
        T = sp.csr_matrix(np.hstack(parts))
        names = {b: [f"{b}{sep}{lab}" for sep, labs in labels for lab in labs] for b, _ in self.blocks_}
        return self._finish_fit({b: T for b, _ in self.blocks_}, names)

    def transform(self, X):
        """CSR matrix (n_rows × n_features), or a dense array if ``sparse_output=False``."""
        check_is_fitted(self, "feature_names_")
        Z = sp.hstack(self._block_values(self._codes(X), self.tables_), format="csr", dtype=np.float64)
        return Z if self.sparse_output else Z.toarray()
