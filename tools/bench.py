"""Benchmarks on this machine: ``make bench`` (or ``python tools/bench.py``), written to ``_build/bench.json``.

Wall-clock bounds do not belong in unit tests (a loaded machine fails them, a fast one passes them whatever
the code does), so the speed statements of the book are measured here. Each case runs ``--repeat`` times;
the minimum, median and maximum wall time are printed and written to ``_build/bench.json`` (with the
machine, the date and the package versions), where the scorecard page finds them. Cases with a goal make
the exit status 1 when their median misses it, so ``make bench`` can gate a release on a quiet machine; CI
does not run it. The ratios between models, not the absolute times, carry from machine to machine.

The model cases time, on the elpasolite case study (9,000 training crystals, the other 1,590 to predict) and on the TCO
formation energy (the 2,400 training compounds, the 600 test ones to predict), the fit and the prediction
of the multilinear recipe (its penalty search included), a kernel ridge model, gradient boosting and the
Explainable Boosting Machine at one fixed setting each (the cost of a fit hardly depends on the setting;
the tuning searches are the chapters' business).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "_build" / "bench.json"
N_FIT = 9000  # elpasolite training crystals of the model cases (the rest are predicted)


def _sparse_fit() -> Callable[[], object]:
    from helpers.linear import MultilinearRegressor

    rng = np.random.default_rng(0)
    n, sites, el = 10_000, 4, 39
    cols = rng.integers(0, el, size=(n, sites)) + el * np.arange(sites)
    X = sp.csr_matrix((np.ones(n * sites), (np.repeat(np.arange(n), sites), cols.ravel())), shape=(n, sites * el))
    y = X @ rng.normal(size=sites * el) + 0.1 * rng.normal(size=n)
    return lambda: MultilinearRegressor(interactions="all").fit(X, y)


def _ngram() -> Callable[[], object]:
    import pandas as pd

    from helpers import data
    from helpers.featurize import NGramFeaturizer

    frame = pd.concat(data.load_tco(), ignore_index=True)
    return lambda: NGramFeaturizer().fit_transform(frame)


def _elpasolites():
    from helpers import data, models

    elp = data.load_elpasolites()
    y = elp[models.ELPASOLITE_TARGET].to_numpy()
    return elp, y


def _screening() -> Callable[[], object]:
    from helpers import elpasolite_screening as screening
    from helpers import models

    elp, y = _elpasolites()
    model = models.elpasolite_model().fit(elp, y)
    space = screening.enumerate_elpasolites(sorted(set(elp[["A", "B", "C", "D"]].stack())))
    return lambda: screening.score(model, space)


def _elpasolite_models() -> dict[str, tuple[Callable[[], object], Callable]]:
    """name -> (make an unfitted model, the features it takes from the elpasolite frame)."""
    from sklearn.ensemble import HistGradientBoostingRegressor

    from helpers import models
    from helpers.baselines import CentredKernelRidge
    from helpers.baselines.ebm import EBMRegressorCV
    from helpers.featurize.elpasolite import SitePeriodic

    def periodic(frame):  # (row, column) per site, the KRR's and boosting's features in chapter 04
        return SitePeriodic().fit(frame).transform(frame)

    return {
        "multilinear": (models.elpasolite_model, lambda f: f),
        "krr": (lambda: CentredKernelRidge(kernel="laplacian", gamma=0.1, alpha=1e-3), periodic),
        "boosting": (
            lambda: HistGradientBoostingRegressor(max_iter=500, max_leaf_nodes=31, learning_rate=0.1, random_state=0),
            periodic,
        ),
        "ebm": (lambda: EBMRegressorCV(param_grid={"interactions": [16], "learning_rate": [0.05]}, cv=2), periodic),
    }


def _tco():
    """The TCO formation energies (eV/atom) of chapter 03: its 2,400 training compounds, then its 600 test ones."""
    import pandas as pd

    from helpers import data

    train, test = data.load_tco()
    frame = pd.concat([train, test], ignore_index=True)
    return frame, frame["formation_energy_ev_natom"].to_numpy(), len(train)


def _tco_models() -> dict[str, tuple[Callable[[], object], Callable]]:
    """name -> (make an unfitted model, its features of the TCO frame), at chapter 03's kind of setting."""
    from sklearn.ensemble import HistGradientBoostingRegressor

    from helpers import models
    from helpers.baselines import CentredKernelRidge
    from helpers.baselines.ebm import EBMRegressorCV
    from helpers.featurize import NGramFeaturizer

    def ngrams(frame):  # the winner's 1- to 4-gram counts per volume, the KRR's features
        return NGramFeaturizer(max_n=4, normalize="volume").fit_transform(frame)

    def recipe_inputs(frame):  # the recipe's columns before its products: boosting's and the EBM's
        model = models.tco_model("formation_energy")
        return model[:-1].fit_transform(frame, frame["formation_energy_ev_natom"])

    return {
        "multilinear": (lambda: models.tco_model("formation_energy"), lambda f: f),
        "krr": (lambda: CentredKernelRidge(kernel="rbf", gamma=0.01, alpha=1e-3), ngrams),
        "boosting": (
            lambda: HistGradientBoostingRegressor(
                max_iter=1000, max_leaf_nodes=7, learning_rate=0.05, min_samples_leaf=20, random_state=0
            ),
            recipe_inputs,
        ),
        "ebm": (
            lambda: EBMRegressorCV(param_grid={"interactions": [16], "learning_rate": [0.05]}, cv=2),
            recipe_inputs,
        ),
    }


#: case -> (load (frame, target, rows to fit), the models of that case); the rest of the rows are predicted
MODEL_CASES = {
    "elpasolite": (lambda: (*_elpasolites(), N_FIT), _elpasolite_models),
    "tco": (_tco, _tco_models),
}


def _model_case(case: str, name: str, stage: str) -> Callable[[], Callable[[], object]]:
    def setup():
        load, models_of = MODEL_CASES[case]
        frame, y, n_fit = load()
        make, features = models_of()[name]
        X = features(frame)
        X_fit, X_new = (X.iloc[:n_fit], X.iloc[n_fit:]) if hasattr(X, "iloc") else (X[:n_fit], X[n_fit:])
        if stage == "fit":
            return lambda: make().fit(X_fit, y[:n_fit])
        model = make().fit(X_fit, y[:n_fit])

        def predict():
            return model.predict(X_new)

        predict.n_rows = len(X_new)  # reported with the timing: predictions per call
        return predict

    return setup


#: name -> (set-up returning the timed call, goal in seconds or None, what it measures)
CASES = {
    "sparse-fit-10k": (_sparse_fit, 60.0, "MultilinearRegressor, 10,000 x 156 one-hot, all pairs, ridge CV"),
    "ngram-3000": (_ngram, 30.0, "NGramFeaturizer on all 3,000 TCO compounds"),
    "elpasolite-screening": (_screening, 0.2, "score every ABC2D6 of 39 elements with the recipe"),
}
for _case, _rows in (("elpasolite", f"{N_FIT:,} crystals"), ("tco", "the 2,400 training compounds")):
    for _model in ("multilinear", "krr", "boosting", "ebm"):
        CASES[f"{_case}-fit-{_model}"] = (_model_case(_case, _model, "fit"), None, f"fit {_model} on {_rows}")
        CASES[f"{_case}-predict-{_model}"] = (
            _model_case(_case, _model, "predict"),
            None,
            f"{_model}: predict the rest",
        )


def _versions() -> dict[str, str]:
    names = ("numpy", "scipy", "scikit-learn", "interpret-core", "multilinear-compendium-helpers")
    return {n: metadata.version(n) for n in names}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", default=list(CASES), help=f"any of {', '.join(CASES)}")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=OUT, help=f"JSON file of the timings (default {OUT})")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.cases) - set(CASES))
    if unknown:
        parser.error(f"unknown case(s) {unknown}; choose among {', '.join(CASES)}")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    failed, timings = [], {}
    print(f"{'case':30s} {'min':>8s} {'median':>8s} {'max':>8s} {'goal':>8s}  what")
    for name in args.cases:
        setup, goal, what = CASES[name]
        call = setup()
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            call()
            times.append(time.perf_counter() - t)
        med = statistics.median(times)
        missed = goal is not None and med > goal
        goal_text = "-" if goal is None else f"{goal:.3f}"
        flag = "  MISSED" if missed else ""
        print(f"{name:30s} {min(times):8.3f} {med:8.3f} {max(times):8.3f} {goal_text:>8s}  {what}{flag}", flush=True)
        timings[name] = {
            "what": what,
            "goal_s": goal,
            "min_s": min(times),
            "median_s": med,
            "max_s": max(times),
            "repeats": args.repeat,
            "n_rows": getattr(call, "n_rows", None),
        }
        if missed:
            failed.append(name)
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "processor": platform.machine(),
            "python": platform.python_version(),
        },
        "versions": _versions(),
        "timings": timings,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".json.tmp")  # never leave a half-written file behind
    tmp.write_text(json.dumps(report, indent=1) + "\n")
    tmp.replace(args.out)
    print(f"wrote {args.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
