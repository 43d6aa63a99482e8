"""``make bench``: the timings file it writes, a missed goal, and refused arguments (with stand-in cases)."""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import bench  # noqa: E402


@pytest.fixture
def quick_cases(monkeypatch):
    cases = {
        "fast": (lambda: lambda: None, 10.0, "does nothing"),
        "untimed": (lambda: lambda: sum(range(100)), None, "no goal"),
        "slow": (lambda: lambda: __import__("time").sleep(0.02), 0.001, "misses its goal"),
    }
    monkeypatch.setattr(bench, "CASES", cases)
    return cases


def test_writes_the_timings_and_passes_when_goals_hold(quick_cases, tmp_path):
    out = tmp_path / "b" / "bench.json"
    assert bench.main(["fast", "untimed", "--repeat", "3", "--out", str(out)]) == 0
    report = json.loads(out.read_text())
    assert set(report["timings"]) == {"fast", "untimed"}
    fast = report["timings"]["fast"]
    assert fast["repeats"] == 3 and fast["min_s"] <= fast["median_s"] <= fast["max_s"]
    assert "scikit-learn" in report["versions"] and report["machine"]["python"]
    assert not list(out.parent.glob("*.tmp"))  # nothing half-written left behind


def test_a_missed_goal_fails(quick_cases, tmp_path):
    assert bench.main(["slow", "--repeat", "1", "--out", str(tmp_path / "b.json")]) == 1


@pytest.mark.parametrize("argv", [["nonsense"], ["fast", "--repeat", "0"]])
def test_bad_arguments_are_refused(quick_cases, argv, capsys):
    with pytest.raises(SystemExit):
        bench.main(argv)
    assert "unknown case" in capsys.readouterr().err or "--repeat" in str(argv)


def test_every_real_case_has_a_setup_and_a_description():
    for name, (setup, goal, what) in bench.CASES.items():
        assert callable(setup) and what and (goal is None or goal > 0), name


def test_a_tco_model_case_runs_on_the_real_data(tmp_path):
    # the set-up loads the real TCO data through the registry, featurizes, fits; a prediction case
    # reports its rows (one case: the others share this path, and each costs seconds)
    name = "tco-predict-krr"
    assert bench.main([name, "--repeat", "1", "--out", str(tmp_path / "b.json")]) == 0
    timing = json.loads((tmp_path / "b.json").read_text())["timings"][name]
    assert timing["median_s"] > 0
    assert timing["n_rows"] == 600
