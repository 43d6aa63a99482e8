"""Determinism check: two independent executions of the chapters must record identical numbers.

Usage: ``python tools/compare_results.py RUN_A_DIR RUN_B_DIR``, each a copy of ``_build/results``
(e.g. one from ``make test``'s nbval run and one from ``make book``). Every chapter file must exist
in both runs with the same records; values must agree to 12 significant digits (fixed seeds make
them bit-identical on one machine; the tolerance only absorbs JSON float formatting).

Wall-clock measurements (records in seconds, unit ``"s"``, such as the elpasolite ``screening_time``)
cannot repeat; for them only the presence of the record and a positive finite value are checked.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path


def compare(a_dir: Path, b_dir: Path) -> list[str]:
    problems = []
    a_files = {p.name for p in a_dir.glob("*.json")}
    b_files = {p.name for p in b_dir.glob("*.json")}
    if not a_files:
        problems.append(f"no result files in {a_dir}")
    for name in sorted(a_files ^ b_files):
        problems.append(f"{name}: present in only one run")
    for name in sorted(a_files & b_files):
        a = json.loads((a_dir / name).read_text())
        b = json.loads((b_dir / name).read_text())
        key = lambda r: (r["case"], r["target"], r["model"], r["metric"], r["split"])  # noqa: E731
        a_by, b_by = {key(r): r for r in a}, {key(r): r for r in b}
        if a_by.keys() != b_by.keys():
            problems.append(f"{name}: different records {sorted(set(a_by) ^ set(b_by))}")
        for k in sorted(a_by.keys() & b_by.keys()):
            va, vb = a_by[k]["value"], b_by[k]["value"]
            if a_by[k].get("unit") == "s" == b_by[k].get("unit"):  # a timing: it cannot repeat
                if not all(math.isfinite(v) and v > 0 for v in (va, vb)):
                    problems.append(f"{name}: {k} is a timing but not a positive number: {va!r}, {vb!r}")
                continue
            if not math.isclose(va, vb, rel_tol=1e-12, abs_tol=1e-300):
                problems.append(f"{name}: {k} differs between runs: {va!r} vs {vb!r}")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    problems = compare(Path(argv[0]), Path(argv[1]))
    for p in problems:
        print("FAIL", p, file=sys.stderr)
    if not problems:
        print(f"results identical in both runs ({len(list(Path(argv[0]).glob('*.json')))} chapters)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
