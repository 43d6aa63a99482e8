"""helpers.featurize.composition: element fractions, weighted properties and their spline bases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone

from helpers.featurize import COMPOSITION_PROPERTIES, CompositionFeaturizer, element_properties

TRAIN = pd.DataFrame({"formula": ["NaCl", "Fe2O3", "MgO", "Al2O3", "Na2O", "FeCl2", "MgCl2", "AlCl3"]})


def test_fractions_are_sparse_named_and_sum_to_one():
    f = CompositionFeaturizer(blocks=("fractions",)).fit(TRAIN)
    Z = f.transform(TRAIN)
    assert Z.shape == (8, 6) and all(isinstance(t, pd.SparseDtype) for t in Z.dtypes)
    Z = sp.csr_matrix(Z.sparse.to_coo())
    assert f.elements_ == ["O", "Na", "Mg", "Al", "Cl", "Fe"]  # ordered by atomic number
    assert list(f.get_feature_names_out()) == f.elements_
    np.testing.assert_allclose(np.asarray(Z.sum(axis=1)).ravel(), 1.0)
    row = dict(zip(f.feature_labels(), Z[1].toarray().ravel(), strict=True))
    assert row["Fe"] == pytest.approx(0.4) and row["O"] == pytest.approx(0.6)


def test_weighted_properties_by_hand():
    f = CompositionFeaturizer(blocks=("properties",), sparse_output=False).fit(TRAIN)
    X = pd.DataFrame(f.transform(TRAIN[1:2]), columns=f.get_feature_names_out())
    en = element_properties(["Fe", "O"])["electronegativity"]
    mean = 0.4 * en["Fe"] + 0.6 * en["O"]
    assert X["mean electronegativity"].iloc[0] == pytest.approx(mean)
    spread = np.sqrt(0.4 * (en["Fe"] - mean) ** 2 + 0.6 * (en["O"] - mean) ** 2)
    assert X["spread electronegativity"].iloc[0] == pytest.approx(spread)
    assert X["min electronegativity"].iloc[0] == en["Fe"] and X["max electronegativity"].iloc[0] == en["O"]
    assert X.shape[1] == 4 * len(COMPOSITION_PROPERTIES)


def test_spline_block_and_block_of():
    f = CompositionFeaturizer(blocks=("fractions", "splines"), n_knots=3).fit(TRAIN)
    Z = sp.csr_matrix(f.transform(TRAIN).sparse.to_coo())
    n_props = 4 * len(COMPOSITION_PROPERTIES)
    assert Z.shape[1] == 6 + n_props * 5
    blocks = f.block_of()
    assert list(blocks).count("splines") == n_props * 5 and blocks[0] == "fractions"
    assert f.get_feature_names_out()[6] == "mean electronegativity[0]"
    # B-splines are a partition of unity: each property's basis sums to 1 on the training rows
    first = Z[:, 6:11].toarray().sum(axis=1)
    np.testing.assert_allclose(first, 1.0)


def test_clone_and_citations():
    f = clone(CompositionFeaturizer(blocks=("fractions", "properties")))
    assert f.citations() == ["bartel2020", "wang2021"]


def test_unknown_element_at_transform_names_the_formula():
    f = CompositionFeaturizer(blocks=("fractions",)).fit(TRAIN)
    with pytest.raises(ValueError, match=r"'CuO' \(row 1\) contains Cu, an element absent"):
        f.transform(pd.DataFrame({"formula": ["NaCl", "CuO"]}))


def test_bad_inputs_are_refused_clearly():
    with pytest.raises(ValueError, match="missing column"):
        CompositionFeaturizer().fit(pd.DataFrame({"compound": ["NaCl"]}))
    with pytest.raises(ValueError, match="no rows"):
        CompositionFeaturizer().fit(TRAIN.iloc[:0])
    with pytest.raises(ValueError, match="blocks must be distinct names"):
        CompositionFeaturizer(blocks=("fractions", "oops")).fit(TRAIN)
    with pytest.raises(ValueError, match="row 0 of the 'formula' column"):
        CompositionFeaturizer().fit(pd.DataFrame({"formula": ["Na)Cl("]}))
    with pytest.raises(ValueError, match="no electronegativity for He"):
        element_properties(["He"])
