"""The contract every featurizer of the compendium follows.

It is scikit-learn's transformer API (``fit``/``transform``/``get_feature_names_out``, so a featurizer
is the first step of a ``Pipeline`` and is ``clone``-able) plus the three descriptive methods of
matminer's ``BaseFeaturizer``: ``feature_labels()``, ``citations()`` and ``implementors()``. matminer
itself is not a dependency (it pins old versions of pymatgen and pandas); only its contract is copied.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

__all__ = ["Featurizer", "PairRule", "require_columns"]


class Featurizer(TransformerMixin, BaseEstimator):
    """Base class: subclasses implement ``fit`` (setting ``feature_names_``) and ``transform``.

    Class attributes a subclass sets:

    - ``CITATIONS``: BibTeX keys, each an entry of ``book/references.bib`` (a test checks this);
    - ``IMPLEMENTORS``: who wrote the featurizer.
    """

    CITATIONS: tuple[str, ...] = ()
    IMPLEMENTORS: tuple[str, ...] = ("The compendium authors",)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Readable names of the output columns, in order (an object array of str)."""
        check_is_fitted(self, "feature_names_")
        return np.asarray(self.feature_names_, dtype=object)

    def feature_labels(self) -> list[str]:
        """matminer's name for :meth:`get_feature_names_out`, as a list."""
        return [str(name) for name in self.get_feature_names_out()]

    def citations(self) -> list[str]:
        """BibTeX keys (of ``book/references.bib``) of the works this representation comes from."""
        return list(self.CITATIONS)

    def implementors(self) -> list[str]:
        """Authors of this implementation."""
        return list(self.IMPLEMENTORS)


class PairRule:
    """Base class of the pair rules: callables for ``MultilinearRegressor(interactions=...)``.

    A rule is called at ``fit`` with the encoder's column names and returns the pairs of columns that get a
    product term, so the pairs follow the encoder's parameters. Subclasses implement ``__call__`` and
    ``_params()`` (a hashable tuple of their settings). Two rules of the same class with the same settings
    compare and hash equal: scikit-learn's ``clone`` and a grid search then treat them as one parameter value.
    """

    def _params(self) -> tuple:
        raise NotImplementedError

    def __call__(self, names) -> list[tuple[str, str]]:
        raise NotImplementedError

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and other._params() == self._params()

    def __hash__(self) -> int:
        return hash((type(self), self._params()))


def require_columns(X, columns, *, source: str) -> None:
    """Raise a clear error unless ``X`` is a DataFrame holding every one of ``columns``.

    ``source`` names where such a frame comes from (e.g. ``"helpers.data.load_spin_splitting()"``); the
    message tells the reader which columns are missing and which the encoder needs.
    """
    columns = [str(c) for c in columns]
    if not isinstance(X, pd.DataFrame):
        raise TypeError(
            f"expected a pandas DataFrame with columns {', '.join(columns)} "
            f"(as {source} returns), got {type(X).__name__}"
        )
    missing = [c for c in columns if c not in X.columns]
    if missing:
        raise ValueError(
            f"missing column(s) {missing}: the encoder needs {columns} "
            f"(as {source} returns); got columns {', '.join(map(str, X.columns))}"
        )
    twice = [c for c in columns if int((X.columns == c).sum()) > 1]
    if twice:
        raise ValueError(
            f"X has duplicated column(s) {twice}; keep one of each (e.g. X.loc[:, ~X.columns.duplicated()]): "
            "which one to read is ambiguous"
        )
