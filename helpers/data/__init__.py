"""The only code that knows where the data live: verified loading of the four datasets.

Every file the compendium reads is listed in the committed registry ``data/registry.json`` (sha256, size,
pinned upstream URL ``https://raw.githubusercontent.com/OWNER/REPO/COMMIT/PATH``, licence status,
citation key). A file is named by its registry key, a path relative to a *data root*, e.g.
``"tco/train.csv"``. :func:`fetch_bytes` resolves a key in this order and stops at the first place that
has it:

1. the cache :func:`cache_dir` ``/<key>`` (``$COMPENDIUM_DATA_CACHE``, default ``data/cache`` of the
   repository, git-ignored, located from this package, never from the working directory);
2. the mirror ``$COMPENDIUM_DATA_MIRROR/<key>`` (a folder laid out like the shared dataset mirror);
3. a download of the pinned upstream URL with pooch (progress bar) into the cache; skipped when
   ``COMPENDIUM_OFFLINE=1``.

Every file is sha256-verified before use, wherever it comes from, and the loaders parse the very bytes
that were hashed (a file swapped after the check is never parsed). A file that is present but has the
wrong size or hash (cache or mirror) raises :class:`DataIntegrityError`; it is never silently used and
never silently replaced (delete a corrupted cache file and load again). A download is written to a
temporary folder inside the cache, verified, and only then moved into place with the process umask's
mode, so a failed or corrupted download leaves nothing behind (and folders left by a killed process are
removed by the next fetch). A misconfigured place (a cache entry that is a folder, an unwritable cache,
a mirror that is a file) raises :class:`DataError` saying what to do. Nothing touches the network at
import time.

Modules: :mod:`~helpers.data.store` (registry, locations, verification, download), :mod:`~helpers.data.errors`,
:mod:`~helpers.data._unpickle` (the restricted loader of numpy pickles), and one module per dataset:
:mod:`~helpers.data.tco`, :mod:`~helpers.data.elpasolite`, :mod:`~helpers.data.tmc`,
:mod:`~helpers.data.perovskite`, :mod:`~helpers.data.composition`.

Public API: :func:`load_tco`, :func:`load_elpasolites`, :func:`load_spin_splitting`,
:func:`load_rac_descriptors`, :func:`load_perovskites`, :func:`load_double_perovskites`,
:func:`describe`, :func:`registry`, :func:`fetch`, :func:`fetch_bytes`,
:func:`cache_dir`, :func:`mirror_dir`, :func:`parse_geometry`, :data:`DATASETS` and the
:class:`DataError` exceptions.
"""

# explicit imports, so that tools and IDEs follow every name to the module that defines it
from helpers.data.composition import COMPOSITION_SPLITS, load_composition_ef, load_composition_published, parse_formulas
from helpers.data.elpasolite import load_elpasolites
from helpers.data.errors import DataError, DataIntegrityError, DataNotFoundError, GeometryParseError, UnsafePickleError
from helpers.data.perovskite import PEROVSKITE_ANIONS, load_double_perovskites, load_perovskites
from helpers.data.store import (
    CACHE_ENV,
    DATA_DIR,
    DATASETS,
    DEFAULT_CACHE_DIR,
    MIRROR_ENV,
    OFFLINE_ENV,
    REGISTRY_ENV,
    REGISTRY_PATH,
    ROOT,
    cache_dir,
    describe,
    fetch,
    fetch_bytes,
    mirror_dir,
    registry,
    registry_path,
    sha256_file,
)
from helpers.data.tco import GEOMETRY_KEY, TCOData, load_tco, parse_geometry
from helpers.data.tmc import load_rac_descriptors, load_spin_splitting

__all__ = [
    "cache_dir",
    "CACHE_ENV",
    "DATA_DIR",
    "DataError",
    "DataIntegrityError",
    "DataNotFoundError",
    "DATASETS",
    "DEFAULT_CACHE_DIR",
    "describe",
    "fetch",
    "fetch_bytes",
    "GEOMETRY_KEY",
    "GeometryParseError",
    "load_double_perovskites",
    "load_elpasolites",
    "load_perovskites",
    "load_rac_descriptors",
    "load_spin_splitting",
    "load_tco",
    "mirror_dir",
    "MIRROR_ENV",
    "OFFLINE_ENV",
    "parse_geometry",
    "PEROVSKITE_ANIONS",
    "registry",
    "REGISTRY_ENV",
    "REGISTRY_PATH",
    "registry_path",
    "ROOT",
    "sha256_file",
    "TCOData",
    "UnsafePickleError",
    "COMPOSITION_SPLITS",
    "load_composition_ef",
    "load_composition_published",
    "parse_formulas",
]
