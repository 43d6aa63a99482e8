"""Altair chart builders: they take computed results and never fit.

One module per kind of chart, all re-exported here (``from helpers import plots; plots.parity_chart``):

- :mod:`helpers.plots.core` — PD/ICE, H-statistic, contribution bars, parity, histograms;
- :mod:`helpers.plots.crystal` — crystal-graph and n-gram schematics (TCO);
- :mod:`helpers.plots.periodic` — periodic-table heat maps (elpasolites);
- :mod:`helpers.plots.curves` — learning curves;
- :mod:`helpers.plots.categorical` — contributions of categorical levels with intervals (TM complexes).

Axis titles are built from ``quantity=`` and ``unit=`` by :func:`helpers.style.axis_title`.
"""

from helpers._submodules import reexport

__all__ = reexport(__name__, globals(), ("core", "crystal", "periodic", "curves", "categorical"))
