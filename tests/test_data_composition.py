"""helpers.data's composition loaders against the real data (cache or $COMPENDIUM_DATA_MIRROR)."""

from __future__ import annotations

import pytest

from helpers import data


@pytest.fixture(scope="module")
def splits():
    return data.load_composition_ef()


def test_split_sizes_columns_and_units(splits):
    assert (
        {k: len(v) for k, v in splits.items()}
        == data.COMPOSITION_SPLITS
        == {
            "train": 59509,
            "val": 12752,
            "test": 12753,
        }
    )
    for df in splits.values():
        assert list(df.columns) == ["formula", "target", "n_elements"]
        assert df["target"].between(-5.0, 1.5).all()  # eV/atom
        assert df["n_elements"].between(2, 9).all()
    assert splits["train"]["formula"].iloc[0] == "H6Mg2Ru1"


def test_published_maes_are_read_from_the_file():
    pub = data.load_composition_published()
    assert list(pub.index) == ["Roost", "HotCrab", "CrabNet", "ElemNet", "random forest"]
    assert pub["Roost"] == pytest.approx(0.0547, abs=1e-4) and pub["random forest"] == pytest.approx(0.0997, abs=1e-4)


def test_parse_formulas_gives_fractions():
    (fe2o3,) = data.parse_formulas(["Fe2O3"])
    assert fe2o3 == pytest.approx({"Fe": 0.4, "O": 0.6})


@pytest.mark.parametrize(
    ("formula", "message"),
    [("Fe2O3)(", "row 1 of my.csv: cannot parse"), ("Xx2O", "row 1 of my.csv"), ("", "row 1 of my.csv")],
)
def test_bad_formula_names_the_row_and_the_source(formula, message):
    with pytest.raises(ValueError, match=message):
        data.parse_formulas(["NaCl", formula], source="my.csv")


def test_loaders_read_the_verified_bytes(data_env):
    """A cache copy with other bytes is refused, never parsed."""
    bad = data_env / "composition" / "critexam_ef" / "train.csv"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"formula,target\nNaCl,-2.0\n")
    with pytest.raises(data.DataIntegrityError, match="failed verification"):
        data.load_composition_ef()
