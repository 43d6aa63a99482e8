"""Multilayer-perceptron ensembles in the style of Janet & Kulik's 2017 spin-splitting network.

Their network maps standardised descriptors through two hidden layers of 50 tanh units to ΔE(H−L), with
L2 regularisation. :class:`MLPEnsemble` is that architecture in scikit-learn: inputs and target
standardised on the training rows, several members that differ in their random initialisation (and, with
early stopping, in their validation rows), prediction = the members' mean.

Early stopping is done here rather than by ``MLPRegressor(early_stopping=True)``, whose validation split is
random ROWS: with correlated rows (one complex at several exchange fractions) that split leaks. With
``fit(X, y, groups=g)`` each member holds out whole groups. Training runs full-batch L-BFGS in chunks of
``check_every`` iterations and keeps the weights with the lowest validation MAE.
:class:`MLPEnsembleCV` additionally chooses the L2 penalty (or any grid of ensemble parameters) by
(grouped) k-fold CV, or more cheaply on one grouped validation split (``cv=1``).
"""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GroupShuffleSplit, ParameterGrid, ShuffleSplit
from sklearn.neural_network import MLPRegressor
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from helpers.evaluate import kfold

__all__ = ["MLPEnsemble", "MLPEnsembleCV", "DEFAULT_MLP_ALPHAS"]

#: L2 penalties tried by :class:`MLPEnsembleCV` (scikit-learn's ``alpha``, on standardised data).
DEFAULT_MLP_ALPHAS = (1e-2, 1e-1, 1.0)


def _as_array(X) -> np.ndarray:
    return X.to_numpy(dtype=np.float64) if isinstance(X, pd.DataFrame) else np.asarray(X, dtype=np.float64)


class MLPEnsemble(RegressorMixin, BaseEstimator):
    """Mean of ``n_members`` MLPs (two tanh layers of 50 by default), inputs and target standardised.

    Parameters
    ----------
    hidden_layer_sizes, activation, alpha : as in :class:`~sklearn.neural_network.MLPRegressor`
        (defaults ``(50, 50)``, ``"tanh"``, ``0.1``: the L2 penalty on standardised data).
    n_members : number of networks; member ``k`` is initialised with seed ``random_state + k``.
    max_iter : L-BFGS iterations at most (full batch: one iteration = one pass over the data).
    validation_fraction : share of the training rows (of the groups, if ``groups`` are given) each member
        holds out for early stopping; ``0`` trains on all rows for ``max_iter`` iterations.
    check_every : iterations between two validation checks; ``patience``: checks without improvement
        before a member stops.
    dtype : floating type of the computation (``float32`` halves the cost of these small networks).
    random_state : seed of the first member and of the validation splits.

    ``members_`` holds ``(x_scaler, network, y_scaler)`` triples, ``n_iter_`` the iterations each
    member kept and ``validation_mae_`` each member's MAE on its early-stopping rows at those iterations
    (in the units of ``y``; NaN without validation rows); ``predict`` returns the members' mean in the units of ``y``.
    """

    def __init__(
        self,
        hidden_layer_sizes=(50, 50),
        activation="tanh",
        alpha=0.1,
        n_members: int = 3,
        max_iter: int = 200,
        validation_fraction: float = 0.15,
        check_every: int = 25,
        patience: int = 2,
        dtype=np.float32,
        random_state=0,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.alpha = alpha
        self.n_members = n_members
        self.max_iter = max_iter
        self.validation_fraction = validation_fraction
        self.check_every = check_every
        self.patience = patience
        self.dtype = dtype
        self.random_state = random_state

    def _fit_member(self, X, y, seed, groups):
        frac = float(self.validation_fraction)
        if frac > 0:
            splitter = (
                GroupShuffleSplit(1, test_size=frac, random_state=seed)
                if groups is not None
                else ShuffleSplit(1, test_size=frac, random_state=seed)
            )
            tr, va = next(splitter.split(X, y, groups))
        else:
            tr, va = np.arange(len(y)), np.arange(0)
        xs = StandardScaler().fit(X[tr])
        ys = StandardScaler().fit(y[tr, None])
        Xt, yt = xs.transform(X[tr]).astype(self.dtype), ys.transform(y[tr, None]).ravel().astype(self.dtype)
        net = MLPRegressor(
            hidden_layer_sizes=self.hidden_layer_sizes,
            activation=self.activation,
            alpha=self.alpha,
            solver="lbfgs",
            max_iter=int(self.max_iter),
            warm_start=True,
            random_state=seed,
        )
        if len(va) == 0:
            net.fit(Xt, yt)
            net.n_iter_total_ = net.n_iter_
            net.validation_mae_ = np.nan
            return xs, net, ys
        Xv = xs.transform(X[va]).astype(self.dtype)
        step = max(1, int(self.check_every))
        best, best_err, since, done = net, np.inf, 0, 0
        while done < int(self.max_iter):
            net.set_params(max_iter=min(step, int(self.max_iter) - done))
            net.fit(Xt, yt)
            done += net.n_iter_
            err = np.mean(np.abs(ys.inverse_transform(net.predict(Xv).reshape(-1, 1)).ravel() - y[va]))
            if err < best_err:
                best, best_err, since = copy.deepcopy(net), err, 0
                best.n_iter_total_ = done
                best.validation_mae_ = float(err)
            else:
                since += 1
                if since >= int(self.patience):
                    break
            if net.n_iter_ < net.max_iter:  # L-BFGS converged within the chunk
                break
        return xs, best, ys

    def fit(self, X, y, groups=None):
        """Fit every member on ``X, y``; with ``groups``, each member's validation rows are whole groups."""
        return self._fit(X, y, groups, reuse=())

    def _fit(self, X, y, groups, reuse):
        """``fit``, taking the first members from ``reuse`` (members fitted with the same parameters and
        seeds on the same rows, e.g. by :class:`MLPEnsembleCV`'s search) instead of fitting them again."""
        if int(self.n_members) < 1:
            raise ValueError(f"n_members must be at least 1, got {self.n_members!r}")
        if not 0 <= float(self.validation_fraction) < 1:
            raise ValueError(f"validation_fraction must be in [0, 1), got {self.validation_fraction!r}")
        X, y = _as_array(X), np.asarray(y, dtype=np.float64).ravel()
        if len(X) != len(y):
            raise ValueError(f"X has {len(X)} rows but y has {len(y)} values")
        if groups is not None and len(groups) != len(y):
            raise ValueError(f"groups has {len(groups)} labels for {len(y)} rows")
        self.n_features_in_ = X.shape[1]
        seed = 0 if self.random_state is None else int(self.random_state)
        with warnings.catch_warnings():
            # each chunk of L-BFGS iterations stops at its max_iter on purpose (early stopping checks
            # the validation error between chunks), so scikit-learn's ConvergenceWarning is expected
            warnings.simplefilter("ignore", ConvergenceWarning)
            self.members_ = list(reuse[: int(self.n_members)]) + [
                self._fit_member(X, y, seed + k, groups) for k in range(len(reuse), int(self.n_members))
            ]
        self.n_iter_ = [int(net.n_iter_total_) for _, net, _ in self.members_]
        self.validation_mae_ = [float(net.validation_mae_) for _, net, _ in self.members_]
        return self

    def predict(self, X):
        """Mean prediction of the members, in the units of ``y``."""
        check_is_fitted(self, "members_")
        X = _as_array(X)
        if X.ndim != 2 or X.shape[1] != self.n_features_in_:
            raise ValueError(f"X must have {self.n_features_in_} columns, got shape {X.shape}")
        preds = [
            ys.inverse_transform(net.predict(xs.transform(X).astype(self.dtype)).reshape(-1, 1)).ravel()
            for xs, net, ys in self.members_
        ]
        return np.mean(preds, axis=0).astype(np.float64)


class MLPEnsembleCV(RegressorMixin, BaseEstimator):
    """An :class:`MLPEnsemble` whose hyperparameters are chosen on the training rows.

    Parameters
    ----------
    ensemble : the ensemble to tune (default ``MLPEnsemble()``).
    alphas : L2 penalties tried (default :data:`DEFAULT_MLP_ALPHAS`); ignored when ``param_grid`` is given.
    cv : number of folds; ``fit(X, y, groups=g)`` uses shuffled ``GroupKFold``, else shuffled ``KFold``.
        ``cv=1``: one validation split instead of k folds, the early-stopping rows of a single network
        (whole groups when ``groups`` are given), which is cheaper and lets a wider grid be searched.
    tune_members : members per ensemble during the search (fewer than the final ``n_members`` keeps the
        search cheap).
    random_state : seed of the folds.
    param_grid : dict of :class:`MLPEnsemble` parameter → list of values (e.g. ``{"alpha": [0.01, 0.1],
        "hidden_layer_sizes": [(50, 50), (100, 100)]}``); every combination is tried. Default None: the
        ``alphas`` only.

    After ``fit``: ``best_params_``, ``alpha_``, ``cv_results_`` (one row per setting, its parameters and
    ``mae``, the validation MAE in the units of ``y``) and ``best_estimator_`` (the full ensemble refitted
    on all rows with ``best_params_``).
    """

    def __init__(self, ensemble=None, alphas=None, cv: int = 3, tune_members: int = 1, random_state=0, param_grid=None):
        self.ensemble = ensemble
        self.alphas = alphas
        self.cv = cv
        self.tune_members = tune_members
        self.random_state = random_state
        self.param_grid = param_grid

    def _grid(self) -> list[dict]:
        if self.param_grid is not None:
            grid = dict(self.param_grid)
            if not grid or any(len(v) == 0 for v in grid.values()):
                raise ValueError("param_grid must map MLPEnsemble parameters to non-empty lists of values")
            return list(ParameterGrid(grid))
        alphas = tuple(DEFAULT_MLP_ALPHAS if self.alphas is None else self.alphas)
        if not alphas:
            raise ValueError("alphas must list at least one L2 penalty")
        return [{"alpha": a} for a in alphas]

    def fit(self, X, y, groups=None):
        """Choose the setting by CV (grouped if ``groups`` is given), then refit the full ensemble."""
        base = MLPEnsemble() if self.ensemble is None else self.ensemble
        grid = self._grid()
        X, y = _as_array(X), np.asarray(y, dtype=np.float64).ravel()
        g = None if groups is None else np.asarray(groups)
        rows = []
        if int(self.cv) == 1:
            if float(base.validation_fraction) <= 0:
                raise ValueError(
                    "cv=1 scores each setting on the early-stopping rows: give the ensemble a validation_fraction > 0"
                )
            tuned = []
            for params in grid:
                m = clone(base).set_params(**params, n_members=self.tune_members).fit(X, y, groups=g)
                rows.append({**params, "mae": float(np.mean(m.validation_mae_))})
                tuned.append(m.members_)
        else:
            folds = list(kfold(self.cv, groups=g, random_state=self.random_state).split(X, y, g))
            for params in grid:
                err = 0.0
                for tr, va in folds:
                    m = clone(base).set_params(**params, n_members=self.tune_members)
                    m.fit(X[tr], y[tr], groups=None if g is None else g[tr])
                    err += float(np.abs(m.predict(X[va]) - y[va]).sum())
                rows.append({**params, "mae": err / len(y)})
        self.cv_results_ = pd.DataFrame(rows)
        # lowest error; among ties, the first setting of the grid
        best = int(np.argmin(self.cv_results_["mae"].to_numpy()))
        self.best_params_ = dict(grid[best])
        self.alpha_ = float(self.best_params_.get("alpha", base.alpha))
        final = clone(base).set_params(**self.best_params_)
        # with cv=1 the search already fitted the first members of the final ensemble (same parameters,
        # seeds and rows): they are reused, not fitted again
        reuse = tuned[best] if int(self.cv) == 1 else ()
        self.best_estimator_ = final._fit(X, y, g, reuse=reuse)
        return self

    def predict(self, X):
        """Predictions of the refitted ensemble, in the units of ``y``."""
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_.predict(X)
