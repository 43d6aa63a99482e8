"""Tests of helpers.models.tco: the TCO recipe, its tabular features and the LASSO sparsity path.

The recipe tests use small hand-built structures (no data files).
"""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from pymatgen.core import Lattice, Structure
from sklearn.base import clone
from sklearn.pipeline import Pipeline

from helpers import linear
from helpers.featurize.ngram import UnseenNGramWarning
from helpers.linear import MultilinearRegressor, sparsity_path, summed_importance
from helpers.models import tco_model
from helpers.models.tco import (
    BANDGAP_PAIRS,
    TCOMultilinearRegressor,
    TCOTabularFeaturizer,
)


def _compound(seed, a=3.8):
    """A 2×2×2 rock-salt-like (Al, Ga, In)O cell with random cations and small displacements."""
    rng = np.random.default_rng(seed)
    fcc = np.array([[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]])
    base = np.vstack([fcc, fcc + [0.5, 0, 0]])
    cells = np.array([[i, j, k] for i in range(2) for j in range(2) for k in range(2)])
    frac = ((base[None] + cells[:, None]) / 2).reshape(-1, 3)
    species = np.tile(["M"] * 4 + ["O"] * 4, len(cells)).astype(object)
    species[species == "M"] = rng.choice(["Al", "Ga", "In"], size=32, p=[0.5, 0.3, 0.2])
    cart = frac * 2 * a + rng.uniform(-0.05, 0.05, size=frac.shape)
    return Structure(Lattice.cubic(2 * a), list(species), cart, coords_are_cartesian=True)


@pytest.fixture(scope="module")
def toy():
    """60 toy compounds with a formation-energy-like target built from composition and a pair term."""
    structures = [_compound(s) for s in range(60)]
    df = pd.DataFrame({"structure": structures, "spacegroup": 227})
    tab = TCOTabularFeaturizer().fit(df).transform(df)
    y = 0.1 + 0.2 * tab[:, 2] + 0.3 * tab[:, 0] * tab[:, 2] + 0.01 * tab[:, 1]
    return df, y


def test_tabular_features():
    df = pd.DataFrame({"structure": [_compound(0)], "spacegroup": [206]})
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


def test_tabular_refuses_bad_labels_and_frames():
    s = _compound(0)
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


@pytest.fixture(scope="module")
def fitted_recipe(toy):
    df, y = toy
    return tco_model("formation_energy").fit(df, y)


def test_recipe_refuses_what_is_not_a_tco_crystal(toy, fitted_recipe):
    df, _ = toy
    s = df.structure[0]
    frac = s.frac_coords.copy()
    frac[5, 0] = np.nan
    big = Structure(Lattice(s.lattice.matrix * 10), s.species, s.frac_coords)
    cases = [
        (Structure(s.lattice, s.species, frac), r"row 1: site\(s\) \[5\] have non-finite coordinates"),
        (big, r"row 1: the cell has \d+ Å³ per atom.*scaled wrongly"),
    ]
    for bad, message in cases:
        with pytest.raises(ValueError, match=message):
            fitted_recipe.predict(pd.DataFrame({"structure": [s, bad], "spacegroup": 227}))
    with pytest.raises(ValueError, match=r"row 0: a space group must be an integer number such as 167, got 227\.5"):
        fitted_recipe.predict(pd.DataFrame({"structure": [s], "spacegroup": [227.5]}))
    # a plausible cell compressed to 0.85× its size: a prediction, with a warning that names the row
    squeezed = Structure(Lattice(s.lattice.matrix * 0.85), s.species, s.frac_coords)
    with pytest.warns(UnseenNGramWarning, match=r"rows \[1\]: \d+ % of their n-gram occurrences were never seen"):
        fitted_recipe.predict(pd.DataFrame({"structure": [s, squeezed], "spacegroup": 227}))


@pytest.mark.parametrize("target", ["formation_energy", "bandgap"])
def test_recipe_is_an_unfitted_pipeline_on_the_loader_frame(toy, target):
    df, y = toy
    model = tco_model(target)
    assert isinstance(model, Pipeline) and isinstance(model[-1], MultilinearRegressor)
    assert not hasattr(model[-1], "coef_")  # unfitted
    fitted = clone(model).fit(df, y)
    pred = fitted.predict(df)
    assert pred.shape == (len(df),) and np.all(np.isfinite(pred))
    table = linear.terms_table(fitted)
    assert {"main", "pair", "intercept"} <= set(table.kind)
    names = set(fitted[-1].term_names_)
    assert "x_In" in names and "Al6" in names  # readable names reach the model
    # the contributions of one compound sum to the prediction (log1p units for the band gap)
    c = linear.local_contributions(fitted, df, row=3)
    want = np.log1p(pred[3]) if target == "bandgap" else pred[3]
    assert c.contribution.sum() == pytest.approx(want, abs=1e-10)


def test_recipe_choices(toy):
    df, y = toy
    fe, bg = tco_model("formation_energy"), tco_model("bandgap")
    assert fe[0].transformer_list[0][1].get_params()["max_n"] == 3
    assert bg[0].transformer_list[0][1].get_params()["max_n"] == 2
    assert fe[-1].interactions == "all" and not fe[-1].log_target
    assert bg[-1].log_target and bg[-1].pair_among == BANDGAP_PAIRS
    fitted = clone(bg).fit(df, y)
    pairs = [t for t, k in zip(fitted[-1].term_names_, fitted[-1].term_kinds_, strict=True) if k == "pair"]
    assert pairs and all("-" not in t for t in pairs)  # no 2-gram enters a pair
    assert bg[-1].interactions == "all"  # the parameter is restored after fit
    with pytest.raises(ValueError, match=r"\['bandgap', 'formation_energy'\]"):
        tco_model("band_gap")


def test_log_target_and_pair_among():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.uniform(0, 1, size=(200, 3)), columns=["a", "b", "zz"])
    y = np.expm1(0.5 + X.a + 2 * X.a * X.b + 0.1 * X.zz)
    m = TCOMultilinearRegressor(pair_among=r"^[ab]$", log_target=True, penalty=None).fit(X, y)
    assert list(m.term_names_) == ["a", "b", "zz", "a & b"]
    assert_allclose(m.predict(X), y, rtol=1e-10)
    assert_allclose(m.coef_, [1, 0, 0.1, 2], atol=1e-10)
    with pytest.raises(ValueError, match="matches 1 feature"):
        TCOMultilinearRegressor(pair_among="^a$").fit(X, y)
    with pytest.raises(ValueError, match=r"non-negative target \(y ≥ 0.*200 value\(s\) below 0 or NaN \(e\.g\. -2\)"):
        TCOMultilinearRegressor(log_target=True).fit(X, -2 + 0 * y)
    with pytest.raises(ValueError, match="1 value"):  # log1p would accept it, but expm1 is clipped at 0
        TCOMultilinearRegressor(log_target=True).fit(X, np.r_[-0.5, y[1:]])


def test_log_target_predictions_are_clipped_at_zero():
    # a band-gap-like target falling with a; at a = 3 the linear predictor in log1p units is negative
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"a": rng.uniform(0, 1, 100)})
    y = np.expm1(1.0 - 0.9 * X.a)
    m = TCOMultilinearRegressor(log_target=True, interactions=None, penalty=None).fit(X, y)
    new = pd.DataFrame({"a": [0.5, 3.0]})
    assert MultilinearRegressor.predict(m, new)[1] == pytest.approx(1.0 - 2.7)  # log1p units: negative
    pred = m.predict(new)
    assert_allclose(pred, [np.expm1(1.0 - 0.45), 0.0], atol=1e-10)  # expm1(1 - 2.7) = -0.82 → 0
    # without log_target nothing is clipped (a formation energy may be negative)
    lin = TCOMultilinearRegressor(interactions=None, penalty=None).fit(X, 1.0 - 0.9 * X.a)
    assert lin.predict(new)[1] == pytest.approx(1.0 - 2.7)


def test_sparsity_path():
    rng = np.random.default_rng(3)
    X = pd.DataFrame(rng.uniform(0, 1, size=(300, 6)), columns=list("abcdef"))
    y = 1 + 2 * X.a - X.b + 3 * X.a * X.c + 0.05 * rng.normal(size=300)
    model = MultilinearRegressor(interactions="all", penalty=None).fit(X, y)
    sp = sparsity_path(model, X, y, n_alphas=25, cv=5)
    t = sp.table
    assert t.n_terms.iloc[0] == 0 and t.n_terms.iloc[-1] > 3
    assert (np.diff(t.alpha) < 0).all()
    best = sp.coef[sp.best]
    names = list(sp.term_names)
    strong = {names[i] for i in np.argsort(-np.abs(best))[:3]}
    assert strong == {"a", "b", "a & c"}
    # plain arrays, no closure: the result pickles
    import pickle

    again = pickle.loads(pickle.dumps(sp))
    assert_allclose(again.coef, sp.coef) and again.best == sp.best
    assert t.cv_rmse.iloc[sp.best] < 0.1 < t.cv_rmse.iloc[0]


def test_sparsity_and_h2_charts():
    from helpers import plots

    rng = np.random.default_rng(4)
    X = pd.DataFrame(rng.uniform(0, 1, size=(120, 3)), columns=list("abc"))
    y = X.a + X.a * X.b
    sp = sparsity_path(MultilinearRegressor(interactions="all", penalty=None).fit(X, y), X, y, n_alphas=10)
    spec = plots.sparsity_path_chart(sp.table, best=sp.best, quantity="y", unit="eV").to_dict()
    assert "5-fold CV RMSE of y (eV)" in str(spec) and "non-zero terms (count)" in str(spec)
    h2 = pd.DataFrame({"pair": ["a & b"] * 3 + ["a & c"] * 3, "h_squared": [0.2, 0.3, 0.4, 0.0, 0.1, 0.05]})
    spec = plots.h_squared_chart(h2).to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert {r["pair"]: (r["min"], r["max"]) for r in rows} == {"a & b": (0.2, 0.4), "a & c": (0.0, 0.1)}
    with pytest.raises(KeyError, match="h_squared"):
        plots.h_squared_chart(h2.rename(columns={"h_squared": "h"}))


def test_summed_importance():
    """A feature's importance sums the terms it enters, read from term_features_ (names are not parsed)."""
    rng = np.random.default_rng(5)
    X = pd.DataFrame(rng.uniform(0, 1, size=(200, 3)), columns=["a & x", "b", "c"])  # a name with PAIR_SEP
    y = 2 * X["a & x"] + X.b + X["a & x"] * X.b
    model = MultilinearRegressor(interactions=[("a & x", "b")], penalty=None).fit(X, y)
    imp = dict(zip(model.term_names_, model.importances_, strict=True))
    got = summed_importance(model)
    assert got["a & x"] == pytest.approx(imp["a & x"] + imp["a & x & b"])
    assert got["b"] == pytest.approx(imp["b"] + imp["a & x & b"]) and got["c"] == pytest.approx(imp["c"])
    assert list(got.index) == list(got.sort_values(ascending=False).index)
    assert summed_importance(model, features=["b", "z"])["z"] == 0.0
