"""helpers.data's elpasolite and TMC loaders against the real data (cache or $COMPENDIUM_DATA_MIRROR)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from helpers import data
from helpers.data import tmc as tmc_mod

TMC_TEST_ROWS = [
    249,
    300,
    332,
    347,
    359,
    409,
    539,
    552,
    655,
    662,
    815,
    863,
    880,
    881,
    894,
    904,
    905,
    977,
    1026,
    1047,
    1116,
    1178,
    1192,
    1217,
    1228,
    1276,
    1299,
    1332,
    1334,
    1389,
    1421,
    1436,
    1497,
    1506,
    1565,
    1575,
    1640,
]


# ----------------------------------------------------------------------------------------- elpasolites
def test_elpasolites():
    df = data.load_elpasolites()
    assert df.shape[0] == 10590
    assert list(df.columns[:5]) == ["formula", "A", "B", "C", "D"]
    assert (df[["A", "B", "C", "D"]].nunique(axis=1) == 4).all()
    assert not df.duplicated(["A", "B", "C", "D"]).any()
    for site in "ABCD":
        assert df[site].nunique() == 39
    e = df["formation_energy_eV_per_atom"]
    assert e.min() == pytest.approx(-3.067, abs=1e-3) and e.max() == pytest.approx(5.019, abs=1e-3)
    assert (df.nsmallest(20, "formation_energy_eV_per_atom")["D"] == "F").all()
    np.testing.assert_array_equal(df["formation_energy_eV_per_formula_unit"] / 10, e)


def test_elpasolites_match_the_derived_csv():
    derived = pd.read_csv(io.BytesIO(data.fetch_bytes("elpasolite/elpasolite_10590.csv")))
    df = data.load_elpasolites()
    cols = [
        "formula",
        "A",
        "B",
        "C",
        "D",
        "Z_A",
        "Z_B",
        "Z_C",
        "Z_D",
        "formation_energy_eV_per_atom",
        "formation_energy_eV_per_formula_unit",
    ]
    pd.testing.assert_frame_equal(df[cols], derived[cols], check_dtype=False, rtol=0, atol=0)


# ------------------------------------------------------------------------------------------------- TMC
def test_spin_splitting():
    table, racs = data.load_spin_splitting(descriptors=True)
    assert table.shape == (1717, 9) and racs.shape == (1717, 155)
    assert list(table.index) == list(racs.index) == list(range(1717))
    assert list(table.index[table["split"] == "test"]) == TMC_TEST_ROWS
    assert table["split"].value_counts().to_dict() == {"train": 1680, "test": 37}
    test = table[table["split"] == "test"]
    assert test["oxidation_state"].value_counts().to_dict() == {3: 19, 2: 18}
    counts = table.groupby(["metal", "oxidation_state"]).size().to_dict()
    assert counts == {
        ("Co", 2): 275,
        ("Co", 3): 248,
        ("Cr", 2): 18,
        ("Cr", 3): 124,
        ("Fe", 2): 303,
        ("Fe", 3): 296,
        ("Mn", 2): 351,
        ("Mn", 3): 38,
        ("Ni", 2): 64,
    }
    assert sorted(table["hfx"].round(2).unique()) == [0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3]
    np.testing.assert_allclose(table["hfx"], racs["alpha"])
    assert (table["oxidation_state"] == racs["ox"]).all()
    assert not table.duplicated(["name", "oxidation_state"]).any()
    assert (table["ax1_ligand"] == table["ax2_ligand"]).sum() == 1393
    assert table["delta_e_hl_kcal_mol"].min() == pytest.approx(-58.60, abs=0.01)
    assert table["delta_e_hl_kcal_mol"].max() == pytest.approx(90.71, abs=0.01)
    # sign convention: Co(III)(CO)6 strongly low spin, Mn(II)(H2O)6 high spin
    ox = table["oxidation_state"]
    co = table[table["name"].str.startswith("co_eq_carbonyl_ax1_carbonyl_ax2_carbonyl") & (ox == 3)]
    mn = table[table["name"].str.startswith("mn_eq_water_ax1_water_ax2_water") & (ox == 2)]
    assert len(co) and (co["delta_e_hl_kcal_mol"] > 40).all()
    assert len(mn) and (mn["delta_e_hl_kcal_mol"] < -30).all()
    assert data.load_spin_splitting().equals(table)
    assert data.load_rac_descriptors().equals(racs)


def test_interleave():
    assert tmc_mod._interleave(list("abcab"), list("acb"), list("ba")) == ["train", "test", "train", "test", "train"]
    with pytest.raises(data.DataIntegrityError, match="2 ways"):
        tmc_mod._interleave(["x", "x"], ["x"], ["x"])
    with pytest.raises(data.DataIntegrityError, match="0 ways"):
        tmc_mod._interleave(["x", "y"], ["y"], ["z"])
