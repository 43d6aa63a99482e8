"""The scorecard: every case study's recorded errors, side by side, relative to its multilinear model.

It fits nothing. It reads the records that the case-study chapters write with :mod:`helpers.results`
(``_build/results/<chapter>.json``), so it shows exactly the numbers of the last run of each chapter.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd

from helpers import results
from helpers.style import axis_title

__all__ = [
    "HEADLINES",
    "SMALL_DATA",
    "ScorecardError",
    "bench_table",
    "explains_itself",
    "headline_errors",
    "relative_error_chart",
    "small_data_chart",
    "small_data_table",
]

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


#: How a model explains its own predictions, by the name a chapter records it under (see :func:`explains_itself`).
GLASS_BOX = "yes: sum of named terms"
FORMULA = "yes: a formula"
BLACK_BOX = "no: post-hoc only"
_FORMULAS = {"t", "tau", "tau_refit", "tau_logistic_linear"}
_GLASS_BOXES = {"main-effects", "main", "linear", "pre_design", "ebm", "mean predictor"}


def explains_itself(model: str) -> str:
    """Whether ``model`` (a recorded model name) explains its predictions by itself.

    Multilinear models (every name starting with ``"multilinear"``, the main-effects and linear variants)
    and the Explainable Boosting Machine predict an exact sum of named contributions; the tolerance factors
    t and τ are formulas a chemist reads directly; kernel ridge, neural networks, gradient boosting and the
    published networks need post-hoc tools (PD, ICE, H²), which describe them only approximately.
    """
    if model.startswith(REFERENCE) or model in _GLASS_BOXES:
        return GLASS_BOX
    if model in _FORMULAS:
        return FORMULA
    return BLACK_BOX


class ScorecardError(RuntimeError):
    """A case study's records are missing: its chapter has not run since the results folder was cleaned."""


def _matches(records: pd.DataFrame, spec: dict) -> pd.Series:
    """Rows of a chapter's records with the metric, split and (if the spec names one) target of ``spec``."""
    keep = (records.metric == spec["metric"]) & (records.split == spec["split"])
    return keep & (records.target == spec["target"]) if "target" in spec else keep


def _case_rows(case: str, spec: dict) -> pd.DataFrame:
    records = results.load(spec["chapter"])
    if not records:
        raise ScorecardError(
            f"no records of chapter {spec['chapter']} in {results.results_dir()}: run it first "
            f"(make nbval CHAPTER=chapters/{spec['chapter']}.md, or make book), then this page"
        )
    frame = pd.DataFrame(records)
    rows = frame[_matches(frame, spec)]
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
            "terms": rows["n_terms"].to_numpy() if "n_terms" in rows else np.nan,
        }
    )


def headline_errors(*, headlines: dict | None = None) -> pd.DataFrame:
    """One row per case and model: its recorded error and the ratio to the multilinear model's.

    Columns ``case``, ``model``, ``metric``, ``unit``, ``error`` (in ``unit``), ``terms`` (the number of
    fitted terms, where the chapter recorded it as ``n_terms``; else NaN), ``relative`` (error / error of
    the multilinear model of the same case; below 1: better than the multilinear model) and
    ``explains_itself`` (:func:`explains_itself`).
    Raises :class:`ScorecardError` naming the chapter to run when a case's records are missing.
    """
    frames = [_case_rows(case, spec) for case, spec in (headlines or HEADLINES).items()]
    table = pd.concat(frames, ignore_index=True)
    reference = table[table.model == REFERENCE].set_index("case").error
    return table.assign(
        relative=table.error / table.case.map(reference), explains_itself=table.model.map(explains_itself)
    )


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


#: The small-data side of claim C12: for each case, the black box the paper compared with (re-run here;
#: for composition, where the paper has no model, gradient boosting) and the records holding both
#: errors with their training-set size ``n_train``: a learning curve where the chapter draws one.
SMALL_DATA = {
    "TCO formation energy": {
        "chapter": "03_tco",
        "target": "formation_energy",
        "metric": "rmsle",
        "split": "test",
        "peer": "krr-ensemble",
    },
    "TCO band gap": {
        "chapter": "03_tco",
        "target": "bandgap",
        "metric": "rmsle",
        "split": "test",
        "peer": "krr-ensemble",
    },
    "elpasolite formation energy": {
        "chapter": "04_elpasolites",
        "metric": "mae",
        "split": "learning-curve",
        "peer": "KRR",
    },
    "TMC spin splitting": {
        "chapter": "05_spin_splitting",
        "metric": "mae",
        "split": "grouped-cv",
        "peer": "mlp_interpretable",
    },
    "composition formation energy": {
        "chapter": "07_when_linear_is_not_enough",
        "metric": "mae",
        "split": "learning-curve",
        "peer": "boosting",
    },
}


def small_data_table(*, cases: dict | None = None) -> pd.DataFrame:
    """The multilinear model's error divided by its black-box peer's, against the training-set size.

    One row per case and ``n_train`` (number of training samples) with columns ``case``, ``peer``,
    ``n_train``, ``multilinear`` and ``peer_error`` (the recorded errors, in the case's unit) and ``ratio``
    (below 1: the multilinear model is more accurate). Raises :class:`ScorecardError` naming the chapter to
    run when its records, or their ``n_train``, are missing.
    """
    frames = []
    for case, spec in (cases or SMALL_DATA).items():
        records = pd.DataFrame(results.load(spec["chapter"]))
        keep = pd.Series(False, index=records.index)
        if not records.empty and "n_train" in records:
            keep = _matches(records, spec) & records.n_train.notna() & records.model.isin([REFERENCE, spec["peer"]])
        wide = records[keep].pivot_table(index="n_train", columns="model", values="value") if keep.any() else None
        if wide is None or not {REFERENCE, spec["peer"]} <= set(wide.columns):
            raise ScorecardError(
                f"chapter {spec['chapter']} has no {spec['metric']} records of {REFERENCE!r} and "
                f"{spec['peer']!r} with n_train on split {spec['split']!r} in {results.results_dir()}: run it "
                f"(make nbval CHAPTER=chapters/{spec['chapter']}.md, or make book), then this page"
            )
        wide = wide.dropna(subset=[REFERENCE, spec["peer"]])
        frames.append(
            pd.DataFrame(
                {
                    "case": case,
                    "peer": spec["peer"],
                    "n_train": wide.index.astype(int),
                    "multilinear": wide[REFERENCE].to_numpy(),
                    "peer_error": wide[spec["peer"]].to_numpy(),
                }
            )
        )
    table = pd.concat(frames, ignore_index=True)
    return table.assign(ratio=table.multilinear / table.peer_error)


def small_data_chart(table: pd.DataFrame, *, width: int = 420) -> alt.LayerChart:
    """Error ratio (multilinear / black box) against training-set size, one line per case (log-log)."""
    missing = {"case", "peer", "n_train", "ratio"} - set(table.columns)
    if missing:
        raise ValueError(f"table lacks the columns {sorted(missing)}: pass the frame of small_data_table()")
    frame = table.assign(label=table.case + " (vs " + table.peer + ")")
    base = alt.Chart(frame).encode(
        x=alt.X("n_train:Q", scale=alt.Scale(type="log"), title=axis_title("training samples", "count")),
        y=alt.Y(
            "ratio:Q",
            scale=alt.Scale(type="log"),
            title=axis_title("error of multilinear / error of black box", "1"),
        ),
        color=alt.Color("label:N", title="case (black box)"),
        tooltip=["case", "peer", alt.Tooltip("n_train:Q", format=","), alt.Tooltip("ratio:Q", format=".2f")],
    )
    parity = alt.Chart(pd.DataFrame({"y": [1.0]})).mark_rule(strokeDash=[4, 3], color="#333333").encode(y="y:Q")
    return (parity + base.mark_line() + base.mark_point(filled=True, size=60)).properties(width=width)


#: The cases ``make bench`` times the models of (``<case>-fit-<model>``, ``<case>-predict-<model>``).
BENCH_CASES = {"elpasolite": "elpasolites (9,000 crystals)", "tco": "TCO formation energy (2,400 compounds)"}


def bench_table(*, path: Path | str | None = None) -> pd.DataFrame | None:
    """The model timings of ``make bench`` (``_build/bench.json``), or ``None`` if it has not run.

    One row per case and model (index ``case``, ``model``): median fit time (s, on the case's training
    rows), median prediction time (s per 1,000 samples), and both relative to the multilinear model of
    the same case. ``attrs`` holds the date and machine of the measurement.
    """
    path = Path(path) if path is not None else results.ROOT / "_build" / "bench.json"
    if not path.exists():
        return None
    report = json.loads(path.read_text())
    rows: dict[tuple[str, str], dict[str, float]] = {}
    pattern = re.compile(rf"^({'|'.join(BENCH_CASES)})-(fit|predict)-(.+)$")
    for name, t in report["timings"].items():
        match = pattern.match(name)
        if not match:
            continue
        case, stage, model = match.groups()
        row = rows.setdefault((BENCH_CASES[case], model), {})
        if stage == "fit":
            row["fit (s)"] = t["median_s"]
        else:
            row["predict (s per 1,000)"] = 1000 * t["median_s"] / t["n_rows"]
    if not rows:
        return None
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index = pd.MultiIndex.from_tuples(table.index, names=["case", "model"])
    reference = table.xs(REFERENCE, level="model")
    for column in list(table.columns):
        per_case = table.index.get_level_values("case").map(reference[column])
        table[f"{column}, relative"] = table[column].to_numpy() / per_case.to_numpy()
    table.attrs = {"date": report["date"], "machine": report["machine"]["platform"]}
    return table
