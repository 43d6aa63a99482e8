import json
import math

import pytest

from helpers import results


@pytest.fixture
def tmp_results(tmp_path, monkeypatch):
    monkeypatch.setattr(results, "RESULTS_DIR", tmp_path)
    return tmp_path


def test_record_writes_exact_keys(tmp_results):
    results.reset("99_demo")
    results.record("99_demo", "tco", "formation_energy", "multilinear", "MAE", 0.0123, "eV/atom", "test", n_train=2400)
    data = json.loads((tmp_results / "99_demo.json").read_text())
    assert data == [{"chapter": "99_demo", "case": "tco", "target": "formation_energy", "model": "multilinear",
                     "metric": "MAE", "value": 0.0123, "unit": "eV/atom", "split": "test", "n_train": 2400}]


def test_same_identity_replaces_and_reset_clears(tmp_results):
    results.reset("99_demo")
    for v in (1.0, 2.0):
        results.record("99_demo", "tco", "bandgap", "krr", "MAE", v, "eV", "test")
    results.record("99_demo", "tco", "bandgap", "krr", "MAE", 3.0, "eV", "cv")
    assert [r["value"] for r in results.load("99_demo")] == [2.0, 3.0]
    results.reset("99_demo")
    assert results.load("99_demo") == []


@pytest.mark.parametrize("bad", [math.nan, math.inf, "1.0", None, True])
def test_rejects_non_finite_or_non_numeric(tmp_results, bad):
    with pytest.raises(ValueError, match="finite real"):
        results.record("99_demo", "tco", "bandgap", "krr", "MAE", bad, "eV", "test")
    assert not (tmp_results / "99_demo.json").exists()


def test_rejects_bad_chapter_and_unserialisable_extra(tmp_results):
    with pytest.raises(ValueError, match="file stem"):
        results.results_path("chapters/01_datasets.md")
    with pytest.raises(TypeError):
        results.record("99_demo", "tco", "bandgap", "krr", "MAE", 1.0, "eV", "test", model_object=object())
