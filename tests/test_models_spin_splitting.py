"""Tests of helpers.models.spin_splitting: the chapter-5 recipe, its CV selection and the reading tools."""

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import Ridge
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline
from sklearn.utils import check_random_state

from helpers import data
from helpers.baselines import BoostingCV, KernelRidgeCV
from helpers.evaluate import fold_predictions
from helpers.featurize.complexes import ComplexEncoder, ExtrapolationWarning, complex_categories, complex_key
from helpers.interpret import level_contributions
from helpers.linear import PAIR_SEP, MultilinearRegressor, bootstrap_coefficients
from helpers.models import spin_splitting_model
from helpers.models.spin_splitting import (
    CANDIDATE_INTERACTIONS,
    DEFAULT_ALPHA,
    DEFAULT_INTERACTIONS,
    PRE_DESIGN_BLOCKS,
    PRE_DESIGN_CANDIDATES,
    SpinSplittingCV,
    _ridge_path,
    pre_design_cv,
)


@pytest.fixture(scope="module")
def tmc():
    df = data.load_spin_splitting()
    return df, df["delta_e_hl_kcal_mol"].to_numpy(), complex_key(df).to_numpy()


@pytest.fixture(scope="module")
def fitted(tmc):
    df, y, _ = tmc
    return spin_splitting_model().fit(df, y)


def one(**kw):
    row = {
        "metal": "Fe",
        "oxidation_state": 2,
        "eq_ligand": "water",
        "ax1_ligand": "pyr",
        "ax2_ligand": "carbonyl",
        "hfx": 0.20,
    }
    row.update(kw)
    return pd.DataFrame([row])


# ----------------------------------------------------------------------------- the recipe
def test_recipe_is_an_unfitted_pipeline_with_readable_terms(tmc, fitted):
    model = spin_splitting_model()
    assert isinstance(model, Pipeline) and isinstance(model[0], ComplexEncoder)
    assert isinstance(model[-1], MultilinearRegressor) and not hasattr(model[-1], "coef_")
    names = set(fitted[-1].term_names_)
    for term in (
        "Fe(II)",
        "eq=co",
        "hfx",
        f"Fe(II){PAIR_SEP}hfx",
        f"Co(III){PAIR_SEP}eq=co",
        f"ox=III{PAIR_SEP}ax=cl",
        f"donor=C{PAIR_SEP}hfx",
        f"Mn(II){PAIR_SEP}homoleptic",
    ):
        assert term in names, term
    assert fitted[-1].alpha_ == DEFAULT_ALPHA
    df, y, _ = tmc
    mae = np.mean(np.abs(fitted.predict(df) - y))
    assert 0 < mae < 5  # a training error in kcal/mol, far below the spread of ΔE (SD ≈ 25)


def test_a_synonym_predicts_like_its_canonical_label(fitted):
    pairs = [
        ("chloride", "cl"),
        ("cyanide", "cn"),
        ("isothiocyanate", "ncs"),
        ("thiocyanate", "scn"),
        ("pyridine", "pyr"),
        ("carbonyl", "co"),
        ("water", "h2o"),
        ("ammonia", "nh3"),
    ]
    for alias, canonical in pairs:
        for col in ("eq_ligand", "ax1_ligand"):
            assert_allclose(fitted.predict(one(**{col: alias})), fitted.predict(one(**{col: canonical})))


def test_swapping_the_axial_ligands_leaves_the_prediction_unchanged(fitted):
    for a, b in [("pyr", "carbonyl"), ("cl", "water"), ("scn", "ncs")]:
        assert_allclose(
            fitted.predict(one(ax1_ligand=a, ax2_ligand=b)), fitted.predict(one(ax1_ligand=b, ax2_ligand=a))
        )


def test_unknown_labels_fail_clearly_and_hfx_extrapolation_warns(fitted):
    with pytest.raises(ValueError, match="unknown ligand 'bromide'.*Known ligands"):
        fitted.predict(one(eq_ligand="bromide"))
    with pytest.raises(ValueError, match="unknown metal 'Ru'.*Known metals"):
        fitted.predict(one(metal="Ru"))
    with pytest.raises(ValueError, match=r"Ni\(III\) is not covered"):
        fitted.predict(one(metal="Ni", oxidation_state=3))
    with pytest.warns(ExtrapolationWarning, match="extrapolation"):
        fitted.predict(one(hfx=0.5))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fitted.predict(one(hfx=0.3))


def test_recipe_rejects_a_bad_penalty():
    with pytest.raises(ValueError, match="alpha must be a positive number"):
        spin_splitting_model(alpha=0)


# ----------------------------------------------------------------------------- CV selection
@pytest.mark.parametrize("n, p", [(60, 20), (30, 50)])  # primal and dual branches
def test_ridge_path_equals_sklearn_ridge(n, p):
    rng = np.random.default_rng(0)
    Z, Zv = rng.normal(size=(n, p)), rng.normal(size=(7, p))
    Z[:, 3] = 0.0  # an all-zero training column is dropped
    yy = rng.normal(size=n)
    alphas = [0.1, 1.0, 10.0]
    path = _ridge_path(Z, yy, Zv, alphas)
    for k, a in enumerate(alphas):
        assert_allclose(path[:, k], Ridge(alpha=a).fit(Z, yy).predict(Zv), rtol=1e-8, atol=1e-8)


def test_selection_by_grouped_cv_refits_the_recipe(tmc):
    df, y, g = tmc
    cands = {k: CANDIDATE_INTERACTIONS[k] for k in ("main effects", "+ metal × hfx")}
    sel = SpinSplittingCV(candidates=cands, alphas=[1.0, 10.0], cv=3, n_repeats=1).fit(df, y, groups=g)
    assert sel.best_candidate_ in cands and sel.alpha_ in (1.0, 10.0)
    assert set(sel.cv_results_.columns) == {"candidate", "alpha", "mae", "se"} and len(sel.cv_results_) == 4
    best = sel.cv_results_.loc[sel.cv_results_["mae"].idxmin()]
    assert sel.best_mae_ >= best["mae"]  # 1-SE rule: never better than the minimum
    ref = spin_splitting_model(interactions=cands[sel.best_candidate_], alpha=sel.alpha_).fit(df, y)
    assert_allclose(sel.predict(df.head(50)), ref.predict(df.head(50)))
    # the CV error of a candidate is what the real pipeline scores on grouped folds
    folds = list(GroupKFold(3, shuffle=True, random_state=0).split(df, y, g))
    err = 0.0
    for tr, va in folds:
        m = spin_splitting_model(interactions=cands["+ metal × hfx"], alpha=10.0).fit(df.iloc[tr], y[tr])
        err += np.abs(m.predict(df.iloc[va]) - y[va]).sum()
    row = sel.cv_results_.query("candidate == '+ metal × hfx' and alpha == 10.0").iloc[0]
    assert_allclose(row["mae"], err / len(y), rtol=1e-6)


def test_selection_rules_and_bad_input(tmc):
    df, y, g = tmc
    cands = {k: CANDIDATE_INTERACTIONS[k] for k in ("main effects", "+ metal × hfx")}
    m = SpinSplittingCV(candidates=cands, alphas=[10.0], cv=3, n_repeats=1, rule="min").fit(df, y)
    r = m.cv_results_
    assert m.best_candidate_ == r.loc[r["mae"].idxmin(), "candidate"]
    with pytest.raises(ValueError, match="rule must be"):
        SpinSplittingCV(candidates=cands, alphas=[10.0], cv=3, rule="best").fit(df, y)
    with pytest.raises(ValueError, match="groups has 3 labels"):
        SpinSplittingCV(candidates=cands, cv=3).fit(df, y, groups=g[:3])
    with pytest.raises(ValueError, match="positive penalties"):
        SpinSplittingCV(candidates=cands, alphas=[-1.0]).fit(df, y)


def test_candidates_are_nested_and_the_recipe_default_is_one_of_them():
    assert DEFAULT_INTERACTIONS == CANDIDATE_INTERACTIONS["+ ligand × metal, ligand × hfx"]
    names = list(CANDIDATE_INTERACTIONS)
    for a, b in zip(names[:-1], names[1:], strict=True):  # every candidate adds to the previous one
        assert set(CANDIDATE_INTERACTIONS[a]) < set(CANDIDATE_INTERACTIONS[b])


# ----------------------------------------------------------------------------- reading the model
def test_group_bootstrap_is_a_ridge_refit_on_resampled_complexes(tmc, fitted):
    df, y, g = tmc
    boot = bootstrap_coefficients(fitted, df, y, groups=g, n_bootstrap=2, random_state=3)
    assert list(boot.columns) == list(fitted[-1].term_names_) + ["intercept"] and len(boot) == 2
    # the first sample again, by hand: draw the same complexes, refit sklearn's Ridge on their rows
    _, inverse = np.unique(g, return_inverse=True)
    draw = check_random_state(3).randint(0, inverse.max() + 1, inverse.max() + 1)
    rows = np.concatenate([np.flatnonzero(inverse == k) for k in draw])
    Z = fitted[-1].transform_terms(fitted[0].transform(df))
    ref = Ridge(alpha=fitted[-1].alpha_).fit(Z[rows], y[rows])
    assert_allclose(boot.iloc[0, :-1], ref.coef_, rtol=1e-6, atol=1e-8)
    assert_allclose(boot.iloc[0, -1], ref.intercept_, rtol=1e-6)
    with pytest.raises(ValueError, match="n_bootstrap"):
        bootstrap_coefficients(fitted, df, y, groups=g, n_bootstrap=0)


def test_level_contributions_are_centred_partial_dependences(tmc, fitted):
    df, y, g = tmc
    sub = df.sample(200, random_state=0)
    levels = ["Fe(II)", "Fe(III)", "Co(III)"]
    out = level_contributions(fitted, sub, column="metal_state", levels=levels)
    assert list(out["level"]) == levels and abs(out["contribution"].sum()) < 1e-9
    pd_means = []
    for lev in levels:
        metal, ox = lev[:2], {"Fe(II)": 2, "Fe(III)": 3, "Co(III)": 3}[lev]
        pd_means.append(fitted.predict(sub.assign(metal=metal, oxidation_state=ox)).mean())
    assert_allclose(out["contribution"], np.array(pd_means) - np.mean(pd_means), atol=1e-8)
    assert out["ci_low"].isna().all()
    boot = bootstrap_coefficients(fitted, df, y, groups=g, n_bootstrap=20, random_state=0)
    lig = level_contributions(
        fitted, sub, column=("eq_ligand", "ax1_ligand", "ax2_ligand"), levels=["co", "cl", "h2o"], coefficients=boot
    )
    assert (lig["ci_low"] <= lig["ci_high"]).all()
    assert lig.set_index("level").loc["co", "contribution"] > lig.set_index("level").loc["cl", "contribution"]


# ----------------------------------------------------------------------------- the black boxes
def test_fold_predictions_fill_the_test_rows_and_do_not_depend_on_n_jobs(tmc):
    df, y, g = tmc
    sub = df.iloc[:300]
    folds = list(GroupKFold(3, shuffle=True, random_state=0).split(sub, y[:300], g[:300]))
    est = SpinSplittingCV(candidates={"main effects": ()}, alphas=[10.0], cv=3, n_repeats=1)
    p1, fitted1 = fold_predictions(est, sub, y[:300], folds[:2], groups=g[:300])
    p2, _ = fold_predictions(est, sub, y[:300], folds[:2], groups=g[:300], n_jobs=2)
    tested = np.concatenate([te for _, te in folds[:2]])
    assert np.isfinite(p1[tested]).all() and np.isnan(np.delete(p1, tested)).all()
    assert_allclose(p1[tested], p2[tested])
    assert len(fitted1) == 2 and all(hasattr(f, "best_estimator_") for f in fitted1)


def test_krr_and_boosting_baselines_fit_with_groups(tmc):
    df, y, g = tmc
    sub, ys, gs = df.iloc[:240], y[:240], g[:240]
    X = ComplexEncoder().fit_transform(sub)
    krr = KernelRidgeCV(gamma_factors=(0.1, 1.0), alphas=(1e-2, 1.0), cv=3, scoring="mae").fit(X, ys, groups=gs)
    assert krr.alpha_ in (1e-2, 1.0) and np.isfinite(krr.predict(X)).all()
    cats = complex_categories(sub)
    grid = {"max_iter": [20], "max_leaf_nodes": [7], "learning_rate": [0.1], "min_samples_leaf": [5]}
    boost = BoostingCV(param_grid=grid, cv=3).fit(cats, ys, groups=gs)
    assert boost.search_.best_params_["max_iter"] == 20 and np.isfinite(boost.predict(cats)).all()


def test_term_names_follow_the_encoder_after_set_params(tmc):
    """A smaller vocabulary through set_params renames and re-pairs the terms (before, the recipe's pairs
    were fixed at build time from the default vocabulary and named ligands the encoder no longer has)."""
    df, y, _ = tmc
    keep = ("Fe(II)", "Fe(III)", "Co(II)", "Co(III)")
    rows = df.apply(
        lambda r: f"{r.metal.capitalize()}({'II' if int(r.oxidation_state) == 2 else 'III'})" in keep, axis=1
    ).to_numpy()
    model = spin_splitting_model().set_params(encode__metal_states=keep).fit(df[rows], y[rows])
    reg = model[-1]
    columns = list(model[0].get_feature_names_out())
    assert list(reg.term_names_[reg.term_kinds_ == "main"]) == columns
    assert not any(n.startswith(("Cr(", "Mn(", "Ni(")) for n in reg.term_names_)
    assert "Fe(III) & hfx" in set(reg.term_names_)


# ----------------------------------------------------------------------------- the pre-design model
def test_standardised_ridge_path_equals_ridge_on_scaled_columns():
    rng = np.random.default_rng(1)
    Z, Zv = rng.normal(size=(40, 6)) * [1, 10, 0.1, 1, 5, 2], rng.normal(size=(5, 6))
    yy = rng.normal(size=40)
    path = _ridge_path(Z, yy, Zv, [0.5, 5.0], standardize=True)
    sd = Z.std(axis=0)
    for k, a in enumerate([0.5, 5.0]):
        assert_allclose(path[:, k], Ridge(alpha=a).fit(Z / sd, yy).predict(Zv / sd), rtol=1e-8, atol=1e-8)


def test_pre_design_model_has_fewer_blocks_and_its_cv_matches_the_pipeline(tmc):
    df, y, g = tmc
    sel = pre_design_cv(alphas=[10.0, 100.0], cv=3).fit(df, y, groups=g)
    assert sel.best_candidate_ in PRE_DESIGN_CANDIDATES and sel.n_repeats == 1 and sel.rule == "min"
    names = sel.best_estimator_[0].feature_names_
    assert not [c for c in names if c.startswith(("donor=", "ox=")) or c == "homoleptic"]
    assert "Fe(II)" in names and "eq=co" in names and "ax=cl" in names and "hfx" in names
    assert sel.best_estimator_[-1].standardize
    # the CV error is what the standardised pipeline scores on the same grouped folds
    cand = PRE_DESIGN_CANDIDATES["+ metal × hfx"]
    err = 0.0
    for tr, va in GroupKFold(3, shuffle=True, random_state=0).split(df, y, g):
        m = spin_splitting_model(interactions=cand, alpha=100.0, blocks=PRE_DESIGN_BLOCKS, standardize=True)
        err += np.abs(m.fit(df.iloc[tr], y[tr]).predict(df.iloc[va]) - y[va]).sum()
    row = sel.cv_results_.query("candidate == '+ metal × hfx' and alpha == 100.0").iloc[0]
    assert_allclose(row["mae"], err / len(y), rtol=1e-6)
    # every pre-design block pair exists on the pre-design columns
    for blocks in PRE_DESIGN_CANDIDATES.values():
        assert {b for pair in blocks for b in pair} <= set(PRE_DESIGN_BLOCKS)
