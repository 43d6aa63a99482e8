import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import results

ROOT = Path(__file__).resolve().parents[1]
FIELDS = dict(case="tco", target="bandgap", model="krr", metric="mae", unit="eV", split="test")


@pytest.fixture
def tmp_results(tmp_path, monkeypatch):
    monkeypatch.setenv("COMPENDIUM_RESULTS_DIR", str(tmp_path))
    return tmp_path


def test_record_writes_exact_keys(tmp_results):
    results.reset("99_demo")
    results.record(
        chapter="99_demo",
        case="tco",
        target="formation_energy",
        model="multilinear",
        metric="mae",
        value=0.0123,
        unit="eV/atom",
        split="test",
        n_train=2400,
    )
    data = json.loads((tmp_results / "99_demo.json").read_text())
    assert data == [
        {
            "chapter": "99_demo",
            "case": "tco",
            "target": "formation_energy",
            "model": "multilinear",
            "metric": "mae",
            "value": 0.0123,
            "unit": "eV/atom",
            "split": "test",
            "n_train": 2400,
        }
    ]


def test_record_is_keyword_only(tmp_results):
    with pytest.raises(TypeError):
        results.record("99_demo", "tco", "bandgap", "krr", "mae", 1.0, "eV", "test")


def test_same_identity_replaces_and_reset_clears(tmp_results):
    results.reset("99_demo")
    for v in (1.0, 2.0):
        results.record(chapter="99_demo", value=v, **FIELDS)
    results.record(chapter="99_demo", value=3.0, **{**FIELDS, "split": "cv"})
    assert [r["value"] for r in results.load("99_demo")] == [2.0, 3.0]
    results.reset("99_demo")
    assert results.load("99_demo") == []


def test_n_train_is_part_of_the_identity(tmp_results):
    # a learning curve: one record per size, and re-recording a size replaces only that size
    results.reset("99_demo")
    for n, v in [(100, 1.0), (200, 0.5), (100, 0.9)]:
        results.record(chapter="99_demo", value=v, n_train=n, **FIELDS)
    assert sorted((r["n_train"], r["value"]) for r in results.load("99_demo")) == [(100, 0.9), (200, 0.5)]
    results.reset("99_demo")


def test_record_curve_one_record_per_model_and_size(tmp_results):
    import pandas as pd

    res = results.start("99_demo", prefix="demo_", case="demo", target="t")
    draws = pd.DataFrame({"model": ["a", "a", "a", "b"], "n_train": [10, 10, 20, 10], "mae": [1.0, 3.0, 0.5, 4.0]})
    assert res.record_curve(draws, metric="mae", unit="eV") == 3
    got = {(r["model"], r["n_train"]): (r["value"], r["n_draws"], r["split"]) for r in res.load()}
    assert got == {
        ("a", 10): (2.0, 2, "learning-curve"),
        ("a", 20): (0.5, 1, "learning-curve"),
        ("b", 10): (4.0, 1, "learning-curve"),
    }
    with pytest.raises(ValueError, match="n_train"):
        res.record_curve(draws.drop(columns="n_train"), metric="mae", unit="eV")
    results.reset("99_demo")


@pytest.mark.parametrize("bad", [math.nan, math.inf, "1.0", None, True])
def test_rejects_non_finite_or_non_numeric(tmp_results, bad):
    with pytest.raises(ValueError, match="finite real"):
        results.record(chapter="99_demo", value=bad, **FIELDS)
    assert not (tmp_results / "99_demo.json").exists()


@pytest.mark.parametrize("extra", [{"ci": math.nan}, {"ci": [0.1, math.inf]}, {"ci": {"low": -math.inf}}])
def test_rejects_non_finite_extras(tmp_results, extra):
    with pytest.raises(ValueError, match="not finite"):
        results.record(chapter="99_demo", value=1.0, **FIELDS, **extra)


def test_rejects_bad_chapter_and_unserialisable_extra(tmp_results):
    with pytest.raises(ValueError, match="file stem"):
        results.results_path("chapters/01_datasets.md")
    with pytest.raises(TypeError):
        results.record(chapter="99_demo", value=1.0, **FIELDS, model_object=object())


def test_truncated_file_names_itself(tmp_results):
    (tmp_results / "99_demo.json").write_text('[{"chapter": "99_de')
    with pytest.raises(results.ResultsError, match="99_demo.json.*delete it"):
        results.record(chapter="99_demo", value=1.0, **FIELDS)


def test_concurrent_writers_lose_nothing(tmp_results):
    code = (
        "import sys\nfrom helpers import results as R\n"
        "for i in range(100):\n"
        "    R.record(chapter='99_x', case='s', target='y', model=sys.argv[1], metric=f'm{i}', value=1.0,"
        " unit='1', split='test')\n"
    )
    env = {"COMPENDIUM_RESULTS_DIR": str(tmp_results), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", code, who], env=env) for who in ("A", "B", "C")]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    assert len(results.load("99_x")) == 300


def test_chapter_results_report_records_and_glues(tmp_results, monkeypatch):
    glued = {}
    import myst_nb

    monkeypatch.setattr(myst_nb, "glue", lambda key, value, display=True: glued.__setitem__(key, value))
    res = results.start("99_demo", prefix="demo_", case="tco")
    text = res.report(
        "demo_mae", 0.012345, fmt=".3f", target="bandgap", model="krr", metric="mae", unit="eV", split="test"
    )
    assert text == "0.012" and glued == {"demo_mae": "0.012"}
    assert results.load("99_demo")[0]["value"] == 0.012345 and results.load("99_demo")[0]["case"] == "tco"
    assert res.glue("demo_n", 2400, fmt=",") == "2,400"
    res.figure("fig-demo-parity", "chart")
    assert glued["fig-demo-parity"] == "chart"
    for bad in ("mae", "demo:mae"):
        with pytest.raises(ValueError, match="must start with"):
            res.glue(bad, 1)
    with pytest.raises(ValueError, match="fig-demo-"):
        res.figure("demo_fig", "chart")
