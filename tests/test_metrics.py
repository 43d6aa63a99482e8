"""Tests of helpers.metrics: the error metrics and the paired bootstrap behind every verdict of the book."""

import warnings

import numpy as np
import pandas as pd
import pytest

from helpers import metrics
from helpers.metrics import FewUnitsWarning, paired_bootstrap


def test_metrics_by_hand():
    t, p = np.array([0.0, 1.0, 3.0]), np.array([1.0, 1.0, 1.0])
    assert metrics.mae(t, p) == pytest.approx(1.0)
    assert metrics.rmse(t, p) == pytest.approx(np.sqrt(5 / 3))
    assert metrics.rmsle(t, p) == pytest.approx(np.sqrt(np.mean((np.log(2) - np.log([1, 2, 4])) ** 2)))


@pytest.mark.parametrize("bad", [[np.nan, 1.0], [np.inf, 1.0]])
def test_metrics_refuse_non_finite(bad):
    with pytest.raises(ValueError, match="finite"):
        metrics.mae([0.0, 1.0], bad)


def test_metrics_refuse_mismatched_or_empty():
    with pytest.raises(ValueError, match="same length"):
        metrics.rmse([0.0, 1.0], [0.0])
    with pytest.raises(ValueError, match="non-empty"):
        metrics.mae([], [])


def test_rmsle_refuses_values_below_minus_one():
    with pytest.raises(ValueError, match="above -1"):
        metrics.rmsle([0.5, 1.0], [-1.5, 1.0])


@pytest.fixture
def two_models():
    rng = np.random.default_rng(0)
    y = rng.normal(size=300)
    good = y + rng.normal(scale=0.1, size=300)
    bad = y + rng.normal(scale=0.5, size=300)
    return y, good, bad


def test_clear_difference_is_distinguishable(two_models):
    y, good, bad = two_models
    b = paired_bootstrap(y, good, bad)
    assert b.difference == pytest.approx(metrics.mae(y, good) - metrics.mae(y, bad))
    assert b.low <= b.difference <= b.high < 0
    assert b.distinguishable and b.n_units == 300 and len(b.samples) == b.n_bootstrap == 2000


def test_identical_models_are_not_distinguishable(two_models):
    y, good, _ = two_models
    b = paired_bootstrap(y, good, good.copy())
    assert b.difference == 0 and b.low == b.high == 0 and not b.distinguishable


def test_same_seed_same_interval(two_models):
    y, good, bad = two_models
    first, second = paired_bootstrap(y, good, bad, random_state=3), paired_bootstrap(y, good, bad, random_state=3)
    assert (first.low, first.high) == (second.low, second.high)


def test_interval_is_paired_not_independent():
    """Two models with a tiny but constant-sign advantage on every row are told apart by the paired
    bootstrap, though their errors' spread is far larger than the difference."""
    rng = np.random.default_rng(1)
    y = np.zeros(200)
    err = rng.uniform(1.0, 10.0, size=200)
    b = paired_bootstrap(y, err, err + 0.01 + rng.uniform(0, 0.001, size=200))
    assert b.distinguishable and b.high < 0


@pytest.mark.parametrize("n", [0, 1])
def test_one_row_is_no_evidence(n):
    with pytest.raises(ValueError, match="non-empty|at least 2 rows"):
        paired_bootstrap(np.zeros(n), np.ones(n), np.zeros(n))


def test_one_group_is_no_evidence(two_models):
    y, good, bad = two_models
    with pytest.raises(ValueError, match="at least 2 groups to resample, got 1"):
        paired_bootstrap(y, good, bad, groups=np.full(len(y), "complex-1"))


@pytest.mark.parametrize("missing", [np.nan, None, pd.NA])
def test_missing_group_labels_are_refused(two_models, missing):
    y, good, bad = two_models
    groups = np.arange(len(y)).astype(object) // 10
    groups[5] = missing
    with pytest.raises(ValueError, match=r"missing labels .* row\(s\) \[5\]"):
        paired_bootstrap(y, good, bad, groups=groups)


def test_all_nan_groups_are_refused(two_models):
    """Before, every NaN label was its own group of np.unique, or all were one: never an error."""
    y, good, bad = two_models
    with pytest.raises(ValueError, match="missing labels"):
        paired_bootstrap(y, good, bad, groups=np.full(len(y), np.nan))


def test_zero_width_interval_is_never_distinguishable():
    """Every row has the same errors under a and b: every resample gives the same difference (1.0), a
    zero-width interval, which says nothing about the variability of the difference."""
    y = np.zeros(50)
    b = paired_bootstrap(y, np.ones(50), np.zeros(50))
    assert b.low == b.high == pytest.approx(1.0)
    assert not b.distinguishable


def test_few_units_warn(two_models):
    y, good, bad = two_models
    with pytest.warns(FewUnitsWarning, match="only 3 groups"):
        paired_bootstrap(y, good, bad, groups=np.arange(len(y)) % 3)
    with pytest.warns(FewUnitsWarning, match="only 5 rows"):
        paired_bootstrap(y[:5], good[:5], bad[:5])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        paired_bootstrap(y[:10], good[:10], bad[:10])


def test_groups_move_together():
    """Rows of one group are resampled together: with groups that each hold one good and one bad row of
    exactly opposite sign, every resample is balanced and the interval collapses, while row resampling
    spreads it."""
    y = np.zeros(40)
    a = np.tile([1.0, 3.0], 20)
    b = np.full(40, 2.0)
    by_group = paired_bootstrap(y, a, b, groups=np.repeat(np.arange(20), 2))
    by_row = paired_bootstrap(y, a, b)
    assert by_group.high - by_group.low == 0 and not by_group.distinguishable
    assert by_row.high - by_row.low > 0.3 and by_group.n_units == 20 and by_row.n_units == 40


def test_group_labels_of_a_series_with_any_index(two_models):
    y, good, bad = two_models
    labels = pd.Series(np.arange(len(y)) // 3, index=np.arange(len(y)) + 1000)
    ref = paired_bootstrap(y, good, bad, groups=labels.to_numpy())
    assert paired_bootstrap(y, good, bad, groups=labels).low == ref.low


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"metric": "r2"}, "metric must be one of"),
        ({"n_bootstrap": 50}, "at least 100"),
        ({"n_bootstrap": 1000.5}, "integer"),
        ({"n_bootstrap": True}, "integer"),
        ({"confidence": 1.0}, r"confidence must be in \(0, 1\)"),
        ({"groups": np.arange(3)}, "3 labels for 300 rows"),
    ],
)
def test_bad_parameters(two_models, kwargs, match):
    y, good, bad = two_models
    with pytest.raises(ValueError, match=match):
        paired_bootstrap(y, good, bad, **kwargs)


def test_pred_b_of_another_length(two_models):
    y, good, bad = two_models
    with pytest.raises(ValueError, match="same length"):
        paired_bootstrap(y, good, bad[:-1])


def test_eta_squared_is_the_r2_of_group_means():
    import pandas as pd

    from helpers.metrics import eta_squared

    frame = pd.DataFrame({"g": ["a", "a", "b", "b"], "h": [1, 2, 1, 2], "y": [0.0, 2.0, 10.0, 12.0]})
    # group means 1 and 11: four residuals of ±1, so 4 of the total sum of squares is left unexplained
    total = ((frame.y - frame.y.mean()) ** 2).sum()
    assert eta_squared(frame, "y", by="g") == pytest.approx(1 - 4 / total)
    assert eta_squared(frame, "y", by=["g", "h"]) == pytest.approx(1.0)  # every row its own group
    with pytest.raises(KeyError, match=r"\['z'\] not in the frame"):
        eta_squared(frame, "y", by="z")
    with pytest.raises(ValueError, match="constant"):
        eta_squared(frame.assign(y=1.0), "y", by="g")


def test_reliability_table_bins_and_scores():
    import pytest

    from helpers.metrics import reliability_table

    y = np.array([0, 0, 1, 1, 1, 0, 1, 1])
    p = np.array([0.05, 0.15, 0.95, 0.85, 0.55, 0.45, 0.65, 0.75])
    table = reliability_table(y, p, n_bins=2)
    assert list(table["count"]) == [3, 5]
    np.testing.assert_allclose(table.fraction_positive, [0.0, 1.0])
    np.testing.assert_allclose(table.mean_predicted, [0.65 / 3, 3.75 / 5])
    assert table.attrs["ece"] == pytest.approx((0.65 + 5 - 3.75) / 8)
    assert table.attrs["brier"] == pytest.approx(np.mean((p - y) ** 2))
    perfect = reliability_table([0, 1], [0.0, 1.0])
    assert perfect.attrs["ece"] == 0 and perfect.attrs["brier"] == 0
    with pytest.raises(ValueError, match="probabilities"):
        reliability_table(y, p + 0.5)
    with pytest.raises(ValueError, match="0/1"):
        reliability_table(y + 1, p)
