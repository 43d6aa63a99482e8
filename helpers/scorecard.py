"""The scorecard: every case study's recorded errors, side by side, relative to its multilinear model.

It fits nothing. It reads the records that the case-study chapters write with :mod:`helpers.results`
(``_build/results/<chapter>.json``), so it shows exactly the numbers of the last run of each chapter.
"""

from __future__ import annotations

import json
from pathlib import Path

import altair as alt
import pandas as pd

from helpers import results
from helpers.style import axis_title

__all__ = ["HEADLINES", "ScorecardError", "bench_table", "headline_errors", "relative_error_chart"]

#: The headline comparison of each case study: which records hold it. ``metric`` is an error (smaller is
#: better) except ``accuracy`` (%), which is turned into an error rate (100 - accuracy).
HEADLINES = {
    "TCO formation energy": {"chapter": "03_tco", "target": "formation_energy", "metric": "rmsle", "split": "test"},
    "TCO band gap": {"chapter": "03_tco", "target": "bandgap", "metric": "rmsle", "split": "test"},
    "elpasolite formation energy": {"chapter": "04_elpasolites", "metric": "mae", "split": "test"},
    "TMC spin splitting": {"chapter": "05_spin_splitting", "metric": "mae", "split": "grouped-cv"},
    "perovskite stability": {"chapter": "06_perovskites", "metric": "accuracy", "split": "cv"},
    "composition formation energy": {
        "chapter": "07_when_linear_is_not_enough",
        "target": "formation_energy",
        "metric": "mae",
        "split": "test",
    },
}

#: The model every other one is divided by.
REFERENCE = "multilinear"


class ScorecardError(RuntimeError):
    """A case study's records are missing: its chapter has not run since the results folder was cleaned."""


def _case_rows(case: str, spec: dict) -> pd.DataFrame:
    records = results.load(spec["chapter"])
    if not records:
        raise ScorecardError(
            f"no records of chapter {spec['chapter']} in {results.results_dir()}: run it first "
            f"(make nbval CHAPTER=chapters/{spec['chapter']}.md, or make book), then this page"
        )
    frame = pd.DataFrame(records)
    keep = (frame.metric == spec["metric"]) & (frame.split == spec["split"])
    if "target" in spec:
        keep &= frame.target == spec["target"]
    rows = frame[keep]
    if REFERENCE not in set(rows.model):
        raise ScorecardError(
            f"chapter {spec['chapter']} recorded no {spec['metric']} of the {REFERENCE!r} model on split "
            f"{spec['split']!r}: the scorecard's HEADLINES no longer match what the chapter records"
        )
    accuracy = spec["metric"] == "accuracy"
    error = 100 - rows.value if accuracy else rows.value
    return pd.DataFrame(
        {
            "case": case,
            "model": rows.model.to_numpy(),
            "metric": "error rate" if accuracy else spec["metric"].upper(),
            "unit": "%" if accuracy else rows.unit.to_numpy(),
            "error": error.to_numpy(),
        }
    )


def headline_errors(*, headlines: dict | None = None) -> pd.DataFrame:
    """One row per case and model: its recorded error and the ratio to the multilinear model's.

    Columns ``case``, ``model``, ``metric``, ``unit``, ``error`` (in ``unit``) and ``relative``
    (error / error of the multilinear model of the same case; below 1: better than the multilinear model).
    Raises :class:`ScorecardError` naming the chapter to run when a case's records are missing.
    """
    frames = [_case_rows(case, spec) for case, spec in (headlines or HEADLINES).items()]
    table = pd.concat(frames, ignore_index=True)
    reference = table[table.model == REFERENCE].set_index("case").error
    return table.assign(relative=table.error / table.case.map(reference))


def relative_error_chart(table: pd.DataFrame, *, width: int = 420) -> alt.LayerChart:
    """Each model's error relative to the multilinear model of its case (log axis; 1 = as accurate)."""
    missing = {"case", "model", "relative", "error", "unit"} - set(table.columns)
    if missing:
        raise ValueError(f"table lacks the columns {sorted(missing)}: pass the frame of headline_errors()")
    points = (
        alt.Chart(table)
        .mark_point(filled=True, size=70)
        .encode(
            x=alt.X(
                "relative:Q",
                scale=alt.Scale(type="log"),
                title=axis_title("error relative to the multilinear model", "1"),
            ),
            y=alt.Y("case:N", title=None),
            color=alt.Color("model:N", title="model"),
            shape=alt.Shape("model:N", title="model"),
            tooltip=[
                "case",
                "model",
                alt.Tooltip("error:Q", format=".4g"),
                "unit",
                alt.Tooltip("relative:Q", format=".2f"),
            ],
        )
    )
    parity = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(strokeDash=[4, 3], color="#333333").encode(x="x:Q")
    return (parity + points).properties(width=width)


def bench_table(*, path: Path | str | None = None) -> pd.DataFrame | None:
    """The elpasolite model timings of ``make bench`` (``_build/bench.json``), or ``None`` if it has not run.

    One row per model: median fit time (s, 9,000 crystals), median prediction time (s per 1,000 crystals),
    and both relative to the multilinear model. ``attrs`` holds the date and machine of the measurement.
    """
    path = Path(path) if path is not None else results.ROOT / "_build" / "bench.json"
    if not path.exists():
        return None
    report = json.loads(path.read_text())
    timings = report["timings"]
    rows = {}
    for name, t in timings.items():
        if name.startswith("elpasolite-fit-"):
            rows.setdefault(name.removeprefix("elpasolite-fit-"), {})["fit (s)"] = t["median_s"]
        elif name.startswith("elpasolite-predict-"):
            rows.setdefault(name.removeprefix("elpasolite-predict-"), {})["predict (s per 1,000)"] = (
                1000 * t["median_s"] / t["n_rows"]
            )
    table = pd.DataFrame(rows).T
    if table.empty or REFERENCE not in table.index:
        return None
    table = table.assign(**{f"{c}, relative": table[c] / table.loc[REFERENCE, c] for c in list(table.columns)})
    table.attrs = {"date": report["date"], "machine": report["machine"]["platform"]}
    return table
