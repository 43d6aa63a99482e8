"""The black boxes the multilinear models are compared with, each tuned by cross-validation on the
training data only:

- :mod:`helpers.baselines.krr` — kernel ridge regression with a cheap exact CV over (kernel width, penalty);
- :mod:`helpers.baselines.mlp` — multilayer-perceptron ensembles in the style of Janet & Kulik (2017);
- :mod:`helpers.baselines.boosting` — histogram gradient boosting (regressor and classifier) tuned by inner CV;
- :mod:`helpers.baselines.ebm` — InterpretML's Explainable Boosting Machine, early-stopped on whole groups.
"""

# explicit imports, so that tools and IDEs follow every name to the module that defines it
from helpers.baselines.boosting import (
    DEFAULT_BOOSTING_GRID,
    SMALL_BOOSTING_GRID,
    SMALL_CLASSIFIER_GRID,
    BoostingClassifierCV,
    BoostingCV,
    tuned_boosting,
)
from helpers.baselines.ebm import DEFAULT_EBM_GRID, EBMRegressorCV, grouped_bags
from helpers.baselines.krr import (
    DEFAULT_GAMMA_FACTORS,
    DEFAULT_KRR_ALPHAS,
    CentredKernelRidge,
    KernelRidgeCV,
    median_gamma,
)
from helpers.baselines.mlp import DEFAULT_MLP_ALPHAS, MLPEnsemble, MLPEnsembleCV

__all__ = [
    "BoostingClassifierCV",
    "BoostingCV",
    "CentredKernelRidge",
    "DEFAULT_BOOSTING_GRID",
    "DEFAULT_EBM_GRID",
    "EBMRegressorCV",
    "grouped_bags",
    "DEFAULT_GAMMA_FACTORS",
    "DEFAULT_KRR_ALPHAS",
    "DEFAULT_MLP_ALPHAS",
    "KernelRidgeCV",
    "median_gamma",
    "MLPEnsemble",
    "MLPEnsembleCV",
    "SMALL_BOOSTING_GRID",
    "SMALL_CLASSIFIER_GRID",
    "tuned_boosting",
]
