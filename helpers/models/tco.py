"""The transparent-conducting-oxide recipe (chapter 03) and the LASSO sparsity path of its terms.

:func:`tco_model` returns the chapter's final, UNFITTED multilinear model of one target of the NOMAD 2018
Kaggle data: an sklearn ``Pipeline`` whose ``fit(df, y)``/``predict(df)`` take the loader's DataFrame
(columns ``structure`` and ``spacegroup``; ``helpers.data.load_tco()``)::

    from helpers import data
    from helpers.models import tco_model
    train, test = data.load_tco()
    model = tco_model("formation_energy").fit(train, train["formation_energy_ev_natom"])
    model.predict(test)                                    # eV/atom
    model[-1].terms_table()                                # the fitted terms, in eV/atom

Every choice in the recipes (n-gram orders, normalisation, which pairs, log1p or not) was made by 5-fold
cross-validation on the 2,400 training compounds only; chapter 03 shows the comparison.

The kernel ridge baseline of the chapter is :class:`helpers.baselines.krr.KernelRidgeCV` (both targets
tuned in one pass) and the members of its bootstrap ensemble are :class:`~helpers.baselines.krr.CentredKernelRidge`.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from sklearn.linear_model import lasso_path
from sklearn.model_selection import KFold
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.utils import Bunch
from sklearn.utils.validation import check_is_fitted

from helpers.featurize.base import Featurizer
from helpers.featurize.ngram import NGramFeaturizer
from helpers.linear import PAIR_SEP, MultilinearRegressor

__all__ = ["tco_model", "TCO_TARGETS", "TCOTabularFeaturizer", "TCOMultilinearRegressor",
           "SPACE_GROUPS", "sparsity_path", "summed_importance"]

#: Target name → column of ``data.load_tco()`` and unit.
TCO_TARGETS: dict[str, tuple[str, str]] = {"formation_energy": ("formation_energy_ev_natom", "eV/atom"),
                                           "bandgap": ("bandgap_energy_ev", "eV")}
SPACE_GROUPS = (12, 33, 167, 194, 206, 227)
#: Ridge penalties of the recipes (on standardised terms); the chosen one lies inside the grid (chapter 03).
ALPHAS = tuple(np.logspace(-3, 6, 19))
#: Names of the features that the band-gap model lets interact: composition, volume, space group, 1-grams.
BANDGAP_PAIRS = r"^(x_Al|x_Ga|x_In|V_atom|sg\d+|(Al|Ga|In|O)\d+)$"


# ----------------------------------------------------------------------------- tabular features
class TCOTabularFeaturizer(Featurizer):
    """Composition, volume and space group of each compound, computed from its structure.

    Columns: ``x_Al``, ``x_Ga``, ``x_In`` (cation fractions, 1), ``V_atom`` (cell volume per atom,
    Å³/atom) and ``sg12`` … ``sg227`` (one-hot space group, 1). ``X`` is the loader's DataFrame
    (``structure``, ``spacegroup``). Nothing is learned in ``fit`` (the columns are fixed).
    """

    CITATIONS = ("sutton2019",)

    def fit(self, X, y=None):
        """Fix the column names (nothing is learned)."""
        self._check(X)
        self.feature_names_ = ["x_Al", "x_Ga", "x_In", "V_atom"] + [f"sg{g}" for g in SPACE_GROUPS]
        return self

    @staticmethod
    def _check(X):
        if not isinstance(X, pd.DataFrame):
            raise TypeError(f"X must be the loader's DataFrame (columns 'structure', 'spacegroup'), got "
                            f"{type(X).__name__}")
        missing = [c for c in ("structure", "spacegroup") if c not in X.columns]
        if missing:
            raise ValueError(f"X lacks the column(s) {missing}; TCOTabularFeaturizer needs 'structure' and "
                             "'spacegroup'")
        bad = sorted(set(X["spacegroup"].astype(int)) - set(SPACE_GROUPS))
        if bad:
            raise ValueError(f"space group(s) {bad} unknown; the TCO data have {list(SPACE_GROUPS)}")

    def transform(self, X):
        """The tabular features of ``X`` (a dense float array)."""
        check_is_fitted(self, "feature_names_")
        self._check(X)
        out = np.zeros((len(X), len(self.feature_names_)))
        for r, s in enumerate(X["structure"]):
            z = np.asarray(s.atomic_numbers)
            n_cat = np.isin(z, (13, 31, 49)).sum()
            if n_cat == 0:
                raise ValueError(f"row {r}: the structure has no Al, Ga or In")
            out[r, :3] = [(z == 13).sum() / n_cat, (z == 31).sum() / n_cat, (z == 49).sum() / n_cat]
            out[r, 3] = s.volume / len(s)
        sg = X["spacegroup"].astype(int).to_numpy()
        out[:, 4:] = sg[:, None] == np.array(SPACE_GROUPS)[None, :]
        return out


# ----------------------------------------------------------------------------- the multilinear step
class TCOMultilinearRegressor(MultilinearRegressor):
    """:class:`~helpers.linear.MultilinearRegressor` with two options the TCO recipes need.

    pair_among : str (regular expression) or None
        If given, the pair terms are all pairs of the input features whose NAMES match it (so the pairs
        can be named before the vocabulary of n-grams is known); ``interactions`` is then ignored.
    log_target : bool
        Fit ``log1p(y)`` and predict ``expm1(·)`` (the Kaggle metric is an RMSE of ``log1p``). Then the
        coefficients, ``contributions`` and ``terms_table`` are in log1p units and the contributions sum
        to ``log1p(predict(X))``; with ``log_target=False`` everything is in the units of ``y``.

    All other parameters are those of :class:`~helpers.linear.MultilinearRegressor`.
    """

    def __init__(self, interactions="all", penalty="ridge", alphas=None, cv=None, standardize=True,
                 feature_names=None, n_bootstrap=0, n_alphas=30, max_iter=5000, random_state=0,
                 pair_among=None, log_target=False):
        super().__init__(interactions=interactions, penalty=penalty, alphas=alphas, cv=cv,
                         standardize=standardize, feature_names=feature_names, n_bootstrap=n_bootstrap,
                         n_alphas=n_alphas, max_iter=max_iter, random_state=random_state)
        self.pair_among = pair_among
        self.log_target = log_target

    def fit(self, X, y):
        """Fit as :meth:`MultilinearRegressor.fit` (on ``log1p(y)`` if ``log_target``)."""
        y = np.asarray(y, dtype=np.float64)
        if self.log_target:
            if np.any(y <= -1):
                raise ValueError("log_target=True needs y > -1 (log1p); the TCO targets are non-negative")
            y = np.log1p(y)
        if self.pair_among is None:
            return super().fit(X, y)
        names = [str(c) for c in X.columns] if isinstance(X, pd.DataFrame) else (
            list(self.feature_names) if self.feature_names is not None else None)
        if names is None:
            raise ValueError("pair_among needs feature names: pass a DataFrame or feature_names")
        rx = re.compile(self.pair_among)
        chosen = [n for n in names if rx.search(n)]
        if len(chosen) < 2:
            raise ValueError(f"pair_among={self.pair_among!r} matches {len(chosen)} feature(s); need at least 2")
        pairs = [(a, b) for i, a in enumerate(chosen) for b in chosen[i + 1:]]
        saved = self.interactions
        self.interactions = pairs          # the parent's fit reads it; restored so get_params is unchanged
        try:
            return super().fit(X, y)
        finally:
            self.interactions = saved

    def predict(self, X):
        """Predictions in the units of ``y`` (``expm1`` of the linear predictor if ``log_target``)."""
        p = super().predict(X)
        return np.expm1(p) if self.log_target else p


# ----------------------------------------------------------------------------- the recipe
def tco_model(target: str) -> Pipeline:
    """The chapter's final, unfitted multilinear model of ``target`` (``"formation_energy"`` or ``"bandgap"``).

    Both share the features: 1- to n-gram counts of the metal–oxygen graph per atom
    (:class:`~helpers.featurize.NGramFeaturizer`, ``normalize="atom"``) next to the composition, volume per
    atom and space group (:class:`TCOTabularFeaturizer`), each as a main effect.

    - ``"formation_energy"`` (eV/atom): 1- to 3-grams, every pair of features as a product term (the
      "bilinear" model; pairs that are zero on all training compounds are skipped), ridge penalty by
      leave-one-out CV, fitted on y in eV/atom, so the contributions are in eV/atom.
    - ``"bandgap"`` (eV): 1- and 2-grams, pairs only among the composition, volume, space group and
      1-gram features (:data:`BANDGAP_PAIRS`), ridge, fitted on ``log1p(y)``.

    The pipeline outputs pandas between its steps, so the terms carry the n-gram names
    (``model[-1].terms_table()``).
    """
    if target not in TCO_TARGETS:
        raise ValueError(f"target must be one of {sorted(TCO_TARGETS)}, got {target!r}")
    max_n = 3 if target == "formation_energy" else 2
    features = FeatureUnion([("ngrams", NGramFeaturizer(max_n=max_n, normalize="atom")),
                             ("tabular", TCOTabularFeaturizer())], verbose_feature_names_out=False)
    if target == "formation_energy":
        model = TCOMultilinearRegressor(interactions="all", alphas=ALPHAS)
    else:
        model = TCOMultilinearRegressor(pair_among=BANDGAP_PAIRS, alphas=ALPHAS, log_target=True)
    return Pipeline([("features", features), ("model", model)]).set_output(transform="pandas")


# ----------------------------------------------------------------------------- LASSO sparsity path
def sparsity_path(model: MultilinearRegressor, X, y, *, n_alphas: int = 30, eps: float = 1e-3, cv: int = 5,
                  random_state: int = 0, max_iter: int = 20_000, tol: float = 1e-4) -> Bunch:
    """The LASSO path over the terms of a fitted multilinear ``model``: accuracy against sparsity.

    The terms (main effects and the model's pairs, ``model.transform_terms(X)``) are standardised as in
    the model and fitted by LASSO for ``n_alphas`` penalties from the smallest that keeps every term out
    down to ``eps`` times it. For each penalty: the number of non-zero terms on all rows and the
    ``cv``-fold (shuffled, ``random_state``) cross-validated RMSE, in the units of ``y``.

    Returns a Bunch with ``table`` (alpha, n_terms, cv_rmse, cv_rmse_se: one row per penalty, strongest
    first), ``best`` (row position of the smallest CV error), ``coef`` (n_alphas, n_terms) and
    ``intercept`` (n_alphas,) in the ORIGINAL units of the terms, ``term_names``, ``term_kinds``, and
    ``predict(X_new, i)`` (the path's model at position ``i``, ``X_new`` as for ``model``).
    """
    check_is_fitted(model, "coef_")
    Z = np.asarray(model.transform_terms(X), dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    scale = Z.std(axis=0)
    scale[scale < 1e-12] = 1.0
    Zs = Z / scale

    def path(A, b, alphas=None):
        am, bm = A.mean(axis=0), b.mean()
        alphas, coefs, _ = lasso_path(A - am, b - bm, alphas=n_alphas if alphas is None else alphas, eps=eps,
                                      max_iter=max_iter, tol=tol)
        return alphas, coefs, bm - am @ coefs        # coefs (p, n_alphas), intercepts (n_alphas,)

    alphas, coefs, icpt = path(Zs, y)
    errs = []
    for tr, va in KFold(cv, shuffle=True, random_state=random_state).split(Zs):
        _, c, b0 = path(Zs[tr], y[tr], alphas)
        errs.append(np.mean((Zs[va] @ c + b0 - y[va][:, None]) ** 2, axis=0))
    errs = np.array(errs)                               # (folds, n_alphas)
    rmse = np.sqrt(errs.mean(axis=0))
    se = errs.std(axis=0, ddof=1) / np.sqrt(cv) / (2 * rmse)   # delta method: se of sqrt(mean MSE)
    table = pd.DataFrame({"alpha": alphas, "n_terms": (coefs != 0).sum(axis=0), "cv_rmse": rmse,
                          "cv_rmse_se": se})
    coef = (coefs / scale[:, None]).T

    def predict(X_new, i):
        return np.asarray(model.transform_terms(X_new)) @ coef[i] + icpt[i]

    return Bunch(table=table, best=int(np.argmin(rmse)), coef=coef, intercept=icpt,
                 term_names=np.asarray(model.term_names_), term_kinds=np.asarray(model.term_kinds_),
                 predict=predict)


def summed_importance(terms: pd.DataFrame, features=None) -> pd.Series:
    """Total importance of each input feature: the sum of the ``importance`` of every term it enters.

    ``terms`` is a terms table (:func:`helpers.linear.terms_table`; importance = mean |contribution|,
    in the units of the target). A pair term counts for both of its features. ``features`` (optional)
    restricts the result to those names. Sorted from the most important.
    """
    t = terms[terms.kind != "intercept"]
    parts = t.term.str.split(PAIR_SEP, regex=False).explode()
    out = t.importance.loc[parts.index].groupby(parts.to_numpy()).sum()
    if features is not None:
        out = out.reindex(list(features), fill_value=0.0)
    return out.sort_values(ascending=False, kind="stable")
