"""The elpasolite dataset: 10,590 ABC2D6 formation energies from the upstream jeherr pickle."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from helpers.data import store
from helpers.data._unpickle import restricted_load
from helpers.data.errors import DataIntegrityError

__all__ = ["load_elpasolites"]

PICKLE_KEY = "elpasolite/sources/jeherr__train_set.pkl"


@functools.lru_cache(maxsize=1)
def _symbols() -> tuple[str, ...]:
    from pymatgen.core.periodic_table import Element

    return ("",) + tuple(Element.from_Z(z).symbol for z in range(1, 119))


def load_elpasolites() -> pd.DataFrame:
    """Load the 10,590 ABC2D6 elpasolite formation energies {cite:p}`faber2016`.

    Built from the upstream jeherr pickle ``train_set.pkl`` (a Python 2, protocol-2 pickle of numpy arrays),
    read only through the restricted loader of :mod:`helpers.data._unpickle`, which interprets the pickle
    itself and builds nothing but plain numeric numpy arrays from the verified bytes. Its ``ANs`` are atomic
    numbers on the sites [A, B, C, D] of A B C2 D6 and its ``FEs`` energies per formula unit of 10 atoms.
    Rows keep the original ``TrainingSet.pkl`` order.

    Returns
    -------
    pandas.DataFrame
        10,590 rows, columns:

        ========================================= ======================================================
        ``formula``                               ``A B C2 D6`` in site order, e.g. ``AlNaK2F6``
        ``A``, ``B``, ``C``, ``D``                element symbols on the 1-, 1-, 2- and 6-fold sites
        ``Z_A``, ``Z_B``, ``Z_C``, ``Z_D``        the same as atomic numbers (int)
        ``formation_energy_eV_per_atom``          formation energy, eV/atom (= ``FEs / 10``)
        ``formation_energy_eV_per_formula_unit``  formation energy, eV per formula unit of 10 atoms
        ========================================= ======================================================

    Raises
    ------
    UnsafePickleError
        the file (even one whose hash the registry accepts) is not a plain pickle of numpy arrays.

    Caveat: A and B are both octahedral sites; their order is a labelling convention (34 A/B-swapped pairs
    differ by at most 0.014 eV/atom).
    """
    path, blob = store._fetch(PICKLE_KEY)
    source = str(path)
    obj = restricted_load(blob, source=source)
    if not (isinstance(obj, dict) and {"ANs", "FEs"} <= set(obj)):
        raise DataIntegrityError(f"{source}: expected a dict with 'ANs' and 'FEs'")
    ans = np.asarray(obj["ANs"], dtype=np.int64)
    fes = np.asarray(obj["FEs"], dtype=np.float64)
    if ans.shape != (10590, 4) or fes.shape != (10590,):
        raise DataIntegrityError(f"{source}: unexpected shapes {ans.shape}, {fes.shape}")
    if not ((ans >= 1) & (ans <= 118)).all():
        raise DataIntegrityError(f"{source}: atomic numbers outside 1-118")
    sym = _symbols()
    df = pd.DataFrame({site: [sym[z] for z in ans[:, i]] for i, site in enumerate("ABCD")})
    df.insert(0, "formula", df["A"] + df["B"] + df["C"] + "2" + df["D"] + "6")
    for i, site in enumerate("ABCD"):
        df[f"Z_{site}"] = ans[:, i]
    df["formation_energy_eV_per_atom"] = fes / 10
    df["formation_energy_eV_per_formula_unit"] = fes
    return df
