"""helpers.featurize.potential: the EMT copper cells and the radial two-body / many-body bases."""

from __future__ import annotations

import numpy as np
import pytest
from ase.build import bulk

from helpers.featurize.potential import COPPER_LATTICE, RadialDensityFeaturizer, emt_cells


def test_emt_cells_are_seeded_and_in_mev_per_atom():
    cells, energy = emt_cells(n_cells=5, size=1, random_state=3)
    again, energy2 = emt_cells(n_cells=5, size=1, random_state=3)
    np.testing.assert_array_equal(energy, energy2)
    assert all(2 <= len(c) <= 4 for c in cells)  # 4 atoms minus 0-2 vacancies
    assert np.all(np.abs(energy) < 2000)  # meV/atom: EMT's copper reference is near 0


def test_two_body_feature_of_perfect_fcc_by_hand():
    """In perfect fcc every atom has 12 neighbours at a/√2, 6 at a, 24 at a√(3/2), ...: ρ_k sums them."""
    atoms = bulk("Cu", "fcc", a=COPPER_LATTICE, cubic=True)
    f = RadialDensityFeaturizer(n_basis=4, r_min=2.0, cutoff=5.5).fit([atoms])
    x = f.transform([atoms])[0]
    centres = np.linspace(2.0, 5.5, 4)
    width = centres[1] - centres[0]
    shells = {
        COPPER_LATTICE / np.sqrt(2): 12,
        COPPER_LATTICE: 6,
        COPPER_LATTICE * np.sqrt(1.5): 24,
        COPPER_LATTICE * np.sqrt(2): 12,
    }
    expected = sum(
        n * np.exp(-0.5 * ((r - centres) / width) ** 2) * 0.5 * (1 + np.cos(np.pi * r / 5.5))
        for r, n in shells.items()
        if r < 5.5
    )
    np.testing.assert_allclose(x, expected, rtol=1e-10)


def test_many_body_powers_and_names():
    atoms = bulk("Cu", "fcc", a=COPPER_LATTICE, cubic=True)
    atoms.positions[0] += 0.1  # atoms no longer equivalent
    f = RadialDensityFeaturizer(n_basis=3, powers=(0.5, 1, 2)).fit([atoms])
    x = f.transform([atoms])[0]
    rho = f.densities(atoms)
    np.testing.assert_allclose(x[6:], np.mean(rho**2, axis=0))
    assert list(f.get_feature_names_out())[:2] == ["ρ0^0.5", "ρ1^0.5"]
    assert x[6] > x[3] ** 2  # mean of squares exceeds square of mean: not a pair sum


def test_per_atom_products_by_hand():
    atoms = bulk("Cu", "fcc", a=COPPER_LATTICE, cubic=True)
    atoms.positions[1] += 0.15
    f = RadialDensityFeaturizer(n_basis=3, powers=(1,), products=True).fit([atoms])
    x = dict(zip(f.get_feature_names_out(), f.transform([atoms])[0], strict=True))
    rho = f.densities(atoms)
    assert len(x) == 3 + 6  # three channels, six products k <= l
    assert x["ρ0·ρ2"] == pytest.approx(np.mean(rho[:, 0] * rho[:, 2]), rel=1e-12)
    assert x["ρ1·ρ1"] == pytest.approx(np.mean(rho[:, 1] ** 2), rel=1e-12)


def test_bad_inputs():
    with pytest.raises(ValueError, match="0 < r_min < cutoff"):
        RadialDensityFeaturizer(r_min=6.0).fit(None)
    with pytest.raises(ValueError, match="powers must be positive"):
        RadialDensityFeaturizer(powers=(0,)).fit(None)
    f = RadialDensityFeaturizer().fit(None)
    with pytest.raises(ValueError, match="non-empty list of non-empty ase.Atoms"):
        f.transform(["Cu"])
    with pytest.raises(ValueError, match="positive integers"):
        emt_cells(n_cells=0)
