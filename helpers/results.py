"""Headline numbers of each chapter: recorded for later chapters, the scorecard and the tests, and
glued into the prose in the same call.

A chapter opens its record book once, at the top::

    res = results.start("03_tco", prefix="tco_", case="tco")    # forgets the chapter's old records

and then states every number through it::

    res.report("tco_fe_rmsle_krr", rmsle, fmt=".3f", target="formation_energy", model="krr",
               metric="rmsle", unit="1", split="test")           # record + glue, one call
    res.glue("tco_n_pairs", n_pairs, fmt=",")                    # glue only (not a headline number)
    res.figure("fig-tco-ngram", chart)                           # glue a chart for {glue:figure}

so that ``{glue:text}`tco_fe_rmsle_krr``` in the text shows exactly the recorded value. Glue keys
start with the chapter's prefix; figure keys are ``fig-<prefix>…`` and double as the figure's
``:name:``, so ``{numref}`` and ``{glue:figure}`` use one string.

Records go to ``<results dir>/<chapter>.json`` (default ``_build/results/`` at the repository root,
override with ``COMPENDIUM_RESULTS_DIR``), a JSON list of objects whose keys are exactly
``chapter, case, target, model, metric, value, unit, split`` plus any extra keyword given. Recording
the same (case, target, model, metric, split) twice replaces the earlier record, so executing a chapter
twice gives the same file; a record's ``n_train``, when given, is part of that identity, so a learning
curve keeps one record per training-set size. Every read-modify-write holds an exclusive lock on
``<chapter>.json.lock`` and replaces the file atomically, so concurrent writers (nbval and the book build
under ``make -j``) lose nothing.
"""

from __future__ import annotations

import fcntl
import json
import math
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from numbers import Real
from pathlib import Path
from typing import Any

__all__ = [
    "ChapterResults",
    "ResultsError",
    "start",
    "record",
    "reset",
    "load",
    "results_dir",
    "results_path",
    "format_value",
    "FIELDS",
]

#: Repository root (the folder holding ``_config.yml``).
ROOT = Path(__file__).resolve().parents[1]

FIELDS = ("chapter", "case", "target", "model", "metric", "value", "unit", "split")
#: What makes two records "the same number": a learning curve records one model at several ``n_train``.
_IDENTITY = ("case", "target", "model", "metric", "split", "n_train")


class ResultsError(RuntimeError):
    """A results file cannot be read (it names the file and what to do)."""


def results_dir() -> Path:
    """Folder of the results files: ``$COMPENDIUM_RESULTS_DIR`` if set, else ``<repo>/_build/results``."""
    env = os.environ.get("COMPENDIUM_RESULTS_DIR")
    return Path(env).resolve() if env else ROOT / "_build" / "results"


def results_path(chapter: str) -> Path:
    """Path of the JSON file holding the records of ``chapter`` (a chapter file stem, e.g. ``"01_datasets"``)."""
    if not chapter or "/" in chapter or chapter.endswith((".md", ".ipynb")):
        raise ValueError(f"chapter must be a chapter file stem such as '01_datasets', got {chapter!r}")
    return results_dir() / f"{chapter}.json"


def _read(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    try:
        records = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ResultsError(
            f"{path} is not valid JSON ({exc.msg} at line {exc.lineno}); it was probably "
            f"truncated by an interrupted run: delete it and re-execute the chapter"
        ) from None
    if not isinstance(records, list):
        raise ResultsError(f"{path} should hold a JSON list of records; delete it and re-execute the chapter")
    return records


def load(chapter: str) -> list[dict[str, Any]]:
    """All records of ``chapter`` (an empty list if it recorded nothing yet)."""
    return _read(results_path(chapter))


@contextmanager
def _locked(chapter: str) -> Iterator[Path]:
    path = results_path(chapter)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield path
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _write(path: Path, records: list[dict[str, Any]]) -> None:
    # a new file opened with "x" gets the process umask's mode (as helpers.data's downloads do), unlike
    # mkstemp's 0600; the name is unique per process and the caller holds the chapter's lock
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "x", encoding="utf-8") as fh:
            json.dump(records, fh, indent=1, allow_nan=False)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def reset(chapter: str) -> None:
    """Forget every record of ``chapter``; call it once at the top of the chapter (``start`` does)."""
    with _locked(chapter) as path:
        _write(path, [])


def _check_finite(name: str, value: Any) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"extra field {name}={value!r} is not finite; strict JSON has no NaN or infinity")
    if isinstance(value, dict):
        for k, v in value.items():
            _check_finite(f"{name}.{k}", v)
    if isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _check_finite(f"{name}[{i}]", v)


def record(
    *, chapter: str, case: str, target: str, model: str, metric: str, value: float, unit: str, split: str, **extra: Any
) -> dict[str, Any]:
    """Record one headline number (keyword arguments only) and return the record.

    Parameters
    ----------
    chapter : chapter file stem, e.g. ``"02_interactions"``.
    case : case study, e.g. ``"tco"``, ``"elpasolite"``, ``"tmc"``, ``"simulated"``.
    target : predicted quantity, e.g. ``"formation_energy"``.
    model : model name, e.g. ``"multilinear"``, ``"krr"``.
    metric : e.g. ``"mae"``, ``"rmsle"``, ``"count"``, ``"h2"``.
    value : a finite real number.
    unit : unit of ``value`` (``"eV/atom"``, ``"kcal/mol"``, ``"1"`` for dimensionless).
    split : which data the number is measured on (``"test"``, ``"cv"``, ``"train"``, ``"all"``).
    **extra : JSON-serialisable, finite context (e.g. ``n_train=2400``).
    """
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(float(value)):
        raise ValueError(f"value must be a finite real number, got {value!r} for {model} {metric}")
    rec = dict(zip(FIELDS, (chapter, case, target, model, metric, float(value), unit, split), strict=True))
    for name, v in extra.items():
        _check_finite(name, v)
    rec.update(extra)
    json.dumps(rec, allow_nan=False)  # fail here, not at write time, on non-serialisable extras
    identity = tuple(rec.get(k) for k in _IDENTITY)
    with _locked(chapter) as path:
        records = [r for r in _read(path) if tuple(r.get(k) for k in _IDENTITY) != identity]
        records.append(rec)
        _write(path, records)
    return rec


def format_value(value: Any, *, fmt: str | Callable[[Any], str] | None = None) -> str:
    """Text of ``value`` for the prose: ``fmt`` is a format spec (``".3f"``, ``","``, ``".0%"``) or a
    callable; ``None`` gives ``str(value)``."""
    if fmt is None:
        return str(value)
    if callable(fmt):
        return str(fmt(value))
    return format(value, fmt)


class ChapterResults:
    """The record book of one chapter: records headline numbers and glues text and figures.

    Create it with :func:`start`. ``prefix`` is the chapter's glue-key prefix (e.g. ``"tco_"``);
    ``defaults`` (e.g. ``case="tco"``) fill record fields that a call leaves out.
    """

    def __init__(self, chapter: str, prefix: str, **defaults: Any):
        results_path(chapter)  # validates the stem
        if not prefix or ":" in prefix:
            raise ValueError(f"prefix must be a non-empty glue-key prefix without ':', got {prefix!r}")
        self.chapter, self.prefix, self.defaults = chapter, prefix, defaults

    def _check_key(self, key: str, figure: bool = False) -> None:
        want = f"fig-{self.prefix.rstrip('_-')}-" if figure else self.prefix
        if not key.startswith(want) or ":" in key:
            raise ValueError(
                f"glue key {key!r} must start with {want!r} and contain no ':' "
                "({glue:text} reads what follows ':' as a format spec)"
            )

    def glue(self, key: str, value: Any, *, fmt: str | Callable[[Any], str] | None = None) -> str:
        """Glue ``value`` formatted by ``fmt`` as text under ``key`` and return that text."""
        from myst_nb import glue

        self._check_key(key)
        text = format_value(value, fmt=fmt)
        glue(key, text, display=False)
        return text

    def report(self, key: str, value: float, *, fmt: str | Callable[[Any], str] | None = ".3g", **fields: Any) -> str:
        """Record ``value`` (fields as in :func:`record`; the chapter's defaults fill the gaps) and glue
        it, formatted by ``fmt``, under ``key``. Returns the glued text."""
        self._check_key(key)
        record(chapter=self.chapter, value=value, **{**self.defaults, **fields})
        return self.glue(key, value, fmt=fmt)

    def record(self, **fields: Any) -> dict[str, Any]:
        """:func:`record` with this chapter and its defaults filled in (no glue)."""
        return record(chapter=self.chapter, **{**self.defaults, **fields})

    def record_curve(self, draws, *, metric: str, unit: str, value: str = "mae", **fields: Any) -> int:
        """Record a learning curve: the mean of ``value`` over the draws of each model and training size.

        ``draws`` is a frame with columns ``model``, ``n_train`` and ``value`` (one row per draw, as
        :func:`helpers.evaluate.learning_curve` returns). Each (model, size) becomes one record on split
        ``"learning-curve"`` with ``n_train`` and ``n_draws``. Returns the number of records written.
        """
        missing = {"model", "n_train", value} - set(draws.columns)
        if missing:
            raise ValueError(f"draws lacks the column(s) {sorted(missing)}: pass evaluate.learning_curve's frame")
        means = draws.groupby(["model", "n_train"], sort=True)[value].agg(["mean", "size"])
        for (model, n_train), row in means.iterrows():
            self.record(
                **{"split": "learning-curve", **fields},
                model=str(model),
                metric=metric,
                unit=unit,
                value=float(row["mean"]),
                n_train=int(n_train),
                n_draws=int(row["size"]),
            )
        return len(means)

    def figure(self, key: str, chart: Any) -> Any:
        """Glue a chart under ``key`` (``fig-<prefix>-…``, also the figure's ``:name:``); returns the chart."""
        from myst_nb import glue

        self._check_key(key, figure=True)
        glue(key, chart, display=False)
        return chart

    def load(self) -> list[dict[str, Any]]:
        """This chapter's records so far."""
        return load(self.chapter)


def start(chapter: str, *, prefix: str, **defaults: Any) -> ChapterResults:
    """Forget the old records of ``chapter`` and return its :class:`ChapterResults`."""
    res = ChapterResults(chapter, prefix, **defaults)
    reset(chapter)
    return res
