"""Headline numbers of each chapter, recorded for later chapters, the scorecard and the tests.

A chapter calls :func:`reset` once (so a re-execution never keeps stale numbers) and then
:func:`record` for every number it states. Records go to ``_build/results/<chapter>.json``
at the repository root, a JSON list of objects whose keys are exactly
``chapter, case, target, model, metric, value, unit, split`` plus any extra keyword given.

Recording the same (case, target, model, metric, split) twice replaces the earlier record, so
executing a chapter twice gives the same file. Writes are atomic (temporary file + rename).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from numbers import Real
from pathlib import Path
from typing import Any

#: Repository root (the folder holding ``_config.yml``).
ROOT = Path(__file__).resolve().parents[1]
#: Where records are written; override with the ``COMPENDIUM_RESULTS_DIR`` environment variable.
RESULTS_DIR = Path(os.environ.get("COMPENDIUM_RESULTS_DIR", ROOT / "_build" / "results"))

FIELDS = ("chapter", "case", "target", "model", "metric", "value", "unit", "split")
_IDENTITY = ("case", "target", "model", "metric", "split")


def results_path(chapter: str) -> Path:
    """Path of the JSON file holding the records of ``chapter`` (a chapter file stem, e.g. ``"01_datasets"``)."""
    if not chapter or "/" in chapter or chapter.endswith((".md", ".ipynb")):
        raise ValueError(f"chapter must be a chapter file stem such as '01_datasets', got {chapter!r}")
    return RESULTS_DIR / f"{chapter}.json"


def load(chapter: str) -> list[dict[str, Any]]:
    """All records of ``chapter`` (an empty list if it recorded nothing yet)."""
    path = results_path(chapter)
    if not path.exists():
        return []
    return json.loads(path.read_text(encoding="utf-8"))


def _write(path: Path, records: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(records, fh, indent=1, sort_keys=False)
        fh.write("\n")
    os.replace(tmp, path)


def reset(chapter: str) -> None:
    """Forget every record of ``chapter``; call it once at the top of the chapter."""
    _write(results_path(chapter), [])


def record(chapter: str, case: str, target: str, model: str, metric: str, value: float,
           unit: str, split: str, **extra: Any) -> dict[str, Any]:
    """Record one headline number and return the record.

    Parameters
    ----------
    chapter : chapter file stem, e.g. ``"02_interactions"``.
    case : case study, e.g. ``"tco"``, ``"elpasolite"``, ``"tmc"``, ``"simulated"``.
    target : predicted quantity, e.g. ``"formation_energy"``.
    model : model name, e.g. ``"multilinear"``, ``"krr"``.
    metric : e.g. ``"MAE"``, ``"RMSLE"``, ``"count"``, ``"H2"``.
    value : a finite real number.
    unit : unit of ``value`` (``"eV/atom"``, ``"kcal/mol"``, ``"1"`` for dimensionless).
    split : which data the number is measured on (``"test"``, ``"cv"``, ``"train"``, ``"all"``).
    **extra : JSON-serialisable context (e.g. ``n_train=2400``).
    """
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(float(value)):
        raise ValueError(f"value must be a finite real number, got {value!r} for {model} {metric}")
    rec = dict(zip(FIELDS, (chapter, case, target, model, metric, float(value), unit, split)))
    rec.update(extra)
    json.dumps(rec)  # fail here, not at write time, on non-serialisable extras
    records = [r for r in load(chapter) if tuple(r[k] for k in _IDENTITY) != tuple(rec[k] for k in _IDENTITY)]
    records.append(rec)
    _write(results_path(chapter), records)
    return rec
