"""helpers.baselines.boosting: the classifier tuned by stratified inner CV."""

import numpy as np
import pandas as pd

from helpers.baselines import BoostingClassifierCV


def test_boosting_classifier_learns_a_threshold_and_is_seeded():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.uniform(size=200), "b": rng.uniform(size=200)})
    y = X.a > 0.5
    model = BoostingClassifierCV(param_grid={"max_iter": [20], "max_leaf_nodes": [3]}).fit(X, y)
    assert list(model.classes_) == [False, True]
    assert (model.predict(X) == y).mean() > 0.95
    again = BoostingClassifierCV(param_grid={"max_iter": [20], "max_leaf_nodes": [3]}).fit(X, y)
    np.testing.assert_array_equal(model.predict_proba(X), again.predict_proba(X))
