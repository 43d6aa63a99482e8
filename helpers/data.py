"""The only module that knows where the data live: verified loading of the three datasets.

Every file the compendium reads is listed in the committed registry ``data/registry.json`` (sha256, size,
pinned upstream URL ``https://raw.githubusercontent.com/OWNER/REPO/COMMIT/PATH``, licence status,
citation key). A file is named by its registry key, a path relative to a *data root*, e.g.
``"tco/train.csv"``. :func:`fetch` resolves a key in this order and stops at the first place that has it:

1. the cache ``data/cache/<key>`` (git-ignored; located from this package, never from the working
   directory);
2. the mirror ``$COMPENDIUM_DATA_MIRROR/<key>`` (a folder laid out like the shared dataset mirror);
3. a download of the pinned upstream URL with pooch (progress bar) into ``data/cache/<key>``; skipped
   when ``COMPENDIUM_OFFLINE=1``.

Every file is sha256-verified before use, wherever it comes from. A file that is present but has the
wrong size or hash (cache or mirror) raises :class:`DataIntegrityError`; it is never silently used and
never silently replaced (delete a corrupted cache file and load again). A download is written to a
temporary folder inside the cache, verified, and only then moved into place, so a failed or corrupted
download leaves nothing behind. Nothing touches the network at import time.

The TCO geometries (3000 small files) come from the repackaged tarball ``tco/geometry.tar.xz`` (cache or
mirror, verified against the registry); without it, the 3000 upstream files are read from (or downloaded
into) ``data/cache/tco/geometry/<train|test>/<id>/geometry.xyz``, each verified against the committed
per-file hash list ``data/tco/geometry_files.sha256``.

Public API: :func:`load_tco`, :func:`load_elpasolites`, :func:`load_spin_splitting`,
:func:`load_rac_descriptors`, :func:`describe`, :func:`registry`, :func:`fetch`, :func:`parse_geometry`,
:data:`DATASETS` and the :class:`DataError` exceptions.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from helpers._safe_unpickle import NUMPY_ARRAY_GLOBALS, UnsafePickleError, restricted_load

#: Repository root (the folder holding ``_config.yml``), found from this file, never from the cwd.
ROOT = Path(__file__).resolve().parents[1]
#: Committed registry folder (registry, per-dataset READMEs, the TCO per-file hash list).
DATA_DIR = ROOT / "data"
#: The registry file.
REGISTRY_PATH = DATA_DIR / "registry.json"
#: Local cache of fetched files (git-ignored). Tests monkeypatch this attribute.
CACHE_DIR = DATA_DIR / "cache"
#: Environment variable naming the mirror folder (layout: ``$MIRROR/tco/train.csv`` ...).
MIRROR_ENV = "COMPENDIUM_DATA_MIRROR"
#: Environment variable that, set to 1/true/yes, forbids downloads.
OFFLINE_ENV = "COMPENDIUM_OFFLINE"
#: The datasets this module loads.
DATASETS = ("tco", "elpasolite", "tmc")

GEOMETRY_KEY = "tco/geometry.tar.xz"

__all__ = [
    "DATASETS", "DataError", "DataNotFoundError", "DataIntegrityError", "GeometryParseError",
    "UnsafePickleError", "TCOData", "registry", "describe", "fetch", "sha256_file", "parse_geometry",
    "load_tco", "load_elpasolites", "load_spin_splitting", "load_rac_descriptors",
]


# --------------------------------------------------------------------------------------------- errors
class DataError(Exception):
    """Base class of every data-layer error."""


class DataNotFoundError(DataError, FileNotFoundError):
    """A registered file is in none of the places tried (cache, mirror, download)."""


class DataIntegrityError(DataError):
    """A file exists but its size or sha256 differs from the registry."""


class GeometryParseError(DataError, ValueError):
    """A TCO ``geometry.xyz`` file does not follow the expected format (message names file and line)."""


_WHAT_TO_DO = (
    "What to do: set {env}=/path/to/datasets (a folder laid out like the shared dataset mirror, e.g. "
    "$MIRROR/tco/train.csv), or connect to the internet (and unset {off}) so the file can be downloaded into "
    "{cache}."
)


def _what_to_do() -> str:
    return _WHAT_TO_DO.format(env=MIRROR_ENV, off=OFFLINE_ENV, cache=CACHE_DIR)


# ------------------------------------------------------------------------------------------- registry
@functools.lru_cache(maxsize=1)
def _load_registry() -> dict[str, Any]:
    return json.loads(REGISTRY_PATH.read_text(encoding="utf-8"))


def registry() -> dict[str, Any]:
    """The parsed registry ``data/registry.json`` (``{"datasets": {...}, "files": {key: entry}}``).

    Each file entry has ``dataset, sha256, size, repository, commit, path, url, licence, citation
    (list of BibTeX keys), derived, used, description``; ``url`` is ``None`` for files derived in the
    mirror (the TCO tarball, whose ``members`` entry points to the per-file hash list instead).
    """
    return _load_registry()


def _entry(key: str) -> dict[str, Any]:
    try:
        return registry()["files"][key]
    except KeyError:
        raise KeyError(f"{key!r} is not in the data registry {REGISTRY_PATH}") from None


def describe(used_only: bool = False) -> pd.DataFrame:
    """The registry as a table, one row per registered file.

    Columns: ``name`` (registry key, the path under a data root), ``dataset``, ``sha256``, ``size``
    (bytes), ``url`` (pinned upstream URL; empty for derived files), ``repository``, ``commit``,
    ``licence``, ``citation`` (BibTeX keys, comma separated), ``derived`` (bool), ``used`` (bool: read by
    a loader), ``description``. ``used_only=True`` keeps the files the loaders read.
    """
    rows = []
    for key, e in registry()["files"].items():
        rows.append({"name": key, "dataset": e["dataset"], "sha256": e["sha256"], "size": e["size"],
                     "url": e["url"] or "", "repository": e["repository"] or "", "commit": e["commit"] or "",
                     "licence": e["licence"], "citation": ", ".join(e["citation"]),
                     "derived": bool(e["derived"]), "used": bool(e["used"]), "description": e["description"]})
    df = pd.DataFrame(rows)
    if used_only:
        df = df[df["used"]].reset_index(drop=True)
    return df


# --------------------------------------------------------------------------------------- resolution
def sha256_file(path: str | os.PathLike) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _offline() -> bool:
    return os.environ.get(OFFLINE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def _mirror() -> Path | None:
    value = os.environ.get(MIRROR_ENV, "").strip()
    return Path(value).expanduser() if value else None


def _check(path: Path, key: str, sha256: str, size: int | None, where: str) -> None:
    """Raise DataIntegrityError unless ``path`` has the registered size and sha256."""
    actual_size = path.stat().st_size
    actual = sha256_file(path) if size is None or actual_size == size else None
    if actual != sha256:
        got = f"sha256 {actual}" if actual else f"{actual_size} bytes (expected {size})"
        if where == "cache":
            fix = f"Delete the corrupted cache file ({path}) and load again."
        elif where == "download":
            fix = "Nothing was written to the cache; the upstream file has changed or the transfer was corrupted."
        else:
            fix = (f"The {where} copy is not the registered file: restore it from the upstream URL or "
                   f"point {MIRROR_ENV} at an intact mirror.")
        raise DataIntegrityError(
            f"Data file {key!r} in the {where} failed verification: {path} has {got}, but the registry "
            f"expects sha256 {sha256}. It was not used. {fix}")


def _download(url: str, dest: Path, key: str, sha256: str, size: int | None, *, progressbar: bool = True) -> None:
    """Download ``url`` to ``dest`` atomically: temp folder in the cache → verify → rename into place."""
    import pooch  # imported here: no network library is touched at import time
    import requests

    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    tmpdir = Path(tempfile.mkdtemp(prefix=".download-", dir=CACHE_DIR))
    logger = pooch.get_logger()
    level = logger.level
    if not progressbar:  # per-file downloads of the geometries: one progress bar over files, no log lines
        logger.setLevel("WARNING")
    try:
        try:
            got = Path(pooch.retrieve(url, known_hash=f"sha256:{sha256}", fname=dest.name, path=tmpdir,
                                      progressbar=progressbar))
        except ValueError as exc:  # pooch's hash mismatch (its temporary file is already removed)
            raise DataIntegrityError(
                f"Downloaded {url} for {key!r}, but its sha256 does not match the registry ({sha256}); "
                f"nothing was written to the cache. pooch said: {exc}") from None
        except (requests.exceptions.RequestException, OSError) as exc:
            raise _DownloadFailed(f"{type(exc).__name__}: {exc}") from exc
        _check(got, key, sha256, size, "download")  # belt and braces: size + hash, before the move
        dest.parent.mkdir(parents=True, exist_ok=True)  # only now: a failed download leaves no empty folders
        os.replace(got, dest)
    finally:
        logger.setLevel(level)
        shutil.rmtree(tmpdir, ignore_errors=True)


class _DownloadFailed(Exception):
    pass


def _resolve(key: str, progressbar: bool = True) -> tuple[Path | None, list[str]]:
    """Try cache → mirror → download for ``key``; return (verified path or None, places tried)."""
    e = _entry(key)
    sha, size = e["sha256"], e["size"]
    tried = []
    cached = CACHE_DIR / key
    if cached.is_file():
        _check(cached, key, sha, size, "cache")
        return cached, tried
    tried.append(f"cache:    {cached} (not found)")
    mirror = _mirror()
    if mirror is None:
        tried.append(f"mirror:   {MIRROR_ENV} not set")
    else:
        mirrored = mirror / key
        if mirrored.is_file():
            _check(mirrored, key, sha, size, "mirror")
            return mirrored, tried
        tried.append(f"mirror:   {mirrored} (not found; {MIRROR_ENV}={mirror})")
    url = e.get("url")
    if not url:
        tried.append("download: none (derived file with no upstream URL)")
    elif _offline():
        tried.append(f"download: {url} (skipped: {OFFLINE_ENV}={os.environ.get(OFFLINE_ENV)})")
    else:
        try:
            _download(url, cached, key, sha, size, progressbar=progressbar)
            return cached, tried
        except _DownloadFailed as exc:
            tried.append(f"download: {url} (failed: {exc})")
    return None, tried


def _numbered(tried: list[str], start: int = 1) -> str:
    return "\n  ".join(f"{i}. {t}" for i, t in enumerate(tried, start))


def fetch(key: str, *, progressbar: bool = True) -> Path:
    """Path of the verified local copy of the registered file ``key`` (e.g. ``"tco/train.csv"``).

    Looks in ``data/cache/<key>``, then ``$COMPENDIUM_DATA_MIRROR/<key>``, then downloads the pinned
    upstream URL into the cache (unless ``COMPENDIUM_OFFLINE=1``). Files found in the mirror are used
    in place (not copied).

    Raises
    ------
    DataIntegrityError
        the file found (cache, mirror or download) has the wrong size or sha256; it is not used.
    DataNotFoundError
        the file is nowhere; the message lists every place tried and why it failed.
    """
    path, tried = _resolve(key, progressbar)
    if path is not None:
        return path
    raise DataNotFoundError(
        f"Cannot find data file {key!r} (expected sha256 {_entry(key)['sha256']}). Places tried:\n  "
        + _numbered(tried) + "\n" + _what_to_do())


# ----------------------------------------------------------------------------------- TCO geometries
_ELEMENTS_TCO = frozenset({"Al", "Ga", "In", "O"})
_STRUCTURE_CACHE: dict[tuple[str, ...], dict[str, Any]] = {}


def parse_geometry(text: str, source: str = "<geometry>") -> tuple[np.ndarray, list[str], np.ndarray]:
    """Parse one TCO ``geometry.xyz`` file strictly.

    The files are FHI-aims ``geometry.in`` files written by ASE (not XYZ despite the name): ``#`` comment
    lines, three ``lattice_vector x y z`` lines and one ``atom x y z El`` line per atom, Cartesian Å.
    pymatgen has no reader for this format and ase's (ext)xyz readers do not apply. ase's ``format="aims"``
    reader does read them (the tests compare against it), but it is lenient, gives no line numbers and is
    being moved out of ase into a plugin (FutureWarning in ase 3.29), so this ~30-line parser is used: it
    accepts exactly the lines above, El in {Al, Ga, In, O}, and reports the file and line of any deviation.

    Returns
    -------
    lattice : (3, 3) float array, rows are the lattice vectors in Å.
    species : list of element symbols, one per atom.
    coords : (n_atoms, 3) float array of Cartesian coordinates in Å.

    Raises
    ------
    GeometryParseError
        naming ``source`` and the 1-based line number.
    """
    lattice: list[list[float]] = []
    species: list[str] = []
    coords: list[list[float]] = []

    def fail(lineno: int, why: str, line: str = "") -> GeometryParseError:
        shown = f": {line.strip()!r}" if line else ""
        return GeometryParseError(f"{source}, line {lineno}: {why}{shown}")

    lineno = 0
    for lineno, line in enumerate(text.splitlines(), 1):
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        kind = fields[0]
        if kind == "lattice_vector":
            if len(fields) != 4:
                raise fail(lineno, "expected 'lattice_vector x y z'", line)
            if species:
                raise fail(lineno, "lattice_vector after the first atom line", line)
            if len(lattice) == 3:
                raise fail(lineno, "more than three lattice_vector lines", line)
            target: list[list[float]] = lattice
        elif kind == "atom":
            if len(fields) != 5:
                raise fail(lineno, "expected 'atom x y z El'", line)
            if fields[4] not in _ELEMENTS_TCO:
                raise fail(lineno, f"unexpected element {fields[4]!r} (allowed: Al, Ga, In, O)", line)
            if len(lattice) != 3:
                raise fail(lineno, f"atom line before three lattice_vector lines (found {len(lattice)})", line)
            species.append(fields[4])
            target = coords
        else:
            raise fail(lineno, f"unknown line type {kind!r} (expected '#', 'lattice_vector' or 'atom')", line)
        try:
            xyz = [float(v) for v in fields[1:4]]
        except ValueError:
            raise fail(lineno, "coordinates are not numbers", line) from None
        if not all(np.isfinite(xyz)):
            raise fail(lineno, "non-finite coordinate", line)
        target.append(xyz)
    if len(lattice) != 3:
        raise fail(lineno, f"found {len(lattice)} lattice_vector lines, expected 3 (end of file)")
    if not species:
        raise fail(lineno, "no atom lines (end of file)")
    lat = np.array(lattice)
    if abs(np.linalg.det(lat)) < 1e-6:
        raise fail(lineno, "the three lattice vectors are linearly dependent (end of file)")
    return lat, species, np.array(coords)


def _member_hashes() -> dict[str, str]:
    """``{member path: sha256}`` for the 3000 geometry files, from the committed, verified hash list."""
    members = _entry(GEOMETRY_KEY)["members"]
    return _read_member_hashes(members["hashes"], members["hashes_sha256"])


@functools.lru_cache(maxsize=4)
def _read_member_hashes(rel: str, expected: str) -> dict[str, str]:
    path = DATA_DIR / rel
    if sha256_file(path) != expected:
        raise DataIntegrityError(f"The committed hash list {path} does not match the registry sha256 {expected}; "
                                 "restore it with git (git checkout -- data/).")
    out = {}
    for line in path.read_text(encoding="ascii").splitlines():
        sha, member = line.split()
        out[member] = sha
    return out


def _structure(lattice: np.ndarray, species: list[str], coords: np.ndarray):
    from pymatgen.core import Lattice, Structure

    return Structure(Lattice(lattice), species, coords, coords_are_cartesian=True)


def _parse_members(blobs: dict[str, bytes], where: str) -> dict[str, Any]:
    hashes = _member_hashes()
    if set(blobs) != set(hashes):
        missing, extra = sorted(set(hashes) - set(blobs)), sorted(set(blobs) - set(hashes))
        raise DataIntegrityError(f"{where}: the geometry files do not match the registered list "
                                 f"(missing {missing[:3]}…{len(missing)}, unexpected {extra[:3]}…{len(extra)}).")
    out = {}
    for member in hashes:
        blob = blobs[member]
        if hashlib.sha256(blob).hexdigest() != hashes[member]:
            raise DataIntegrityError(f"{where}: member {member} has sha256 {hashlib.sha256(blob).hexdigest()}, "
                                     f"the registry expects {hashes[member]}. It was not used.")
        out[member] = _structure(*parse_geometry(blob.decode("ascii"), f"{where}:{member}"))
    return out


def _geometry_files(progressbar: bool = True) -> tuple[str, dict[str, bytes] | Path]:
    """Locate the geometries: ``("tarball", path)`` or ``("files", {member: bytes})``; verified."""
    e = _entry(GEOMETRY_KEY)
    tarball, tarball_tried = _resolve(GEOMETRY_KEY, progressbar)
    if tarball is not None:
        return "tarball", tarball
    hashes = _member_hashes()
    root = CACHE_DIR / "tco" / "geometry"
    template = e["members"]["url_template"]
    blobs: dict[str, bytes] = {}
    missing = []
    for member, sha in hashes.items():
        path = root / member
        if path.is_file():
            _check(path, f"tco/geometry/{member}", sha, None, "cache")
            blobs[member] = path.read_bytes()
        else:
            missing.append(member)
    if missing:
        why = None
        if _offline():
            why = f"skipped: {OFFLINE_ENV}={os.environ.get(OFFLINE_ENV)}"
        else:
            from tqdm.auto import tqdm

            try:
                for member in tqdm(missing, desc="TCO geometry files", unit="file", disable=not progressbar):
                    url = template.format(member=member)
                    _download(url, root / member, f"tco/geometry/{member}", hashes[member], None, progressbar=False)
                    blobs[member] = (root / member).read_bytes()
            except _DownloadFailed as exc:
                why = f"failed at {member}: {exc}"
        if why is not None:
            raise DataNotFoundError(
                f"Cannot find the TCO geometries: neither the tarball {GEOMETRY_KEY!r} (expected sha256 "
                f"{e['sha256']}) nor the {len(hashes)} upstream files are available "
                f"({len(missing)} missing from {root}). Places tried:\n  {_numbered(tarball_tried)}\n"
                f"  4. per-file cache: {root}/<train|test>/<id>/geometry.xyz ({len(missing)} of {len(hashes)} missing)\n"
                f"  5. per-file download: {template.format(member='<member>')} ({why})\n" + _what_to_do())
    return "files", blobs


def _tco_structures(progressbar: bool = True) -> dict[str, Any]:
    """``{member path: pymatgen Structure}`` for the 3000 geometries; parsed once per process.

    The in-memory cache is keyed on the registry hashes, and the sources are re-verified on every call
    (cheap), so a file tampered with after the first load is still reported.
    """
    kind, src = _geometry_files(progressbar)
    e = _entry(GEOMETRY_KEY)
    key = (e["sha256"], e["members"]["hashes_sha256"])
    if key in _STRUCTURE_CACHE:
        return _STRUCTURE_CACHE[key]
    if kind == "tarball":
        blobs = {}
        with tarfile.open(src, "r:xz") as tar:
            for info in tar:
                if not info.isfile():
                    raise DataIntegrityError(f"{src}: unexpected non-file member {info.name!r}")
                blobs[info.name] = tar.extractfile(info).read()
        structures = _parse_members(blobs, str(src))
    else:
        structures = _parse_members(src, str(CACHE_DIR / "tco" / "geometry"))
    _STRUCTURE_CACHE[key] = structures
    return structures


# ---------------------------------------------------------------------------------------------- TCO
@dataclass(frozen=True)
class TCOData:
    """The TCO dataset: ``train`` (2,400 rows) and ``test`` (600 rows, with labels) DataFrames."""

    train: pd.DataFrame
    test: pd.DataFrame

    def __iter__(self):  # allows ``train, test = load_tco()``
        return iter((self.train, self.test))

    def __getitem__(self, split: str) -> pd.DataFrame:  # allows ``load_tco()["train"]``
        if split not in ("train", "test"):
            raise KeyError(split)
        return getattr(self, split)


_TCO_COLUMNS = [
    "id", "spacegroup", "number_of_total_atoms", "percent_atom_al", "percent_atom_ga", "percent_atom_in",
    "lattice_vector_1_ang", "lattice_vector_2_ang", "lattice_vector_3_ang", "lattice_angle_alpha_degree",
    "lattice_angle_beta_degree", "lattice_angle_gamma_degree", "formation_energy_ev_natom", "bandgap_energy_ev",
]


def _read_tco_csv(key: str, n: int) -> pd.DataFrame:
    df = pd.read_csv(fetch(key))
    if list(df.columns) != _TCO_COLUMNS or len(df) != n or list(df["id"]) != list(range(1, n + 1)):
        raise DataIntegrityError(f"{key}: unexpected columns or ids")  # unreachable for the registered bytes
    df["number_of_total_atoms"] = df["number_of_total_atoms"].astype(int)
    return df


def load_tco(structures: bool = True, progressbar: bool = True) -> TCOData:
    """Load the NOMAD 2018 Kaggle transparent-conductor dataset {cite:p}`sutton2019`.

    3000 (Al_x Ga_y In_z)_2N O_3N compounds: ``train.csv`` (2,400 rows) and ``labeled_test.csv`` (600 rows,
    the Kaggle test set with the labels the organisers published), plus a pymatgen ``Structure`` per compound
    from its ``geometry.xyz``.

    Parameters
    ----------
    structures : add the ``structure`` column (parsing takes ~3-4 s once per process; cached in memory).
    progressbar : show a progress bar if files must be downloaded.

    Returns
    -------
    TCOData
        ``.train`` and ``.test`` DataFrames (also ``train, test = load_tco()`` or ``load_tco()["train"]``),
        one row per compound, with columns (the DataFrames are new on every call; the ``Structure``
        objects are parsed once per process and shared, so copy one before mutating it):

        ============================== ==================================================================
        ``id``                         row id within its split (1..2400 train, 1..600 test)
        ``spacegroup``                 space-group number (12, 33, 167, 194, 206, 227)
        ``number_of_total_atoms``      atoms in the cell (int: 10, 20, 30, 40, 60, 80)
        ``percent_atom_al/ga/in``      cation fractions x, y, z (fractions of 1, not percent)
        ``lattice_vector_{1,2,3}_ang`` lattice vector lengths, Å
        ``lattice_angle_{alpha,beta,gamma}_degree`` lattice angles, degrees
        ``formation_energy_ev_natom``  formation energy, eV/atom (target)
        ``bandgap_energy_ev``          band gap, eV (target)
        ``structure``                  pymatgen ``Structure`` (Cartesian Å), if ``structures=True``
        ============================== ==================================================================

    Caveats: 7 duplicate train pairs and one train/test pair have identical geometry but different targets.
    """
    train = _read_tco_csv("tco/train.csv", 2400)
    test = _read_tco_csv("tco/labeled_test.csv", 600)
    if structures:
        s = _tco_structures(progressbar)
        train["structure"] = pd.Series([s[f"train/{i}/geometry.xyz"] for i in train["id"]], dtype=object)
        test["structure"] = pd.Series([s[f"test/{i}/geometry.xyz"] for i in test["id"]], dtype=object)
    return TCOData(train=train, test=test)


# --------------------------------------------------------------------------------------- elpasolite
@functools.lru_cache(maxsize=1)
def _symbols() -> tuple[str, ...]:
    from pymatgen.core.periodic_table import Element

    return ("",) + tuple(Element.from_Z(z).symbol for z in range(1, 119))


def load_elpasolites() -> pd.DataFrame:
    """Load the 10,590 ABC2D6 elpasolite formation energies {cite:p}`faber2016`.

    Built from the upstream jeherr pickle ``train_set.pkl`` (read only through a restricted unpickler that
    admits ``numpy.ndarray``, ``numpy.dtype`` and ``numpy.core.multiarray._reconstruct``). Its ``ANs`` are
    atomic numbers on the sites [A, B, C, D] of A B C2 D6 and its ``FEs`` energies per formula unit of 10
    atoms. Rows keep the original ``TrainingSet.pkl`` order.

    Returns
    -------
    pandas.DataFrame
        10,590 rows, columns:

        ========================================= ======================================================
        ``formula``                               ``A B C2 D6`` in site order, e.g. ``AlNaK2F6``
        ``A``, ``B``, ``C``, ``D``                element symbols on the 1-, 1-, 2- and 6-fold sites
        ``Z_A``, ``Z_B``, ``Z_C``, ``Z_D``        the same as atomic numbers (int)
        ``formation_energy_eV_per_atom``          formation energy, eV/atom (= ``FEs / 10``)
        ``formation_energy_eV_per_formula_unit``  formation energy, eV per formula unit of 10 atoms
        ========================================= ======================================================

    Caveat: A and B are both octahedral sites; their order is a labelling convention (34 A/B-swapped pairs
    differ by at most 0.014 eV/atom).
    """
    key = "elpasolite/sources/jeherr__train_set.pkl"
    path = fetch(key)
    obj = restricted_load(path.read_bytes(), allowed=NUMPY_ARRAY_GLOBALS, source=str(path))
    if not (isinstance(obj, dict) and {"ANs", "FEs"} <= set(obj)):
        raise DataIntegrityError(f"{path}: expected a dict with 'ANs' and 'FEs'")
    ans = np.asarray(obj["ANs"], dtype=np.int64)
    fes = np.asarray(obj["FEs"], dtype=np.float64)
    if ans.shape != (10590, 4) or fes.shape != (10590,):
        raise DataIntegrityError(f"{path}: unexpected shapes {ans.shape}, {fes.shape}")
    sym = _symbols()
    df = pd.DataFrame({site: [sym[z] for z in ans[:, i]] for i, site in enumerate("ABCD")})
    df.insert(0, "formula", df["A"] + df["B"] + df["C"] + "2" + df["D"] + "6")
    for i, site in enumerate("ABCD"):
        df[f"Z_{site}"] = ans[:, i]
    df["formation_energy_eV_per_atom"] = fes / 10
    df["formation_energy_eV_per_formula_unit"] = fes
    return df


# ---------------------------------------------------------------------------------------------- TMC
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


def _read_names(key: str, header: bool) -> list[str]:
    lines = fetch(key).read_text(encoding="ascii").splitlines()
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
    racs = pd.read_csv(fetch(_TMC + "split_x.csv"))
    if racs.shape != (1717, 155):
        raise DataIntegrityError(f"{_TMC}split_x.csv: unexpected shape {racs.shape}")
    return racs


def load_spin_splitting(descriptors: bool = False) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
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
    y = pd.read_csv(fetch(_TMC + "split_y.csv"))["x"].to_numpy(dtype=float)
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
    metal, eq, ax1, ax2, ahf = zip(*parts)
    hfx = np.array([int(a) for a in ahf]) / 100
    if not np.allclose(hfx, racs["alpha"].to_numpy(), atol=1e-9):
        raise DataIntegrityError(f"{_TMC}: ahf/100 in the names disagrees with the alpha column")
    ox = racs["ox"].to_numpy()
    if not np.array_equal(ox, np.round(ox)) or not set(ox) <= {2, 3}:
        raise DataIntegrityError(f"{_TMC}split_x.csv: ox column is not 2/3")
    table = pd.DataFrame({
        "name": names, "metal": [_METALS[m] for m in metal], "oxidation_state": ox.astype(int),
        "eq_ligand": eq, "ax1_ligand": ax1, "ax2_ligand": ax2, "hfx": hfx, "delta_e_hl_kcal_mol": y,
        "split": _interleave(names, train, test),
    })
    return (table, racs) if descriptors else table
