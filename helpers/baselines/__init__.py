"""The black boxes the multilinear models are compared with, each tuned by cross-validation on the
training data only:

- :mod:`helpers.baselines.krr` — kernel ridge regression with a cheap exact CV over (kernel width, penalty);
- :mod:`helpers.baselines.mlp` — multilayer-perceptron ensembles in the style of Janet & Kulik (2017);
- :mod:`helpers.baselines.boosting` — histogram gradient boosting tuned by inner CV.
"""

from helpers._submodules import reexport

__all__ = reexport(__name__, globals(), ("krr", "mlp", "boosting"))
