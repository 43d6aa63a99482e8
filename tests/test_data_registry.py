"""helpers.data: the registry, the package's public API, where the cache/mirror/registry are, offline mode.

Tests that need the real data find them in the cache or in $COMPENDIUM_DATA_MIRROR (CI sets it) and FAIL
otherwise. The network is never used: COMPENDIUM_OFFLINE=1 for the session (tests/conftest.py).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from helpers import data
from helpers.data import store, tco

CITATION_KEYS = {
    "sutton2019",
    "faber2016",
    "janet2017chemsci",
    "janet2017jpca",
    "allen2022",
    "bartel2019",
    "bartel2020",
    "wang2021",
}
SMALL = "tmc/rac155_2018/test_names.csv"


def test_session_is_offline(data_env, custom_registry, http_folder, real_bytes):
    """With the session's COMPENDIUM_OFFLINE=1 a download is refused: the server holding the file is never
    asked, nothing is written; the same server and registry do deliver the file once downloads are allowed."""
    assert os.environ[store.OFFLINE_ENV] == "1"
    url = http_folder.add("small.csv", real_bytes(SMALL))
    custom_registry(files={SMALL: {"url": url}})
    with pytest.raises(data.DataNotFoundError, match=re.escape(f"{url} (skipped: COMPENDIUM_OFFLINE=1)")):
        data.fetch(SMALL, progressbar=False)
    assert http_folder.requests == [] and list(data_env.rglob("*")) == []
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(store.OFFLINE_ENV, "0")
        mp.setenv("NO_PROXY", "127.0.0.1")
        assert data.fetch_bytes(SMALL, progressbar=False) == real_bytes(SMALL)
    assert http_folder.requests == ["/small.csv"]


def test_public_api_is_unchanged():
    """Every name the chapters and the old single-module helpers.data offered is still there."""
    names = {
        "DATASETS",
        "DataError",
        "DataNotFoundError",
        "DataIntegrityError",
        "GeometryParseError",
        "UnsafePickleError",
        "TCOData",
        "registry",
        "describe",
        "fetch",
        "sha256_file",
        "parse_geometry",
        "load_tco",
        "load_elpasolites",
        "load_spin_splitting",
        "load_rac_descriptors",
        "fetch_bytes",
        "cache_dir",
        "mirror_dir",
        "ROOT",
        "DATA_DIR",
        "MIRROR_ENV",
        "OFFLINE_ENV",
        "GEOMETRY_KEY",
    }
    assert names <= set(data.__all__)
    for name in data.__all__:
        assert getattr(data, name) is not None
    for exc in ("DataNotFoundError", "DataIntegrityError", "GeometryParseError", "UnsafePickleError"):
        assert issubclass(getattr(data, exc), data.DataError)


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
    hashes = tco._member_hashes()
    assert len(hashes) == members["count"] == 3000
    assert set(hashes) == {f"train/{i}/geometry.xyz" for i in range(1, 2401)} | {
        f"test/{i}/geometry.xyz" for i in range(1, 601)
    }
    assert "{member}" in members["url_template"] and re.fullmatch(r"[0-9a-f]{40}", members["commit"])


def test_registry_returns_a_copy():
    data.registry()["files"][SMALL]["url"] = "http://example.invalid/"
    assert data.registry()["files"][SMALL]["url"].startswith("https://raw.githubusercontent.com/")


def test_registry_matches_the_data():
    """Every registered file is found (cache or mirror) and verifies; fetch checks size and sha256."""
    for key, e in data.registry()["files"].items():
        path = data.fetch(key)
        assert path.stat().st_size == e["size"] and data.sha256_file(path) == e["sha256"]
        assert data.fetch_bytes(key) == path.read_bytes()


def test_describe():
    df = data.describe()
    assert {"name", "dataset", "sha256", "size", "url", "licence", "citation"} <= set(df.columns)
    assert len(df) == len(data.registry()["files"]) and df["name"].is_unique
    used = data.describe(used_only=True)
    assert used["used"].all() and "tco/geometry.tar.xz" in set(used["name"])


def test_unknown_key_suggests_the_registered_one():
    with pytest.raises(KeyError, match=r"'tco/train.cvs' is not in the data registry .* Did you mean 'tco/train.csv'"):
        data.fetch("tco/train.cvs")


def test_import_touches_no_network_library():
    code = "import sys, helpers.data; print(sorted(m for m in ('pooch', 'requests', 'urllib3') if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=data.ROOT
    ).stdout.strip()
    assert out == "[]"


# --------------------------------------------------------------------------------------------- locations
def test_cache_dir_default_and_override(tmp_path, monkeypatch):
    monkeypatch.delenv(store.CACHE_ENV, raising=False)
    assert data.cache_dir() == data.DATA_DIR / "cache" == store.DEFAULT_CACHE_DIR
    monkeypatch.setenv(store.CACHE_ENV, str(tmp_path / "elsewhere"))
    assert data.cache_dir() == tmp_path / "elsewhere"


def test_relative_locations_are_resolved_once(tmp_path, monkeypatch):
    """A relative COMPENDIUM_DATA_MIRROR/CACHE is made absolute at first use and stays so after a chdir."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    name = f"mirror-{tmp_path.name}"  # unique: the resolution is kept for the process
    monkeypatch.chdir(tmp_path / "a")
    monkeypatch.setenv(store.MIRROR_ENV, name)
    monkeypatch.setenv(store.CACHE_ENV, f"cache-{tmp_path.name}")
    assert data.mirror_dir() == tmp_path / "a" / name and data.mirror_dir().is_absolute()
    assert data.cache_dir() == tmp_path / "a" / f"cache-{tmp_path.name}"
    monkeypatch.chdir(tmp_path / "b")
    assert data.mirror_dir() == tmp_path / "a" / name
    assert data.cache_dir() == tmp_path / "a" / f"cache-{tmp_path.name}"
    monkeypatch.delenv(store.MIRROR_ENV)
    assert data.mirror_dir() is None


def test_missing_registry_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv(store.REGISTRY_ENV, str(tmp_path / "nope.json"))
    with pytest.raises(data.DataError, match=r"nope.json .*cannot be read.*COMPENDIUM_DATA_REGISTRY"):
        data.describe()
