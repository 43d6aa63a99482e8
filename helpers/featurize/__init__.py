"""Featurizers: scikit-learn transformers on matminer's ``BaseFeaturizer`` contract.

Every featurizer derives from :class:`helpers.featurize.base.Featurizer`: ``fit``/``transform``,
``get_feature_names_out()`` (readable labels), ``feature_labels()``, ``citations()`` (BibTeX keys of
``book/references.bib``) and ``implementors()``. One module per representation:

- :mod:`helpers.featurize.ngram` — n-gram counts of TCO crystal graphs;
- :mod:`helpers.featurize.elpasolite` — site/element encodings of ABC2D6 elpasolites;
- :mod:`helpers.featurize.complexes` — metal/ligand encodings of transition-metal complexes.
"""

from helpers._submodules import reexport

__all__ = reexport(__name__, globals(), ("base", "ngram", "elpasolite", "complexes"))
