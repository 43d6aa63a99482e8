"""Tests of helpers.featurize.elpasolite: site encodings of ABC2D6 elpasolites."""

import re

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone

from helpers.featurize.elpasolite import (
    ELPASOLITE_ELEMENTS,
    SiteOneHot,
    SitePeriodic,
    SiteSplineBasis,
    element_table,
)
from helpers.linear import PAIR_SEP

ENCODERS = [SiteOneHot(), SitePeriodic(), SiteSplineBasis(), SiteSplineBasis(properties=("row",), n_knots=3)]


def frame(rows=(("Ca", "Sr", "Cs", "F"), ("Al", "Na", "K", "F"), ("Li", "Rb", "Ba", "C"))):
    return pd.DataFrame(list(rows), columns=["A", "B", "C", "D"])


def dense(Z):
    return Z.toarray() if sp.issparse(Z) else np.asarray(Z)


def test_element_table_covers_the_data_set_elements():
    t = element_table()
    assert list(t.index) == list(ELPASOLITE_ELEMENTS)
    assert t.loc["F", "row"] == 2 and t.loc["F", "column"] == 7 and t.loc["Cs", "column"] == 1
    assert t.loc["Bi", "group"] == 15 and t.loc["Bi", "column"] == 5
    # noble gases get a filled-in electronegativity, marked as such; all values are finite
    assert t.loc[["He", "Ne", "Ar"], "electronegativity_filled"].all()
    assert not t.loc["Kr", "electronegativity_filled"]
    assert np.isfinite(t[["electronegativity", "radius"]].to_numpy()).all()


def test_element_table_rejects_transition_metals():
    with pytest.raises(ValueError, match="Fe .*not a main-group element"):
        element_table(("Fe", "F"))


def test_one_hot_names_and_values():
    enc = SiteOneHot().fit(frame())
    names = list(enc.get_feature_names_out())
    assert names[:2] == ["AB=H", "AB=He"] and "D=F" in names and "C=Cs" in names
    assert len(names) == 3 * len(ELPASOLITE_ELEMENTS)
    Z = dense(enc.transform(frame()))
    row = dict(zip(names, Z[0], strict=True))
    assert row["AB=Ca"] == 1 and row["AB=Sr"] == 1 and row["C=Cs"] == 1 and row["D=F"] == 1
    assert Z[0].sum() == 4
    # the non-symmetric encoding keeps four blocks
    names4 = SiteOneHot(symmetric_ab=False).fit(frame()).get_feature_names_out()
    assert {"A=Ca", "B=Sr"} <= set(names4) and len(names4) == 4 * len(ELPASOLITE_ELEMENTS)


@pytest.mark.parametrize("enc", ENCODERS, ids=lambda e: repr(e))
def test_swapping_a_and_b_leaves_the_features_unchanged(enc):
    X = frame()
    swapped = X.rename(columns={"A": "B", "B": "A"})
    enc = clone(enc).fit(X)
    np.testing.assert_array_equal(dense(enc.transform(X)), dense(enc.transform(swapped)))


def test_non_symmetric_encoders_see_the_swap():
    X = frame()
    swapped = X.rename(columns={"A": "B", "B": "A"})
    for enc in (SiteOneHot(symmetric_ab=False), SitePeriodic(symmetric_ab=False)):
        enc.fit(X)
        assert not np.array_equal(dense(enc.transform(X)), dense(enc.transform(swapped)))


def test_periodic_coordinates_are_faber_rows_and_columns():
    enc = SitePeriodic().fit(frame())
    Z = enc.transform(frame())
    names = list(enc.get_feature_names_out())
    assert names[:2] == ["A/B lighter: row", "A/B lighter: column"]
    row = dict(zip(names, Z[0], strict=True))
    # Ca (row 4, column 2) is lighter than Sr (row 5, column 2); Cs row 6 column 1; F row 2 column 7
    assert (row["A/B lighter: row"], row["A/B heavier: row"]) == (4, 5)
    assert (row["C: row"], row["C: column"], row["D: row"], row["D: column"]) == (6, 1, 2, 7)


def test_spline_basis_is_one_hot_plus_partition_of_unity():
    enc = SiteSplineBasis(properties=("row", "radius"), n_knots=4).fit(frame())
    names = list(enc.get_feature_names_out())
    Z = dense(enc.transform(frame()))
    d_spline = [i for i, n in enumerate(names) if n.startswith("D:row#")]
    assert len(d_spline) == 4 + 3 - 2  # n_knots + degree - 1 B-splines, the redundant last one dropped
    d_oh = [i for i, n in enumerate(names) if n.startswith("D=")]
    np.testing.assert_array_equal(Z[:, d_oh].sum(axis=1), 1.0)
    # the AB block is the sum of the functions at the two elements
    one = SiteSplineBasis(properties=("row", "radius"), n_knots=4).fit(frame())
    ca = dense(one.transform(frame([("Ca", "Ca", "Cs", "F")])))[0]
    sr = dense(one.transform(frame([("Sr", "Sr", "Cs", "F")])))[0]
    ab = [i for i, n in enumerate(names) if n.startswith("AB")]
    np.testing.assert_allclose(Z[0, ab], (ca[ab] + sr[ab]) / 2)
    assert sp.issparse(enc.transform(frame())) and not sp.issparse(
        SiteSplineBasis(sparse_output=False).fit(frame()).transform(frame())
    )


def test_interaction_pairs_cross_sites_and_work_before_fit():
    enc = SiteSplineBasis(properties=("row",), n_knots=3)
    pairs = enc.interaction_pairs()
    assert pairs == SiteSplineBasis(properties=("row",), n_knots=3).fit(frame()).interaction_pairs()
    assert ("C:row#0", "D:row#1") in pairs and ("AB:row#0", "AB:row#1") in pairs
    assert all(a.split(":")[0] != b.split(":")[0] or a.startswith("AB") for a, b in pairs)
    assert not any("=" in a or "=" in b for a, b in pairs)  # no one-hot columns by default
    assert not any(PAIR_SEP in a for a, _ in pairs)
    with_oh = enc.interaction_pairs(one_hot=True)
    assert ("C=Cs", "D=F") in with_oh and ("C=Cs", "C=K") not in with_oh and len(with_oh) > len(pairs)
    assert enc.column_names()[:1] == ["AB=H"]


def test_unknown_element_error_names_the_known_ones():
    enc = SiteOneHot().fit(frame())
    with pytest.raises(ValueError, match=r"unknown element\(s\) \['Fe'\] on site A.*H, He, Li"):
        enc.transform(frame([("Fe", "Na", "K", "F")]))
    with pytest.raises(ValueError, match="unknown element"):
        SiteSplineBasis().fit(frame([("Ca", "Sr", "Cs", "Xx")]))
    with pytest.raises(ValueError, match=re.escape("set_params(sites__elements=[...])")):
        SitePeriodic(elements=("Ca", "Sr", "Cs", "F")).fit(frame()).transform(frame([("Na", "Sr", "Cs", "F")]))


def test_missing_site_column_and_wrong_type_errors():
    with pytest.raises(ValueError, match="missing column.*D.*load_elpasolites"):
        SiteOneHot().fit(frame().drop(columns="D"))
    with pytest.raises(TypeError, match="DataFrame with columns A, B, C, D"):
        SitePeriodic().fit(np.zeros((2, 4)))


def test_bad_parameters():
    with pytest.raises(ValueError, match="unknown properties"):
        SiteSplineBasis(properties=("colour",)).fit(frame())
    with pytest.raises(ValueError, match="no basis functions"):
        SiteSplineBasis(properties=(), one_hot=False).fit(frame())
    with pytest.raises(ValueError, match="distinct"):
        SiteOneHot(elements=("F", "F")).fit(frame())


@pytest.mark.parametrize("encoder", [SiteOneHot, SitePeriodic, SiteSplineBasis])
def test_a_string_of_symbols_is_not_split_into_letters(encoder):
    """Before, "FClBrI" became the vocabulary F, C, l, B, r, I: an error about 'l', or silently wrong columns."""
    with pytest.raises(ValueError, match="list of element symbols, got the string 'FClBrI'"):
        encoder(elements="FClBrI").fit(frame([("F", "Cl", "Br", "I")]))


def test_duplicated_site_column_is_a_clear_error():
    df = pd.concat([frame(), frame()[["D"]]], axis=1)
    with pytest.raises(ValueError, match="duplicated column.*D"):
        SiteSplineBasis().fit(df)


def test_matminer_contract_and_citations():
    from pathlib import Path

    bib = (Path(__file__).resolve().parents[1] / "book" / "references.bib").read_text()
    for enc in ENCODERS:
        enc = clone(enc).fit(frame())
        assert enc.feature_labels() == [str(n) for n in enc.get_feature_names_out()]
        assert enc.citations() and all(f"{{{key}," in bib for key in enc.citations())
        assert enc.implementors()


def test_crystal_groups_ignore_the_a_b_order():
    from helpers.featurize.elpasolite import crystal_groups

    rows = frame((("Ca", "Sr", "Cs", "F"), ("Sr", "Ca", "Cs", "F"), ("Ca", "Sr", "Cs", "Cl"), ("Al", "Na", "K", "F")))
    g = crystal_groups(rows)
    assert g.tolist() == [0, 0, 1, 2]
    with pytest.raises(ValueError, match="missing column"):
        crystal_groups(rows.drop(columns="C"))
