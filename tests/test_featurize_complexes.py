"""Tests of helpers.featurize.complexes: the readable, symmetric encoding of transition-metal complexes."""

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from helpers import data
from helpers.featurize.complexes import (
    DONOR_ATOMS,
    LIGAND_DONORS,
    LIGAND_SYNONYMS,
    LIGANDS,
    METAL_STATES,
    ComplexEncoder,
    ExtrapolationWarning,
    canonical_ligand,
    complex_categories,
    complex_key,
)

ROOT = Path(__file__).resolve().parents[1]


def frame(**kw):
    row = {
        "metal": "Fe",
        "oxidation_state": 2,
        "eq_ligand": "carbonyl",
        "ax1_ligand": "cl",
        "ax2_ligand": "water",
        "hfx": 0.20,
    }
    row.update(kw)
    return pd.DataFrame([row])


def encode(df):
    return ComplexEncoder().fit(df).transform(df)


@pytest.fixture(scope="module")
def tmc():
    return data.load_spin_splitting(descriptors=True)


# ----------------------------------------------------------------------------- names and values
def test_readable_names_and_values():
    Z = encode(frame())
    names = list(Z.columns)
    for name in ("Fe(II)", "Co(III)", "ox=III", "eq=co", "ax=cl", "ax=h2o", "donor=C", "homoleptic", "hfx"):
        assert name in names
    row = Z.iloc[0]
    nonzero = row[row != 0].to_dict()
    assert nonzero == {
        "Fe(II)": 1.0,
        "eq=co": 1.0,
        "ax=cl": 1.0,
        "ax=h2o": 1.0,
        "donor=C": 4.0,
        "donor=O": 1.0,
        "donor=Cl": 1.0,
    }  # hfx 0.20 is the reference: 0
    assert list(ComplexEncoder().fit(frame()).get_feature_names_out()) == names
    assert ComplexEncoder().fit(frame()).feature_labels() == names


def test_hfx_is_measured_from_b3lyp_in_steps_of_a_tenth():
    Z = encode(pd.concat([frame(hfx=h) for h in (0.0, 0.05, 0.20, 0.25, 0.30)], ignore_index=True))
    assert Z["hfx"].tolist() == [-2.0, -1.5, 0.0, 0.5, 1.0]


def test_oxidation_state_and_homoleptic_columns():
    Z = encode(
        pd.concat(
            [frame(oxidation_state=3), frame(eq_ligand="cn", ax1_ligand="cyanide", ax2_ligand="CN")], ignore_index=True
        )
    )
    assert Z["ox=III"].tolist() == [1.0, 0.0]
    assert Z["Fe(III)"].tolist() == [1.0, 0.0]
    assert Z["homoleptic"].tolist() == [0.0, 1.0]  # synonyms and case merged before comparing
    assert Z.loc[1, "ax=cn"] == 2.0 and Z.loc[1, "donor=C"] == 6.0


def test_donor_sites_sum_to_six_and_every_ligand_has_donors():
    assert set(LIGAND_DONORS) == set(LIGANDS)
    for lig, donors in LIGAND_DONORS.items():
        assert set(donors) <= set(DONOR_ATOMS) and abs(sum(donors.values()) - 1) < 1e-12, lig
    df = pd.DataFrame(
        {
            "metal": "Co",
            "oxidation_state": 3,
            "eq_ligand": list(LIGANDS),
            "ax1_ligand": list(LIGANDS)[::-1],
            "ax2_ligand": "ethanolamine",
            "hfx": 0.1,
        }
    )
    Z = encode(df)
    assert np.allclose(Z[[f"donor={a}" for a in DONOR_ATOMS]].sum(axis=1), 6.0)


def test_vocabulary_does_not_depend_on_the_rows():
    a = ComplexEncoder().fit(frame()).get_feature_names_out()
    b = ComplexEncoder().fit(frame(metal="Cr", oxidation_state=3, eq_ligand="ox")).get_feature_names_out()
    assert list(a) == list(b)
    assert len(a) == len(METAL_STATES) + 1 + 2 * len(LIGANDS) + len(DONOR_ATOMS) + 2


# ----------------------------------------------------------------------------- synonyms and symmetry
@pytest.mark.parametrize("alias, canonical", sorted(LIGAND_SYNONYMS.items()))
def test_synonyms_encode_like_their_canonical_label(alias, canonical):
    assert canonical_ligand(alias) == canonical
    assert canonical_ligand(alias.upper() + " ") == canonical
    a = encode(frame(eq_ligand=alias, ax1_ligand=alias))
    b = encode(frame(eq_ligand=canonical, ax1_ligand=canonical))
    pd.testing.assert_frame_equal(a, b)


def test_swapping_the_axial_ligands_changes_nothing():
    a = frame(ax1_ligand="pyr", ax2_ligand="misc", eq_ligand="nh3")
    b = frame(ax1_ligand="misc", ax2_ligand="pyridine", eq_ligand="ammonia")
    pd.testing.assert_frame_equal(encode(a), encode(b))
    assert complex_key(a).iloc[0] == complex_key(b).iloc[0] == "Fe(II)|eq=nh3|ax=misc+pyr"
    pd.testing.assert_frame_equal(complex_categories(a), complex_categories(b))


def test_complex_key_ignores_hfx_and_keeps_oxidation_state():
    keys = complex_key(pd.concat([frame(hfx=0.0), frame(hfx=0.3), frame(oxidation_state=3)], ignore_index=True))
    assert keys[0] == keys[1] != keys[2]


def test_complex_categories_are_categorical_over_the_vocabulary():
    c = complex_categories(frame())
    assert list(c.columns[:4]) == ["metal_state", "eq", "ax_a", "ax_b"]
    assert c["eq"].dtype == "category" and list(c["eq"].cat.categories) == list(LIGANDS)
    assert (c.loc[0, "ax_a"], c.loc[0, "ax_b"]) == ("cl", "h2o")
    assert c.loc[0, "hfx"] == 0.20 and c.loc[0, "donor=C"] == 4.0


# ----------------------------------------------------------------------------- bad input
def test_unknown_ligand_names_the_known_ones():
    with pytest.raises(ValueError, match="unknown ligand 'bromide'") as err:
        encode(frame(ax2_ligand="bromide"))
    assert "Known ligands:" in str(err.value) and "co, " in str(err.value) and "chloride→cl" in str(err.value)


def test_unknown_metal_and_oxidation_state():
    with pytest.raises(ValueError, match=r"unknown metal 'V'.*Known metals: Cr, Mn, Fe, Co, Ni"):
        encode(frame(metal="V"))
    with pytest.raises(ValueError, match=r"Ni\(III\) is not covered.*Known metal/oxidation states: Cr\(II\)"):
        encode(frame(metal="Ni", oxidation_state=3))
    with pytest.raises(ValueError, match="unknown oxidation state 4"):
        encode(frame(oxidation_state=4))
    # accepted spellings of the same complex
    pd.testing.assert_frame_equal(encode(frame(metal="fe", oxidation_state="II")), encode(frame()))
    pd.testing.assert_frame_equal(encode(frame(oxidation_state=2.0)), encode(frame()))


def test_hfx_outside_the_data_range_warns_and_impossible_values_fail():
    with pytest.warns(ExtrapolationWarning, match=r"outside 0-0\.3.*extrapolation"):
        encode(frame(hfx=0.5))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        encode(frame(hfx=0.30))
        encode(frame(hfx=0.0))
    with pytest.raises(ValueError, match="fraction between 0 and 1.*percentage"):
        encode(frame(hfx=20))
    with pytest.raises(ValueError, match="fraction between 0 and 1"):
        encode(frame(hfx=-0.1))
    with pytest.raises(ValueError, match="hfx must be a number"):
        encode(frame(hfx="b3lyp"))


def test_missing_columns_and_wrong_types():
    with pytest.raises(ValueError, match="missing column.*hfx"):
        encode(frame().drop(columns="hfx"))
    with pytest.raises(TypeError, match="expected a pandas DataFrame"):
        ComplexEncoder().fit(np.zeros((2, 6)))
    with pytest.raises(ValueError, match="no rows"):
        encode(frame().iloc[:0])
    with pytest.raises(ValueError, match="no donor atom known for ligand.*made_up"):
        ComplexEncoder(ligands=("co", "made_up")).fit(frame())


# ----------------------------------------------------------------------------- blocks and pairs
def test_interaction_pairs_of_blocks():
    enc = ComplexEncoder()
    mh = enc.interaction_pairs(("metal", "hfx"))
    assert mh[0] == ("Cr(II)", "hfx") and len(mh) == len(METAL_STATES)
    assert len(enc.interaction_pairs(("ax", "ax"))) == len(LIGANDS) * (len(LIGANDS) - 1) // 2
    assert enc.interaction_pairs() == []
    with pytest.raises(ValueError, match="unknown block 'ligand'"):
        enc.interaction_pairs(("ligand", "hfx"))
    with pytest.raises(ValueError, match="two blocks"):
        enc.interaction_pairs(("metal",))


def test_clone_and_citations():
    enc = clone(ComplexEncoder(hfx_reference=0.0, hfx_step=1.0))
    assert encode(frame(hfx=0.25)).loc[0, "hfx"] == 0.5
    assert enc.fit(frame(hfx=0.25)).transform(frame(hfx=0.25)).loc[0, "hfx"] == 0.25
    bib = (ROOT / "book" / "references.bib").read_text(encoding="utf-8")
    for key in ComplexEncoder().citations():
        assert re.search(rf"@\w+\{{{key},", bib), key


# ----------------------------------------------------------------------------- against the data
def test_every_label_of_the_data_is_known(tmc):
    table, _ = tmc
    used = {canonical_ligand(v) for c in ("eq_ligand", "ax1_ligand", "ax2_ligand") for v in table[c]}
    assert used == set(LIGANDS)
    Z = encode(table)
    assert Z.shape == (len(table), len(ComplexEncoder().fit(table).feature_names_))
    assert Z["hfx"].between(-2, 1).all()
    # 645 (metal, ox, eq, ax1, ax2) labels in the source; merging synonyms and the axial order leaves 610
    assert complex_key(table).nunique() == 610


def test_donor_table_agrees_with_the_rac_connecting_atoms(tmc):
    # lc.Z.0 is the squared nuclear charge of the connecting atom(s), averaged over a position's atoms
    table, racs = tmc
    z2 = {"C": 36, "N": 49, "O": 64, "P": 225, "S": 256, "Cl": 289}
    expect = np.array(
        [sum(f * z2[a] for a, f in LIGAND_DONORS[canonical_ligand(v)].items()) for v in table["eq_ligand"]]
    )
    assert np.allclose(expect, racs["lc.Z.0.eq"].to_numpy())
    homo = table["ax1_ligand"].map(canonical_ligand) == table["ax2_ligand"].map(canonical_ligand)
    ax = np.array(
        [sum(f * z2[a] for a, f in LIGAND_DONORS[canonical_ligand(v)].items()) for v in table.loc[homo, "ax1_ligand"]]
    )
    mismatch = ~np.isclose(ax, racs.loc[homo, "lc.Z.0.ax"].to_numpy())
    # one row (an axial oxalate at HFX 0.30) carries a different value in the source; every other agrees
    assert mismatch.sum() == 1 and table.loc[homo].loc[mismatch, "ax1_ligand"].tolist() == ["ox"]


# ----------------------------------------------------------------------------- hostile inputs
@pytest.mark.parametrize("ox", [np.nan, np.inf, -np.inf, True, 2.5])
def test_non_finite_or_odd_oxidation_state_is_a_clear_error(ox):
    with pytest.raises(ValueError, match=r"unknown oxidation state .*use 2 or 3"):
        encode(frame(oxidation_state=ox))


@pytest.mark.parametrize("column", ["hfx", "metal", "eq_ligand"])
def test_duplicated_column_is_a_clear_error(column):
    df = frame()
    df = pd.concat([df, df[[column]]], axis=1)
    with pytest.raises(ValueError, match=f"duplicated column.*{column}.*keep one"):
        encode(df)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"hfx_step": 0}, "hfx_step must be a positive number"),
        ({"hfx_step": -0.1}, "hfx_step must be a positive number"),
        ({"hfx_step": np.nan}, "hfx_step must be a positive number"),
        ({"hfx_reference": np.inf}, "hfx_reference must be a finite"),
        ({"hfx_range": (0.3, 0.0)}, "hfx_range must be"),
        ({"hfx_range": 0.3}, "hfx_range must be"),
    ],
)
def test_bad_hfx_parameters_are_refused(params, match):
    with pytest.raises(ValueError, match=match):
        ComplexEncoder(**params).fit(frame())
    fitted = ComplexEncoder().fit(frame())
    with pytest.raises(ValueError, match=match):
        fitted.set_params(**params).transform(frame())


def test_block_pairs_rule_follows_the_vocabulary():
    from helpers.featurize.complexes import BlockPairs

    rule = BlockPairs(("metal", "hfx"), ("eq", "ax"))
    small = ComplexEncoder(ligands=("cl", "co", "h2o"), metal_states=("Fe(II)", "Fe(III)"))
    pairs = rule(small.fit(frame()).get_feature_names_out())
    assert pairs[:2] == [("Fe(II)", "hfx"), ("Fe(III)", "hfx")] and len(pairs) == 2 + 9
    assert repr(rule) == "BlockPairs(('metal', 'hfx'), ('eq', 'ax'))" and rule == BlockPairs(
        ("metal", "hfx"), ("eq", "ax")
    )
    with pytest.raises(ValueError, match="two blocks"):
        BlockPairs("metal")


def test_pair_rules_are_values():
    """Equal settings compare and hash equal (clone and grid searches rely on it); classes never mix."""
    from helpers.featurize.complexes import BlockPairs
    from helpers.featurize.elpasolite import SitePairs

    rule = BlockPairs(("metal", "hfx"))
    assert rule == BlockPairs(["metal", "hfx"]) and hash(rule) == hash(BlockPairs(("metal", "hfx")))
    assert rule != BlockPairs(("eq", "ax")) and len({rule, BlockPairs(("metal", "hfx"))}) == 1
    assert SitePairs() == SitePairs(one_hot=False) != SitePairs(one_hot=True)
    assert SitePairs() != rule and rule != ("metal", "hfx")


def test_a_subset_of_blocks_keeps_their_columns_and_values():
    df = frame()
    full = encode(df)
    enc = ComplexEncoder(blocks=("hfx", "metal", "eq", "ax")).fit(df)
    part = enc.transform(df)
    assert list(part.columns) == [c for c in full.columns if not c.startswith(("ox=", "donor=")) and c != "homoleptic"]
    assert_frame_equal = pd.testing.assert_frame_equal
    assert_frame_equal(part, full[part.columns])
    assert enc.interaction_pairs(("metal", "hfx"))[0] == ("Cr(II)", "hfx")
    with pytest.raises(ValueError, match="unknown block"):
        ComplexEncoder(blocks=("metal", "ligand")).fit(df)
    with pytest.raises(ValueError, match="non-empty list"):
        ComplexEncoder(blocks="metal").fit(df)
