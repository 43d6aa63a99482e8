"""Composition, volume and space group of a transparent conducting oxide, computed from its structure.

:class:`TCOTabularFeaturizer` gives the columns that chapter 03's recipe (:func:`helpers.models.tco_model`)
puts next to the n-gram counts of :mod:`helpers.featurize.ngram`: cation fractions, volume per atom and the
one-hot space group. It runs the same structure and space-group checks as the n-gram featurizer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from helpers.featurize.base import Featurizer, require_columns
from helpers.featurize.ngram import check_spacegroup, check_structure

__all__ = ["TCOTabularFeaturizer", "SPACE_GROUPS"]

#: The space groups of the NOMAD 2018 Kaggle set: those of the parent (Al, Ga, In)2O3 polymorphs.
SPACE_GROUPS = (12, 33, 167, 194, 206, 227)


class TCOTabularFeaturizer(Featurizer):
    """Composition, volume and space group of each compound, computed from its structure.

    Columns: ``x_Al``, ``x_Ga``, ``x_In`` (cation fractions, 1), ``V_atom`` (cell volume per atom,
    Å³/atom) and ``sg12`` … ``sg227`` (one-hot space group, 1). ``X`` is the loader's DataFrame
    (``structure``, ``spacegroup``). Nothing is learned in ``fit`` (the columns are fixed). The space group
    must be an integral number (167 or 167.0), one of :data:`SPACE_GROUPS`, and each structure passes
    :func:`~helpers.featurize.ngram.check_structure` (the same checks as the n-gram features).
    """

    CITATIONS = ("sutton2019",)

    def fit(self, X, y=None):
        """Fix the column names (nothing is learned)."""
        self._check(X)
        self.feature_names_ = ["x_Al", "x_Ga", "x_In", "V_atom"] + [f"sg{g}" for g in SPACE_GROUPS]
        return self

    @staticmethod
    def _check(X):
        if not isinstance(X, pd.DataFrame):
            raise TypeError(
                f"X must be the loader's DataFrame (columns 'structure', 'spacegroup'), got {type(X).__name__}"
            )
        require_columns(X, ("structure", "spacegroup"), source="helpers.data.load_tco()")
        sg = np.array(
            [check_spacegroup(v, where=f"row {pos}") for pos, v in enumerate(X["spacegroup"])], dtype=np.int64
        )
        unknown = ~np.isin(sg, SPACE_GROUPS)
        if unknown.any():
            raise ValueError(
                f"space group(s) {sorted(set(sg[unknown].tolist()))} unknown (rows "
                f"{np.flatnonzero(unknown)[:10].tolist()}); the TCO data have {list(SPACE_GROUPS)}: for a "
                "structure of your own, give the group of the parent (Al, Ga, In)2O3 polymorph"
            )
        return sg

    def transform(self, X):
        """The tabular features of ``X`` (a dense float array)."""
        check_is_fitted(self, "feature_names_")
        sg = self._check(X)
        out = np.zeros((len(X), len(self.feature_names_)))
        for r, s in enumerate(X["structure"]):
            check_structure(s, where=f"row {r}")
            z = np.asarray(s.atomic_numbers)
            n_cat = np.isin(z, (13, 31, 49)).sum()
            if n_cat == 0:
                raise ValueError(f"row {r}: the structure has no Al, Ga or In")
            out[r, :3] = [(z == 13).sum() / n_cat, (z == 31).sum() / n_cat, (z == 49).sum() / n_cat]
            out[r, 3] = s.volume / len(s)
        out[:, 4:] = sg[:, None] == np.array(SPACE_GROUPS)[None, :]
        return out
