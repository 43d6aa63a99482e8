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
