"""Featurizers: scikit-learn transformers on matminer's ``BaseFeaturizer`` contract.

Every featurizer derives from :class:`helpers.featurize.base.Featurizer`: ``fit``/``transform``,
``get_feature_names_out()`` (readable labels), ``feature_labels()``, ``citations()`` (BibTeX keys of
``book/references.bib``) and ``implementors()``. One module per representation:

- :mod:`helpers.featurize.ngram` — n-gram counts of TCO crystal graphs;
- :mod:`helpers.featurize.tco` — composition, volume and space group of a TCO;
- :mod:`helpers.featurize.elpasolite` — site/element encodings of ABC2D6 elpasolites;
- :mod:`helpers.featurize.complexes` — metal/ligand encodings of transition-metal complexes;
- :mod:`helpers.featurize.composition` — element fractions and weighted element properties of a formula;
- :mod:`helpers.featurize.potential` — radial two-body and many-body bases of atomic cells (EMT copper).
"""

# explicit imports, so that tools and IDEs follow every name to the module that defines it
from helpers.featurize.base import Featurizer, PairRule, require_columns
from helpers.featurize.complexes import (
    COMPLEX_COLUMNS,
    DONOR_ATOMS,
    HFX_RANGE,
    HFX_REFERENCE,
    HFX_STEP,
    LIGAND_DONORS,
    LIGAND_SYNONYMS,
    LIGANDS,
    METAL_STATES,
    BlockPairs,
    ComplexEncoder,
    ExtrapolationWarning,
    canonical_ligand,
    complex_categories,
    complex_key,
)
from helpers.featurize.composition import (
    COMPOSITION_BLOCKS,
    COMPOSITION_PROPERTIES,
    CompositionFeaturizer,
    element_properties,
)
from helpers.featurize.elpasolite import (
    ELEMENT_PROPERTIES,
    ELPASOLITE_ELEMENTS,
    SITES,
    SiteEncoder,
    SiteOneHot,
    SitePairs,
    SitePeriodic,
    SiteSplineBasis,
    crystal_groups,
    element_table,
    site_codes,
    site_counts,
)
from helpers.featurize.ngram import (
    MAX_VOLUME_PER_ATOM,
    MIN_PLANE_SPACING,
    MIN_VOLUME_PER_ATOM,
    SHANNON_RADII,
    WINNER_BOND_FACTORS,
    NGramFeaturizer,
    UnseenNGramWarning,
    bond_factor,
    check_spacegroup,
    check_structure,
    clear_memo,
    crystal_graph,
    metal_oxygen_distances,
    neighbourhood,
)
from helpers.featurize.potential import COPPER_LATTICE, RadialDensityFeaturizer, emt_cells
from helpers.featurize.tco import SPACE_GROUPS, TCOTabularFeaturizer

__all__ = [
    "BlockPairs",
    "bond_factor",
    "canonical_ligand",
    "check_spacegroup",
    "check_structure",
    "clear_memo",
    "complex_categories",
    "COMPLEX_COLUMNS",
    "complex_key",
    "crystal_groups",
    "ComplexEncoder",
    "crystal_graph",
    "DONOR_ATOMS",
    "ELEMENT_PROPERTIES",
    "element_table",
    "ELPASOLITE_ELEMENTS",
    "ExtrapolationWarning",
    "Featurizer",
    "HFX_RANGE",
    "HFX_REFERENCE",
    "HFX_STEP",
    "LIGAND_DONORS",
    "LIGAND_SYNONYMS",
    "LIGANDS",
    "MAX_VOLUME_PER_ATOM",
    "metal_oxygen_distances",
    "METAL_STATES",
    "MIN_PLANE_SPACING",
    "MIN_VOLUME_PER_ATOM",
    "neighbourhood",
    "NGramFeaturizer",
    "PairRule",
    "require_columns",
    "SHANNON_RADII",
    "site_codes",
    "site_counts",
    "SiteEncoder",
    "SiteOneHot",
    "SitePairs",
    "SitePeriodic",
    "SITES",
    "SPACE_GROUPS",
    "SiteSplineBasis",
    "TCOTabularFeaturizer",
    "UnseenNGramWarning",
    "WINNER_BOND_FACTORS",
    "COMPOSITION_BLOCKS",
    "COMPOSITION_PROPERTIES",
    "CompositionFeaturizer",
    "element_properties",
    "COPPER_LATTICE",
    "RadialDensityFeaturizer",
    "emt_cells",
]
