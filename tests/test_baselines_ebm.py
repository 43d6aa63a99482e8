"""The EBM baseline: validation bags of whole groups, and the tuned estimator's plumbing."""

import numpy as np
import pytest

from helpers.baselines.ebm import EBMRegressorCV, grouped_bags


def test_grouped_validation_never_splits_a_group():
    rng = np.random.default_rng(0)
    groups = rng.integers(0, 40, size=300)  # uneven group sizes, shuffled rows
    bags = grouped_bags(groups, n_bags=6, validation_size=0.2, random_state=1)
    assert bags.shape == (300, 6) and set(np.unique(bags)) == {-1, 1}
    for b in range(6):
        for g in np.unique(groups):
            assert len(set(bags[groups == g, b])) == 1, (b, g)  # a group is all train or all validation
        n_val_groups = len(np.unique(groups[bags[:, b] == -1]))
        assert n_val_groups == int(np.ceil(0.2 * len(np.unique(groups))))
    # the bags differ, and the same seed gives the same bags
    assert not (bags[:, 0] == bags[:, 1]).all()
    assert (bags == grouped_bags(groups, n_bags=6, validation_size=0.2, random_state=1)).all()


def test_without_groups_each_row_is_its_own_group():
    bags = grouped_bags(np.arange(100), n_bags=2, validation_size=0.15)
    assert ((bags == -1).sum(axis=0) == 15).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"groups": [0, 1, 2], "n_bags": 0}, "n_bags"),
        ({"groups": [0, 1, 2], "n_bags": 2, "validation_size": 1.0}, "validation_size"),
        ({"groups": [], "n_bags": 2}, "non-empty"),
        ({"groups": [5, 5, 5], "n_bags": 2}, "two groups"),
    ],
)
def test_bad_bag_settings_are_refused(kwargs, message):
    groups = kwargs.pop("groups")
    with pytest.raises(ValueError, match=message):
        grouped_bags(groups, **kwargs)


def test_ebm_cv_picks_by_inner_cv_and_predicts():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1500, 3))
    y = 2 * X[:, 0] + np.sin(X[:, 1]) + rng.normal(scale=0.05, size=1500)
    groups = np.repeat(np.arange(500), 3)
    grid = {"interactions": [0], "learning_rate": [0.02, 0.2]}
    model = EBMRegressorCV(param_grid=grid, cv=2, outer_bags=1).fit(X, y, groups=groups)
    assert model.best_params_ in [r["params"] for r in model.cv_results_]
    best = min(model.cv_results_, key=lambda r: r["mean_mae"])
    assert model.best_params_ == best["params"]
    assert np.mean(np.abs(model.predict(X) - y)) < 0.2  # an additive signal is learnt
    # refit: the chosen setting on other rows, no new search
    searched = model.cv_results_
    model.refit(X[:600], y[:600], groups=groups[:600])
    assert model.cv_results_ is searched and model.model_.n_features_in_ == 3
    assert np.mean(np.abs(model.predict(X) - y)) < 0.3
    with pytest.raises(ValueError, match="600 rows but y has 10"):
        model.refit(X[:600], y[:10])
    with pytest.raises(ValueError, match="groups has 3 labels for 600 rows"):
        model.refit(X[:600], y[:600], groups=[0, 1, 2])


def test_ebm_refit_needs_a_search_first():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        EBMRegressorCV().refit(np.zeros((4, 2)), np.zeros(4))


def test_ebm_cv_refuses_mismatched_groups():
    X, y = np.zeros((10, 2)), np.zeros(10)
    with pytest.raises(ValueError, match="groups has 3 labels for 10 rows"):
        EBMRegressorCV().fit(X, y, groups=[0, 1, 2])
