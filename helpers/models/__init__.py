"""The model recipes: one function per case study returning that chapter's final, UNFITTED multilinear
estimator (an sklearn ``Pipeline``: encoder → ``MultilinearRegressor``) that takes the loader's DataFrame.

The chapters, the scorecard and a reader scoring their own compounds all get the model from here:

- :func:`tco_model` (``target="formation_energy"`` or ``"bandgap"``), :mod:`helpers.models.tco`;
- :func:`elpasolite_model` (and the paper's one-hot form, :func:`elpasolite_onehot_model`),
  :mod:`helpers.models.elpasolite`;
- :func:`spin_splitting_model`, :mod:`helpers.models.spin_splitting`.
- :func:`perovskite_model` (a classifier, with :class:`PerovskiteCV`), :mod:`helpers.models.perovskite`.
- :func:`composition_model` (formation energy from the formula alone), :mod:`helpers.models.composition`.
"""

# explicit imports, so that tools and IDEs follow every name to the module that defines it
from helpers.models.composition import (
    COMPOSITION_ALPHAS,
    COMPOSITION_CANDIDATES,
    CompositionPairs,
    CompositionRegressor,
    ValidationChoice,
    composition_model,
    fit_on_validation,
)
from helpers.models.elpasolite import (
    ELPASOLITE_PROPERTIES,
    ELPASOLITE_TARGET,
    SITE_PAIRS,
    SiteTables,
    elpasolite_model,
    elpasolite_onehot_model,
    grouped_contributions,
    pair_penalty_loo,
    purify,
    site_contributions,
    site_effect,
    site_effect_table,
    site_model_parts,
    site_tables,
    site_weights,
)
from helpers.models.perovskite import (
    PEROVSKITE_FEATURES,
    PEROVSKITE_KNOTS,
    PEROVSKITE_PAIR_SETS,
    PerovskiteCV,
    PerovskiteInputs,
    VariablePairs,
    double_perovskite_inputs,
    perovskite_model,
    tau_factor,
    variable_contributions,
)
from helpers.models.spin_splitting import (
    CANDIDATE_INTERACTIONS,
    DEFAULT_ALPHA,
    DEFAULT_INTERACTIONS,
    PRE_DESIGN_BLOCKS,
    PRE_DESIGN_CANDIDATES,
    SPIN_SPLITTING_ALPHAS,
    SpinSplittingCV,
    pre_design_cv,
    spin_splitting_model,
)
from helpers.models.tco import TCO_TARGETS, QuadraticKernelRidge, TCOMultilinearRegressor, tco_model

__all__ = [
    "double_perovskite_inputs",
    "PEROVSKITE_FEATURES",
    "PEROVSKITE_KNOTS",
    "PEROVSKITE_PAIR_SETS",
    "perovskite_model",
    "PerovskiteCV",
    "PerovskiteInputs",
    "tau_factor",
    "variable_contributions",
    "VariablePairs",
    "CANDIDATE_INTERACTIONS",
    "DEFAULT_ALPHA",
    "DEFAULT_INTERACTIONS",
    "elpasolite_model",
    "elpasolite_onehot_model",
    "ELPASOLITE_PROPERTIES",
    "ELPASOLITE_TARGET",
    "pre_design_cv",
    "PRE_DESIGN_BLOCKS",
    "PRE_DESIGN_CANDIDATES",
    "grouped_contributions",
    "pair_penalty_loo",
    "purify",
    "site_contributions",
    "site_effect",
    "site_effect_table",
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
    "QuadraticKernelRidge",
    "TCOMultilinearRegressor",
    "COMPOSITION_ALPHAS",
    "COMPOSITION_CANDIDATES",
    "CompositionPairs",
    "CompositionRegressor",
    "ValidationChoice",
    "composition_model",
    "fit_on_validation",
]
