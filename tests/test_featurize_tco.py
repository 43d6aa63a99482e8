"""Tests of helpers.featurize.tco: composition, volume and space-group columns of a TCO (no data files)."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from helpers.featurize.tco import TCOTabularFeaturizer


def test_tabular_features(oxide_cell):
    df = pd.DataFrame({"structure": [oxide_cell(0)], "spacegroup": [206]})
    f = TCOTabularFeaturizer().fit(df)
    row = pd.Series(f.transform(df)[0], index=f.feature_labels())
    s = df.structure[0]
    assert row[["x_Al", "x_Ga", "x_In"]].sum() == pytest.approx(1.0)
    assert row["x_In"] == pytest.approx(sum(sp.symbol == "In" for sp in s.species) / 32)
    assert row["V_atom"] == pytest.approx(s.volume / 64)
    assert row["sg206"] == 1 and row[[c for c in row.index if c.startswith("sg")]].sum() == 1
    with pytest.raises(ValueError, match=r"space group\(s\) \[225\].*\[12, 33, 167, 194, 206, 227\]"):
        f.transform(df.assign(spacegroup=225))
    with pytest.raises(ValueError, match="'spacegroup'"):
        f.fit(df[["structure"]])
    assert f.citations() == ["sutton2019"]


def test_tabular_refuses_bad_labels_and_frames(oxide_cell):
    s = oxide_cell(0)
    df = pd.DataFrame({"structure": [s, s], "spacegroup": [206, 206]})
    f = TCOTabularFeaturizer().fit(df)
    assert_allclose(f.transform(df.assign(spacegroup=[206.0, 206.0])), f.transform(df))  # integral floats are fine
    for bad in (167.9, "abc", "167", np.nan, True):
        frame = df.astype({"spacegroup": object})
        frame.loc[1, "spacegroup"] = bad
        with pytest.raises(ValueError, match=r"row 1: a space group must be an integer number such as 167"):
            f.transform(frame)
    for col in ("structure", "spacegroup"):
        with pytest.raises(ValueError, match=rf"duplicated column\(s\) \['{col}'\]"):
            f.transform(pd.concat([df, df[[col]]], axis=1))
    disordered = s.copy()
    disordered.replace(0, {"Al": 0.5, "In": 0.5})
    with pytest.raises(ValueError, match="row 0: the structure is disordered"):
        f.transform(pd.DataFrame({"structure": [disordered], "spacegroup": [206]}))
