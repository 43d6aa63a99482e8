"""Bases for an interatomic potential: radial two-body sums and per-atom many-body densities (chapter 7).

The test bed is copper described by ASE's effective-medium theory (EMT) calculator {cite:p}`jacobsen1996`,
an embedded-atom-like potential: each atom's energy is a NONLINEAR function of the electron density its
neighbours build up around it. :func:`emt_cells` makes a few thousand strained, rattled and vacancy-holding
copper cells and their EMT energies in seconds.

:class:`RadialDensityFeaturizer` describes a cell by Gaussian radial functions ``g_k(r)`` (centres from
``r_min`` to ``cutoff``, cosine cutoff). The local density of atom i in channel k is
``ρ_ik = Σ_j g_k(r_ij)``; the cell's features are ``(1/N) Σ_i ρ_ik^p`` for each power p in ``powers``:

- ``powers=(1,)``: the two-body basis, ``(1/N) Σ_ij g_k(r_ij)`` (a linear model on it is a pair potential);
- powers such as ``(0.5, 1, 2)``: many-body terms, since ``ρ_ik^p`` is not a sum over pairs (``ρ²``
  contains triples, ``√ρ`` is the second-moment form of the embedding energy);
- ``products=True``: the per-atom products ``(1/N) Σ_i ρ_ik ρ_il`` (k ≤ l), three-body terms of two
  radial channels, the radial part of the local invariants of SNAP, MTP and ACE.

Both are linear models in their coefficients: what differs is the basis.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils.validation import check_is_fitted

from helpers.featurize.base import Featurizer

__all__ = ["RadialDensityFeaturizer", "emt_cells", "COPPER_LATTICE"]

#: Lattice constant of fcc copper used to build the cells, Å.
COPPER_LATTICE = 3.61


def emt_cells(*, n_cells: int = 2000, size: int = 2, random_state=0) -> tuple[list, np.ndarray]:
    """Copper cells and their EMT energies: ``(cells, energy)`` with ``energy`` in meV/atom.

    Each cell is an fcc supercell of ``size³`` conventional cells (4 size³ atoms) with a random homogeneous
    strain (up to ±4 % on each axis and ±3 % shear), 0-2 vacancies, and every atom displaced by a Gaussian
    of random width 0-0.12 Å. Seeded by ``random_state``: the same call gives the same cells.
    """
    from ase.build import bulk
    from ase.calculators.emt import EMT

    if int(n_cells) < 1 or int(size) < 1:
        raise ValueError(f"n_cells and size must be positive integers, got {n_cells!r} and {size!r}")
    rng = np.random.default_rng(random_state)
    base = bulk("Cu", "fcc", a=COPPER_LATTICE, cubic=True).repeat((size, size, size))
    cells, energy = [], np.empty(int(n_cells))
    for c in range(int(n_cells)):
        atoms = base.copy()
        strain = np.eye(3) + np.diag(rng.uniform(-0.04, 0.04, 3))
        shear = rng.uniform(-0.03, 0.03, 3)
        strain[0, 1] = strain[1, 0] = shear[0]
        strain[0, 2] = strain[2, 0] = shear[1]
        strain[1, 2] = strain[2, 1] = shear[2]
        atoms.set_cell(atoms.cell[:] @ strain, scale_atoms=True)
        n_vac = int(rng.integers(0, 3))
        if n_vac:
            del atoms[sorted(rng.choice(len(atoms), n_vac, replace=False).tolist(), reverse=True)]
        atoms.positions += rng.normal(0.0, rng.uniform(0.0, 0.12), atoms.positions.shape)
        atoms.calc = EMT()
        energy[c] = 1000.0 * atoms.get_potential_energy() / len(atoms)
        atoms.calc = None
        cells.append(atoms)
    return cells, energy


class RadialDensityFeaturizer(Featurizer):
    """Per-cell averages of powers of per-atom radial densities, from a list of ASE ``Atoms``.

    Parameters
    ----------
    n_basis : int, default 8
        Gaussian radial functions, centres evenly spaced from ``r_min`` to ``cutoff`` (Å).
    r_min, cutoff : float, default 2.0 and 5.5
        First centre and the cutoff radius, Å; every function is multiplied by the cosine cutoff
        ``(1 + cos(π r / cutoff)) / 2`` so that it goes smoothly to 0 at ``cutoff``.
    powers : tuple of float, default (1,)
        Powers p of the densities, features ``(1/N) Σ_i ρ_ik^p``; ``(1,)`` is the two-body basis.
    products : bool, default False
        Add the per-atom products of two channels, ``(1/N) Σ_i ρ_ik ρ_il`` for k ≤ l, after the powers.

    Features are named ``"ρ3^2"`` (channel 3, power 2) and ``"ρ1·ρ3"`` (a product); the widths of the
    Gaussians equal the spacing of their centres. Densities are dimensionless (sums of values in [0, 1]).
    """

    CITATIONS = ("jacobsen1996",)

    def __init__(self, n_basis: int = 8, r_min: float = 2.0, cutoff: float = 5.5, powers=(1.0,), products=False):
        self.n_basis = n_basis
        self.r_min = r_min
        self.cutoff = cutoff
        self.powers = powers
        self.products = products

    def _check(self) -> tuple[np.ndarray, float]:
        if int(self.n_basis) < 1 or not 0 < float(self.r_min) < float(self.cutoff):
            raise ValueError(
                f"need n_basis >= 1 and 0 < r_min < cutoff (Å), got {self.n_basis!r}, {self.r_min!r}, {self.cutoff!r}"
            )
        if not len(self.powers) or any(float(p) <= 0 for p in self.powers):
            raise ValueError(f"powers must be positive numbers, got {self.powers!r}")
        centres = np.linspace(float(self.r_min), float(self.cutoff), int(self.n_basis))
        width = (centres[1] - centres[0]) if len(centres) > 1 else float(self.cutoff) / 2
        return centres, width

    def fit(self, X, y=None):
        """Name the features (the basis has nothing to learn)."""
        self._check()
        n = int(self.n_basis)
        self.feature_names_ = [f"ρ{k}^{p:g}" for p in self.powers for k in range(n)]
        if self.products:
            self.feature_names_ += [f"ρ{k}·ρ{m}" for k, m in zip(*np.triu_indices(n), strict=True)]
        return self

    def densities(self, atoms) -> np.ndarray:
        """Per-atom densities ``ρ_ik`` of one ``Atoms`` object, shape (n_atoms, n_basis)."""
        from ase.neighborlist import neighbor_list

        centres, width = self._check()
        i, d = neighbor_list("id", atoms, float(self.cutoff))
        g = np.exp(-0.5 * ((d[:, None] - centres[None, :]) / width) ** 2)
        g *= (0.5 * (1.0 + np.cos(np.pi * d / float(self.cutoff))))[:, None]
        rho = np.zeros((len(atoms), len(centres)))
        np.add.at(rho, i, g)
        return rho

    def transform(self, X) -> np.ndarray:
        """One row per cell of ``X`` (a list of ``ase.Atoms``), columns :meth:`get_feature_names_out`."""
        check_is_fitted(self, "feature_names_")
        from ase import Atoms

        cells = list(X)
        bad = [r for r, a in enumerate(cells) if not isinstance(a, Atoms) or len(a) == 0]
        if not cells or bad:
            raise ValueError(f"X must be a non-empty list of non-empty ase.Atoms; rows {bad[:5]} are not")
        out = np.empty((len(cells), len(self.feature_names_)))
        for r, atoms in enumerate(cells):
            rho = self.densities(atoms)
            parts = [np.mean(rho ** float(p), axis=0) for p in self.powers]
            if self.products:
                upper = np.triu_indices(rho.shape[1])
                parts.append((rho.T @ rho)[upper] / len(rho))
            out[r] = np.concatenate(parts)
        return out
