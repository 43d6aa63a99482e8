"""Altair chart builders: they take computed results and never fit.

One module per kind of chart, all re-exported here (``from helpers import plots; plots.parity_chart``):

- :mod:`helpers.plots.core` — PD/ICE, H-statistic, contribution bars, parity, histograms;
- :mod:`helpers.plots.crystal` — crystal-graph and n-gram schematics (TCO);
- :mod:`helpers.plots.periodic` — periodic-table heat maps (elpasolites);
- :mod:`helpers.plots.curves` — learning curves;
- :mod:`helpers.plots.classification` — reliability and response curves of classifiers;
- :mod:`helpers.plots.categorical` — contributions of categorical levels with intervals (TM complexes).

Axis titles are built from ``quantity=`` and ``unit=`` by :func:`helpers.style.axis_title`.
"""

# explicit imports, so that tools and IDEs follow every name to the module that defines it
from helpers.plots.categorical import ABSENT_COLOUR, distribution_by_level_chart, level_contributions_chart
from helpers.plots.classification import reliability_chart, response_curve_chart
from helpers.plots.core import (
    contributions_chart,
    h_squared_chart,
    h_statistic_chart,
    histogram,
    histogram_rows,
    parity_chart,
    pd_ice_chart,
)
from helpers.plots.crystal import ELEMENT_COLOURS, bond_length_chart, ngram_schematic
from helpers.plots.curves import learning_curve_chart, learning_curve_range_chart, sparsity_path_chart
from helpers.plots.periodic import NO_DATA_COLOUR, periodic_table_chart

__all__ = [
    "ABSENT_COLOUR",
    "bond_length_chart",
    "contributions_chart",
    "distribution_by_level_chart",
    "ELEMENT_COLOURS",
    "h_squared_chart",
    "h_statistic_chart",
    "histogram",
    "histogram_rows",
    "learning_curve_chart",
    "learning_curve_range_chart",
    "level_contributions_chart",
    "ngram_schematic",
    "NO_DATA_COLOUR",
    "parity_chart",
    "pd_ice_chart",
    "periodic_table_chart",
    "reliability_chart",
    "response_curve_chart",
    "sparsity_path_chart",
]
