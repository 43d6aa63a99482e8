"""The fetch layer of :mod:`helpers.data`: the registry, where a file is looked for, how it is verified and
downloaded. The dataset modules (``tco``, ``elpasolite``, ``tmc``) read every file through
:func:`fetch_bytes`, which returns the verified bytes themselves, so what is parsed is what was hashed.

Locations (each a function, read from the environment on every call):

- :func:`cache_dir`: ``$COMPENDIUM_DATA_CACHE`` or ``data/cache`` of the repository (git-ignored; found
  from this package, never from the working directory);
- :func:`mirror_dir`: ``$COMPENDIUM_DATA_MIRROR`` (a folder laid out like the shared dataset mirror) or none;
- :func:`registry_path`: ``$COMPENDIUM_DATA_REGISTRY`` or the committed ``data/registry.json`` (the
  variable is for trying a registry update; the TCO hash list it names is read relative to its folder).

A relative path in any of these variables is made absolute once, against the working directory of the
first call that reads it, and kept for the rest of the process; messages show the absolute path.
"""

from __future__ import annotations

import copy
import difflib
import functools
import hashlib
import json
import os
import re
import shutil
import socket
import stat
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

from helpers.data.errors import DataError, DataIntegrityError, DataNotFoundError

#: Repository root (the folder holding ``_config.yml``), found from this file, never from the cwd.
ROOT = Path(__file__).resolve().parents[2]
#: Committed registry folder (registry, per-dataset READMEs, the TCO per-file hash list).
DATA_DIR = ROOT / "data"
#: The committed registry file (see :func:`registry_path` for the one in use).
REGISTRY_PATH = DATA_DIR / "registry.json"
#: The cache folder used when ``$COMPENDIUM_DATA_CACHE`` is not set.
DEFAULT_CACHE_DIR = DATA_DIR / "cache"
#: Environment variable naming the mirror folder (layout: ``$MIRROR/tco/train.csv`` ...).
MIRROR_ENV = "COMPENDIUM_DATA_MIRROR"
#: Environment variable that, set to 1/true/yes/on, forbids downloads.
OFFLINE_ENV = "COMPENDIUM_OFFLINE"
#: Environment variable naming the cache folder (default ``data/cache``).
CACHE_ENV = "COMPENDIUM_DATA_CACHE"
#: Environment variable naming another registry file (default ``data/registry.json``).
REGISTRY_ENV = "COMPENDIUM_DATA_REGISTRY"
#: The datasets the loaders read.
DATASETS = ("tco", "elpasolite", "tmc", "perovskite", "composition")
#: A ``.download-*`` folder left in the cache by a killed process is removed once it is this old (seconds),
#: or as soon as its process is known to be gone (same host).
STALE_DOWNLOAD_AGE = 24 * 3600
#: Largest file read when the registry gives no size (the per-file TCO geometries are ~5 kB).
MAX_UNSIZED_BYTES = 1 << 24

__all__ = [
    "ROOT",
    "DATA_DIR",
    "REGISTRY_PATH",
    "DEFAULT_CACHE_DIR",
    "MIRROR_ENV",
    "OFFLINE_ENV",
    "CACHE_ENV",
    "REGISTRY_ENV",
    "DATASETS",
    "cache_dir",
    "mirror_dir",
    "registry_path",
    "registry",
    "describe",
    "fetch",
    "fetch_bytes",
    "sha256_file",
]


# ------------------------------------------------------------------------------------------ locations
_ABSOLUTE: dict[tuple[str, str], Path] = {}  # (variable, raw value) → absolute path, fixed at first use


def _env_path(name: str) -> Path | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    key = (name, raw)
    if key not in _ABSOLUTE:
        _ABSOLUTE[key] = Path(os.path.abspath(os.path.expanduser(raw)))
    return _ABSOLUTE[key]


def _env_shown(name: str) -> str:
    """``NAME=value`` as set, plus the absolute path when the value is relative."""
    raw = os.environ.get(name, "").strip()
    path = _env_path(name)
    return f"{name}={raw}" + (f" (resolved to {path})" if path is not None and str(path) != raw else "")


def cache_dir() -> Path:
    """The cache folder: ``$COMPENDIUM_DATA_CACHE`` if set (made absolute), else ``data/cache``."""
    return _env_path(CACHE_ENV) or DEFAULT_CACHE_DIR


def mirror_dir() -> Path | None:
    """The mirror folder ``$COMPENDIUM_DATA_MIRROR`` (made absolute), or ``None`` if the variable is not set."""
    return _env_path(MIRROR_ENV)


def registry_path() -> Path:
    """The registry in use: ``$COMPENDIUM_DATA_REGISTRY`` if set (made absolute), else ``data/registry.json``."""
    return _env_path(REGISTRY_ENV) or REGISTRY_PATH


def _offline() -> bool:
    return os.environ.get(OFFLINE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def _what_to_do() -> str:
    return (
        f"What to do: set {MIRROR_ENV}=/path/to/datasets (a folder laid out like the shared dataset mirror, "
        f"e.g. $MIRROR/tco/train.csv), or connect to the internet (and unset {OFFLINE_ENV}) so the file can "
        f"be downloaded into {cache_dir()}."
    )


# ------------------------------------------------------------------------------------------- registry
@functools.lru_cache(maxsize=8)
def _read_registry(path: str, mtime_ns: int, size: int) -> dict[str, Any]:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError(
            f"Cannot read the data registry {path} ({type(exc).__name__}: {exc}). What to do: "
            f"restore data/registry.json with git, or fix/unset {REGISTRY_ENV}."
        ) from None


def _registry() -> dict[str, Any]:
    """The registry in use, parsed once per version of the file (callers must not modify it)."""
    path = registry_path()
    try:
        st = path.stat()
    except OSError as exc:
        where = f" ({_env_shown(REGISTRY_ENV)})" if os.environ.get(REGISTRY_ENV, "").strip() else ""
        raise DataError(
            f"The data registry {path}{where} cannot be read: {exc.strerror}. What to do: restore "
            f"data/registry.json with git, or point {REGISTRY_ENV} at a registry file."
        ) from None
    return _read_registry(str(path), st.st_mtime_ns, st.st_size)


def registry() -> dict[str, Any]:
    """The parsed registry (``{"datasets": {...}, "files": {key: entry}}``), a fresh copy on every call.

    Each file entry has ``dataset, sha256, size, repository, commit, path, url, licence, citation
    (list of BibTeX keys), derived, used, description``; ``url`` is ``None`` for files derived in the
    mirror (the TCO tarball, whose ``members`` entry points to the per-file hash list instead).
    """
    return copy.deepcopy(_registry())


def _entry(key: str) -> dict[str, Any]:
    files = _registry()["files"]
    try:
        return files[key]
    except KeyError:
        close = difflib.get_close_matches(key, list(files), n=3)
        hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
        raise KeyError(
            f"{key!r} is not in the data registry {registry_path()}.{hint} The registered keys are "
            "listed by helpers.data.describe()['name']."
        ) from None


def describe(*, used_only: bool = False) -> pd.DataFrame:
    """The registry as a table, one row per registered file.

    Columns: ``name`` (registry key, the path under a data root), ``dataset``, ``sha256``, ``size``
    (bytes), ``url`` (pinned upstream URL; empty for derived files), ``repository``, ``commit``,
    ``licence``, ``citation`` (BibTeX keys, comma separated), ``derived`` (bool), ``used`` (bool: read by
    a loader), ``description``. ``used_only=True`` keeps the files the loaders read.
    """
    rows = []
    for key, e in _registry()["files"].items():
        rows.append(
            {
                "name": key,
                "dataset": e["dataset"],
                "sha256": e["sha256"],
                "size": e["size"],
                "url": e["url"] or "",
                "repository": e["repository"] or "",
                "commit": e["commit"] or "",
                "licence": e["licence"],
                "citation": ", ".join(e["citation"]),
                "derived": bool(e["derived"]),
                "used": bool(e["used"]),
                "description": e["description"],
            }
        )
    df = pd.DataFrame(rows)
    if used_only:
        df = df[df["used"]].reset_index(drop=True)
    return df


# -------------------------------------------------------------------------------------- verification
def sha256_file(path: str | os.PathLike) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _fix(where: str, path: Path) -> str:
    if where == "cache":
        return f"Delete the corrupted cache file ({path}) and load again."
    if where == "download":
        return "Nothing was written to the cache; the upstream file has changed or the transfer was corrupted."
    return (
        f"The {where} copy is not the registered file: restore it from the upstream URL or point {MIRROR_ENV} "
        "at an intact mirror."
    )


def _present(path: Path, key: str, where: str) -> bool:
    """True if a regular file is at ``path``, False if nothing is; DataError if something else is there."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return False
    except NotADirectoryError:
        parent = next((p for p in path.parents if p.is_file()), path.parent)
        raise DataError(
            f"The {where} entry for {key!r} cannot exist: {parent} is a file, not a folder. What to "
            f"do: {_remove_or_fix(where, parent)}"
        ) from None
    except OSError as exc:
        raise DataError(
            f"Cannot look at the {where} entry for {key!r} ({path}): {exc.strerror}. What to do: make "
            f"the folder readable, or {_remove_or_fix(where, path)}"
        ) from None
    if stat.S_ISREG(st.st_mode):
        return True
    kind = "a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file"
    raise DataError(
        f"The {where} entry for {key!r} is {kind}: {path}. It must be the data file itself. What to "
        f"do: {_remove_or_fix(where, path)}"
    )


def _remove_or_fix(where: str, path: Path) -> str:
    if where == "cache":
        return (
            f"remove it (rm -r '{path}') and load again (the file is then taken from the mirror or "
            f"downloaded), or set {CACHE_ENV} to another folder."
        )
    return f"fix the mirror (it must be laid out like the shared dataset mirror) or point {MIRROR_ENV} elsewhere."


def _read_verified(path: Path, key: str, sha256: str, size: int | None, where: str) -> bytes:
    """The bytes of ``path``, read once, checked against ``size`` and ``sha256`` (DataIntegrityError)."""
    limit = size if size is not None else MAX_UNSIZED_BYTES
    try:
        with open(path, "rb") as fh:
            blob = fh.read(limit + 1)  # one byte more than expected: a longer file is detected, not read whole
    except IsADirectoryError:
        raise DataError(
            f"The {where} entry for {key!r} is a directory: {path}. What to do: {_remove_or_fix(where, path)}"
        ) from None
    except OSError as exc:
        raise DataError(
            f"Cannot read the {where} file for {key!r} ({path}): {exc.strerror}. What to do: make it "
            f"readable, or {_remove_or_fix(where, path)}"
        ) from None
    if size is not None and len(blob) != size:
        got = f"{len(blob) if len(blob) <= size else 'more than ' + str(size)} bytes (expected {size})"
    elif len(blob) > limit:
        got = f"more than {limit} bytes"
    else:
        actual = hashlib.sha256(blob).hexdigest()
        if actual == sha256:
            return blob
        got = f"sha256 {actual}"
    raise DataIntegrityError(
        f"Data file {key!r} in the {where} failed verification: {path} has {got}, but the registry "
        f"expects sha256 {sha256}. It was not used. {_fix(where, path)}"
    )


# -------------------------------------------------------------------------------------------- download
class _DownloadFailed(Exception):
    pass


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9.]", "", socket.gethostname())[:64] or "host"


_TMP_NAME = re.compile(r"\.download-(?P<host>[A-Za-z0-9.]+)-(?P<pid>\d+)-[^-]*")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: existence check only (POSIX)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: it exists, owned by someone else
        return True
    return True


def _stale(folder: Path) -> bool:
    """A download folder is stale if its process (on this host) is gone, or if it is older than a day."""
    m = _TMP_NAME.fullmatch(folder.name)
    if m and os.name == "posix" and m["host"] == _host() and not _pid_alive(int(m["pid"])):
        return True
    try:
        return time.time() - folder.stat().st_mtime > STALE_DOWNLOAD_AGE
    except OSError:
        return False


def _clean_stale_downloads(cache: Path) -> None:
    """Remove ``.download-*`` folders that killed processes left in ``cache`` (a SIGKILL skips ``finally``)."""
    try:
        candidates = [p for p in cache.glob(".download-*") if p.is_dir() and not p.is_symlink()]
    except OSError:
        return
    for folder in candidates:
        if _stale(folder):
            shutil.rmtree(folder, ignore_errors=True)


def _unwritable(cache: Path, key: str, exc: OSError) -> DataError:
    if cache.exists() and not cache.is_dir():
        what = f"the cache folder {cache} is a file, not a folder"
    else:
        what = f"the cache folder {cache} is not writable ({exc.strerror})"
    return DataError(
        f"Cannot download {key!r}: {what}. What to do: make it a writable folder (e.g. chmod u+w '{cache}'), set "
        f"{CACHE_ENV} to a writable folder, or set {MIRROR_ENV} to a folder that already holds the data."
    )


def _download(url: str, dest: Path, key: str, sha256: str, size: int | None, *, progressbar: bool = True) -> bytes:
    """Download ``url`` to ``dest`` and return the verified bytes.

    The transfer goes into a private temporary folder inside the cache; the bytes are verified there and
    written to a new file (so it gets the process umask's mode, not the temporary file's 0600), which is then
    renamed into place. A failed or corrupted download leaves nothing behind; a killed one leaves a folder
    named after its host and process, removed by the next fetch once that process is gone.
    """
    import pooch  # imported here: no network library is touched at import time
    import requests

    cache = cache_dir()
    try:
        cache.mkdir(parents=True, exist_ok=True)
        tmpdir = Path(tempfile.mkdtemp(prefix=f".download-{_host()}-{os.getpid()}-", dir=cache))
    except OSError as exc:
        raise _unwritable(cache, key, exc) from None
    logger = pooch.get_logger()
    level = logger.level
    if not progressbar:  # per-file downloads of the geometries: one progress bar over files, no log lines
        logger.setLevel("WARNING")
    try:
        try:
            got = Path(
                pooch.retrieve(
                    url, known_hash=f"sha256:{sha256}", fname=dest.name, path=tmpdir, progressbar=progressbar
                )
            )
        except ValueError as exc:  # pooch's hash mismatch (its temporary file is already removed)
            raise DataIntegrityError(
                f"Downloaded {url} for {key!r}, but its sha256 does not match the registry ({sha256}); "
                f"nothing was written to the cache. pooch said: {exc}"
            ) from None
        except (requests.exceptions.RequestException, OSError) as exc:
            raise _DownloadFailed(f"{type(exc).__name__}: {exc}") from exc
        blob = _read_verified(got, key, sha256, size, "download")  # belt and braces: size + hash, once
        try:
            final = tmpdir / "verified"
            with open(final, "xb") as fh:  # a new file: mode 0666 & ~umask, like any file the user creates
                fh.write(blob)
            dest.parent.mkdir(parents=True, exist_ok=True)  # only now: a failed download leaves no empty folders
            os.replace(final, dest)
        except OSError as exc:
            raise _unwritable(cache, key, exc) from None
        return blob
    finally:
        logger.setLevel(level)
        shutil.rmtree(tmpdir, ignore_errors=True)


# ------------------------------------------------------------------------------------------ resolution
def _mirror_checked() -> Path | None:
    """The mirror folder, or None if unset; DataError if it names something that is not a folder."""
    mirror = mirror_dir()
    if mirror is not None and mirror.exists() and not mirror.is_dir():
        raise DataError(
            f"{_env_shown(MIRROR_ENV)} names a file, not a folder. What to do: point {MIRROR_ENV} at the folder "
            "that holds tco/, elpasolite/ and tmc/ (laid out like the shared dataset mirror), or unset it."
        )
    return mirror


def _resolve(key: str, progressbar: bool = True) -> tuple[Path | None, bytes | None, list[str]]:
    """Try cache → mirror → download for ``key``; return (path, verified bytes, places tried)."""
    e = _entry(key)
    sha, size = e["sha256"], e["size"]
    tried = []
    cache = cache_dir()
    cached = cache / key
    if cache.is_dir():
        _clean_stale_downloads(cache)
    if _present(cached, key, "cache"):
        return cached, _read_verified(cached, key, sha, size, "cache"), tried
    tried.append(f"cache:    {cached} (not found)")
    mirror = _mirror_checked()
    if mirror is None:
        tried.append(f"mirror:   {MIRROR_ENV} not set")
    elif not mirror.is_dir():
        tried.append(
            f"mirror:   {mirror / key} (not found: the folder {mirror} does not exist; {_env_shown(MIRROR_ENV)})"
        )
    else:
        mirrored = mirror / key
        if _present(mirrored, key, "mirror"):
            return mirrored, _read_verified(mirrored, key, sha, size, "mirror"), tried
        tried.append(f"mirror:   {mirrored} (not found; {_env_shown(MIRROR_ENV)})")
    url = e.get("url")
    if not url:
        tried.append("download: none (derived file with no upstream URL)")
    elif _offline():
        tried.append(f"download: {url} (skipped: {OFFLINE_ENV}={os.environ.get(OFFLINE_ENV)})")
    else:
        try:
            return cached, _download(url, cached, key, sha, size, progressbar=progressbar), tried
        except _DownloadFailed as exc:
            tried.append(f"download: {url} (failed: {exc})")
    return None, None, tried


def _numbered(tried: list[str], start: int = 1) -> str:
    return "\n  ".join(f"{i}. {t}" for i, t in enumerate(tried, start))


def _not_found(key: str, tried: list[str]) -> DataNotFoundError:
    return DataNotFoundError(
        f"Cannot find data file {key!r} (expected sha256 {_entry(key)['sha256']}). Places tried:\n  "
        + _numbered(tried)
        + "\n"
        + _what_to_do()
    )


def _fetch(key: str, progressbar: bool = True) -> tuple[Path, bytes]:
    """(path, verified bytes) of ``key``, or DataNotFoundError listing every place tried."""
    path, blob, tried = _resolve(key, progressbar)
    if path is None or blob is None:
        raise _not_found(key, tried)
    return path, blob


def fetch_bytes(key: str, *, progressbar: bool = True) -> bytes:
    """The verified bytes of the registered file ``key`` (e.g. ``"tco/train.csv"``), read once.

    Looks in the cache (:func:`cache_dir`), then the mirror (:func:`mirror_dir`), then downloads the pinned
    upstream URL into the cache (unless ``COMPENDIUM_OFFLINE=1``). The bytes returned are the bytes whose
    size and sha256 were checked, so parse these rather than opening the file again.

    Raises
    ------
    DataIntegrityError
        the file found (cache, mirror or download) has the wrong size or sha256; it is not used.
    DataNotFoundError
        the file is nowhere; the message lists every place tried and why it failed.
    DataError
        a place is misconfigured (a cache entry that is a folder, a mirror that is a file, an unwritable
        cache); the message says what to do.
    """
    return _fetch(key, progressbar)[1]


def fetch(key: str, *, progressbar: bool = True) -> Path:
    """Path of the verified local copy of the registered file ``key`` (e.g. ``"tco/train.csv"``).

    Same places and errors as :func:`fetch_bytes`; files found in the mirror are used in place (not
    copied). The file was verified when this returned; to parse it, use :func:`fetch_bytes`, which
    returns the verified bytes (opening the path again would read whatever is there by then).
    """
    return _fetch(key, progressbar)[0]
