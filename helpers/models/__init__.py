"""The model recipes: one function per case study returning that chapter's final, UNFITTED multilinear
estimator (an sklearn ``Pipeline``: encoder → ``MultilinearRegressor``) that takes the loader's DataFrame.

The chapters, the scorecard and a reader scoring their own compounds all get the model from here:

- :func:`tco_model` (``target="formation_energy"`` or ``"bandgap"``), :mod:`helpers.models.tco`;
- :func:`elpasolite_model`, :mod:`helpers.models.elpasolite`;
- :func:`spin_splitting_model`, :mod:`helpers.models.spin_splitting`.
"""

from helpers._submodules import reexport

__all__ = reexport(__name__, globals(), ("tco", "elpasolite", "spin_splitting"))
