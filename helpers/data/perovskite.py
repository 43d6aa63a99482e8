"""The perovskite set of Bartel et al. (2019): 576 ABX3 compounds labelled perovskite or not (Table S1),
with the paper's 460/116 split, and 73 double-perovskite halides with DFT decomposition enthalpies
(Table S2), both as published with the tolerance factors t and τ."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from helpers.data import store
from helpers.data.errors import DataIntegrityError

__all__ = ["load_perovskites", "load_double_perovskites", "PEROVSKITE_ANIONS"]

#: The anions of Table S1 with their oxidation state.
PEROVSKITE_ANIONS = {"O": -2, "F": -1, "Cl": -1, "Br": -1, "I": -1}

_S1 = "perovskite/TableS1.csv"
_S2 = "perovskite/TableS2.csv"
_RADII = {"rA (Ang)": "rA", "rB (Ang)": "rB", "rX (Ang)": "rX"}


def _read(key: str, columns: list[str], n: int) -> pd.DataFrame:
    df = pd.read_csv(io.BytesIO(store.fetch_bytes(key)))
    if list(df.columns) != columns or len(df) != n or df.isna().any().any():
        raise DataIntegrityError(f"{key}: unexpected columns, row count or missing values")
    return df


def load_perovskites() -> pd.DataFrame:
    """Load the 576 ABX3 compounds of Bartel et al. (2019), Table S1 {cite:p}`bartel2019`.

    Each row is one compound, labelled by experiment as perovskite or not (313 and 263), with the ions,
    their oxidation states and Shannon ionic radii, and the paper's classifications by Goldschmidt's t and
    by the new factor τ = rX/rB − nA (nA − (rA/rB)/ln(rA/rB)) (perovskite if τ < 4.18). τ was found by SISSO
    on the paper's 460 training compounds.

    Returns
    -------
    pandas.DataFrame
        576 rows in the file's order (index 0..575), columns:

        ================== ==============================================================================
        ``formula``        the compound as written in the paper, e.g. ``"SrTiO3"`` (unique)
        ``A``, ``B``, ``X`` the elements on the A site (12-fold), B site (6-fold) and the anion
        ``nA``, ``nB``     oxidation states of A and B (int, 1-5)
        ``nX``             oxidation state of X (int, −2 for O, −1 for the halides)
        ``rA``             Shannon radius of A, Å (12-fold coordination where tabulated)
        ``rB``, ``rX``     Shannon radii of B (6-fold) and X, Å
        ``t``              Goldschmidt's tolerance factor (rA + rX)/(√2 (rB + rX)), dimensionless
        ``tau``            the paper's τ as published (computed from unrounded radii; from the rounded
                           radii of this table it differs by more than 0.01 for 130 compounds)
        ``t_pred``         the paper's classification by t (+1 perovskite, −1 not; 0.825 < t < 1.059)
        ``tau_pred``       the paper's classification by τ (+1 perovskite if τ < 4.18, else −1)
        ``tau_prob``       the paper's Platt-scaled probability of being a perovskite from τ, 0-1
        ``is_perovskite``  the experimental label (bool)
        ``split``          the paper's split, ``"train"`` (460) or ``"test"`` (116)
        ================== ==============================================================================
    """
    cols = ["ABX3", "exp_label", "is_train", "A", "B", "X", "nA", "nB", "nX", *_RADII, "t", "tau"]
    df = _read(_S1, [*cols, "t_pred", "tau_pred", "tau_prob"], 576)
    label, split = df.pop("exp_label"), df.pop("is_train")
    if not (set(label) <= {-1.0, 1.0} and set(split) <= {-1, 1}):
        raise DataIntegrityError(f"{_S1}: labels or split flags outside ±1")
    df = df.rename(columns={"ABX3": "formula", **_RADII})
    if not set(df["X"]) <= set(PEROVSKITE_ANIONS) or not df["formula"].is_unique:
        raise DataIntegrityError(f"{_S1}: unexpected anion or duplicated formula")
    df["is_perovskite"] = label.to_numpy() > 0
    df["split"] = np.where(split.to_numpy() > 0, "train", "test")
    return df


def load_double_perovskites() -> pd.DataFrame:
    """Load the 73 double perovskites A2BB'X6 of Bartel et al. (2019), Table S2 {cite:p}`bartel2019`.

    DFT decomposition enthalpies from two studies (doi given per row): 51 halides (Cl, Br, I), 15 oxides and
    7 chalcogenides (S, Se: anions absent from Table S1); positive ΔH_d means stable against
    decomposition. The paper uses them to test τ outside its training set, with B-site radius and
    oxidation state taken as the mean of the two B cations.

    Returns
    -------
    pandas.DataFrame
        73 rows, columns ``formula``, ``source`` (doi of the DFT study), ``dH_dec`` (decomposition enthalpy,
        meV/atom), ``A``, ``B1``, ``B2``, ``X``, ``nA``, ``nB1``, ``nB2`` (oxidation states), ``rA``, ``rB1``,
        ``rB2``, ``rX`` (Shannon radii, Å), ``t``, ``tau``, ``t_pred``, ``tau_pred`` (±1), ``tau_prob`` (0-1),
        as in the paper, and ``is_stable`` (bool, ``dH_dec > 0``).
    """
    radii = {"rA (Ang)": "rA", "rB1 (Ang)": "rB1", "rB2 (Ang)": "rB2", "rX (Ang)": "rX"}
    cols = ["compound", "source", "dHdec (meV/atom)", "A", "B1", "B2", "X", "nA", "nB1", "nB2", *radii]
    df = _read(_S2, [*cols, "t", "tau", "t_pred", "tau_pred", "tau_prob"], 73)
    df = df.rename(columns={"compound": "formula", "dHdec (meV/atom)": "dH_dec", **radii})
    if not set(df["X"]) <= {*PEROVSKITE_ANIONS, "S", "Se"}:
        raise DataIntegrityError(f"{_S2}: unexpected anion")
    df["is_stable"] = df["dH_dec"] > 0
    return df
