"""Benchmarks of the compendium's speed claims: ``make bench`` (or ``python tools/bench.py``).

Wall-clock bounds do not belong in unit tests (a loaded machine fails them, a fast one passes them
whatever the code does), so the speed goals are measured here: each case runs ``--repeat`` times and
the minimum, median and maximum wall time are printed next to the goal. The exit status is 1 if a
median misses its goal, so ``make bench`` can gate a release on a quiet machine; CI does not run it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable

import numpy as np
import scipy.sparse as sp


def _sparse_fit() -> Callable[[], object]:
    from helpers.linear import MultilinearRegressor

    rng = np.random.default_rng(0)
    n, sites, el = 10_000, 4, 39
    cols = rng.integers(0, el, size=(n, sites)) + el * np.arange(sites)
    X = sp.csr_matrix((np.ones(n * sites), (np.repeat(np.arange(n), sites), cols.ravel())), shape=(n, sites * el))
    y = X @ rng.normal(size=sites * el) + 0.1 * rng.normal(size=n)
    return lambda: MultilinearRegressor(interactions="all").fit(X, y)


def _warm_tco() -> Callable[[], object]:
    from helpers import data

    data.load_tco()
    return data.load_tco


def _ngram() -> Callable[[], object]:
    import pandas as pd

    from helpers import data
    from helpers.featurize import NGramFeaturizer

    tco = data.load_tco()
    frame = pd.concat([tco.train, tco.test], ignore_index=True)
    return lambda: NGramFeaturizer().fit_transform(frame)


def _screening() -> Callable[[], object]:
    from helpers import data, models, screening

    elp = data.load_elpasolites()
    model = models.elpasolite_model().fit(elp, elp["formation_energy_eV_per_atom"])
    space = screening.enumerate_elpasolites(sorted(set(elp[["A", "B", "C", "D"]].stack())))
    return lambda: screening.score(model, space)


#: name → (set-up returning the timed call, goal in seconds, what it measures)
CASES = {
    "sparse-fit-10k": (_sparse_fit, 60.0, "MultilinearRegressor, 10,000 × 156 one-hot, all pairs, ridge CV"),
    "tco-warm-load": (_warm_tco, 1.0, "data.load_tco() with the structures already cached"),
    "ngram-3000": (_ngram, 30.0, "NGramFeaturizer on all 3,000 TCO compounds"),
    "elpasolite-screening": (_screening, 0.2, "score every ABC2D6 of 39 elements with the recipe"),
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", default=list(CASES), help=f"any of {', '.join(CASES)}")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    failed = []
    print(f"{'case':24s} {'min':>8s} {'median':>8s} {'max':>8s} {'goal':>8s}  what")
    for name in args.cases:
        setup, goal, what = CASES[name]
        try:
            call = setup()
        except (ImportError, AttributeError) as exc:  # a case whose code is not written yet
            print(f"{name:24s} skipped: {exc}")
            continue
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            call()
            times.append(time.perf_counter() - t)
        med = statistics.median(times)
        flag = "" if med <= goal else "  MISSED"
        print(f"{name:24s} {min(times):8.3f} {med:8.3f} {max(times):8.3f} {goal:8.3f}  {what}{flag}")
        if flag:
            failed.append(name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
