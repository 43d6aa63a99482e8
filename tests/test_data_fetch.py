"""helpers.data's fetch layer: resolution order, verification, downloads and the unlucky paths.

Every test builds its own data world through environment variables (conftest: ``data_env``,
``custom_registry``, ``http_folder``, ``online``); downloads come only from a server on 127.0.0.1.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from helpers import data
from helpers.data import store

SMALL = "tmc/rac155_2018/test_names.csv"  # a small registered file used by the resolution tests
OTHER = "tmc/rac155_2018/split_want_y.csv"  # another small one


def files_in(folder: Path) -> list[Path]:
    return [p for p in Path(folder).rglob("*") if p.is_file()]


def make_mirror(root: Path, keys, real_bytes) -> Path:
    for key in keys:
        (root / key).parent.mkdir(parents=True, exist_ok=True)
        (root / key).write_bytes(real_bytes(key))
    return root


# ----------------------------------------------------------------------------------- resolution errors
def test_missing_file_names_every_place_tried(data_env):
    e = data.registry()["files"][SMALL]
    with pytest.raises(data.DataNotFoundError) as err:
        data.fetch(SMALL)
    msg = str(err.value)
    for part in (
        SMALL,
        e["sha256"],
        str(data_env / SMALL),
        "COMPENDIUM_DATA_MIRROR not set",
        e["url"],
        "COMPENDIUM_OFFLINE",
        "COMPENDIUM_DATA_MIRROR=/path/to/datasets",
        "internet",
        str(data_env),
    ):
        assert part in msg, part


def test_missing_file_in_mirror_names_the_mirror_path(data_env, tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    monkeypatch.setenv(data.MIRROR_ENV, str(mirror))
    with pytest.raises(data.DataNotFoundError, match=re.escape(str(mirror / "tmc/rac155_2018/split_names.csv"))):
        data.load_spin_splitting()


def test_mirror_that_does_not_exist_says_so(data_env, tmp_path, monkeypatch):
    monkeypatch.setenv(data.MIRROR_ENV, str(tmp_path / "no_such_mirror"))
    with pytest.raises(data.DataNotFoundError, match=r"the folder .*no_such_mirror does not exist"):
        data.fetch(SMALL)


def test_tampered_mirror_file_is_refused(data_env, tmp_path, monkeypatch, real_bytes):
    """A modified copy in the mirror raises DataIntegrityError; the loader returns nothing."""
    keys = [k for k in data.registry()["files"] if k.startswith("tmc/rac155_2018/")]
    mirror = make_mirror(tmp_path / "mirror", keys, real_bytes)
    y = mirror / "tmc/rac155_2018/split_y.csv"
    y.write_bytes(y.read_bytes().replace(b"-11.6168649374319", b"-11.6168649374318"))  # one digit changed
    monkeypatch.setenv(data.MIRROR_ENV, str(mirror))
    expected = data.registry()["files"]["tmc/rac155_2018/split_y.csv"]["sha256"]
    with pytest.raises(data.DataIntegrityError) as err:
        data.load_spin_splitting()
    assert str(y) in str(err.value) and expected in str(err.value) and "mirror" in str(err.value)
    assert files_in(data_env) == []


def test_longer_file_is_refused_without_reading_it_whole(data_env, tmp_path, monkeypatch, real_bytes):
    mirror = make_mirror(tmp_path / "mirror", [SMALL], real_bytes)
    (mirror / SMALL).write_bytes(real_bytes(SMALL) + b"x" * 10_000)
    monkeypatch.setenv(data.MIRROR_ENV, str(mirror))
    size = data.registry()["files"][SMALL]["size"]
    with pytest.raises(data.DataIntegrityError, match=f"more than {size} bytes"):
        data.fetch_bytes(SMALL)


def test_corrupted_cache_file_is_reported_not_used(data_env, tmp_path, monkeypatch, real_bytes):
    good = real_bytes(SMALL)
    bad = data_env / SMALL
    bad.parent.mkdir(parents=True)
    bad.write_bytes(good[:-1] + b"X")
    mirror = make_mirror(tmp_path / "mirror", [SMALL], real_bytes)  # an intact mirror does not hide it
    monkeypatch.setenv(data.MIRROR_ENV, str(mirror))
    with pytest.raises(data.DataIntegrityError, match="Delete the corrupted cache file") as err:
        data.fetch(SMALL)
    assert str(bad) in str(err.value)
    bad.unlink()
    assert data.fetch(SMALL) == mirror / SMALL


# ---------------------------------------------------------------------------------------------- downloads
def test_download_path(data_env, real_bytes, http_folder, custom_registry, online):
    good = real_bytes(SMALL)
    custom_registry(files={SMALL: {"url": http_folder.add("small.csv", good)}})
    path = data.fetch(SMALL, progressbar=False)
    assert path == data_env / SMALL and path.read_bytes() == good
    assert files_in(data_env) == [path]  # no temporary leftovers
    assert data.fetch(SMALL) == path and http_folder.requests == ["/small.csv"]  # second call: from the cache


def test_download_with_wrong_bytes_leaves_nothing(data_env, real_bytes, http_folder, custom_registry, online):
    url = http_folder.add("small.csv", real_bytes(SMALL).replace(b"fe_", b"Fe_", 1))
    custom_registry(files={SMALL: {"url": url}})
    with pytest.raises(data.DataIntegrityError, match="nothing was written to the cache"):
        data.fetch(SMALL, progressbar=False)
    assert list(data_env.rglob("*")) == []  # no file, no temporary folder, no empty sub-folder


def test_download_failure_is_reported(data_env, http_folder, custom_registry, online):
    custom_registry(files={SMALL: {"url": f"{http_folder.base}/no_such_file.csv"}})
    with pytest.raises(data.DataNotFoundError, match=r"no_such_file.csv \(failed: HTTPError"):
        data.fetch(SMALL, progressbar=False)
    assert list(data_env.rglob("*")) == []


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_downloaded_files_get_the_umask_mode(data_env, real_bytes, http_folder, custom_registry, online, umask):
    """A cache shared by a group must be readable by it: the file gets 0666 & ~umask, not the temp file's 0600."""
    custom_registry(files={SMALL: {"url": http_folder.add("small.csv", real_bytes(SMALL))}})
    previous = os.umask(umask)
    try:
        path = data.fetch(SMALL, progressbar=False)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o777 & ~umask


_CHILD_FETCH = "import sys\nfrom helpers import data\ndata.fetch(sys.argv[1], progressbar=False)\n"


def test_download_killed_with_sigkill_leaves_nothing_for_long(
    data_env, real_bytes, http_folder, custom_registry, online
):
    """A process killed mid-download (no ``finally`` runs) leaves its .download-* folder; the next fetch that
    looks at the cache removes it, because its process is gone."""
    stall = http_folder.hold["/stalls.csv"] = threading.Event()
    custom_registry(
        files={
            SMALL: {"url": http_folder.add("stalls.csv", real_bytes(SMALL))},
            OTHER: {"url": http_folder.add("other.csv", real_bytes(OTHER))},
        }
    )
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD_FETCH, SMALL],
        cwd=data.ROOT,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not (http_folder.requests and list(data_env.glob(".download-*/*"))):
            assert child.poll() is None and time.monotonic() < deadline, "the child never started its download"
            time.sleep(0.05)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        del http_folder.hold["/stalls.csv"]
        stall.set()
    leftovers = list(data_env.glob(".download-*"))
    assert len(leftovers) == 1 and f"-{child.pid}-" in leftovers[0].name  # what SIGKILL leaves behind
    assert data.fetch_bytes(OTHER, progressbar=False) == real_bytes(OTHER)
    assert list(data_env.glob(".download-*")) == []
    assert data.fetch_bytes(SMALL, progressbar=False) == real_bytes(SMALL)  # the killed download can be redone


def test_stale_download_folders(data_env, real_bytes):
    """Folders of live processes stay; of dead ones (this host) or older than a day (any host) go."""
    host = store._host()
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(done.stdout)
    folders = {
        "mine": data_env / f".download-{host}-{os.getpid()}-aaaa",
        "dead": data_env / f".download-{host}-{dead_pid}-bbbb",
        "other_host_recent": data_env / f".download-otherhost-{dead_pid}-cccc",
        "other_host_old": data_env / f".download-otherhost-{dead_pid}-dddd",
        "old_format_old": data_env / ".download-x1y2z3",
    }
    for folder in folders.values():
        folder.mkdir()
        (folder / "tmp123").write_bytes(b"partial")
    two_days_ago = time.time() - 2 * 24 * 3600
    for name in ("other_host_old", "old_format_old"):
        os.utime(folders[name], (two_days_ago, two_days_ago))
    (data_env / SMALL).parent.mkdir(parents=True)
    (data_env / SMALL).write_bytes(real_bytes(SMALL))
    data.fetch(SMALL)
    assert {name for name, f in folders.items() if f.exists()} == {"mine", "other_host_recent"}


# ----------------------------------------------------------------------------------- misconfigured places
def test_cache_entry_that_is_a_directory(data_env, real_bytes, http_folder, custom_registry, online):
    custom_registry(files={SMALL: {"url": http_folder.add("small.csv", real_bytes(SMALL))}})
    (data_env / SMALL).mkdir(parents=True)
    expected = r"cache entry for .* is a directory: .*What to do: remove it \(rm -r"
    with pytest.raises(data.DataError, match=expected) as err:
        data.fetch(SMALL, progressbar=False)
    assert str(data_env / SMALL) in str(err.value) and http_folder.requests == []


def test_cache_path_through_a_file(data_env, tmp_path, monkeypatch):
    (data_env / "tmc").write_text("not a folder")
    with pytest.raises(data.DataError, match=r"cannot exist: .*/tmc is a file, not a folder"):
        data.fetch(SMALL)


def test_mirror_that_is_a_file(data_env, tmp_path, monkeypatch):
    afile = tmp_path / "datasets.tar"
    afile.write_bytes(b"not a folder")
    monkeypatch.setenv(data.MIRROR_ENV, str(afile))
    expected = r"COMPENDIUM_DATA_MIRROR=.*datasets.tar names a file, not a folder. What to do"
    with pytest.raises(data.DataError, match=expected):
        data.fetch(SMALL)


def test_mirror_entry_that_is_a_directory(data_env, tmp_path, monkeypatch):
    (tmp_path / "mirror" / SMALL).mkdir(parents=True)
    monkeypatch.setenv(data.MIRROR_ENV, str(tmp_path / "mirror"))
    with pytest.raises(data.DataError, match=r"mirror entry for .* is a directory"):
        data.fetch(SMALL)


def test_relative_mirror_is_shown_absolute_and_kept(data_env, tmp_path, monkeypatch, real_bytes):
    name = f"mirror-{tmp_path.name}"
    make_mirror(tmp_path / "work" / name, [SMALL], real_bytes)
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    monkeypatch.setenv(data.MIRROR_ENV, name)
    assert data.fetch(SMALL) == tmp_path / "work" / name / SMALL
    with pytest.raises(data.DataNotFoundError) as err:
        data.fetch(OTHER)
    shown = f"{tmp_path / 'work' / name / OTHER} (not found; COMPENDIUM_DATA_MIRROR={name} (resolved to "
    assert shown in str(err.value)
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert data.fetch(SMALL) == tmp_path / "work" / name / SMALL


_READ_ONLY_CHILD = """
import sys
from helpers import data
try:
    data.fetch(sys.argv[1], progressbar=False)
    print("FETCHED")
except Exception as exc:
    print(type(exc).__name__, exc, sep="\\n")
"""


def _without_root_privileges() -> list[str]:
    """A command prefix under which even root obeys file permissions (no CAP_DAC_OVERRIDE/READ_SEARCH)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root and setpriv (util-linux) is missing: a read-only folder cannot be simulated")
    caps = "-dac_override,-dac_read_search"
    return ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}", "--"]


def test_read_only_cache_folder(data_env, real_bytes, http_folder, custom_registry, online):
    """An unwritable cache gives a DataError saying so and what to do, not a raw PermissionError."""
    custom_registry(files={SMALL: {"url": http_folder.add("small.csv", real_bytes(SMALL))}})
    data_env.chmod(0o555)
    try:
        out = subprocess.run(
            [*_without_root_privileges(), sys.executable, "-c", _READ_ONLY_CHILD, SMALL],
            cwd=data.ROOT,
            env=os.environ.copy(),
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        data_env.chmod(0o755)
    assert out.returncode == 0, out.stderr
    kind, msg = out.stdout.split("\n", 1)
    assert kind == "DataError", out.stdout
    assert f"the cache folder {data_env} is not writable (Permission denied)" in msg
    assert "chmod u+w" in msg and "COMPENDIUM_DATA_CACHE" in msg and "COMPENDIUM_DATA_MIRROR" in msg
    assert list(data_env.iterdir()) == [] and http_folder.requests == []


# ------------------------------------------------------------------------------ verify what you parse
_OPEN_WATCH: dict[str, object] = {"callback": None}


def _audit(event, args):
    callback = _OPEN_WATCH["callback"]
    if callback is not None and event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        callback(os.fsdecode(args[0]))


sys.addaudithook(_audit)  # audit hooks cannot be removed; this one does nothing outside the test below


LOADERS = {
    "tco": (lambda: data.load_tco(structures=False), ["tco/train.csv", "tco/labeled_test.csv"]),
    "elpasolite": (data.load_elpasolites, ["elpasolite/sources/jeherr__train_set.pkl"]),
    "tmc": (
        data.load_spin_splitting,
        [f"tmc/rac155_2018/{f}.csv" for f in ("split_names", "split_y", "split_x", "train_names", "test_names")],
    ),
}


def _equal(a, b) -> bool:
    if isinstance(a, data.TCOData):
        return a.train.equals(b.train) and a.test.equals(b.test)
    return a.equals(b) if isinstance(a, pd.DataFrame) else a == b


@pytest.mark.parametrize("dataset", sorted(LOADERS))
def test_loaders_parse_the_bytes_they_verified(dataset, data_env, tmp_path, monkeypatch, real_bytes):
    """Each file is opened once per load, so what is parsed is what was hashed: an earlier version hashed the
    file, then opened it again to parse it, and a file swapped in between (here: just before that second
    open) was parsed unverified."""
    loader, keys = LOADERS[dataset]
    mirror = make_mirror(tmp_path / "mirror", keys, real_bytes)
    monkeypatch.setenv(data.MIRROR_ENV, str(mirror))
    clean = loader()
    tampered = {}
    for key in keys:
        blob = bytearray(real_bytes(key))
        i = len(blob) // 2 + next(j for j, c in enumerate(blob[len(blob) // 2 :]) if chr(c) in "123456789")
        blob[i] = ord("1") if blob[i] != ord("1") else ord("2")  # one digit changed, same size
        tampered[str(mirror / key)] = tmp_path / f"tampered-{Path(key).name}"
        tampered[str(mirror / key)].write_bytes(bytes(blob))
    opens: Counter[str] = Counter()

    def on_open(path: str) -> None:
        if path in tampered:
            opens[path] += 1
            if opens[path] == 2:  # audit hooks run before the open: this swaps between verifying and parsing
                os.replace(tampered[path], path)

    _OPEN_WATCH["callback"] = on_open
    try:
        again = loader()
    finally:
        _OPEN_WATCH["callback"] = None
    assert opens == {path: 1 for path in tampered}
    assert _equal(again, clean)
    for path, bad in tampered.items():
        os.replace(bad, path)
    with pytest.raises(data.DataIntegrityError):  # the tampered files themselves are refused
        loader()
