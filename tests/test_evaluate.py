"""helpers.evaluate.kfold: grouped folds keep every group whole; both kinds are seeded and shuffled."""

import numpy as np

from helpers.evaluate import kfold


def test_grouped_folds_keep_groups_whole_and_plain_folds_are_seeded():
    groups = np.repeat(np.arange(20), 3)
    X = np.zeros((len(groups), 1))
    for tr, va in kfold(4, groups=groups, random_state=1).split(X, groups=groups):
        assert not set(groups[tr]) & set(groups[va])
    first = [va.tolist() for _, va in kfold(4, random_state=1).split(X)]
    again = [va.tolist() for _, va in kfold(4, random_state=1).split(X)]
    other = [va.tolist() for _, va in kfold(4, random_state=2).split(X)]
    assert first == again and first != other
    assert first[0] != list(range(15))  # shuffled, not the first rows in order


def test_learning_curve_draws_paired_subsets_and_fits_the_full_size_once():
    import pandas as pd
    import pytest
    from sklearn.dummy import DummyRegressor
    from sklearn.linear_model import LinearRegression

    from helpers.evaluate import learning_curve

    rng = np.random.default_rng(0)
    X = pd.DataFrame({"x": rng.normal(size=60)})
    y = 2 * X.x.to_numpy() + rng.normal(scale=0.1, size=60)
    X_test = pd.DataFrame({"x": rng.normal(size=20)})
    y_test = 2 * X_test.x.to_numpy()
    models = {"linear": LinearRegression(), "mean": DummyRegressor()}
    lc = learning_curve(models, X, y, X_test, y_test, sizes=[10, 60], n_draws=3, random_state=0)
    assert list(lc.columns) == ["model", "n_train", "draw", "mae"]
    assert len(lc) == 2 * 3 + 2  # three draws at 10 rows, one fit on all 60
    wide = lc.pivot_table(index=["n_train", "draw"], columns="model", values="mae")
    assert (wide["linear"] < wide["mean"]).all()
    assert lc.equals(learning_curve(models, X, y, X_test, y_test, sizes=[10, 60], n_draws=3, random_state=0))
    assert lc[lc.n_train == 10].mae.nunique() > 2  # the draws differ
    with pytest.raises(ValueError, match="sizes must lie"):
        learning_curve(models, X, y, X_test, y_test, sizes=[100])


def test_frozen_holdout_depends_on_the_group_names_only():
    import pytest

    from helpers.evaluate import frozen_holdout

    groups = np.repeat([f"complex{i}" for i in range(400)], 3)
    held = frozen_holdout(groups, fraction=0.2, salt="s")
    assert 0.12 < held[::3].mean() < 0.28  # about the fraction asked for
    assert all(len(set(held[groups == g])) == 1 for g in groups[:30:3])  # whole groups
    order = np.random.default_rng(0).permutation(len(groups))
    assert (frozen_holdout(groups[order], fraction=0.2, salt="s") == held[order]).all()
    assert (frozen_holdout(groups[:60], fraction=0.2, salt="s") == held[:60]).all()  # no other group matters
    assert (frozen_holdout(groups, fraction=0.2, salt="t") != held).any()  # another salt, another draw
    with pytest.raises(ValueError, match="fraction must be between 0 and 1"):
        frozen_holdout(groups, fraction=1.5)
    with pytest.raises(ValueError, match="at least two groups"):
        frozen_holdout(["a", "a"])


def test_fold_probabilities_give_one_out_of_fold_probability_per_row():
    import pytest
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    from helpers.evaluate import fold_probabilities

    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 2))
    y = X[:, 0] > 0
    folds = list(StratifiedKFold(4, shuffle=True, random_state=0).split(X, y))
    proba = fold_probabilities(LogisticRegression(), X, y, folds)
    assert proba.shape == (80,) and np.all((proba >= 0) & (proba <= 1))
    assert ((proba > 0.5) == y).mean() > 0.9
    assert np.isnan(fold_probabilities(LogisticRegression(), X, y, folds[:2])).sum() == 40
    with pytest.raises(ValueError, match="overlap"):
        fold_probabilities(LogisticRegression(), X, y, folds + folds[:1])
