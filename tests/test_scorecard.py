"""The scorecard reads the chapters' records: ratios to the multilinear model, and clear errors."""

import pytest

from helpers import results
from helpers.scorecard import ScorecardError, headline_errors, relative_error_chart

HEAD = {
    "case a": {"chapter": "91_a", "metric": "mae", "split": "test"},
    "case b": {"chapter": "92_b", "metric": "accuracy", "split": "cv"},
}


def rec(chapter, model, metric, value, split):
    unit = "%" if metric == "accuracy" else "eV/atom"
    results.record(
        chapter=chapter, case="x", target="y", model=model, metric=metric, value=value, unit=unit, split=split
    )


@pytest.fixture
def records(tmp_path, monkeypatch):
    monkeypatch.setenv("COMPENDIUM_RESULTS_DIR", str(tmp_path))
    for model, value in (("multilinear", 0.10), ("krr", 0.08), ("boosting", 0.12)):
        rec("91_a", model, "mae", value, "test")
    rec("91_a", "krr", "mae", 9.9, "train")  # not a headline
    for model, value in (("multilinear", 90.0), ("tau", 80.0)):
        rec("92_b", model, "accuracy", value, "cv")
    return tmp_path


def test_errors_relative_to_the_multilinear_model(records):
    table = headline_errors(headlines=HEAD).set_index(["case", "model"])
    assert table.loc[("case a", "krr"), "relative"] == pytest.approx(0.8)
    assert table.loc[("case a", "multilinear"), "relative"] == pytest.approx(1.0)
    # accuracy becomes an error rate: 20 % against 10 %
    assert table.loc[("case b", "tau"), "error"] == pytest.approx(20.0)
    assert table.loc[("case b", "tau"), "relative"] == pytest.approx(2.0)
    assert len(table) == 5  # the train-split record is not a headline
    relative_error_chart(table.reset_index()).to_dict()


def test_a_chapter_that_has_not_run_is_named(records):
    with pytest.raises(ScorecardError, match=r"no records of chapter 93_c.*make nbval CHAPTER=chapters/93_c.md"):
        headline_errors(headlines={"c": {"chapter": "93_c", "metric": "mae", "split": "test"}})


def test_records_without_the_reference_model_are_refused(records):
    with pytest.raises(ScorecardError, match="no mae of the 'multilinear' model on split 'sg206'"):
        headline_errors(headlines={"a": {"chapter": "91_a", "metric": "mae", "split": "sg206"}})


def test_chart_needs_the_headline_table():
    import pandas as pd

    with pytest.raises(ValueError, match="headline_errors"):
        relative_error_chart(pd.DataFrame({"case": ["x"]}))


def test_bench_table_reads_the_timings_relative_to_the_multilinear_model(tmp_path):
    import json

    from helpers.scorecard import bench_table

    assert bench_table(path=tmp_path / "absent.json") is None
    timing = {
        "elpasolite-fit-multilinear": (2.0, None),
        "elpasolite-fit-krr": (8.0, None),
        "elpasolite-predict-multilinear": (0.01, 1000),
        "elpasolite-predict-krr": (0.5, 1000),
        "ngram-3000": (3.0, None),
    }
    report = {
        "date": "2026-12-06T00:00:00+00:00",
        "machine": {"platform": "test"},
        "timings": {k: {"median_s": m, "n_rows": n} for k, (m, n) in timing.items()},
    }
    path = tmp_path / "bench.json"
    path.write_text(json.dumps(report))
    table = bench_table(path=path)
    assert list(table.index) == ["multilinear", "krr"]
    assert table.loc["krr", "fit (s), relative"] == pytest.approx(4.0)
    assert table.loc["krr", "predict (s per 1,000), relative"] == pytest.approx(50.0)
    assert table.attrs["machine"] == "test"
