"""Shared fixtures of the unit tests.

The data-layer fixtures change only environment variables (``monkeypatch.setenv``), never module globals:
``COMPENDIUM_DATA_CACHE`` (cache folder), ``COMPENDIUM_DATA_MIRROR`` (mirror folder),
``COMPENDIUM_DATA_REGISTRY`` (a modified copy of the registry, e.g. with URLs on a local server) and
``COMPENDIUM_OFFLINE``.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import os
import shutil
import threading
from pathlib import Path

import pytest

DATA_ENV = ("COMPENDIUM_DATA_CACHE", "COMPENDIUM_DATA_MIRROR", "COMPENDIUM_DATA_REGISTRY")
#: The data-layer settings the session started with (where the real data are: cache and/or mirror).
SESSION_DATA_ENV = {name: os.environ.get(name) for name in DATA_ENV}


@pytest.fixture(scope="session", autouse=True)
def _offline_data_layer():
    """No test may reach the network: the data layer's download step is disabled for the whole session.

    Tests that exercise the download path serve files from 127.0.0.1 (``http_folder``) and re-enable it with
    the ``online`` fixture. Tests that need the real data read them from the cache or from
    ``$COMPENDIUM_DATA_MIRROR`` (CI sets it) and fail, with a message naming every place tried, if the
    data cannot be found. ``tests/test_data_registry.py::test_session_is_offline`` checks that a download
    is really refused.
    """
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COMPENDIUM_OFFLINE", "1")
        yield


@pytest.fixture
def real_bytes():
    """``real_bytes(key)``: the verified bytes of a real registered file, whatever the test set since."""
    from helpers import data

    def read(key: str) -> bytes:
        with pytest.MonkeyPatch.context() as mp:
            for name, value in SESSION_DATA_ENV.items():
                if value is None:
                    mp.delenv(name, raising=False)
                else:
                    mp.setenv(name, value)
            return data.fetch_bytes(key)

    return read


@pytest.fixture
def data_env(tmp_path, monkeypatch):
    """A private data world: an empty cache folder (returned), no mirror, the real registry, downloads off."""
    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setenv("COMPENDIUM_DATA_CACHE", str(cache))
    monkeypatch.delenv("COMPENDIUM_DATA_MIRROR", raising=False)
    monkeypatch.delenv("COMPENDIUM_DATA_REGISTRY", raising=False)
    return cache


@pytest.fixture
def online(monkeypatch):
    """Allow downloads (only ever from the 127.0.0.1 server of ``http_folder``)."""
    monkeypatch.setenv("COMPENDIUM_OFFLINE", "0")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


class _Served:
    def __init__(self, root: Path, base: str):
        self.root, self.base, self.requests = root, base, []
        self.hold: dict[str, threading.Event] = {}  # path → event: send half the file, then wait for it

    def add(self, name: str, content: bytes) -> str:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        return f"{self.base}/{name}"


@pytest.fixture
def http_folder(tmp_path):
    """A folder served on 127.0.0.1; yields an object with ``root``, ``base`` (URL), ``add(name, bytes)``
    (returns the URL), ``requests`` (paths asked for) and ``hold`` (paths whose transfer stalls halfway)."""
    root = tmp_path / "served"
    root.mkdir()
    served = _Served(root, "")

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            served.requests.append(self.path)
            event = served.hold.get(self.path)
            if event is None:
                return super().do_GET()
            body = (root / self.path.lstrip("/")).read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            event.wait(60)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    server.daemon_threads = True
    served.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        for event in served.hold.values():
            event.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def custom_registry(tmp_path, monkeypatch):
    """``custom_registry(files=..., members=..., member_texts=...)`` writes a modified copy of the registry and
    points ``COMPENDIUM_DATA_REGISTRY`` at it; returns its path.

    ``files``: ``{key: {field: value}}`` updates of file entries (e.g. a local ``url``);
    ``members``: updates of the TCO tarball's ``members`` entry (e.g. ``url_template``);
    ``member_texts``: ``{member: text}`` replaces the 3000-entry TCO hash list by these members.
    """
    from helpers import data
    from helpers.data import store, tco

    def make(files=None, members=None, member_texts=None, folder="registry") -> Path:
        reg = data.registry()
        for key, changes in (files or {}).items():
            reg["files"][key].update(changes)
        entry = reg["files"][tco.GEOMETRY_KEY]["members"]
        entry.update(members or {})
        where = tmp_path / folder
        hashes = where / entry["hashes"]
        hashes.parent.mkdir(parents=True, exist_ok=True)
        if member_texts is None:
            shutil.copy(store.REGISTRY_PATH.parent / entry["hashes"], hashes)
        else:
            lines = [f"{hashlib.sha256(t.encode()).hexdigest()}  {m}\n" for m, t in member_texts.items()]
            hashes.write_text("".join(lines), encoding="ascii")
            entry["count"] = len(member_texts)
        entry["hashes_sha256"] = hashlib.sha256(hashes.read_bytes()).hexdigest()
        path = where / "registry.json"
        path.write_text(json.dumps(reg, indent=1), encoding="utf-8")
        monkeypatch.setenv("COMPENDIUM_DATA_REGISTRY", str(path))
        return path

    return make


def _rocksalt_oxide_cell(seed: int, a: float = 3.8):
    """A 2×2×2 rock-salt-like (Al, Ga, In)O cell (lattice constant ``a`` in Å) with random cations and
    displacements of up to 0.05 Å: a plausible TCO-like crystal for the featurizer and recipe tests."""
    import numpy as np
    from pymatgen.core import Lattice, Structure

    rng = np.random.default_rng(seed)
    fcc = np.array([[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]])
    base = np.vstack([fcc, fcc + [0.5, 0, 0]])
    cells = np.array([[i, j, k] for i in range(2) for j in range(2) for k in range(2)])
    frac = ((base[None] + cells[:, None]) / 2).reshape(-1, 3)
    species = np.tile(["M"] * 4 + ["O"] * 4, len(cells)).astype(object)
    species[species == "M"] = rng.choice(["Al", "Ga", "In"], size=32, p=[0.5, 0.3, 0.2])
    cart = frac * 2 * a + rng.uniform(-0.05, 0.05, size=frac.shape)
    return Structure(Lattice.cubic(2 * a), list(species), cart, coords_are_cartesian=True)


@pytest.fixture(scope="session")
def oxide_cell():
    """The factory ``oxide_cell(seed, a=3.8)`` of small TCO-like test crystals (no data files)."""
    return _rocksalt_oxide_cell
