"""Tests of helpers.data: registry, resolution order, verification, downloads, parsers and the three loaders.

Tests that need the real data find them in data/cache/ or in $COMPENDIUM_DATA_MIRROR (CI sets it) and FAIL
otherwise. The network is never used: COMPENDIUM_OFFLINE=1 for the session (tests/conftest.py); the
download path is tested against a local HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import os
import pickle
import re
import subprocess
import sys
import tarfile
import threading
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import helpers.data as data
from helpers._safe_unpickle import UnsafePickleError, restricted_load

TMC_TEST_ROWS = [249, 300, 332, 347, 359, 409, 539, 552, 655, 662, 815, 863, 880, 881, 894, 904, 905, 977, 1026,
                 1047, 1116, 1178, 1192, 1217, 1228, 1276, 1299, 1332, 1334, 1389, 1421, 1436, 1497, 1506, 1565,
                 1575, 1640]
CITATION_KEYS = {"sutton2019", "faber2016", "janet2017chemsci", "janet2017jpca", "allen2022"}
SMALL = "tmc/rac155_2018/test_names.csv"  # a small registered file used by the resolution tests


def sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


@pytest.fixture(scope="module")
def tco():
    return data.load_tco()


@pytest.fixture
def empty_cache(tmp_path, monkeypatch):
    """An empty cache and no mirror (downloads stay off unless a test serves files with ``http_folder``)."""
    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setattr(data, "CACHE_DIR", cache)
    monkeypatch.delenv(data.MIRROR_ENV, raising=False)
    return cache


_REAL_CACHE, _REAL_MIRROR = data.CACHE_DIR, os.environ.get(data.MIRROR_ENV)


def real_bytes(key: str) -> bytes:
    """Verified bytes of a real registered file from the real cache/mirror, whatever a test monkeypatched."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(data, "CACHE_DIR", _REAL_CACHE)
        if _REAL_MIRROR:
            mp.setenv(data.MIRROR_ENV, _REAL_MIRROR)
        return data.fetch(key).read_bytes()


@pytest.fixture
def http_folder(tmp_path, monkeypatch):
    """Serve a temporary folder on 127.0.0.1 and allow downloads; yields (folder, base_url)."""
    root = tmp_path / "served"
    root.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    monkeypatch.setenv(data.OFFLINE_ENV, "0")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def files_in(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


# ------------------------------------------------------------------------------------------ registry
def test_session_is_offline():
    assert os.environ[data.OFFLINE_ENV] == "1"


def test_registry_entries_are_complete():
    reg = data.registry()
    assert set(reg["datasets"]) == set(data.DATASETS)
    for name, ds in reg["datasets"].items():
        assert (data.DATA_DIR / ds["readme"]).is_file(), name
        assert set(ds["citation"]) <= CITATION_KEYS
    for key, e in reg["files"].items():
        assert e["dataset"] in data.DATASETS and key.startswith(e["dataset"] + "/")
        assert re.fullmatch(r"[0-9a-f]{64}", e["sha256"]) and e["size"] > 0
        assert e["licence"] and set(e["citation"]) <= CITATION_KEYS and e["citation"]
        if e["derived"]:
            assert e["url"] is None
        else:
            assert re.fullmatch(r"[0-9a-f]{40}", e["commit"])
            assert e["url"] == f"https://raw.githubusercontent.com/{e['repository']}/{e['commit']}/{e['path']}"
    members = reg["files"][data.GEOMETRY_KEY]["members"]
    hashes = data._member_hashes()
    assert len(hashes) == members["count"] == 3000
    assert set(hashes) == {f"train/{i}/geometry.xyz" for i in range(1, 2401)} | {
        f"test/{i}/geometry.xyz" for i in range(1, 601)}
    assert "{member}" in members["url_template"] and re.fullmatch(r"[0-9a-f]{40}", members["commit"])


def test_registry_matches_the_data():
    """Every registered file is found (cache or mirror) and verifies; fetch checks size and sha256."""
    for key, e in data.registry()["files"].items():
        path = data.fetch(key)
        assert path.stat().st_size == e["size"] and data.sha256_file(path) == e["sha256"]


def test_describe():
    df = data.describe()
    assert {"name", "dataset", "sha256", "size", "url", "licence", "citation"} <= set(df.columns)
    assert len(df) == len(data.registry()["files"]) and df["name"].is_unique
    used = data.describe(used_only=True)
    assert used["used"].all() and "tco/geometry.tar.xz" in set(used["name"])


def test_import_touches_no_network_library():
    code = "import sys, helpers.data; print(sorted(m for m in ('pooch', 'requests', 'urllib3') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=data.ROOT).stdout.strip()
    assert out == "[]"


# -------------------------------------------------------------------------------- resolution errors
def test_missing_file_names_every_place_tried(empty_cache):
    e = data.registry()["files"][SMALL]
    with pytest.raises(data.DataNotFoundError) as err:
        data.fetch(SMALL)
    msg = str(err.value)
    for part in (SMALL, e["sha256"], str(empty_cache / SMALL), "COMPENDIUM_DATA_MIRROR not set", e["url"],
                 "COMPENDIUM_OFFLINE", "COMPENDIUM_DATA_MIRROR=/path/to/datasets", "internet"):
        assert part in msg, part


def test_missing_file_in_mirror_names_the_mirror_path(empty_cache, tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    monkeypatch.setenv(data.MIRROR_ENV, str(mirror))
    with pytest.raises(data.DataNotFoundError, match=re.escape(str(mirror / "tmc/rac155_2018/split_names.csv"))):
        data.load_spin_splitting()


def test_tampered_mirror_file_is_refused(empty_cache, tmp_path, monkeypatch):
    """A modified copy in the mirror raises DataIntegrityError; the loader returns nothing."""
    mirror = tmp_path / "mirror"
    for key in data.registry()["files"]:
        if key.startswith("tmc/rac155_2018/"):
            (mirror / key).parent.mkdir(parents=True, exist_ok=True)
            (mirror / key).write_bytes(real_bytes(key))
    y = mirror / "tmc/rac155_2018/split_y.csv"
    y.write_bytes(y.read_bytes().replace(b"-11.6168649374319", b"-11.6168649374318"))  # one digit changed
    monkeypatch.setenv(data.MIRROR_ENV, str(mirror))
    expected = data.registry()["files"]["tmc/rac155_2018/split_y.csv"]["sha256"]
    with pytest.raises(data.DataIntegrityError) as err:
        data.load_spin_splitting()
    assert str(y) in str(err.value) and expected in str(err.value) and "mirror" in str(err.value)
    assert files_in(empty_cache) == []


def test_corrupted_cache_file_is_reported_not_used(empty_cache, tmp_path, monkeypatch):
    good = real_bytes(SMALL)
    bad = empty_cache / SMALL
    bad.parent.mkdir(parents=True)
    bad.write_bytes(good[:-1] + b"X")
    mirror = tmp_path / "mirror"
    (mirror / SMALL).parent.mkdir(parents=True)
    (mirror / SMALL).write_bytes(good)  # an intact mirror does not hide a corrupted cache
    monkeypatch.setenv(data.MIRROR_ENV, str(mirror))
    with pytest.raises(data.DataIntegrityError, match="Delete the corrupted cache file") as err:
        data.fetch(SMALL)
    assert str(bad) in str(err.value)
    bad.unlink()
    assert data.fetch(SMALL) == mirror / SMALL


# -------------------------------------------------------------------------------------- downloads
def _serve_real(root: Path, key: str, monkeypatch, base: str, content: bytes | None = None) -> None:
    real = data.fetch(key).read_bytes() if content is None else content
    (root / Path(key).name).write_bytes(real)
    monkeypatch.setitem(data.registry()["files"][key], "url", f"{base}/{Path(key).name}")


@pytest.fixture
def real_small():
    return real_bytes(SMALL)


def test_download_path(empty_cache, real_small, http_folder, monkeypatch):
    root, base = http_folder
    cache = empty_cache
    _serve_real(root, SMALL, monkeypatch, base, real_small)
    path = data.fetch(SMALL, progressbar=False)
    assert path == cache / SMALL and path.read_bytes() == real_small
    assert files_in(cache) == [path]  # no temporary leftovers
    assert data.fetch(SMALL) == path  # second call: from the cache


def test_download_with_wrong_bytes_leaves_nothing(empty_cache, real_small, http_folder, monkeypatch):
    root, base = http_folder
    cache = empty_cache
    _serve_real(root, SMALL, monkeypatch, base, real_small.replace(b"fe_", b"Fe_", 1))
    with pytest.raises(data.DataIntegrityError, match="nothing was written to the cache"):
        data.fetch(SMALL, progressbar=False)
    assert list(cache.rglob("*")) == []  # no file, no temporary folder, no empty sub-folder


def test_download_failure_is_reported(empty_cache, http_folder, monkeypatch):
    root, base = http_folder
    cache = empty_cache
    monkeypatch.setitem(data.registry()["files"][SMALL], "url", f"{base}/no_such_file.csv")
    with pytest.raises(data.DataNotFoundError, match=r"no_such_file.csv \(failed: HTTPError"):
        data.fetch(SMALL, progressbar=False)
    assert list(cache.rglob("*")) == []


# ---------------------------------------------------------------------------------- TCO geometries
GOOD_GEOMETRY = """#=====
#Created using the Atomic Simulation Environment (ASE)
lattice_vector 5.0 0.0 0.0
lattice_vector 0.0 5.0 0.0
lattice_vector 0.0 0.0 5.0
atom 0.0 0.0 0.0 Al
atom 2.5 2.5 2.5 O
"""


def test_parse_geometry_good():
    lattice, species, coords = data.parse_geometry(GOOD_GEOMETRY)
    assert lattice.shape == (3, 3) and species == ["Al", "O"] and coords.shape == (2, 3)


@pytest.mark.parametrize("bad_line, lineno, why", [
    ("atom 2.5 2.5 2.5 Xx", 7, "unexpected element"),
    ("atom 2.5 2.5 two O", 7, "not numbers"),
    ("atom 2.5 2.5 O", 7, "expected 'atom x y z El'"),
    ("atom_frac 0.5 0.5 0.5 O", 7, "unknown line type"),
    ("lattice_vector 1 1 1", 7, "lattice_vector after"),
])
def test_malformed_geometry_names_file_and_line(tmp_path, bad_line, lineno, why):
    path = tmp_path / "train" / "7" / "geometry.xyz"
    path.parent.mkdir(parents=True)
    path.write_text(GOOD_GEOMETRY.replace("atom 2.5 2.5 2.5 O", bad_line))
    with pytest.raises(data.GeometryParseError, match=re.escape(f"{path}, line {lineno}: ") + ".*" + re.escape(why)):
        data.parse_geometry(path.read_text(), str(path))


def test_geometry_with_missing_lattice_vector():
    text = GOOD_GEOMETRY.replace("lattice_vector 0.0 0.0 5.0\n", "")
    with pytest.raises(data.GeometryParseError, match=r"line 5: atom line before three lattice_vector"):
        data.parse_geometry(text, "x.xyz")


def test_stray_upstream_file_is_rejected():
    """The stray train/757/tmp_geometry.xyz (fractional 'atom_frac' lines) is not a valid geometry."""
    path = data.fetch("tco/extras/train/757/tmp_geometry.xyz")
    with pytest.raises(data.GeometryParseError, match=r"tmp_geometry.xyz, line \d+: unknown line type 'atom_frac'"):
        data.parse_geometry(path.read_text(), str(path))


def test_parser_agrees_with_ase_aims_reader(tmp_path):
    import ase.io

    tar = data.fetch(data.GEOMETRY_KEY)
    with tarfile.open(tar, "r:xz") as tf:
        members = [m for m in tf.getmembers()][::300]
        for m in members:
            text = tf.extractfile(m).read().decode()
            lattice, species, coords = data.parse_geometry(text, m.name)
            p = tmp_path / "g.in"
            p.write_text(text)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)
                atoms = ase.io.read(p, format="aims")
            np.testing.assert_allclose(atoms.cell[:], lattice, atol=1e-12)
            np.testing.assert_allclose(atoms.positions, coords, atol=1e-12)
            assert atoms.get_chemical_symbols() == species


def _two_member_world(tmp_path, monkeypatch, texts: dict[str, str]):
    """Pretend the geometry set is two members; no tarball anywhere; per-file cache in tmp_path."""
    hashes = {m: sha(t.encode()) for m, t in texts.items()}
    monkeypatch.setattr(data, "_member_hashes", lambda: hashes)
    monkeypatch.setattr(data, "_STRUCTURE_CACHE", {})
    monkeypatch.setattr(data, "CACHE_DIR", tmp_path / "cache")
    (tmp_path / "cache").mkdir()
    monkeypatch.delenv(data.MIRROR_ENV, raising=False)
    return hashes


def test_geometries_per_file_download(tmp_path, http_folder, monkeypatch):
    root, base = http_folder
    texts = {"train/1/geometry.xyz": GOOD_GEOMETRY, "test/1/geometry.xyz": GOOD_GEOMETRY.replace("Al", "Ga")}
    _two_member_world(tmp_path, monkeypatch, texts)
    for m, t in texts.items():
        (root / m).parent.mkdir(parents=True)
        (root / m).write_text(t)
    members = data.registry()["files"][data.GEOMETRY_KEY]["members"]
    monkeypatch.setitem(members, "url_template", base + "/{member}")
    s = data._tco_structures(progressbar=False)
    assert s["test/1/geometry.xyz"].composition.reduced_formula == "GaO"
    cached = sorted(p.relative_to(tmp_path / "cache").as_posix() for p in files_in(tmp_path / "cache"))
    assert cached == ["tco/geometry/test/1/geometry.xyz", "tco/geometry/train/1/geometry.xyz"]


def test_malformed_geometry_in_cache_names_file_and_line(tmp_path, monkeypatch):
    bad = GOOD_GEOMETRY.replace("atom 0.0 0.0 0.0 Al", "atom 0.0 0.0 Al")
    texts = {"train/1/geometry.xyz": GOOD_GEOMETRY, "test/1/geometry.xyz": bad}
    _two_member_world(tmp_path, monkeypatch, texts)
    for m, t in texts.items():
        p = tmp_path / "cache" / "tco" / "geometry" / m
        p.parent.mkdir(parents=True)
        p.write_text(t)
    with pytest.raises(data.GeometryParseError, match=r"test/1/geometry.xyz, line 6: expected 'atom x y z El'"):
        data._tco_structures(progressbar=False)


def test_geometries_missing_everywhere(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "CACHE_DIR", tmp_path)
    monkeypatch.delenv(data.MIRROR_ENV, raising=False)
    with pytest.raises(data.DataNotFoundError) as err:
        data.load_tco()  # the CSVs are missing first
    assert "tco/train.csv" in str(err.value)
    with pytest.raises(data.DataNotFoundError) as err:
        data._tco_structures(progressbar=False)
    msg = str(err.value)
    for part in ("tco/geometry.tar.xz", str(tmp_path / "tco/geometry.tar.xz"), "COMPENDIUM_DATA_MIRROR not set",
                 "3000 of 3000 missing", "raw.githubusercontent.com/csutton7/nomad_2018_kaggle_dataset",
                 "COMPENDIUM_OFFLINE", "What to do"):
        assert part in msg, part


def test_tampered_geometry_tarball(tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    (mirror / "tco").mkdir(parents=True)
    (mirror / data.GEOMETRY_KEY).write_bytes(real_bytes(data.GEOMETRY_KEY)[:-10])
    monkeypatch.setattr(data, "CACHE_DIR", tmp_path / "cache")
    monkeypatch.setenv(data.MIRROR_ENV, str(mirror))
    with pytest.raises(data.DataIntegrityError, match="geometry.tar.xz"):
        data._tco_structures(progressbar=False)


# ------------------------------------------------------------------------------------------- TCO
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


@pytest.mark.parametrize("split", ["train", "test"])
def test_tco_structures_match_the_csv(tco, split):
    df = tco[split]
    s = df["structure"]
    assert (s.map(len) == df["number_of_total_atoms"]).all()
    abc = np.array([st.lattice.abc for st in s])
    angles = np.array([st.lattice.angles for st in s])
    np.testing.assert_allclose(abc, df[[f"lattice_vector_{i}_ang" for i in (1, 2, 3)]], atol=1e-4)
    np.testing.assert_allclose(
        angles, df[[f"lattice_angle_{a}_degree" for a in ("alpha", "beta", "gamma")]], atol=1e-4)
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


def test_tco_warm_load_is_fast(tco):
    import time

    t = time.perf_counter()
    again = data.load_tco()
    assert time.perf_counter() - t < 1.0
    assert again.train is not tco.train and again.train["structure"].iloc[0] is tco.train["structure"].iloc[0]


# ------------------------------------------------------------------------------------- elpasolites
def test_elpasolites():
    df = data.load_elpasolites()
    assert df.shape[0] == 10590
    assert list(df.columns[:5]) == ["formula", "A", "B", "C", "D"]
    assert (df[["A", "B", "C", "D"]].nunique(axis=1) == 4).all()
    assert not df.duplicated(["A", "B", "C", "D"]).any()
    for site in "ABCD":
        assert df[site].nunique() == 39
    e = df["formation_energy_eV_per_atom"]
    assert e.min() == pytest.approx(-3.067, abs=1e-3) and e.max() == pytest.approx(5.019, abs=1e-3)
    assert (df.nsmallest(20, "formation_energy_eV_per_atom")["D"] == "F").all()
    np.testing.assert_array_equal(df["formation_energy_eV_per_formula_unit"] / 10, e)


def test_elpasolites_match_the_derived_csv():
    derived = pd.read_csv(data.fetch("elpasolite/elpasolite_10590.csv"))
    df = data.load_elpasolites()
    cols = ["formula", "A", "B", "C", "D", "Z_A", "Z_B", "Z_C", "Z_D", "formation_energy_eV_per_atom",
            "formation_energy_eV_per_formula_unit"]
    pd.testing.assert_frame_equal(df[cols], derived[cols], check_dtype=False, rtol=0, atol=0)


class _Evil:
    def __init__(self, func, arg):
        self.func, self.arg = func, arg

    def __reduce__(self):
        return self.func, (self.arg,)


@pytest.mark.parametrize("func, arg_template", [
    (os.system, "touch {marker}"),
    (eval, "open({marker!r}, 'w').close()"),
    (exec, "open({marker!r}, 'w').close()"),
])
def test_restricted_unpickler_refuses_other_globals(tmp_path, func, arg_template):
    marker = tmp_path / "pwned"
    payload = pickle.dumps({"ANs": _Evil(func, arg_template.format(marker=str(marker)))}, protocol=2)
    with pytest.raises(UnsafePickleError, match=r"refusing to load global '(posix|nt|os|builtins|__builtin__)\.\w+'"):
        restricted_load(payload, source="evil.pkl")
    assert not marker.exists()


def test_malicious_pickle_with_matching_hash_is_still_refused(tmp_path, monkeypatch):
    """Even if the registry were wrong (hash matches the evil file), the unpickler refuses."""
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_Evil(os.system, f"touch {marker}"), protocol=2)
    key = "elpasolite/sources/jeherr__train_set.pkl"
    mirror = tmp_path / "mirror"
    (mirror / key).parent.mkdir(parents=True)
    (mirror / key).write_bytes(payload)
    monkeypatch.setattr(data, "CACHE_DIR", tmp_path / "cache")
    monkeypatch.setenv(data.MIRROR_ENV, str(mirror))
    monkeypatch.setitem(data.registry()["files"][key], "sha256", sha(payload))
    monkeypatch.setitem(data.registry()["files"][key], "size", len(payload))
    with pytest.raises(UnsafePickleError, match="nothing in it was executed"):
        data.load_elpasolites()
    assert not marker.exists()


def test_restricted_unpickler_loads_numpy_arrays():
    arr = {"ANs": np.arange(8, dtype=np.int32).reshape(2, 4), "FEs": np.array([1.5, -2.0])}
    back = restricted_load(pickle.dumps(arr, protocol=4))
    np.testing.assert_array_equal(back["ANs"], arr["ANs"])
    assert back["ANs"].dtype == np.int32


# ---------------------------------------------------------------------------------------------- TMC
def test_spin_splitting():
    table, racs = data.load_spin_splitting(descriptors=True)
    assert table.shape == (1717, 9) and racs.shape == (1717, 155)
    assert list(table.index) == list(racs.index) == list(range(1717))
    assert list(table.index[table["split"] == "test"]) == TMC_TEST_ROWS
    assert table["split"].value_counts().to_dict() == {"train": 1680, "test": 37}
    test = table[table["split"] == "test"]
    assert test["oxidation_state"].value_counts().to_dict() == {3: 19, 2: 18}
    counts = table.groupby(["metal", "oxidation_state"]).size().to_dict()
    assert counts == {("Co", 2): 275, ("Co", 3): 248, ("Cr", 2): 18, ("Cr", 3): 124, ("Fe", 2): 303,
                      ("Fe", 3): 296, ("Mn", 2): 351, ("Mn", 3): 38, ("Ni", 2): 64}
    assert sorted(table["hfx"].round(2).unique()) == [0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3]
    np.testing.assert_allclose(table["hfx"], racs["alpha"])
    assert (table["oxidation_state"] == racs["ox"]).all()
    assert not table.duplicated(["name", "oxidation_state"]).any()
    assert (table["ax1_ligand"] == table["ax2_ligand"]).sum() == 1393
    assert table["delta_e_hl_kcal_mol"].min() == pytest.approx(-58.60, abs=0.01)
    assert table["delta_e_hl_kcal_mol"].max() == pytest.approx(90.71, abs=0.01)
    # sign convention: Co(III)(CO)6 strongly low spin, Mn(II)(H2O)6 high spin
    co = table[(table["name"].str.startswith("co_eq_carbonyl_ax1_carbonyl_ax2_carbonyl")) & (table["oxidation_state"] == 3)]
    mn = table[(table["name"].str.startswith("mn_eq_water_ax1_water_ax2_water")) & (table["oxidation_state"] == 2)]
    assert len(co) and (co["delta_e_hl_kcal_mol"] > 40).all()
    assert len(mn) and (mn["delta_e_hl_kcal_mol"] < -30).all()
    assert data.load_spin_splitting().equals(table)


def test_interleave():
    assert data._interleave(list("abcab"), list("acb"), list("ba")) == ["train", "test", "train", "test", "train"]
    with pytest.raises(data.DataIntegrityError, match="2 ways"):
        data._interleave(["x", "x"], ["x"], ["x"])
    with pytest.raises(data.DataIntegrityError, match="0 ways"):
        data._interleave(["x", "y"], ["y"], ["z"])
