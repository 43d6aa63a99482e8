"""Shared, tested code of the compendium reproducing Allen & Tkatchenko (2022).

Modules, one job each (import them explicitly, e.g. ``from helpers import data, linear``):

- :mod:`helpers.data` — loaders of the three datasets; the only code that knows where data lives.
- :mod:`helpers.linear` — the multilinear regressor (main effects + pairwise interaction terms).
- :mod:`helpers.featurize` — encoders of each case study (n-grams, elpasolite sites, complexes).
- :mod:`helpers.models` — the chapters' final multilinear recipes; :mod:`helpers.baselines` — the black boxes.
- :mod:`helpers.screening` — enumerate and score the elpasolite space, and flag candidates.
- :mod:`helpers.metrics` — errors and the paired bootstrap; :mod:`helpers.splits` — the CV splitters.
- :mod:`helpers.interpret` — partial dependence, ICE, ensembles, Friedman's H-statistic.
- :mod:`helpers.plots` — altair chart builders (they draw results, they never fit).
- :mod:`helpers.style` — the altair theme and colour convention.
- :mod:`helpers.results` — headline numbers recorded per chapter.
- :mod:`helpers.sphinx_vega` — Sphinx extension serving the vega bundle so charts draw offline.

Importing the package does nothing else: no network access, no data read.
"""

__version__ = "0.1.0"
