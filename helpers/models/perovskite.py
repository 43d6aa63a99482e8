"""The perovskite recipe: a multilinear classifier of ABX3 compounds (perovskite or not), chapter 6.

:func:`perovskite_model` returns the chapter's final, UNFITTED estimator, a ``Pipeline`` of
:class:`PerovskiteInputs` (checks the ions), a column encoder (cubic B-spline bases of the radii rA and rB,
the anion radius rX and the oxidation states nA and nB as they are, the anion one-hot) and
:class:`~helpers.linear.MultilinearClassifier` (logistic link), whose ``fit(df, y)``/``predict(df)`` take a
DataFrame with the columns of :func:`helpers.data.load_perovskites` (``rA``, ``rB``, ``rX`` in Å, ``nA``,
``nB``, ``X``). Every prediction is a sum of named contributions to the log-odds of being a perovskite:
:func:`variable_contributions` sums them by input variable (``"rA"``: the whole spline of rA) and by pair
of variables (``"rA & rB"``: every product of an rA and an rB basis function).

:class:`PerovskiteCV` chooses the number of spline knots and the set of interacting variable pairs by the
internal stratified CV log-loss on the training rows only (the inverse penalty ``C`` is chosen inside each
candidate by the same folds), then keeps the best candidate refitted on all training rows.
:func:`tau_factor` is Bartel et al.'s τ; :func:`double_perovskite_inputs` maps an A2BB'X6 double perovskite
onto the model's inputs by the paper's rule (B-site radius and oxidation state averaged over B and B').
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, SplineTransformer
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from helpers.data.perovskite import PEROVSKITE_ANIONS
from helpers.featurize.base import PairRule, require_columns
from helpers.linear import PAIR_SEP, MultilinearClassifier

__all__ = [
    "PEROVSKITE_FEATURES",
    "PEROVSKITE_PAIR_SETS",
    "PEROVSKITE_KNOTS",
    "PerovskiteInputs",
    "VariablePairs",
    "perovskite_model",
    "PerovskiteCV",
    "variable_contributions",
    "tau_factor",
    "double_perovskite_inputs",
]

#: The model's inputs: Shannon radii (Å) of A, B and X, oxidation states of A and B, the anion.
PEROVSKITE_FEATURES = ("rA", "rB", "rX", "nA", "nB", "X")
#: Candidate sets of interacting variable pairs, from none to every pair of the six variables.
PEROVSKITE_PAIR_SETS: dict[str, tuple[tuple[str, str], ...] | None] = {
    "none": (),
    "radii": (("rA", "rB"), ("rA", "rX"), ("rB", "rX")),
    "radii + charges": (
        ("rA", "rB"),
        ("rA", "rX"),
        ("rB", "rX"),
        ("nA", "rA"),
        ("nA", "rB"),
        ("nA", "rX"),
        ("nB", "rA"),
        ("nB", "rB"),
        ("nB", "rX"),
        ("nA", "nB"),
    ),
    "all": None,
}
#: Candidate numbers of spline knots of rA and rB (a basis of n_knots + 1 cubic B-splines each).
PEROVSKITE_KNOTS = (4, 6)
#: Largest oxidation state accepted for A and B.
MAX_OXIDATION_STATE = 7
_SPLINED = ("rA", "rB")
_SOURCE = "helpers.data.load_perovskites()"


class PerovskiteInputs(TransformerMixin, BaseEstimator):
    """Check the ions of ABX3 compounds and pass on the model's six input columns.

    Refuses, with a message naming the accepted values: a missing column; a radius that is not a finite
    positive number of Å; an oxidation state of A or B outside 1-7; an anion outside O, F, Cl, Br, I; a
    compound whose A cation is not larger than its B cation (rA ≤ rB: A and B are probably swapped; every
    compound of the data has rA > rB). Stateless: ``fit`` learns nothing.
    """

    def fit(self, X, y=None):
        """Check ``X`` (nothing is learned)."""
        self.transform(X)
        self.n_features_in_ = len(PEROVSKITE_FEATURES)
        return self

    def transform(self, X) -> pd.DataFrame:
        """The columns rA, rB, rX, nA, nB (float) and X (str) of ``X``, after the checks."""
        require_columns(X, PEROVSKITE_FEATURES, source=_SOURCE)
        out = pd.DataFrame(index=X.index)
        for col in ("rA", "rB", "rX"):
            r = pd.to_numeric(X[col], errors="coerce").to_numpy(dtype=float)
            bad = ~(np.isfinite(r) & (r > 0))
            if bad.any():
                raise ValueError(
                    f"{col} must be a positive ionic radius in Å; row {int(np.flatnonzero(bad)[0])} has "
                    f"{X[col].iloc[int(np.flatnonzero(bad)[0])]!r}"
                )
            out[col] = r
        for col in ("nA", "nB"):
            n = pd.to_numeric(X[col], errors="coerce").to_numpy(dtype=float)
            bad = ~(np.isfinite(n) & (n >= 1) & (n <= MAX_OXIDATION_STATE))
            if bad.any():
                raise ValueError(
                    f"{col} must be the cation's oxidation state, 1 to {MAX_OXIDATION_STATE}; row "
                    f"{int(np.flatnonzero(bad)[0])} has {X[col].iloc[int(np.flatnonzero(bad)[0])]!r}"
                )
            out[col] = n
        anion = X["X"].astype(str)
        unknown = sorted(set(anion) - set(PEROVSKITE_ANIONS))
        if unknown:
            raise ValueError(
                f"unknown anion(s) {unknown} in column X; the model knows {', '.join(PEROVSKITE_ANIONS)} "
                "(the anions of its training data)"
            )
        out["X"] = anion.to_numpy()
        swapped = out["rA"].to_numpy() <= out["rB"].to_numpy()
        if swapped.any():
            i = int(np.flatnonzero(swapped)[0])
            raise ValueError(
                f"row {i} has rA = {out['rA'].iloc[i]} Å ≤ rB = {out['rB'].iloc[i]} Å: in ABX3 the A cation is the "
                "larger one (12-fold site), so A and B look swapped; swap the A and B columns (ions, radii, "
                "oxidation states)"
            )
        return out

    def get_feature_names_out(self, input_features=None):
        """The six input names."""
        return np.array(PEROVSKITE_FEATURES, dtype=object)


def _encoder(n_knots: int) -> ColumnTransformer:
    splines = [
        (col, SplineTransformer(n_knots=n_knots, degree=3, knots="quantile", include_bias=False), [col])
        for col in _SPLINED
    ]
    onehot = OneHotEncoder(categories=[list(PEROVSKITE_ANIONS)], sparse_output=False, handle_unknown="error")
    rest = [(col, "passthrough", [col]) for col in ("rX", "nA", "nB")]
    return ColumnTransformer([*splines, *rest, ("X", onehot, ["X"])]).set_output(transform="pandas")


def _variable(name: str) -> str:
    """The input variable of an encoder column (the encoder names its columns ``<variable>__<column>``)."""
    return str(name).split("__", 1)[0]


class VariablePairs(PairRule):
    """The pair rule of the recipe: products of the columns of two different input variables.

    Called at ``fit`` with the encoder's column names (``"rA__rA_sp_0"``, ``"X__X_O"``: the part before
    ``__`` is the variable), it returns every pair of columns of two different variables, restricted to
    ``variables`` (pairs of variable names; None: all). Products of one variable's own basis functions are
    never formed: they belong to its main effect.
    """

    def __init__(self, variables=None):
        self.variables = None if variables is None else tuple(tuple(sorted(p)) for p in variables)

    def _params(self) -> tuple:
        return (self.variables,)

    def __repr__(self) -> str:
        return f"VariablePairs(variables={self.variables!r})"

    def __call__(self, names) -> list[tuple[str, str]]:
        names = [str(n) for n in names]
        wanted = None if self.variables is None else set(self.variables)
        out = []
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                va, vb = _variable(a), _variable(b)
                if va != vb and (wanted is None or tuple(sorted((va, vb))) in wanted):
                    out.append((a, b))
        return out


def perovskite_model(*, n_knots: int = 4, interactions="all", Cs=None, cv: int = 5, random_state=0) -> Pipeline:
    """The chapter's multilinear classifier, unfitted: inputs check → encoder → ``MultilinearClassifier``.

    ``n_knots``: knots of the cubic B-spline bases of rA and rB (quantiles of the training radii);
    ``interactions``: a key of :data:`PEROVSKITE_PAIR_SETS` (``"none"``, ``"radii"``, ``"radii +
    charges"``, ``"all"``) or a list of variable pairs such as ``[("rA", "rB")]``; ``Cs``, ``cv``,
    ``random_state``: the classifier's grid of inverse penalties and its internal stratified CV. ``fit``
    takes the loader's DataFrame and the labels (e.g. ``is_perovskite``); ``predict_proba[:, 1]`` is the
    probability of the second class, ``decision_function`` its log-odds.
    """
    if isinstance(n_knots, (bool, np.bool_)) or not isinstance(n_knots, numbers.Integral) or n_knots < 2:
        raise ValueError(f"n_knots must be an integer of at least 2, got {n_knots!r}")
    if isinstance(interactions, str):
        if interactions not in PEROVSKITE_PAIR_SETS:
            raise ValueError(f"interactions must be one of {sorted(PEROVSKITE_PAIR_SETS)} or a list of pairs")
        interactions = PEROVSKITE_PAIR_SETS[interactions]
    if interactions is not None:
        unknown = sorted({v for p in interactions for v in p} - set(PEROVSKITE_FEATURES))
        if unknown:
            raise ValueError(f"unknown variable(s) {unknown} in interactions; the variables are {PEROVSKITE_FEATURES}")
    rule = VariablePairs(interactions) if interactions is None or len(interactions) else None
    model = MultilinearClassifier(interactions=rule, Cs=Cs, cv=cv, random_state=random_state)
    return Pipeline([("inputs", PerovskiteInputs()), ("encode", _encoder(int(n_knots))), ("model", model)])


class PerovskiteCV(ClassifierMixin, BaseEstimator):
    """:func:`perovskite_model` with its knots and interacting pairs chosen by CV on the training rows.

    Every candidate (``knots`` × ``pair_sets``) is fitted; its classifier chooses ``C`` by ``cv``-fold
    stratified CV (the same seeded folds for every candidate) and the candidate with the smallest CV
    log-loss is kept, already refitted on all rows (the fits run with one BLAS thread). Attributes:
    ``best_estimator_`` (the fitted Pipeline), ``best_params_`` (``n_knots``, ``interactions``),
    ``cv_results_`` (one row per candidate: n_knots, interactions, C, cv_log_loss in nats per compound),
    ``classes_``.
    """

    def __init__(
        self, knots=PEROVSKITE_KNOTS, pair_sets=("none", "radii + charges", "all"), cv: int = 5, random_state=0
    ):
        self.knots = knots
        self.pair_sets = pair_sets
        self.cv = cv
        self.random_state = random_state

    def fit(self, X, y):
        """Fit every candidate on ``X``, ``y`` and keep the one with the smallest CV log-loss."""
        with threadpool_limits(1):  # small matrices on shared cores: one BLAS thread
            return self._fit(X, y)

    def _fit(self, X, y):
        rows, best = [], None
        for k in self.knots:
            for pairs in self.pair_sets:
                pipe = perovskite_model(n_knots=k, interactions=pairs, cv=self.cv, random_state=self.random_state)
                pipe.fit(X, y)
                clf = pipe[-1]
                loss = float(np.min(clf.cv_log_loss_))
                rows.append({"n_knots": k, "interactions": pairs, "C": clf.C_, "cv_log_loss": loss})
                if best is None or loss < best[0]:
                    best = (loss, pipe, {"n_knots": k, "interactions": pairs})
        self.cv_results_ = pd.DataFrame(rows)
        _, self.best_estimator_, self.best_params_ = best
        self.classes_ = self.best_estimator_.classes_
        return self

    def decision_function(self, X) -> np.ndarray:
        """Log-odds of ``classes_[1]`` by the chosen model."""
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_.decision_function(X)

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities by the chosen model."""
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_.predict_proba(X)

    def predict(self, X) -> np.ndarray:
        """Classes by the chosen model."""
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_.predict(X)


def variable_contributions(estimator, X) -> pd.DataFrame:
    """Contributions to the log-odds summed by input variable and by pair of variables, one row per compound.

    ``estimator`` is a fitted :func:`perovskite_model` (or :class:`PerovskiteCV`), ``X`` a frame with its
    input columns. Columns: one per variable (``"rA"``: the sum of its spline terms), one per interacting
    pair of variables (``"rA & rB"``, joined by :data:`helpers.linear.PAIR_SEP`) and ``"intercept"``; each
    row sums to the model's log-odds (``decision_function``) for that compound.
    """
    if isinstance(estimator, PerovskiteCV):
        check_is_fitted(estimator, "best_estimator_")
        estimator = estimator.best_estimator_
    if not (isinstance(estimator, Pipeline) and isinstance(estimator[-1], MultilinearClassifier)):
        raise TypeError(f"need a fitted perovskite_model() or PerovskiteCV, got {type(estimator).__name__}")
    clf = estimator[-1]
    check_is_fitted(clf, "coef_")
    contrib = clf.contributions(estimator[:-1].transform(X))
    variables = [_variable(n) for n in clf.feature_names_in_]
    labels = [
        variables[f[0]] if len(f) == 1 else PAIR_SEP.join(sorted((variables[f[0]], variables[f[1]])))
        for f in clf.term_features_
    ] + ["intercept"]
    grouped = contrib.T.groupby(np.array(labels, dtype=object), sort=False).sum().T
    order = [v for v in PEROVSKITE_FEATURES if v in grouped.columns]
    pairs = [c for c in grouped.columns if c not in order and c != "intercept"]
    return grouped[[*order, *pairs, "intercept"]].set_index(X.index)


def tau_factor(rA, rB, rX, nA) -> np.ndarray:
    """Bartel et al.'s tolerance factor τ = rX/rB − nA (nA − (rA/rB)/ln(rA/rB)) (dimensionless).

    Radii in Å (Shannon, rA > rB), ``nA`` the oxidation state of A; perovskite predicted if τ < 4.18.
    """
    rA, rB, rX, nA = (np.asarray(v, dtype=float) for v in (rA, rB, rX, nA))
    if np.any(rA <= rB) or np.any(rB <= 0):
        raise ValueError("τ needs rA > rB > 0 (Å): ln(rA/rB) must be positive")
    ratio = rA / rB
    return rX / rB - nA * (nA - ratio / np.log(ratio))


def double_perovskite_inputs(frame: pd.DataFrame) -> pd.DataFrame:
    """The model's inputs for double perovskites A2BB'X6 (rows of :func:`helpers.data.load_double_perovskites`).

    The paper's rule for τ: the B site is described by the mean radius and the mean oxidation state of its
    two cations, rB = (rB1 + rB2)/2 and nB = (nB1 + nB2)/2; rA, rX, nA and X are those of the compound.
    """
    require_columns(frame, ("rA", "rB1", "rB2", "rX", "nA", "nB1", "nB2", "X"), source="load_double_perovskites()")
    out = frame[["rA", "rX", "nA", "X"]].copy()
    out["rB"] = (frame["rB1"] + frame["rB2"]) / 2
    out["nB"] = (frame["nB1"] + frame["nB2"]) / 2
    return out[list(PEROVSKITE_FEATURES)]
