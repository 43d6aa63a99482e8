"""The transition-metal-complex spin-splitting set rac155_2018 (table, RAC descriptors, own split)."""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd

from helpers.data import store
from helpers.data.errors import DataIntegrityError

__all__ = ["load_spin_splitting", "load_rac_descriptors"]

_TMC = "tmc/rac155_2018/"
_NAME_RE = re.compile(r"^([a-z]+)_eq_([a-z0-9]+)_ax1_([a-z0-9]+)_ax2_([a-z0-9]+)_ahf_(\d\d)$")
_METALS = {"cr": "Cr", "mn": "Mn", "fe": "Fe", "co": "Co", "ni": "Ni"}


def _interleave(names: list[str], train: list[str], test: list[str]) -> list[str]:
    """Assign each row of ``names`` to train or test so that both lists are order-preserving subsequences.

    Dynamic programme over (row, number of train names used); raises if there is not exactly one way.
    """
    n, nt = len(names), len(train)
    if n != nt + len(test):
        raise DataIntegrityError(f"{n} rows but {nt} + {len(test)} train/test names")
    # ways[r][i] = number of ways to split the first r rows using i train names
    ways = [{0: 1}]
    for r, name in enumerate(names):
        nxt: dict[int, int] = {}
        for i, w in ways[-1].items():
            j = r - i
            if i < nt and train[i] == name:
                nxt[i + 1] = nxt.get(i + 1, 0) + w
            if j < len(test) and test[j] == name:
                nxt[i] = nxt.get(i, 0) + w
        ways.append(nxt)
    total = ways[-1].get(nt, 0)
    if total != 1:
        raise DataIntegrityError(f"the train/test name lists interleave with split_names in {total} ways, expected 1")
    out, i = [], nt
    for r in range(n, 0, -1):  # walk back along the unique path
        if i > 0 and train[i - 1] == names[r - 1] and ways[r - 1].get(i - 1):
            out.append("train")
            i -= 1
        else:
            out.append("test")
    return out[::-1]


def _csv(key: str) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(store.fetch_bytes(key)))


def _read_names(key: str, header: bool) -> list[str]:
    lines = store.fetch_bytes(key).decode("ascii").splitlines()
    if header:
        if lines[0] != '"x"':
            raise DataIntegrityError(f"{key}: unexpected header {lines[0]!r}")
        lines = lines[1:]
    return [line.strip('"') for line in lines if line]


def load_rac_descriptors() -> pd.DataFrame:
    """The 155 raw RAC descriptors of the rac155_2018 set {cite:p}`janet2017jpca`, row-aligned with
    :func:`load_spin_splitting` (same 0..1716 index).

    Columns are those of ``split_x.csv``: ``ox`` (oxidation state), ``alpha`` (HF exchange fraction),
    ``misc.dent.ax``/``misc.dent.eq`` (denticities) and the revised autocorrelations ``f.*``, ``lc.*``,
    ``mc.*``, ``D_lc.*``, ``D_mc.*`` (property P ∈ {chi, Z, I, T, S} at bond depth 0-3; unitless sums of
    products/differences of Pauling electronegativity, nuclear charge, identity, coordination number and
    covalent radius in Å). See data/tmc/README.md.
    """
    racs = _csv(_TMC + "split_x.csv")
    if racs.shape != (1717, 155):
        raise DataIntegrityError(f"{_TMC}split_x.csv: unexpected shape {racs.shape}")
    return racs


def load_spin_splitting(*, descriptors: bool = False) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Load the labelled transition-metal-complex spin-splitting set rac155_2018
    {cite:p}`janet2017jpca,janet2017chemsci`.

    One row per (complex, oxidation state, HF exchange fraction): 1,717 rows, 645 complexes of Cr, Mn, Fe,
    Co (II/III) and Ni(II), in the file order (index 0..1716 = the 0-based data row).

    Parameters
    ----------
    descriptors : also return the 155 RAC descriptors (:func:`load_rac_descriptors`), row-aligned.

    Returns
    -------
    pandas.DataFrame or (pandas.DataFrame, pandas.DataFrame)
        The table, with columns:

        ======================== ==================================================================
        ``name``                 row name, ``<metal>_eq_<eq>_ax1_<ax1>_ax2_<ax2>_ahf_<HFX×100>``
        ``metal``                metal symbol: Cr, Mn, Fe, Co or Ni
        ``oxidation_state``      metal oxidation state (int, 2 or 3; from the ``ox`` column)
        ``eq_ligand``            equatorial ligand label (as in the source; synonyms not merged)
        ``ax1_ligand``           first axial ligand label
        ``ax2_ligand``           second axial ligand label
        ``hfx``                  Hartree-Fock exchange fraction (0.00-0.30; 0.20 = B3LYP)
        ``delta_e_hl_kcal_mol``  ΔE_H-L = E(HS) − E(LS), kcal/mol; positive = low-spin ground state
        ``split``                the dataset's own split, ``"train"`` (1,680) or ``"test"`` (37)
        ======================== ==================================================================

        and, if ``descriptors=True``, the RAC table as a second element.

    Caveat: the split is by row, not by complex (26 of the 37 test rows share a complex with train rows).
    """
    names = _read_names(_TMC + "split_names.csv", header=True)
    y = _csv(_TMC + "split_y.csv")["x"].to_numpy(dtype=float)
    racs = load_rac_descriptors()
    train = _read_names(_TMC + "train_names.csv", header=False)
    test = _read_names(_TMC + "test_names.csv", header=False)
    if not (len(names) == len(y) == len(racs) == 1717):
        raise DataIntegrityError("rac155_2018: split_names, split_y and split_x are not row-aligned")
    parts = []
    for r, name in enumerate(names):
        m = _NAME_RE.match(name)
        if not m or m.group(1) not in _METALS:
            raise DataIntegrityError(f"{_TMC}split_names.csv row {r}: cannot parse {name!r}")
        parts.append(m.groups())
    metal, eq, ax1, ax2, ahf = zip(*parts, strict=True)
    hfx = np.array([int(a) for a in ahf]) / 100
    if not np.allclose(hfx, racs["alpha"].to_numpy(), atol=1e-9):
        raise DataIntegrityError(f"{_TMC}: ahf/100 in the names disagrees with the alpha column")
    ox = racs["ox"].to_numpy()
    if not np.array_equal(ox, np.round(ox)) or not set(ox) <= {2, 3}:
        raise DataIntegrityError(f"{_TMC}split_x.csv: ox column is not 2/3")
    table = pd.DataFrame(
        {
            "name": names,
            "metal": [_METALS[m] for m in metal],
            "oxidation_state": ox.astype(int),
            "eq_ligand": eq,
            "ax1_ligand": ax1,
            "ax2_ligand": ax2,
            "hfx": hfx,
            "delta_e_hl_kcal_mol": y,
            "split": _interleave(names, train, test),
        }
    )
    return (table, racs) if descriptors else table
