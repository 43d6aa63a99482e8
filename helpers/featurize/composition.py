"""Features of a chemical formula alone: element fractions and fraction-weighted element properties.

:class:`CompositionFeaturizer` is a scikit-learn transformer on a DataFrame with a ``formula`` column (as
:func:`helpers.data.load_composition_ef` returns). Its output is a DataFrame (sparse columns by default) in up to three
blocks:

- ``fractions``: the atomic fraction of each element (``"Fe"``), sparse: a ternary has three non-zeros;
- ``properties``: for each element property p of :data:`COMPOSITION_PROPERTIES`, the fraction-weighted mean
  ``Σ_e f_e p_e`` (``"mean electronegativity"``), the weighted standard deviation
  ``(Σ_e f_e (p_e − mean)²)^½`` (``"spread electronegativity"``), and the smallest and largest value over the
  elements present (``"min ..."``, ``"max ..."``), in the property's units;
- ``splines``: a smooth basis of each property feature, cubic B-splines with knots at quantiles of the
  training rows (``"mean electronegativity[2]"``: the third basis function).

The element properties come from pymatgen's periodic table; :func:`element_properties` tabulates them.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import scipy.sparse as sp
from pymatgen.core import Element
from sklearn.preprocessing import SplineTransformer
from sklearn.utils.validation import check_is_fitted

from helpers.featurize.base import Featurizer, require_columns

__all__ = ["COMPOSITION_PROPERTIES", "COMPOSITION_BLOCKS", "CompositionFeaturizer", "element_properties"]

#: Element properties (pymatgen attribute → name, unit): Pauling electronegativity (1), period (1), IUPAC
#: group 1-18 (lanthanides and actinides 3), empirical atomic radius (Å), Pettifor's Mendeleev number (1),
#: first ionisation energy (eV).
COMPOSITION_PROPERTIES = {
    "X": ("electronegativity", "1"),
    "row": ("row", "1"),
    "group": ("group", "1"),
    "atomic_radius": ("radius", "Å"),
    "mendeleev_no": ("mendeleev", "1"),
    "ionization_energy": ("ionisation energy", "eV"),
}
#: The blocks a featurizer can output, in this order.
COMPOSITION_BLOCKS = ("fractions", "properties", "splines")
_STATS = ("mean", "spread", "min", "max")
_SOURCE = "helpers.data.load_composition_ef()"


def element_properties(elements) -> pd.DataFrame:
    """The properties of :data:`COMPOSITION_PROPERTIES` for ``elements`` (symbols), one row per element.

    Columns are the property names (``"electronegativity"``, ...), floats in their units. An element pymatgen
    lacks a value for (e.g. a noble gas's electronegativity) raises ``ValueError`` naming it and the property.
    """
    rows = {}
    for symbol in elements:
        el = Element(symbol)
        values = {}
        for attr, (name, _unit) in COMPOSITION_PROPERTIES.items():
            with warnings.catch_warnings():  # a missing value becomes the clear error below
                warnings.simplefilter("ignore", UserWarning)
                v = getattr(el, attr)
            v = float(v) if v is not None else np.nan
            if not np.isfinite(v):
                raise ValueError(f"pymatgen has no {name} for {symbol}: this featurizer cannot describe it")
            values[name] = v
        rows[symbol] = values
    return pd.DataFrame.from_dict(rows, orient="index")


class CompositionFeaturizer(Featurizer):
    """Element fractions, fraction-weighted element properties and their spline bases, from a formula.

    Parameters
    ----------
    blocks : tuple of str, default ``("fractions", "properties")``
        Which of :data:`COMPOSITION_BLOCKS` to output, in that order.
    n_knots : int, default 4
        Knots of each cubic B-spline basis (``n_knots + 2`` basis functions per property feature).
    sparse_output : bool, default True
        A DataFrame of pandas sparse columns (for the multilinear model, which reads it as a sparse matrix
        and takes its term names from the columns), or a dense DataFrame (for estimators that need dense
        input, such as histogram gradient boosting).

    ``fit`` learns the elements of the training formulas (an element never seen in training is an error at
    ``transform``, with the formula named) and the spline knots. Units are those of
    :data:`COMPOSITION_PROPERTIES`; fractions are dimensionless.
    """

    CITATIONS = ("bartel2020", "wang2021")

    def __init__(self, blocks=("fractions", "properties"), n_knots: int = 4, sparse_output: bool = True):
        self.blocks = blocks
        self.n_knots = n_knots
        self.sparse_output = sparse_output

    def _check_blocks(self) -> tuple[str, ...]:
        blocks = tuple(self.blocks)
        bad = [b for b in blocks if b not in COMPOSITION_BLOCKS]
        if not blocks or bad or len(set(blocks)) != len(blocks):
            raise ValueError(f"blocks must be distinct names among {COMPOSITION_BLOCKS}, got {self.blocks!r}")
        return tuple(b for b in COMPOSITION_BLOCKS if b in blocks)

    def _fractions(self, X) -> list[dict[str, float]]:
        from helpers.data.composition import parse_formulas

        require_columns(X, ["formula"], source=_SOURCE)
        if len(X) == 0:
            raise ValueError("X has no rows: give at least one formula")
        return parse_formulas(X["formula"], source="the 'formula' column")

    def _fraction_matrix(self, fractions, formulas) -> sp.csr_matrix:
        index = {e: i for i, e in enumerate(self.elements_)}
        rows, cols, vals = [], [], []
        for r, comp in enumerate(fractions):
            for e, f in comp.items():
                if e not in index:
                    raise ValueError(
                        f"{formulas[r]!r} (row {r}) contains {e}, an element absent from the training formulas: "
                        "the model has no coefficient for it"
                    )
                rows.append(r)
                cols.append(index[e])
                vals.append(f)
        return sp.csr_matrix((vals, (rows, cols)), shape=(len(fractions), len(self.elements_)))

    def _property_features(self, F: sp.csr_matrix) -> np.ndarray:
        P = self.properties_.to_numpy()
        mean = F @ P
        spread = np.sqrt(np.maximum(F @ (P**2) - mean**2, 0.0))
        lo, hi = np.empty_like(mean), np.empty_like(mean)
        for r in range(F.shape[0]):  # the elements present in each row
            v = P[F.indices[F.indptr[r] : F.indptr[r + 1]]]
            lo[r], hi[r] = v.min(axis=0), v.max(axis=0)
        return np.hstack([mean, spread, lo, hi])

    def fit(self, X, y=None):
        """Learn the elements, their properties and (for ``"splines"``) the knots from the training rows."""
        blocks = self._check_blocks()
        fractions = self._fractions(X)
        self.elements_ = sorted({e for c in fractions for e in c}, key=lambda s: Element(s).Z)
        self.properties_ = element_properties(self.elements_)
        self.property_names_ = [f"{s} {p}" for s in _STATS for p in self.properties_.columns]
        names = list(self.elements_) if "fractions" in blocks else []
        if "properties" in blocks:
            names += self.property_names_
        if "splines" in blocks:
            F = self._fraction_matrix(fractions, list(X["formula"]))
            self.splines_ = SplineTransformer(n_knots=self.n_knots, degree=3, knots="quantile")
            self.splines_.fit(self._property_features(F))
            k = self.n_knots + 2
            names += [f"{p}[{i}]" for p in self.property_names_ for i in range(k)]
        self.feature_names_ = names
        return self

    def transform(self, X) -> pd.DataFrame:
        """The chosen blocks as one DataFrame with sparse columns (dense if not ``sparse_output``), index that
        of ``X``, columns :meth:`get_feature_names_out`."""
        check_is_fitted(self, "feature_names_")
        blocks = self._check_blocks()
        F = self._fraction_matrix(self._fractions(X), list(X["formula"]))
        parts = [F] if "fractions" in blocks else []
        if {"properties", "splines"} & set(blocks):
            props = self._property_features(F)
            if "properties" in blocks:
                parts.append(sp.csr_matrix(props))
            if "splines" in blocks:
                parts.append(sp.csr_matrix(self.splines_.transform(props)))
        out = sp.hstack(parts, format="csr", dtype=np.float64)
        names = list(self.feature_names_)
        if self.sparse_output:  # the column names travel with the data, to name the model's terms
            return pd.DataFrame.sparse.from_spmatrix(out, index=X.index, columns=names)
        return pd.DataFrame(out.toarray(), index=X.index, columns=names)

    def block_of(self) -> np.ndarray:
        """The block (``"fractions"``, ``"properties"``, ``"splines"``) of every output column."""
        check_is_fitted(self, "feature_names_")
        out = []
        for b in self._check_blocks():
            n = {"fractions": len(self.elements_), "properties": len(self.property_names_)}.get(
                b, len(self.property_names_) * (self.n_knots + 2)
            )
            out += [b] * n
        return np.asarray(out, dtype=object)
