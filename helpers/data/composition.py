"""Formation energies from composition alone: 85,014 Materials Project compounds (Bartel et al. 2020) with
CrabNet's fixed train/validation/test split (Wang et al. 2021), and the published test errors of the
black boxes benchmarked on that split (Roost, CrabNet, HotCrab, ElemNet, a random forest)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from pymatgen.core import Composition, Element

from helpers.data import store
from helpers.data.errors import DataIntegrityError

__all__ = ["load_composition_ef", "load_composition_published", "parse_formulas", "COMPOSITION_SPLITS"]

#: The three splits and their published sizes.
COMPOSITION_SPLITS = {"train": 59509, "val": 12752, "test": 12753}
_DIR = "composition/critexam_ef"
_METRICS = f"{_DIR}/all_metrics.csv"
#: Columns of ``all_metrics.csv`` holding a model's test MAE, and the model's name in the book.
_PUBLISHED = {"roost": "Roost", "crabnet": "CrabNet", "hotcrab": "HotCrab", "elemnet": "ElemNet", "rf": "random forest"}


def parse_formulas(formulas, *, source: str = "formulas") -> list[dict[str, float]]:
    """Atomic fractions of each formula, as ``{element symbol: fraction}`` dicts (fractions sum to 1).

    Parsed by pymatgen's :class:`~pymatgen.core.Composition`. A formula that does not parse, names an
    unknown element, or has no positive amount raises ``ValueError`` naming the row and ``source`` (e.g.
    the file it came from).
    """
    out = []
    for row, formula in enumerate(formulas):
        where = f"row {row} of {source}"
        try:
            comp = Composition(str(formula))
        except Exception as exc:  # pymatgen raises ValueError or others for malformed text
            raise ValueError(
                f"{where}: cannot parse the formula {formula!r} ({exc}); write it as e.g. 'Fe2O3'"
            ) from exc
        unknown = [str(el) for el in comp if not isinstance(el, Element)]
        if unknown:
            raise ValueError(f"{where}: {formula!r} holds {unknown}, which is not a chemical element")
        if comp.num_atoms <= 0 or any(v <= 0 for v in comp.values()):
            raise ValueError(f"{where}: {formula!r} has no positive amount of every element")
        total = comp.num_atoms
        out.append({el.symbol: float(amount) / total for el, amount in comp.items()})
    return out


def _read_split(split: str) -> pd.DataFrame:
    key = f"{_DIR}/{split}.csv"
    df = pd.read_csv(io.BytesIO(store.fetch_bytes(key)))
    if list(df.columns) != ["formula", "target"] or len(df) != COMPOSITION_SPLITS[split] or df.isna().any().any():
        raise DataIntegrityError(f"{key}: unexpected columns, row count or missing values")
    return df


def load_composition_ef() -> dict[str, pd.DataFrame]:
    """The three splits of the formation-energy benchmark {cite:p}`bartel2020,wang2021`.

    Returns
    -------
    dict
        ``{"train": ..., "val": ..., "test": ...}`` (59,509 / 12,752 / 12,753 rows, every formula unique
        across the splits), each a DataFrame with columns

        ============ =========================================================================
        ``formula``  reduced formula with explicit counts as in the file, e.g. ``"Fe2O3"``
        ``target``   DFT formation energy (Materials Project), eV/atom
        ``n_elements`` number of different elements (2-9)
        ============ =========================================================================

    Every formula is checked by :func:`parse_formulas` (a bad one names its row and file).
    """
    frames = {}
    for split in COMPOSITION_SPLITS:
        df = _read_split(split)
        fractions = parse_formulas(df["formula"], source=f"{_DIR}/{split}.csv")
        df["n_elements"] = np.array([len(f) for f in fractions], dtype=np.int64)
        frames[split] = df
    every = pd.concat([f["formula"] for f in frames.values()])
    if not every.is_unique:
        raise DataIntegrityError(f"{_DIR}: a formula appears in more than one row or split")
    return frames


def load_composition_published() -> pd.Series:
    """Published test MAEs (eV/atom) on this split, row ``CritExam__Ef`` of CrabNet's ``all_metrics.csv``.

    Returns a Series indexed by model name (``"Roost"``, ``"CrabNet"``, ``"HotCrab"``, ``"ElemNet"``,
    ``"random forest"``), sorted from the lowest error, named ``"published test MAE (eV/atom)"``.
    """
    df = pd.read_csv(io.BytesIO(store.fetch_bytes(_METRICS)))
    row = df[df["property"] == "CritExam__Ef"]
    if len(row) != 1 or not set(_PUBLISHED) <= set(df.columns) or int(row["n_test"].iloc[0]) != 12753:
        raise DataIntegrityError(f"{_METRICS}: no single CritExam__Ef row with the five models and 12,753 tests")
    mae = row[list(_PUBLISHED)].iloc[0].astype(float).rename(_PUBLISHED)
    return mae.sort_values().rename("published test MAE (eV/atom)")
