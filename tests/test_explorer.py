"""Tests of helpers.explorer: the look-up tables behind the in-browser explorers are the fitted models.

The models are small but real: the elpasolite recipe with two element properties on 1,500 crystals and the
spin-splitting recipe on every row. The last test drives the chart in headless Chromium when the system
chromedriver is installed (Debian package ``chromium-driver``), as ``tools/check_explorers.py`` does on the
built book.
"""

import json
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from helpers import data, explorer
from helpers import elpasolite_screening as screening
from helpers.models import ELPASOLITE_TARGET, elpasolite_model, purify, site_contributions, site_tables, site_weights
from helpers.models.spin_splitting import spin_splitting_model

ROOT = Path(__file__).resolve().parents[1]
SITES = ["A", "B", "C", "D"]


@pytest.fixture(scope="module")
def elp_case():
    """Faber's elpasolites (``data``), and a small recipe (two element properties) fitted on the first
    1,500 of them (``model``, ``train``) with its exported ``table``."""
    elp = data.load_elpasolites()
    train = elp.iloc[:1500]
    model = elpasolite_model(properties=("row", "column"), n_knots=3).fit(train, train[ELPASOLITE_TARGET])
    return SimpleNamespace(data=elp, model=model, train=train, table=explorer.elpasolite_terms(model, train))


@pytest.fixture(scope="module")
def tmc():
    return data.load_spin_splitting()


@pytest.fixture(scope="module")
def spin_fit(tmc):
    y = tmc["delta_e_hl_kcal_mol"].to_numpy()
    model = spin_splitting_model().fit(tmc, y)
    return model, explorer.spin_splitting_terms(model, tmc)


def page_prediction(payload: dict, codes: dict, order: list[str]) -> float:
    """The transforms of the page, step by step, on :func:`explorer_data` (flatten the groups, look them up,
    keep the row of the chosen level, index the chosen column, sum)."""
    groups = {g["g"]: g for g in payload["groups"]}
    idx = [codes[s] for s in order]
    total = 0.0
    for row in payload["rows"]:
        for gi in row["g"]:
            g = groups[gi]
            if row["i"] != (0 if g["sa"] < 0 else idx[g["sa"]]):
                continue
            total += row["v"] if g["sb"] < 0 else row["v"][idx[g["sb"]]]
    return total


# ----------------------------------------------------------------------------- the tables are the model
def test_elpasolite_tables_reproduce_predict_on_twenty_unseen_crystals(elp_case):
    elp, model, table = elp_case.data, elp_case.model, elp_case.table
    sample = elp.iloc[5000:5020]
    want = model.predict(sample)
    np.testing.assert_allclose(table.predict(sample[SITES]), want, rtol=0, atol=1e-9)
    order = list(table.slots) + list(table.derived)
    payload = explorer.explorer_data(table)
    page = [page_prediction(payload, table.codes(r), order) for r in sample[SITES].to_dict("records")]
    np.testing.assert_allclose(page, want, rtol=0, atol=1e-9)


def test_elpasolite_terms_are_the_purified_breakdown_of_fig5(elp_case):
    model, train, table = elp_case.model, elp_case.train, elp_case.table
    crystal = pd.DataFrame({"A": ["Ca"], "B": ["Sr"], "C": ["Cs"], "D": ["F"]})
    tabs = site_tables(model)
    fig5 = site_contributions(purify(tabs, site_weights(train, tabs.elements)), crystal)
    ours = table.contributions(crystal.iloc[0].to_dict())
    assert list(ours["term"]) == list(fig5["term"])
    np.testing.assert_allclose(ours["contribution"], fig5["contribution"], rtol=0, atol=1e-9)
    assert set(ours["kind"]) == {"main", "pair", "intercept"}
    # A and B share their tables (the model is symmetric): the page embeds them once
    uses = {g.name: g.table for g in table.groups}
    assert uses["A × C"] == uses["B × C"] and uses["A × D"] == uses["B × D"] and uses["A"] == uses["B"]


def test_spin_splitting_tables_reproduce_predict_on_twenty_complexes(tmc, spin_fit):
    model, table = spin_fit
    rows = tmc.sample(20, random_state=0)
    synonyms = rows.assign(eq_ligand=rows["eq_ligand"].replace({"pyr": "pyridine", "cl": "chloride"}))
    inputs = explorer.spin_splitting_inputs(synonyms)
    want = model.predict(rows)
    np.testing.assert_allclose(table.predict(inputs), want, rtol=0, atol=1e-9)
    order = list(table.slots) + list(table.derived)
    payload = explorer.explorer_data(table)
    page = [page_prediction(payload, table.codes(r), order) for r in inputs.to_dict("records")]
    np.testing.assert_allclose(page, want, rtol=0, atol=1e-9)


def test_spin_splitting_slots_groups_and_the_homoleptic_flag(spin_fit):
    model, table = spin_fit
    assert list(table.slots) == ["metal", "eq", "ax1", "ax2", "hfx"]
    assert table.slots["hfx"] == (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3)
    names = {g.name for g in table.groups}
    assert {"metal × eq", "metal × hfx", "eq × hfx", "homoleptic"} <= names
    assert "eq × ax1" not in names  # the recipe has no equatorial × axial products
    co6 = {"metal": "Co(III)", "eq": "co", "ax1": "co", "ax2": "co", "hfx": 0.25}
    terms = table.contributions(co6).set_index("term")
    assert "homoleptic = yes" in terms.index
    frame = pd.DataFrame([{"metal": "Co", "oxidation_state": 3, "eq_ligand": "co", "ax1_ligand": "co",
                           "ax2_ligand": "co", "hfx": 0.25}])  # fmt: skip
    assert terms["contribution"].sum() == pytest.approx(model.predict(frame)[0], abs=1e-9)


# ----------------------------------------------------------------------------- training counts and keys
def test_elpasolite_extrapolation_flag_is_the_screening_domain(elp_case):
    elp, train, table = elp_case.data, elp_case.train, elp_case.table
    rng = np.random.default_rng(0)
    elements = table.slots["A"]
    picks = pd.DataFrame({s: rng.choice(elements, 40) for s in SITES})
    picks = pd.concat([picks, elp.iloc[:10][SITES]], ignore_index=True)
    flags = screening.pair_counts(train, picks, elements=elements)
    in_domain = (flags.n_unseen_pairs == 0) & (flags.min_site_count > 0)
    dom = table.domain(picks)
    assert (dom["extrapolation"] == ~in_domain).all()
    assert dom["extrapolation"].any() and not dom["extrapolation"].iloc[-10:].any()  # training rows are seen


def test_spin_splitting_extrapolation_flags_an_unseen_metal_ligand_pair(tmc, spin_fit):
    _, table = spin_fit
    seen = explorer.spin_splitting_inputs(tmc.iloc[:5])
    assert not table.domain(seen)["extrapolation"].any()
    pairs = set(zip(tmc["metal"] + tmc["oxidation_state"].astype(str), tmc["eq_ligand"], strict=True))
    assert ("Ni2", "porphyrin") not in pairs
    odd = pd.DataFrame([{"metal": "Ni(II)", "eq": "porphyrin", "ax1": "cl", "ax2": "cl", "hfx": 0.2}])
    dom = table.domain(odd)
    assert dom["extrapolation"].iloc[0] and dom["n_unseen"].iloc[0] >= 1
    terms = table.contributions(odd.iloc[0].to_dict()).set_index("term")
    assert terms.loc["metal × eq: Ni(II)–porphyrin", "n_train"] == 0


def test_reference_keys_ignore_the_order_of_interchangeable_slots(elp_case):
    elp, table = elp_case.data, elp_case.table
    swapped = elp.iloc[:50][SITES].rename(columns={"A": "B", "B": "A"})
    assert table.keys(swapped) == table.keys(elp.iloc[:50][SITES])
    ref = table.reference(elp[SITES], elp[ELPASOLITE_TARGET])
    assert len(ref) == len(set(table.keys(elp[SITES]))) < len(elp)  # twins merged
    keys = np.array(table.keys(elp[SITES]))
    for key in keys[:20]:
        assert ref[key] == round(float(elp[ELPASOLITE_TARGET][keys == key].mean()), 3)


# ----------------------------------------------------------------------------- the chart
def test_elpasolite_chart_is_valid_light_and_built_from_the_tables(elp_case):
    elp, table = elp_case.data, elp_case.table
    ref = table.reference(elp[SITES], elp[ELPASOLITE_TARGET])
    start = {"A": "Ca", "B": "Sr", "C": "Cs", "D": "F"}
    chart = explorer.explorer_chart(table, start=start, reference=ref)
    spec = chart.to_dict()  # validates against the Vega-Lite schema
    assert explorer.spec_bytes(chart) < 300_000  # the page stays light (the full model has the same tables)
    binds = {p["name"]: p for p in spec["params"] if "bind" in p}
    assert [b["bind"]["options"] for b in binds.values()] == [list(table.slots["A"])] * 4
    assert [b["value"] for b in binds.values()] == ["Ca", "Sr", "Cs", "F"]
    assert spec["datasets"]["explorer-terms"] == explorer.explorer_data(table)["rows"]
    assert spec["vconcat"][1]["encoding"]["x"]["title"] == "contribution to formation energy (eV/atom)"
    packed = spec["datasets"]["explorer-reference"][0]
    key = table.keys(elp.iloc[[3]][SITES])[0]
    at = packed["k"].index(explorer.KEY_SEPARATOR + key + explorer.KEY_SEPARATOR)
    assert packed["v"][at // 5] == ref[key]  # the page's arithmetic: position over (4 slots + separator)


def test_spin_splitting_chart_has_a_slider_over_the_grid(spin_fit):
    _, table = spin_fit
    chart = explorer.explorer_chart(table, sign_labels=("high spin", "low spin"), digits=1)
    spec = chart.to_dict()
    hfx = next(p for p in spec["params"] if p.get("bind", {}).get("input") == "range")
    assert (hfx["bind"]["min"], hfx["bind"]["max"], hfx["bind"]["step"]) == (0.0, 0.3, 0.05)
    assert explorer.spec_bytes(chart) < 300_000


# ----------------------------------------------------------------------------- bad input
def test_unknown_inputs_and_unfitted_models_fail_clearly(elp_case, tmc, spin_fit):
    elp, train, table = elp_case.data, elp_case.train, elp_case.table
    with pytest.raises(ValueError, match=r"unknown site A 'Xx'; the model knows: .*\bF\b"):
        table.contributions({"A": "Xx", "B": "Sr", "C": "Cs", "D": "F"})
    with pytest.raises(ValueError, match="no level given for D"):
        table.contributions({"A": "Ca", "B": "Sr", "C": "Cs"})
    with pytest.raises(NotFittedError, match="elpasolite_terms needs a fitted model"):
        explorer.elpasolite_terms(elpasolite_model(), train)
    with pytest.raises(NotFittedError, match="spin_splitting_terms needs a fitted model"):
        explorer.spin_splitting_terms(spin_splitting_model(), tmc)
    with pytest.raises(TypeError, match="needs a fitted Pipeline"):
        explorer.elpasolite_terms(spin_fit[0], train)
    _, spin = spin_fit
    with pytest.raises(ValueError, match="unknown equatorial ligand 'unobtainium'"):
        spin.contributions({"metal": "Fe(II)", "eq": "unobtainium", "ax1": "cl", "ax2": "cl", "hfx": 0.2})
    with pytest.raises(ValueError, match="unknown HFX fraction 0.12"):
        spin.contributions({"metal": "Fe(II)", "eq": "co", "ax1": "cl", "ax2": "cl", "hfx": 0.12})
    with pytest.raises(ValueError, match="hfx_grid must lie within the model's range"):
        explorer.spin_splitting_terms(spin_fit[0], tmc, hfx_grid=[0.2, 0.5])
    with pytest.raises(ValueError, match="start names unknown slot"):
        explorer.explorer_chart(table, start={"E": "F"})
    with pytest.raises(ValueError, match="unknown site D 'Q'"):
        explorer.explorer_chart(table, start={"D": "Q"})
    with pytest.raises(ValueError, match="digits must be an integer"):
        explorer.explorer_chart(table, digits=9)
    with pytest.raises(ValueError, match="predicted must hold 2 finite predictions"):
        explorer.browser_cases(table, elp.iloc[:2][SITES], [1.0])


# ----------------------------------------------------------------------------- in a real browser
def test_the_page_computes_what_the_model_predicts_in_headless_chromium(tmp_path, monkeypatch, elp_case):
    pytest.importorskip("selenium")
    if not (shutil.which("chromedriver") and shutil.which("chromium")):
        pytest.skip("needs the Debian packages chromium and chromium-driver")
    from helpers import sphinx_vega

    sys.path.insert(0, str(ROOT / "tools"))
    import check_explorers

    monkeypatch.setattr(check_explorers, "SETTLE", 2.0)
    elp, model, table = elp_case.data, elp_case.model, elp_case.table
    ref = table.reference(elp[SITES], elp[ELPASOLITE_TARGET])
    tries = pd.concat([pd.DataFrame({"A": ["Ca"], "B": ["Sr"], "C": ["Cs"], "D": ["C"]}), elp.iloc[[9000]][SITES]])
    chart = explorer.explorer_chart(table, start={"A": "Ca", "B": "Sr", "C": "Cs", "D": "F"}, reference=ref)
    spec = explorer.browser_cases(table, tries, model.predict(tries), reference=ref)
    (tmp_path / sphinx_vega.FILENAME).write_text(sphinx_vega.bundle_js())
    html = chart._repr_mimebundle_()
    html = (html[0] if isinstance(html, tuple) else html)["text/html"]
    page = tmp_path / "page.html"
    page.write_text(f'<html><head><meta charset="utf-8"><script src="{sphinx_vega.FILENAME}"></script></head>'
                    f"<body>{html}</body></html>", encoding="utf-8")  # fmt: skip
    driver = check_explorers.start_browser()
    try:
        assert check_explorers.check_page(driver, page, spec) == []
        wrong = json.loads(json.dumps(spec))
        wrong["cases"][0]["predicted"] += 0.01  # a model the page disagrees with must fail the check
        failures = check_explorers.check_page(driver, page, {**wrong, "cases": wrong["cases"][:1]})
        assert len(failures) == 1 and "model.predict gives" in failures[0]
    finally:
        driver.quit()
