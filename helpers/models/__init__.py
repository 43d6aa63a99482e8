"""The model recipes: one function per case study returning that chapter's final, UNFITTED multilinear
estimator (an sklearn ``Pipeline``: encoder → ``MultilinearRegressor``) that takes the loader's DataFrame.

The chapters, the scorecard and a reader scoring their own compounds all get the model from here:

- :func:`tco_model` (``target="formation_energy"`` or ``"bandgap"``), :mod:`helpers.models.tco`;
- :func:`elpasolite_model`, :mod:`helpers.models.elpasolite`;
- :func:`spin_splitting_model`, :mod:`helpers.models.spin_splitting`.
"""

# explicit imports, so that tools and IDEs follow every name to the module that defines it
from helpers.models.elpasolite import (
    ELPASOLITE_PROPERTIES,
    ELPASOLITE_TARGET,
    SITE_PAIRS,
    SiteTables,
    elpasolite_model,
    grouped_contributions,
    purify,
    site_contributions,
    site_effect,
    site_model_parts,
    site_tables,
    site_weights,
)
from helpers.models.spin_splitting import (
    CANDIDATE_INTERACTIONS,
    DEFAULT_ALPHA,
    DEFAULT_INTERACTIONS,
    SPIN_SPLITTING_ALPHAS,
    SpinSplittingCV,
    spin_splitting_model,
)
from helpers.models.tco import TCO_TARGETS, TCOMultilinearRegressor, tco_model

__all__ = [
    "CANDIDATE_INTERACTIONS",
    "DEFAULT_ALPHA",
    "DEFAULT_INTERACTIONS",
    "elpasolite_model",
    "ELPASOLITE_PROPERTIES",
    "ELPASOLITE_TARGET",
    "grouped_contributions",
    "purify",
    "site_contributions",
    "site_effect",
    "site_model_parts",
    "SITE_PAIRS",
    "site_tables",
    "site_weights",
    "SiteTables",
    "SPIN_SPLITTING_ALPHAS",
    "spin_splitting_model",
    "SpinSplittingCV",
    "tco_model",
    "TCO_TARGETS",
    "TCOMultilinearRegressor",
]
