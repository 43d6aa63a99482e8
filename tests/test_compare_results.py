import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import compare_results  # noqa: E402

REC = {
    "chapter": "01_x",
    "case": "tco",
    "target": "fe",
    "model": "m",
    "metric": "MAE",
    "value": 0.1,
    "unit": "eV/atom",
    "split": "test",
}


def _write(d: Path, records):
    d.mkdir()
    (d / "01_x.json").write_text(json.dumps(records))


def test_identical_runs_pass(tmp_path):
    _write(tmp_path / "a", [REC])
    _write(tmp_path / "b", [REC])
    assert compare_results.compare(tmp_path / "a", tmp_path / "b") == []


def test_changed_value_or_missing_record_fails(tmp_path):
    _write(tmp_path / "a", [REC])
    _write(tmp_path / "b", [{**REC, "value": 0.1000001}])
    assert "differs" in compare_results.compare(tmp_path / "a", tmp_path / "b")[0]
    _write(tmp_path / "c", [])
    assert "different records" in compare_results.compare(tmp_path / "a", tmp_path / "c")[0]


def test_empty_run_fails(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert compare_results.compare(tmp_path / "a", tmp_path / "b")


def test_timings_may_differ_but_must_be_positive(tmp_path):
    timing = {**REC, "metric": "screening_time", "unit": "s", "value": 0.05}
    _write(tmp_path / "a", [REC, timing])
    _write(tmp_path / "b", [REC, {**timing, "value": 0.07}])
    assert compare_results.compare(tmp_path / "a", tmp_path / "b") == []
    _write(tmp_path / "c", [REC, {**timing, "value": -1.0}])
    assert "timing" in compare_results.compare(tmp_path / "a", tmp_path / "c")[0]
