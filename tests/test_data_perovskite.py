"""helpers.data's perovskite loaders against the real data (cache or $COMPENDIUM_DATA_MIRROR)."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import data


@pytest.fixture(scope="module")
def s1():
    return data.load_perovskites()


def test_table_s1_shape_labels_and_split(s1):
    assert len(s1) == 576 and s1["formula"].is_unique
    assert s1["is_perovskite"].sum() == 313
    assert (s1["split"] == "train").sum() == 460 and (s1["split"] == "test").sum() == 116
    assert s1["X"].value_counts().to_dict() == {"O": 369, "Cl": 71, "F": 66, "I": 43, "Br": 27}
    assert (s1["nX"] == s1["X"].map(data.PEROVSKITE_ANIONS)).all()
    assert (s1[["rA", "rB", "rX"]] > 0).all().all()


def test_table_s1_reproduces_the_published_accuracies(s1):
    """τ < 4.18 classifies 91.7 % of the 576 (train 91.1 %, test 94.0 %), Goldschmidt's t 73.8 %."""
    label = np.where(s1["is_perovskite"], 1, -1)
    assert ((s1["tau"] < 4.18) == (s1["tau_pred"] == 1)).mean() > 0.99
    acc = (s1["tau_pred"] == label).groupby(s1["split"]).mean()
    assert acc["train"] == pytest.approx(0.911, abs=1e-3) and acc["test"] == pytest.approx(0.940, abs=1e-3)
    assert (s1["t_pred"] == label).mean() == pytest.approx(0.738, abs=1e-3)
    t = (s1["rA"] + s1["rX"]) / (np.sqrt(2) * (s1["rB"] + s1["rX"]))
    assert np.abs(t - s1["t"]).max() < 0.01
    srtio3 = s1.set_index("formula").loc["SrTiO3"]
    assert (srtio3["A"], srtio3["B"], srtio3["X"], srtio3["nA"], srtio3["is_perovskite"]) == ("Sr", "Ti", "O", 2, True)


def test_table_s2():
    s2 = data.load_double_perovskites()
    assert len(s2) == 73 and s2["formula"].is_unique
    assert s2["X"].value_counts().to_dict() == {"Cl": 19, "I": 17, "Br": 15, "O": 15, "S": 6, "Se": 1}
    assert (s2["is_stable"] == (s2["dH_dec"] > 0)).all()
    assert (s2[["rA", "rB1", "rB2", "rX"]] > 0).all().all()


def test_loaders_read_the_verified_bytes(data_env):
    """A cache copy with other bytes is refused, never parsed."""
    bad = data_env / "perovskite" / "TableS1.csv"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"ABX3,exp_label\n")
    with pytest.raises(data.DataIntegrityError, match="failed verification"):
        data.load_perovskites()
