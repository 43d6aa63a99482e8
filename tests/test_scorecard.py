"""The scorecard reads the chapters' records: ratios to the multilinear model, and clear errors."""

import numpy as np
import pytest

from helpers import results
from helpers.scorecard import (
    ScorecardError,
    headline_errors,
    relative_error_chart,
    small_data_chart,
    small_data_table,
)

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
    for model, value in (("krr", 0.08), ("boosting", 0.12)):
        rec("91_a", model, "mae", value, "test")
    results.record(chapter="91_a", case="x", target="y", model="multilinear", metric="mae", value=0.10,
                   unit="eV/atom", split="test", n_terms=120)  # fmt: skip
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
    assert table.loc[("case a", "multilinear"), "explains_itself"].startswith("yes")
    assert table.loc[("case a", "krr"), "explains_itself"].startswith("no")
    assert table.loc[("case b", "tau"), "explains_itself"] == "yes: a formula"
    assert table.loc[("case a", "multilinear"), "terms"] == 120
    assert np.isnan(table.loc[("case a", "krr"), "terms"]) and np.isnan(table.loc[("case b", "tau"), "terms"])
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


def test_small_data_ratios_per_training_size(records):
    # a learning curve (two sizes, a peer named as the chapter draws it) and a single test point
    def sized(chapter, model, value, split, n):
        results.record(chapter=chapter, case="x", target="y", model=model, metric="mae", value=value,
                       unit="eV/atom", split=split, n_train=n)  # fmt: skip

    for n, ml, peer in ((500, 0.30, 0.40), (2000, 0.12, 0.10)):
        for model, value in (("multilinear", ml), ("KRR", peer), ("boosting", 9.0)):
            sized("94_d", model, value, "learning-curve", n)
    for model, value in (("multilinear", 0.2), ("krr", 0.25)):
        sized("95_e", model, value, "test", 800)
    cases = {
        "d": {"chapter": "94_d", "metric": "mae", "split": "learning-curve", "peer": "KRR"},
        "e": {"chapter": "95_e", "target": "y", "metric": "mae", "split": "test", "peer": "krr"},
    }
    table = small_data_table(cases=cases).set_index(["case", "n_train"])
    assert table.ratio.to_dict() == pytest.approx({("d", 500): 0.75, ("d", 2000): 1.2, ("e", 800): 0.8})
    small_data_chart(table.reset_index()).to_dict()
    # records without n_train (91_a) name the chapter to run
    with pytest.raises(ScorecardError, match=r"no mae records of 'multilinear' and 'krr' with n_train.*91_a"):
        small_data_table(cases={"a": {"chapter": "91_a", "metric": "mae", "split": "test", "peer": "krr"}})
    with pytest.raises(ValueError, match="small_data_table"):
        small_data_chart(table.reset_index().drop(columns="ratio"))


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
        "tco-fit-multilinear": (1.0, None),
        "tco-fit-ebm": (30.0, None),
        "tco-predict-multilinear": (0.006, 600),
        "tco-predict-ebm": (0.06, 600),
    }
    report = {
        "date": "2026-12-06T00:00:00+00:00",
        "machine": {"platform": "test"},
        "timings": {k: {"median_s": m, "n_rows": n} for k, (m, n) in timing.items()},
    }
    path = tmp_path / "bench.json"
    path.write_text(json.dumps(report))
    table = bench_table(path=path)
    elp, tco = "elpasolites (9,000 crystals)", "TCO formation energy (2,400 compounds)"
    assert list(table.index) == [(elp, "multilinear"), (elp, "krr"), (tco, "multilinear"), (tco, "ebm")]
    assert table.loc[(elp, "krr"), "fit (s), relative"] == pytest.approx(4.0)
    assert table.loc[(elp, "krr"), "predict (s per 1,000), relative"] == pytest.approx(50.0)
    assert table.loc[(tco, "ebm"), "fit (s), relative"] == pytest.approx(30.0)
    assert table.loc[(tco, "ebm"), "predict (s per 1,000)"] == pytest.approx(0.1)
    assert table.attrs["machine"] == "test"
