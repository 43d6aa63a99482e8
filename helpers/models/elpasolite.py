"""The elpasolite recipe (chapter 04): the chapter's final, UNFITTED multilinear model of the formation
energy of ABC2D6 elpasolites {cite:p}`faber2016`.

:func:`elpasolite_model` returns an sklearn ``Pipeline`` whose ``fit(df, y)``/``predict(df)`` take a
DataFrame with the element symbols in columns ``A``, ``B``, ``C``, ``D`` (as
``helpers.data.load_elpasolites()`` returns) and the formation energy in eV/atom::

    from helpers import data
    from helpers.models import elpasolite_model
    elp = data.load_elpasolites()
    model = elpasolite_model().fit(elp, elp["formation_energy_eV_per_atom"])
    model.predict(elp.head())                              # eV/atom
    model[-1].terms_table()                                # the fitted terms, in eV/atom

The model (:class:`helpers.featurize.elpasolite.SiteSplineBasis` → :class:`helpers.linear.MultilinearRegressor`):

- main effects: one column per (site, element), ``"D=F"``, plus cubic B-splines of each element's
  row, main-group column, electronegativity, radius, first ionisation energy and electron affinity on
  each site (``"C:radius#2"``);
- interactions: every product of a spline of one site with a spline of another site
  (``"C:radius#2 & D:electronegativity#1"``), i.e. a tensor-product spline of each pair of sites; no
  interaction involves a one-hot column, so the pair terms are smooth in the periodic table;
- A and B share one block (``"AB=Ca"`` counts the element on either site), so swapping A and B leaves
  every prediction unchanged;
- the pipeline passes pandas frames between its steps, and the pair rule
  (:class:`helpers.featurize.elpasolite.SitePairs`) is applied at ``fit`` to the encoder's actual
  columns, so the term names and pairs always follow the encoder's parameters;
- ridge penalty chosen by exact leave-one-out cross-validation on the training rows
  (:class:`helpers.linear.GramRidgeCV`, one eigendecomposition of the terms × terms Gram matrix).

The choice of basis (these six properties, four knots, smooth rather than one-hot pairs) was made on the
training rows only, by their leave-one-out error (chapter 04 shows the comparison).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from helpers.featurize.elpasolite import SitePairs, SiteSplineBasis
from helpers.linear import PAIR_SEP, MultilinearRegressor, local_contributions

__all__ = ["elpasolite_model", "ELPASOLITE_PROPERTIES", "ELPASOLITE_TARGET", "grouped_contributions"]

#: Element properties whose splines make the per-site basis of the recipe.
ELPASOLITE_PROPERTIES = ("row", "column", "electronegativity", "radius", "ionization_energy", "electron_affinity")
#: Column of ``data.load_elpasolites()`` the recipe is made for (eV/atom).
ELPASOLITE_TARGET = "formation_energy_eV_per_atom"
#: Ridge penalties searched (on standardised terms).
ALPHAS = tuple(np.logspace(-4, 3, 15))


def elpasolite_model(*, properties=ELPASOLITE_PROPERTIES, n_knots: int = 4, interactions: bool = True,
                     symmetric_ab: bool = True, n_bootstrap: int = 0, random_state: int = 0) -> Pipeline:
    """The chapter's multilinear model of elpasolite formation energies, unfitted.

    Parameters
    ----------
    properties : element properties of :func:`helpers.featurize.elpasolite.element_table` whose cubic
        B-splines are the smooth basis functions of each site (default :data:`ELPASOLITE_PROPERTIES`).
    n_knots : number of uniform spline knots per property (default 4).
    interactions : ``True`` (default): the tensor-product pair terms between sites; ``False``: main
        effects only (site–element terms), the model without site–site interactions.
    symmetric_ab : ``True`` (default): A and B share one block, so swapping them leaves predictions
        unchanged; ``False``: separate A and B blocks (to measure what the symmetry costs or buys).
    n_bootstrap : bootstrap refits for coefficient intervals (``MultilinearRegressor.n_bootstrap``).
    random_state : seed of the bootstrap.

    Returns a ``Pipeline`` of ``("sites", SiteSplineBasis)`` and ``("multilinear", MultilinearRegressor)``.
    """
    encoder = SiteSplineBasis(properties=tuple(properties), n_knots=n_knots, symmetric_ab=symmetric_ab,
                              sparse_output=False)
    # the terms are named after, and paired from, the columns the FITTED encoder outputs (pandas output),
    # so set_params(sites__...) or a grid search over the encoder keeps names and pairs right
    regressor = MultilinearRegressor(interactions=SitePairs() if interactions else None, alphas=ALPHAS,
                                     n_bootstrap=n_bootstrap, random_state=random_state)
    return Pipeline([("sites", encoder), ("multilinear", regressor)]).set_output(transform="pandas")


def _block(name: str) -> str:
    """Block of a column name: ``"AB=Ca"`` → ``"AB"``, ``"C:radius#2"`` → ``"C"``."""
    return name.split("=")[0].split(":")[0]


def grouped_contributions(estimator, X, *, row: int = 0) -> pd.DataFrame:
    """Contributions of one crystal summed by site (main effects) and by pair of sites (interactions).

    ``estimator`` is a fitted :func:`elpasolite_model` (or any Pipeline of a site encoder and a
    multilinear model), ``X`` a frame with columns A, B, C, D and ``row`` a position in it. Returns the
    tidy frame of :func:`helpers.linear.local_contributions` (term, kind, contribution) with one row per
    group: ``"D (main)"``, ``"C × D (pairs)"``, ``"AB × AB (pairs)"`` (products within the A/B block: the
    A–B interaction and products of one element's own basis functions), … and the intercept; the
    contributions still sum to the prediction.
    """
    local = local_contributions(estimator, X, row=row)
    labels = []
    for term, kind in zip(local.term, local.kind, strict=True):
        if kind == "intercept":
            labels.append("intercept")
        elif kind == "main":
            labels.append(f"{_block(term)} (main)")
        else:
            a, b = term.split(PAIR_SEP)
            labels.append(f"{_block(a)} × {_block(b)} (pairs)")
    local = local.assign(term=labels)
    out = local.groupby(["term", "kind"], sort=False, as_index=False)["contribution"].sum()
    return out
