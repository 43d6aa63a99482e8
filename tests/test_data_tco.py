"""helpers.data.tco: the strict geometry parser, the geometry sources (tarball or per-file) and load_tco."""

from __future__ import annotations

import re
import tarfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import data
from helpers.data import tco as tco_mod

GOOD_GEOMETRY = """#=====
#Created using the Atomic Simulation Environment (ASE)
lattice_vector 5.0 0.0 0.0
lattice_vector 0.0 5.0 0.0
lattice_vector 0.0 0.0 5.0
atom 0.0 0.0 0.0 Al
atom 2.5 2.5 2.5 O
"""


def files_in(folder: Path) -> list[Path]:
    return [p for p in Path(folder).rglob("*") if p.is_file()]


@pytest.fixture(scope="module")
def tco():
    return data.load_tco()


# ------------------------------------------------------------------------------------------------ parser
def test_parse_geometry_good():
    lattice, species, coords = data.parse_geometry(GOOD_GEOMETRY)
    assert lattice.shape == (3, 3) and species == ["Al", "O"] and coords.shape == (2, 3)
    np.testing.assert_array_equal(coords[1], [2.5, 2.5, 2.5])
    for variant in (
        GOOD_GEOMETRY.replace("\n", "\r\n"),
        GOOD_GEOMETRY.replace(" 2.5 2.5", "\t+2.5e0 .25E1"),
        GOOD_GEOMETRY.encode("ascii"),
    ):
        np.testing.assert_array_equal(data.parse_geometry(variant)[2], coords)


@pytest.mark.parametrize(
    "bad_line, lineno, why",
    [
        ("atom 2.5 2.5 2.5 Xx", 7, "unexpected element"),
        ("atom 2.5 2.5 two O", 7, "not ASCII decimal numbers"),
        ("atom 2.5 2.5 O", 7, "expected 'atom x y z El'"),
        ("atom_frac 0.5 0.5 0.5 O", 7, "unknown line type"),
        ("lattice_vector 1 1 1", 7, "lattice_vector after"),
    ],
)
def test_malformed_geometry_names_file_and_line(tmp_path, bad_line, lineno, why):
    path = tmp_path / "train" / "7" / "geometry.xyz"
    path.parent.mkdir(parents=True)
    path.write_text(GOOD_GEOMETRY.replace("atom 2.5 2.5 2.5 O", bad_line))
    with pytest.raises(data.GeometryParseError, match=re.escape(f"{path}, line {lineno}: ") + ".*" + re.escape(why)):
        data.parse_geometry(path.read_text(), source=str(path))


@pytest.mark.parametrize(
    "number",
    [
        "2_5",  # Python's float() accepts digit-group underscores
        "\u0662.\u0665",  # Arabic-Indic digits ٢.٥
        "\uff12.\uff15",  # full-width digits ２.５
        "nan",
        "inf",
        "-Infinity",
        "0x10",
        "1e",
        "2.5.1",
        "+-1",
    ],
)
def test_only_ascii_decimal_numbers(number):
    text = GOOD_GEOMETRY.replace("atom 2.5 2.5 2.5 O", f"atom {number} 2.5 2.5 O")
    with pytest.raises(data.GeometryParseError, match=r"x.xyz, line 7: .*(ASCII|character)"):
        data.parse_geometry(text, source="x.xyz")


def test_non_ascii_bytes_name_the_line():
    blob = GOOD_GEOMETRY.replace("atom 2.5 2.5 2.5 O", "atom \u0662.5 2.5 2.5 O").encode("utf-8")
    with pytest.raises(data.GeometryParseError, match=r"x.xyz, line 7: non-ASCII byte 0xd9"):
        data.parse_geometry(blob, source="x.xyz")


def test_control_characters_are_refused():
    text = GOOD_GEOMETRY.replace("atom 2.5 2.5 2.5 O", "atom 2.5\x1f2.5 2.5 O")  # str.split() splits on \x1f
    with pytest.raises(data.GeometryParseError, match=r"line 7: character '\\x1f'"):
        data.parse_geometry(text, source="x.xyz")


LARGE_CELL = GOOD_GEOMETRY.replace("5.0 0.0 0.0", "900 0.0 0.0").replace("0.0 5.0 0.0", "0.0 900 0.0")


@pytest.mark.parametrize(
    "text, why",
    [
        (
            GOOD_GEOMETRY.replace("lattice_vector 5.0 0.0 0.0", "lattice_vector 1e200 0.0 0.0"),
            r"line 3: coordinate beyond ±1000 Å",
        ),  # finite numbers, infinite volume
        (
            GOOD_GEOMETRY.replace("lattice_vector 5.0 0.0 0.0", "lattice_vector 1e400 0.0 0.0"),
            r"line 3: coordinate beyond ±1000 Å",
        ),
        (GOOD_GEOMETRY.replace("atom 2.5 2.5 2.5 O", "atom 2.5 2.5 1000.5 O"), r"line 7: coordinate beyond ±1000 Å"),
        (
            GOOD_GEOMETRY.replace("0.0 0.0 5.0", "0.0 0.0 0.05"),
            r"cell volume 1.25 Å³ is 0.625 Å³ per atom, outside the physically sensible 1-1000 Å³ per atom",
        ),
        (LARGE_CELL, r"cell volume 4.05e\+06 Å³ is 2.025e\+06 Å³ per atom, outside"),
        (GOOD_GEOMETRY.replace("0.0 0.0 5.0", "5.0 0.0 0.0"), r"linearly dependent"),
    ],
)
def test_physically_sensible_cells_only(text, why):
    with pytest.raises(data.GeometryParseError, match=why):
        data.parse_geometry(text, source="x.xyz")


def test_sensible_bounds_are_not_tight():
    """Cells well outside the TCO range (8.8-14.6 Å³ per atom) but physical still parse."""
    for per_atom in (1.5, 900.0):
        edge = (2 * per_atom) ** (1 / 3)
        text = GOOD_GEOMETRY.replace("5.0", f"{edge:.6f}").replace("2.5 2.5 2.5", "0.5 0.5 0.5")
        lattice = data.parse_geometry(text)[0]
        assert abs(np.linalg.det(lattice)) / 2 == pytest.approx(per_atom, rel=1e-5)


def test_geometry_with_missing_lattice_vector():
    text = GOOD_GEOMETRY.replace("lattice_vector 0.0 0.0 5.0\n", "")
    with pytest.raises(data.GeometryParseError, match=r"line 5: atom line before three lattice_vector"):
        data.parse_geometry(text, source="x.xyz")


def test_stray_upstream_file_is_rejected():
    """The stray train/757/tmp_geometry.xyz (fractional 'atom_frac' lines) is not a valid geometry."""
    key = "tco/extras/train/757/tmp_geometry.xyz"
    with pytest.raises(data.GeometryParseError, match=r"tmp_geometry.xyz, line \d+: unknown line type 'atom_frac'"):
        data.parse_geometry(data.fetch_bytes(key), source=key)


def test_parser_agrees_with_ase_aims_reader(tmp_path):
    import io

    import ase.io

    with tarfile.open(fileobj=io.BytesIO(data.fetch_bytes(data.GEOMETRY_KEY)), mode="r:xz") as tf:
        members = [m for m in tf.getmembers()][::300]
        for m in members:
            text = tf.extractfile(m).read().decode()
            lattice, species, coords = data.parse_geometry(text, source=m.name)
            p = tmp_path / "g.in"
            p.write_text(text)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)  # ase's aims reader is moving to a plugin
                atoms = ase.io.read(p, format="aims")
            np.testing.assert_allclose(atoms.cell[:], lattice, atol=1e-12)
            np.testing.assert_allclose(atoms.positions, coords, atol=1e-12)
            assert atoms.get_chemical_symbols() == species


# -------------------------------------------------------------------------------------------- sources
TWO = {"train/1/geometry.xyz": GOOD_GEOMETRY, "test/1/geometry.xyz": GOOD_GEOMETRY.replace("Al", "Ga")}


def test_geometries_per_file_download(data_env, http_folder, custom_registry, online):
    """No tarball anywhere: the upstream files are downloaded one by one, verified and cached."""
    for member, text in TWO.items():
        http_folder.add(member, text.encode())
    custom_registry(member_texts=TWO, members={"url_template": http_folder.base + "/{member}"})
    s = tco_mod._tco_structures(progressbar=False)
    assert s["test/1/geometry.xyz"].composition.reduced_formula == "GaO"
    cached = sorted(p.relative_to(data_env).as_posix() for p in files_in(data_env))
    assert cached == ["tco/geometry/test/1/geometry.xyz", "tco/geometry/train/1/geometry.xyz"]
    assert list(data_env.glob(".download-*")) == []


def test_malformed_geometry_in_cache_names_file_and_line(data_env, custom_registry):
    texts = {**TWO, "test/1/geometry.xyz": GOOD_GEOMETRY.replace("atom 0.0 0.0 0.0 Al", "atom 0.0 0.0 Al")}
    custom_registry(member_texts=texts)
    for member, text in texts.items():
        p = data_env / "tco" / "geometry" / member
        p.parent.mkdir(parents=True)
        p.write_text(text)
    with pytest.raises(data.GeometryParseError, match=r"test/1/geometry.xyz, line 6: expected 'atom x y z El'"):
        tco_mod._tco_structures(progressbar=False)


def test_tampered_geometry_in_cache_is_refused(data_env, custom_registry):
    custom_registry(member_texts=TWO)
    for member, text in TWO.items():
        p = data_env / "tco" / "geometry" / member
        p.parent.mkdir(parents=True)
        p.write_text(text.replace("2.5", "2.6"))
    with pytest.raises(data.DataIntegrityError, match=r"geometry/(train|test)/1/geometry.xyz .*Delete the corrupted"):
        tco_mod._tco_structures(progressbar=False)


def test_geometries_missing_everywhere(data_env):
    with pytest.raises(data.DataNotFoundError) as err:
        data.load_tco()  # the CSVs are missing first
    assert "tco/train.csv" in str(err.value)
    with pytest.raises(data.DataNotFoundError) as err:
        tco_mod._tco_structures(progressbar=False)
    msg = str(err.value)
    for part in (
        "tco/geometry.tar.xz",
        str(data_env / "tco/geometry.tar.xz"),
        "COMPENDIUM_DATA_MIRROR not set",
        "3000 of 3000 missing",
        "raw.githubusercontent.com/csutton7/nomad_2018_kaggle_dataset",
        "COMPENDIUM_OFFLINE",
        "What to do",
    ):
        assert part in msg, part


def test_tampered_geometry_tarball(data_env, tmp_path, monkeypatch, real_bytes):
    mirror = tmp_path / "mirror"
    (mirror / "tco").mkdir(parents=True)
    (mirror / data.GEOMETRY_KEY).write_bytes(real_bytes(data.GEOMETRY_KEY)[:-10])
    monkeypatch.setenv(data.MIRROR_ENV, str(mirror))
    with pytest.raises(data.DataIntegrityError, match="geometry.tar.xz"):
        tco_mod._tco_structures(progressbar=False)


# ---------------------------------------------------------------------------------------------- tables
def test_tco_tables(tco):
    train, test = tco
    assert len(train) == 2400 and len(test) == 600
    assert list(train["id"]) == list(range(1, 2401)) and list(test["id"]) == list(range(1, 601))
    for df in (train, test):
        assert df[["formation_energy_ev_natom", "bandgap_energy_ev"]].notna().all().all()
        assert (df["formation_energy_ev_natom"] >= 0).all()
    assert train.groupby("spacegroup").size().to_dict() == {12: 358, 33: 432, 167: 374, 194: 353, 206: 490, 227: 393}
    assert test.groupby("spacegroup").size().to_dict() == {12: 97, 33: 107, 167: 87, 194: 90, 206: 126, 227: 93}
    assert tco["test"] is tco.test
    with pytest.raises(KeyError, match="'valid': a TCOData has the splits 'train' and 'test'"):
        tco["valid"]


@pytest.mark.parametrize("split", ["train", "test"])
def test_tco_structures_match_the_csv(tco, split):
    df = tco[split]
    s = df["structure"]
    assert (s.map(len) == df["number_of_total_atoms"]).all()
    abc = np.array([st.lattice.abc for st in s])
    angles = np.array([st.lattice.angles for st in s])
    np.testing.assert_allclose(abc, df[[f"lattice_vector_{i}_ang" for i in (1, 2, 3)]], atol=1e-4)
    np.testing.assert_allclose(angles, df[[f"lattice_angle_{a}_degree" for a in ("alpha", "beta", "gamma")]], atol=1e-4)
    comp = pd.DataFrame([st.composition.get_el_amt_dict() for st in s]).fillna(0)
    cations = comp[["Al", "Ga", "In"]].reindex(columns=["Al", "Ga", "In"]).sum(axis=1)
    assert (comp["O"] * 2 == cations * 3).all()
    for el in ("Al", "Ga", "In"):
        frac = comp.get(el, 0) / cations
        np.testing.assert_allclose(frac, df[f"percent_atom_{el.lower()}"], atol=1e-4)


def test_tco_duplicate_geometries(tco):
    """Caveat: train 308 and 2154 have the same geometry but different targets."""
    train = tco.train.set_index("id")
    assert train.loc[308, "structure"] == train.loc[2154, "structure"]
    assert train.loc[308, "formation_energy_ev_natom"] != train.loc[2154, "formation_energy_ev_natom"]


def test_tco_warm_load_reuses_the_structures(tco):
    """A second load re-verifies the sources but does not parse again: new DataFrames, the same Structure
    objects (its time is measured by ``tools/bench.py tco-warm-load``, not asserted here)."""
    again = data.load_tco()
    assert again.train is not tco.train and again.train["structure"].iloc[0] is tco.train["structure"].iloc[0]
    assert again.test["structure"].iloc[-1] is tco.test["structure"].iloc[-1]
