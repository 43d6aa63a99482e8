"""Shared, tested code of the compendium reproducing Allen & Tkatchenko (2022).

The module map: where everything lives. One module per job; import them explicitly, e.g.
``from helpers import data, linear``. A package re-exports the public names of its modules
(``from helpers import plots; plots.parity_chart``).

Data
  - :mod:`helpers.data` — loaders of the datasets; the only code that knows where data live:
    :mod:`helpers.data.store` (registry, cache, mirror, download, verification),
    :mod:`helpers.data.errors`, and one module per dataset: :mod:`helpers.data.tco`,
    :mod:`helpers.data.elpasolite`, :mod:`helpers.data.tmc`,
    :mod:`helpers.data.perovskite`, :mod:`helpers.data.composition`.

Features (scikit-learn transformers)
  - :mod:`helpers.featurize` — :mod:`helpers.featurize.base` (the featurizer contract),
    :mod:`helpers.featurize.ngram` (n-grams of the TCO crystal graph),
    :mod:`helpers.featurize.tco` (composition, volume and space group of a TCO),
    :mod:`helpers.featurize.composition` (element fractions and fraction-weighted element properties of a formula),
    :mod:`helpers.featurize.potential` (two-body and many-body bases of atomic environments),
    :mod:`helpers.featurize.elpasolite` (site encodings of ABC2D6 elpasolites and their pair rule),
    :mod:`helpers.featurize.complexes` (metal and ligand encodings of transition-metal complexes and their
    pair rule).

The multilinear model
  - :mod:`helpers.linear` — the multilinear regressor and classifier (main effects + pairwise products), exact ridge
    paths, terms tables, per-sample contributions, coefficient bootstraps, the LASSO sparsity path.
  - :mod:`helpers.models` — the chapters' final recipes, unfitted, and what defines them:
    :mod:`helpers.models.tco` (with its log-target regressor and the dual form of its all-pairs candidate),
    :mod:`helpers.models.elpasolite` (with its table view),
    :mod:`helpers.models.spin_splitting`,
    :mod:`helpers.models.perovskite` (a classifier: the multilinear model with a logistic link),
    :mod:`helpers.models.composition` (formation energy from composition alone).

What it is compared with, and how
  - :mod:`helpers.baselines` — the black boxes, each tuned by inner CV: :mod:`helpers.baselines.krr`
    (the one kernel ridge baseline), :mod:`helpers.baselines.mlp` (neural-network ensembles),
    :mod:`helpers.baselines.boosting` (gradient boosting), :mod:`helpers.baselines.ebm` (the Explainable
    Boosting Machine, a glass-box peer).
  - :mod:`helpers.evaluate` — the CV protocols: seeded (grouped) splitters, fold predictions.
  - :mod:`helpers.metrics` — errors and the paired bootstrap behind every "as accurate as" verdict.

Reading a fitted model
  - :mod:`helpers.interpret` — PD/ICE, ensembles, Friedman's H-statistic, contributions of categorical
    levels.
  - :mod:`helpers.elpasolite_screening` — enumerate and score the whole elpasolite space, flag candidates.
  - :mod:`helpers.explorer` — what-if explorers: a fitted model as look-up tables over its inputs, and the
    interactive chart that evaluates them in the reader's browser (chapters 04 and 05).

Drawing and reporting
  - :mod:`helpers.plots` — altair chart builders (they draw results, they never fit):
    :mod:`helpers.plots.core`, :mod:`helpers.plots.crystal`, :mod:`helpers.plots.periodic`,
    :mod:`helpers.plots.curves`, :mod:`helpers.plots.categorical`,
    :mod:`helpers.plots.classification`.
  - :mod:`helpers.style` — the altair theme and colour convention.
  - :mod:`helpers.results` — headline numbers recorded per chapter, and glue.
  - :mod:`helpers.scorecard` — the case studies' recorded errors side by side, relative to the multilinear model.
  - :mod:`helpers.sphinx_vega` — Sphinx extension serving the vega bundle so charts draw offline.
  - :mod:`helpers.sphinx_deepdive` — Sphinx extension for collapsible deep dives that hold code cells.

Importing the package does nothing else: no network access, no data read.
"""

__version__ = "0.1.0"
