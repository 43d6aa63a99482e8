"""The TCO dataset (NOMAD 2018 Kaggle transparent conductors): the two CSV tables and the 3000 geometries.

The geometries come from the repackaged tarball ``tco/geometry.tar.xz`` (cache or mirror, verified against
the registry); without it, the 3000 upstream files are read from (or downloaded into)
``<cache>/tco/geometry/<train|test>/<id>/geometry.xyz``, each verified against the committed per-file hash
list ``data/tco/geometry_files.sha256``.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import re
import tarfile
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from helpers.data import store
from helpers.data.errors import DataIntegrityError, DataNotFoundError, GeometryParseError

GEOMETRY_KEY = "tco/geometry.tar.xz"
#: Largest absolute value of any coordinate or lattice-vector component :func:`parse_geometry` accepts, Å.
MAX_COORDINATE = 1.0e3
#: Range of the cell volume per atom :func:`parse_geometry` accepts, Å³ (the TCO cells have 8.8-14.6).
VOLUME_PER_ATOM = (1.0, 1.0e3)

__all__ = ["GEOMETRY_KEY", "TCOData", "parse_geometry", "load_tco"]

_ELEMENTS_TCO = frozenset({"Al", "Ga", "In", "O"})
_STRUCTURE_CACHE: dict[tuple[str, ...], dict[str, Any]] = {}
# An ASCII decimal number: no '_' separators, no non-ASCII digits, no 'nan'/'inf' (Python's float() takes all)
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_NOT_PRINTABLE = re.compile(r"[^\t\r\n\x20-\x7e]")  # allowed: tabs, CR/LF line ends and printable ASCII


def parse_geometry(text: str | bytes, *, source: str = "<geometry>") -> tuple[np.ndarray, list[str], np.ndarray]:
    """Parse one TCO ``geometry.xyz`` file strictly.

    The files are FHI-aims ``geometry.in`` files written by ASE (not XYZ despite the name): ``#`` comment
    lines, three ``lattice_vector x y z`` lines and one ``atom x y z El`` line per atom, Cartesian Å.
    pymatgen has no reader for this format and ase's (ext)xyz readers do not apply. ase's ``format="aims"``
    reader does read them (the tests compare against it), but it is lenient, gives no line numbers and is
    being moved out of ase into a plugin (FutureWarning in ase 3.29), so this small parser is used.

    It accepts exactly the lines above, in printable ASCII, with El in {Al, Ga, In, O} and:

    - every number an ASCII decimal (``-1.5``, ``2``, ``3.0e-4``; not ``2_5``, not non-ASCII digits, not
      ``nan``/``inf``) with absolute value at most :data:`MAX_COORDINATE` (1000 Å);
    - a cell volume ``|det(lattice)|`` per atom within :data:`VOLUME_PER_ATOM` (1 to 1000 Å³ per atom;
      condensed matter is about 5-50, the TCO cells 8.8-14.6).

    Parameters
    ----------
    text : the file's content (``bytes`` are decoded as ASCII).
    source : how to name the file in error messages.

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
    text = _ascii_text(text, source)
    lattice, species, coords, linenos, last = _geometry_lines(text, source)
    lat, xyz = np.array(lattice), np.array(coords)
    too_big = np.flatnonzero((np.abs(np.vstack([lat, xyz])) > MAX_COORDINATE).any(axis=1))
    if too_big.size:
        n = linenos[too_big[0]]
        raise _geometry_error(source, n, f"coordinate beyond ±{MAX_COORDINATE:g} Å", text.split("\n")[n - 1])
    volume = abs(float(np.linalg.det(lat)))
    if volume < 1e-6:
        raise _geometry_error(source, last, "the three lattice vectors are linearly dependent (end of file)")
    per_atom = volume / len(species)
    lo, hi = VOLUME_PER_ATOM
    if not lo <= per_atom <= hi:
        raise _geometry_error(
            source,
            last,
            f"cell volume {volume:.4g} Å³ is {per_atom:.4g} Å³ per atom, outside "
            f"the physically sensible {lo:g}-{hi:g} Å³ per atom (end of file)",
        )
    return lat, species, xyz


def _geometry_error(source: str, lineno: int, why: str, line: str = "") -> GeometryParseError:
    shown = f": {line.strip()!r}" if line else ""
    return GeometryParseError(f"{source}, line {lineno}: {why}{shown}")


def _ascii_text(text: str | bytes, source: str) -> str:
    """The file as text, refusing non-ASCII bytes and unprintable characters with their line number."""
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("ascii")
        except UnicodeDecodeError as exc:
            lineno = text[: exc.start].count(b"\n") + 1
            raise GeometryParseError(f"{source}, line {lineno}: non-ASCII byte {text[exc.start]:#04x}") from None
    bad = _NOT_PRINTABLE.search(text)
    if bad:
        lineno = text.count("\n", 0, bad.start()) + 1
        raise _geometry_error(
            source, lineno, f"character {bad.group()!r} (only printable ASCII is allowed)", text.split("\n")[lineno - 1]
        )
    return text


def _geometry_lines(text: str, source: str):
    """The lattice vectors, species and coordinates of the lines, in file order; with the line number of each
    lattice vector and atom, and the number of the last line (for errors at the end of the file)."""
    lattice: list[list[float]] = []
    species: list[str] = []
    coords: list[list[float]] = []
    linenos: list[int] = []  # line of each lattice vector, then of each atom
    lineno = 0
    for lineno, line in enumerate(text.split("\n"), 1):
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        kind = fields[0]
        if kind == "lattice_vector":
            if len(fields) != 4:
                raise _geometry_error(source, lineno, "expected 'lattice_vector x y z'", line)
            if species:
                raise _geometry_error(source, lineno, "lattice_vector after the first atom line", line)
            if len(lattice) == 3:
                raise _geometry_error(source, lineno, "more than three lattice_vector lines", line)
            target: list[list[float]] = lattice
        elif kind == "atom":
            if len(fields) != 5:
                raise _geometry_error(source, lineno, "expected 'atom x y z El'", line)
            if fields[4] not in _ELEMENTS_TCO:
                raise _geometry_error(
                    source, lineno, f"unexpected element {fields[4]!r} (allowed: Al, Ga, In, O)", line
                )
            if len(lattice) != 3:
                raise _geometry_error(
                    source, lineno, f"atom line before three lattice_vector lines (found {len(lattice)})", line
                )
            species.append(fields[4])
            target = coords
        else:
            raise _geometry_error(
                source, lineno, f"unknown line type {kind!r} (expected '#', 'lattice_vector' or 'atom')", line
            )
        if not all(map(_NUMBER.fullmatch, fields[1:4])):
            raise _geometry_error(source, lineno, "coordinates are not ASCII decimal numbers", line)
        target.append([float(fields[1]), float(fields[2]), float(fields[3])])
        linenos.append(lineno)
    if len(lattice) != 3:
        raise _geometry_error(source, lineno, f"found {len(lattice)} lattice_vector lines, expected 3 (end of file)")
    if not species:
        raise _geometry_error(source, lineno, "no atom lines (end of file)")
    return lattice, species, coords, linenos, lineno


# ------------------------------------------------------------------------------------------ geometries
def _member_hashes() -> dict[str, str]:
    """``{member path: sha256}`` for the 3000 geometry files, from the committed, verified hash list."""
    members = store._entry(GEOMETRY_KEY)["members"]
    path = store.registry_path().parent / members["hashes"]
    try:
        st = path.stat()
    except OSError as exc:
        raise DataIntegrityError(
            f"The committed hash list {path} cannot be read ({exc.strerror}); restore it "
            "with git (git checkout -- data/)."
        ) from None
    return _read_member_hashes(str(path), st.st_mtime_ns, members["hashes_sha256"])


@functools.lru_cache(maxsize=4)
def _read_member_hashes(path: str, mtime_ns: int, expected: str) -> dict[str, str]:
    with open(path, "rb") as fh:
        blob = fh.read()
    if hashlib.sha256(blob).hexdigest() != expected:
        raise DataIntegrityError(
            f"The committed hash list {path} does not match the registry sha256 {expected}; "
            "restore it with git (git checkout -- data/)."
        )
    out = {}
    for line in blob.decode("ascii").splitlines():
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
        raise DataIntegrityError(
            f"{where}: the geometry files do not match the registered list "
            f"(missing {missing[:3]}…{len(missing)}, unexpected {extra[:3]}…{len(extra)})."
        )
    out = {}
    for member in hashes:
        blob = blobs[member]
        actual = hashlib.sha256(blob).hexdigest()
        if actual != hashes[member]:
            raise DataIntegrityError(
                f"{where}: member {member} has sha256 {actual}, the registry expects {hashes[member]}. It was not used."
            )
        out[member] = _structure(*parse_geometry(blob, source=f"{where}:{member}"))
    return out


def _geometry_files(progressbar: bool = True) -> tuple[str, bytes | dict[str, bytes], str]:
    """The geometries as ``("tarball", verified bytes, path)`` or ``("files", {member: verified bytes}, root)``."""
    e = store._entry(GEOMETRY_KEY)
    path, tarball, tarball_tried = store._resolve(GEOMETRY_KEY, progressbar)
    if tarball is not None:
        return "tarball", tarball, str(path)
    hashes = _member_hashes()
    root = store.cache_dir() / "tco" / "geometry"
    template = e["members"]["url_template"]
    blobs: dict[str, bytes] = {}
    missing = []
    for member, sha in hashes.items():
        path = root / member
        key = f"tco/geometry/{member}"
        if store._present(path, key, "cache"):
            blobs[member] = store._read_verified(path, key, sha, None, "cache")
        else:
            missing.append(member)
    if missing:
        why = None
        if store._offline():
            why = f"skipped: {store.OFFLINE_ENV}={os.environ.get(store.OFFLINE_ENV)}"
        else:
            from tqdm.auto import tqdm

            try:
                for member in tqdm(missing, desc="TCO geometry files", unit="file", disable=not progressbar):
                    url = template.format(member=member)
                    blobs[member] = store._download(
                        url, root / member, f"tco/geometry/{member}", hashes[member], None, progressbar=False
                    )
            except store._DownloadFailed as exc:
                why = f"failed at {member}: {exc}"
        if why is not None:
            n = len(tarball_tried)
            raise DataNotFoundError(
                f"Cannot find the TCO geometries: neither the tarball {GEOMETRY_KEY!r} (expected sha256 "
                f"{e['sha256']}) nor the {len(hashes)} upstream files are available "
                f"({len(missing)} missing from {root}). Places tried:\n  {store._numbered(tarball_tried)}\n"
                f"  {n + 1}. per-file cache: {root}/<train|test>/<id>/geometry.xyz ({len(missing)} of "
                f"{len(hashes)} missing)\n"
                f"  {n + 2}. per-file download: {template.format(member='<member>')} ({why})\n" + store._what_to_do()
            )
    return "files", blobs, str(root)


def _tco_structures(progressbar: bool = True) -> dict[str, Any]:
    """``{member path: pymatgen Structure}`` for the 3000 geometries; parsed once per process.

    The in-memory cache is keyed on the registry hashes, and the sources are re-verified on every call
    (cheap), so a file tampered with after the first load is still reported.
    """
    kind, src, where = _geometry_files(progressbar)
    e = store._entry(GEOMETRY_KEY)
    key = (e["sha256"], e["members"]["hashes_sha256"])
    if key in _STRUCTURE_CACHE:
        return _STRUCTURE_CACHE[key]
    if kind == "tarball":
        blobs = {}
        with tarfile.open(fileobj=io.BytesIO(src), mode="r:xz") as tar:  # the verified bytes, not the file
            for info in tar:
                if not info.isfile():
                    raise DataIntegrityError(f"{where}: unexpected non-file member {info.name!r}")
                blobs[info.name] = tar.extractfile(info).read()
        structures = _parse_members(blobs, where)
    else:
        structures = _parse_members(src, where)
    _STRUCTURE_CACHE[key] = structures
    return structures


# ------------------------------------------------------------------------------------------------ tables
@dataclass(frozen=True)
class TCOData:
    """The TCO dataset: ``train`` (2,400 rows) and ``test`` (600 rows, with labels) DataFrames."""

    train: pd.DataFrame
    test: pd.DataFrame

    def __iter__(self):  # allows ``train, test = load_tco()``
        return iter((self.train, self.test))

    def __getitem__(self, split: str) -> pd.DataFrame:  # allows ``load_tco()["train"]``
        if split not in ("train", "test"):
            raise KeyError(f"{split!r}: a TCOData has the splits 'train' and 'test'")
        return getattr(self, split)


_TCO_COLUMNS = [
    "id",
    "spacegroup",
    "number_of_total_atoms",
    "percent_atom_al",
    "percent_atom_ga",
    "percent_atom_in",
    "lattice_vector_1_ang",
    "lattice_vector_2_ang",
    "lattice_vector_3_ang",
    "lattice_angle_alpha_degree",
    "lattice_angle_beta_degree",
    "lattice_angle_gamma_degree",
    "formation_energy_ev_natom",
    "bandgap_energy_ev",
]


def _read_tco_csv(key: str, n: int, progressbar: bool) -> pd.DataFrame:
    df = pd.read_csv(io.BytesIO(store.fetch_bytes(key, progressbar=progressbar)))
    if list(df.columns) != _TCO_COLUMNS or len(df) != n or list(df["id"]) != list(range(1, n + 1)):
        raise DataIntegrityError(f"{key}: unexpected columns or ids")  # unreachable for the registered bytes
    df["number_of_total_atoms"] = df["number_of_total_atoms"].astype(int)
    return df


def load_tco(*, structures: bool = True, progressbar: bool = True) -> TCOData:
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
    train = _read_tco_csv("tco/train.csv", 2400, progressbar)
    test = _read_tco_csv("tco/labeled_test.csv", 600, progressbar)
    if structures:
        s = _tco_structures(progressbar)
        train["structure"] = pd.Series([s[f"train/{i}/geometry.xyz"] for i in train["id"]], dtype=object)
        test["structure"] = pd.Series([s[f"test/{i}/geometry.xyz"] for i in test["id"]], dtype=object)
    return TCOData(train=train, test=test)
