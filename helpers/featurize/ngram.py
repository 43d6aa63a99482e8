"""n-gram counts of the metal–oxygen crystal graph of a TCO compound, after the NOMAD 2018 Kaggle winner.

The representation of the competition's winning entry {cite:p}`sutton2019` ("materials are similar to
documents"): the crystal is a graph whose nodes are atoms and whose edges are metal–oxygen bonds; a node
is labelled by its element and its coordination number (``Al6``: six-fold coordinated aluminium, ``O4``:
an oxygen bonded to four metals); an *n-gram* is a simple path of n bonded atoms, read as the sequence of
its node labels, a path and its reverse being the same n-gram (``Ga6-O4-In6``). The features are the
numbers of each n-gram per cell, normalised (by default) by the cell volume.

The bond rule
-------------
A metal M and an oxygen are bonded when their distance is ``d < f × (r_M + r_O)``, with the Shannon
radii ``r_O = 1.35``, ``r_Al = 0.535``, ``r_Ga = 0.62``, ``r_In = 0.80`` Å (:data:`SHANNON_RADII`) and a
factor ``f`` that depends on the space group (:data:`WINNER_BOND_FACTORS`: 12 → 1.4, 33 → 1.4, 167 → 1.5,
194 → 1.3, 206 → 1.5, 227 → 1.4 if the lattice angle γ < 60° else 1.5). There are no metal–metal and no
oxygen–oxygen edges. The factors are generous (a first-shell M–O bond is about 1.8–2.2 Å, the sum of the
radii), and sit in the gap between the first and the second coordination shells of the relaxed structures
(see :func:`metal_oxygen_distances`, which gives the histogram that justifies the rule).

Counting and normalisation
--------------------------
Periodic images are distinct atoms: the graph is the infinite periodic graph, built from pymatgen's
periodic neighbour search (:meth:`pymatgen.core.Structure.get_neighbor_list`), and a path may leave the
cell. The count of an n-gram *per cell* is the number of its (undirected) paths modulo lattice
translations, which is half the number of directed paths whose first atom lies in the cell (a path is
never a translate of its own reverse, so every class is counted exactly twice). These counts do not
depend on where the cell is drawn (translations, atoms wrapped by lattice vectors, the order of the
atoms), but they grow with the size of the cell. Dividing by the cell volume (``normalize="volume"``,
the winner's choice, unit Å⁻³) or by the number of atoms (``"atom"``, unit 1/atom) makes them intensive:
a 2×1×1 supercell of a compound has the same features as the compound. ``normalize=None`` keeps the raw
counts per cell.

What is refused, what warns
---------------------------
Every structure is checked before any neighbour search (:func:`check_structure`): it must be an ordered
pymatgen Structure with finite lattice and coordinates, a volume per atom between
:data:`MIN_VOLUME_PER_ATOM` and :data:`MAX_VOLUME_PER_ATOM` and lattice planes at least
:data:`MIN_PLANE_SPACING` apart (a nearly flat cell would make pymatgen's image search run for minutes). A
structure with no metal–oxygen bond under the bond rule (a cell scaled wrongly, e.g. given in nm or Bohr)
is refused too. A space group must be an integer, one of the six of the data. n-grams that ``fit`` never
saw are dropped by ``transform``; when they make up more than ``max_unseen_share`` of a row's n-gram
occurrences, ``transform`` warns (:class:`UnseenNGramWarning`), and :meth:`NGramFeaturizer.unseen` lists
them.

Speed: the neighbour search is pymatgen's (about 1 ms per 80-atom cell); the path enumeration is
vectorised numpy over blocks of compounds. All 3,000 NOMAD compounds take 8–13 s for 1- to 4-grams on a
shared 2-core machine (budget 30 s, checked in ``tests/test_featurize_ngram.py``; chapter 03 glues its
own measurement). The per-compound counts are memorised in the process (:data:`_MEMO`, keyed on a sha256
of the structure and the bond factor; never written to disk), so refits on subsets are nearly free.
"""

from __future__ import annotations

import hashlib
import numbers
import warnings

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from helpers.featurize.base import Featurizer, require_columns

__all__ = [
    "NGramFeaturizer",
    "UnseenNGramWarning",
    "SHANNON_RADII",
    "WINNER_BOND_FACTORS",
    "bond_factor",
    "check_spacegroup",
    "check_structure",
    "crystal_graph",
    "metal_oxygen_distances",
    "neighbourhood",
    "clear_memo",
    "MIN_VOLUME_PER_ATOM",
    "MAX_VOLUME_PER_ATOM",
    "MIN_PLANE_SPACING",
]

#: Shannon radii used by the winner's bond rule, Å.
SHANNON_RADII: dict[str, float] = {"Al": 0.535, "Ga": 0.62, "In": 0.80, "O": 1.35}
#: The winner's bond factor f per space group (227: 1.4 if γ < 60°, else 1.5; see :func:`bond_factor`).
WINNER_BOND_FACTORS: dict[int, float | tuple[float, float]] = {
    12: 1.4,
    33: 1.4,
    167: 1.5,
    194: 1.3,
    206: 1.5,
    227: (1.4, 1.5),
}
#: Bounds of a plausible cell, checked before any neighbour search (:func:`check_structure`). The 3,000
#: NOMAD compounds have 8.8–14.6 Å³/atom and lattice planes at least 2.6 Å apart; the bounds leave wide
#: margins around that, yet refuse a cell given in the wrong unit, a flattened cell (whose neighbour search
#: would take minutes: pymatgen's image search grows as 1/spacing³) and an atom-dense one (whose paths
#: would exhaust the memory).
MIN_VOLUME_PER_ATOM = 4.0  # Å³/atom
MAX_VOLUME_PER_ATOM = 50.0  # Å³/atom
MIN_PLANE_SPACING = 1.0  # Å, the smallest distance between adjacent lattice planes
ELEMENTS = ("Al", "Ga", "In", "O")
_O = 3
_RADII = np.array([SHANNON_RADII[e] for e in ELEMENTS])
_MAX_CN = 64  # node code = element * _MAX_CN + coordination number
_BASE = 4 * _MAX_CN  # path key = Σ code_k * _BASE**(n-1-k)
_MAX_N = 5
_BLOCK_ATOMS = 8000
_IMG_B = 64  # base of the packed lattice-image offsets
_B3 = _IMG_B**3  # atoms per block of the vectorised path enumeration (bounds the memory use)


# ----------------------------------------------------------------------------- the bond rule
class UnseenNGramWarning(UserWarning):
    """Rows of :meth:`NGramFeaturizer.transform` hold many n-grams that ``fit`` never saw (an extrapolation)."""


def check_spacegroup(value, *, where: str = "spacegroup") -> int:
    """The space-group number ``value`` as an int; a ValueError unless it is an integral number (167 or 167.0).

    167.9, ``"167"``, NaN and True are refused (``int()`` would read some of them silently). Whether the
    group is one the model knows is checked by the callers (:func:`bond_factor`).
    """
    is_bool = isinstance(value, (bool, np.bool_))
    integral = isinstance(value, numbers.Integral) or (
        isinstance(value, numbers.Real) and np.isfinite(value) and float(value).is_integer()
    )
    if is_bool or not integral:
        raise ValueError(
            f"{where}: a space group must be an integer number such as 167, got {value!r} "
            f"({type(value).__name__}); fix the 'spacegroup' column (for a structure of your own: the "
            f"group of the parent (Al, Ga, In)2O3 polymorph, one of {sorted(WINNER_BOND_FACTORS)})"
        )
    return int(value)


def bond_factor(spacegroup, gamma_degree: float | None = None, *, where: str | None = None) -> float:
    """The winner's bond factor f for a space group (``gamma_degree``, the lattice angle γ, needed for 227).

    ``spacegroup`` must be an integral number (167 or 167.0; not 167.9, ``"167"``, NaN or True). Raises a
    ValueError naming the known space groups for any other; its message starts with ``where`` (e.g.
    ``"row 3"``) if given.
    """
    sg = check_spacegroup(spacegroup, where=where or "bond_factor")
    prefix = f"{where}: " if where else ""
    if sg not in WINNER_BOND_FACTORS:
        raise ValueError(
            f"{prefix}no bond factor for space group {sg}: the winner's rule knows "
            f"{sorted(WINNER_BOND_FACTORS)} (the groups of the NOMAD 2018 data; for a structure of "
            "your own, give the group of the parent (Al, Ga, In)2O3 polymorph); or pass "
            "bond_factor=<float> to use one factor for all"
        )
    f = WINNER_BOND_FACTORS[sg]
    if isinstance(f, tuple):
        if gamma_degree is None:
            raise ValueError(f"{prefix}space group 227 needs the lattice angle gamma to choose its bond factor")
        return f[0] if gamma_degree < 60 else f[1]
    return float(f)


def check_structure(structure, *, where: str = "structure") -> None:
    """Refuse a structure that cannot be a relaxed TCO cell, before any (possibly very slow) neighbour search.

    Checks, in this order: a pymatgen Structure; ordered (one element per site); finite lattice matrix and
    coordinates; volume per atom between :data:`MIN_VOLUME_PER_ATOM` and :data:`MAX_VOLUME_PER_ATOM`
    (Å³/atom); the smallest distance between adjacent lattice planes, ``V / max |a_i × a_j|``, at least
    :data:`MIN_PLANE_SPACING` (Å). Raises a TypeError or ValueError that starts with ``where``.
    """
    if not hasattr(structure, "get_neighbor_list"):
        raise TypeError(f"{where}: 'structure' must hold pymatgen Structure objects, got {type(structure).__name__}")
    if not structure.is_ordered:
        site = next(i for i, x in enumerate(structure) if not x.is_ordered)
        raise ValueError(
            f"{where}: the structure is disordered (site {site} holds "
            f"{structure[site].species.formula}); the n-gram graph needs one element per site: "
            "featurize each ordering (e.g. pymatgen's OrderDisorderedStructureTransformation)"
        )
    matrix = np.asarray(structure.lattice.matrix, dtype=np.float64)
    if not np.all(np.isfinite(matrix)):
        raise ValueError(
            f"{where}: the lattice matrix has non-finite entries (NaN or inf): {matrix.tolist()}; "
            "fix the cell (lattice vectors in Å)"
        )
    bad = np.flatnonzero(~np.all(np.isfinite(structure.frac_coords), axis=1))
    if len(bad):
        raise ValueError(
            f"{where}: site(s) {bad[:10].tolist()} have non-finite coordinates (NaN or inf); fix the atomic positions"
        )
    volume = abs(float(np.linalg.det(matrix)))
    per_atom = volume / len(structure)
    if not MIN_VOLUME_PER_ATOM <= per_atom <= MAX_VOLUME_PER_ATOM:
        raise ValueError(
            f"{where}: the cell has {per_atom:.4g} Å³ per atom, outside the plausible "
            f"{MIN_VOLUME_PER_ATOM:g}–{MAX_VOLUME_PER_ATOM:g} Å³/atom of an (Al, Ga, In) oxide (the "
            "NOMAD compounds have 8.8–14.6); the cell is probably scaled wrongly (lattice not in Å?) "
            "or its lattice vectors are (nearly) coplanar"
        )
    areas = np.linalg.norm(np.cross(matrix[[0, 1, 2]], matrix[[1, 2, 0]]), axis=1)  # |a×b|, |b×c|, |c×a|
    spacing = volume / areas.max()
    if spacing < MIN_PLANE_SPACING:
        raise ValueError(
            f"{where}: adjacent lattice planes are only {spacing:.3g} Å apart (at least "
            f"{MIN_PLANE_SPACING:g} Å expected; the NOMAD cells have 2.6 Å or more): the cell is "
            "nearly flat; use a reduced cell (structure.get_reduced_structure()) or fix the lattice"
        )


def _element_codes(structure, where: str) -> np.ndarray:
    z = np.asarray(structure.atomic_numbers, dtype=np.int64)
    lookup = np.full(max(int(z.max(initial=0)), 49) + 1, -1, dtype=np.int64)
    lookup[[13, 31, 49, 8]] = np.arange(4)  # Al, Ga, In, O
    codes = lookup[z]
    if np.any(codes < 0):
        unknown = sorted({str(sp) for sp, c in zip(structure.species, codes, strict=True) if c < 0})
        raise ValueError(
            f"{where}: element(s) {unknown} not in {list(ELEMENTS)}; the TCO n-gram graph knows only Al, Ga, In and O"
        )
    if not np.any(codes == _O):
        raise ValueError(
            f"{where}: the structure has no oxygen, so it has no metal–oxygen bonds; "
            "NGramFeaturizer is for (Al, Ga, In) oxides"
        )
    if np.all(codes == _O):
        raise ValueError(f"{where}: the structure has no metal atom (Al, Ga or In)")
    return codes


def _bonds(structure, factor: float, where: str):
    """Directed M–O bonds of the periodic graph: (src, dst, image (E, 3), distance), both directions."""
    el = _element_codes(structure, where)
    r_max = factor * (float(_RADII[np.unique(el[el != _O])].max()) + SHANNON_RADII["O"])
    src, dst, image, dist = structure.get_neighbor_list(r_max)
    src, dst = src.astype(np.int64), dst.astype(np.int64)
    es, ed = el[src], el[dst]
    keep = ((es == _O) != (ed == _O)) & (dist < factor * (_RADII[es] + _RADII[ed]))
    if not keep.any():
        raise ValueError(
            f"{where}: no metal–oxygen bond under the bond rule (d < {factor:g} × (r_M + r_O), at "
            f"most {r_max:.2f} Å): the cell is probably scaled wrongly (lattice not in Å?) or is not a "
            "relaxed (Al, Ga, In) oxide; check structure.volume / len(structure) (the NOMAD compounds "
            "have 8.8–14.6 Å³/atom)"
        )
    return el, src[keep], dst[keep], np.asarray(image, dtype=np.int64)[keep], dist[keep]


def crystal_graph(structure, *, spacegroup=None, bond_factor_value: float | None = None):
    """The metal–oxygen graph of one structure, for inspection and drawing.

    Give ``spacegroup`` (the winner's factor is used) or ``bond_factor_value`` (a float). Returns a dict
    with ``elements`` (symbols), ``cn`` (coordination numbers), ``labels`` (``"Al6"`` …), ``factor``, and
    the directed bonds ``src``, ``dst``, ``image`` (lattice translation of ``dst``) and ``distance`` (Å),
    each bond listed in both directions.
    """
    check_structure(structure)
    factor = _resolve_factor(structure, spacegroup, bond_factor_value, "structure")
    el, src, dst, image, dist = _bonds(structure, factor, "structure")
    cn = np.bincount(src, minlength=len(el))
    labels = [f"{ELEMENTS[e]}{c}" for e, c in zip(el, cn, strict=True)]
    return {
        "elements": [ELEMENTS[e] for e in el],
        "cn": cn,
        "labels": labels,
        "factor": factor,
        "src": src,
        "dst": dst,
        "image": image,
        "distance": dist,
    }


def _resolve_factor(structure, spacegroup, value, where):
    if value is not None:
        return float(value)
    if spacegroup is None:
        raise ValueError(f"{where}: give spacegroup (for the winner's bond factors) or a float bond factor")
    return bond_factor(spacegroup, structure.lattice.gamma)


def metal_oxygen_distances(X, *, r_max: float = 4.0) -> pd.DataFrame:
    """Every metal–oxygen distance below ``r_max`` (Å) of each compound, with the bond cut-off that applies.

    ``X`` is the loader's DataFrame (``structure``, ``spacegroup``). Returns a tidy frame with one row per
    (metal, oxygen neighbour) pair seen from the metal: ``row`` (position in X), ``spacegroup``,
    ``metal``, ``distance`` (Å), ``cutoff`` (Å, ``f × (r_M + r_O)``) and ``bonded`` (distance < cutoff).
    This is the histogram that justifies the bond rule: bonds fall in a first peak well below the
    cut-off and the second shell lies beyond it.
    """
    _check_frame(X, need_spacegroup=True)
    parts = []
    for pos, (s, sg) in enumerate(zip(X["structure"], X["spacegroup"], strict=True)):
        check_structure(s, where=f"row {pos}")
        el = _element_codes(s, f"row {pos}")
        f = bond_factor(sg, s.lattice.gamma, where=f"row {pos}")
        src, dst, _, dist = s.get_neighbor_list(r_max)
        es, ed = el[src], el[dst]
        m = (es != _O) & (ed == _O)
        parts.append(
            (
                np.full(int(m.sum()), pos),
                np.full(int(m.sum()), int(sg)),
                es[m],
                dist[m],
                f * (_RADII[es[m]] + SHANNON_RADII["O"]),
            )
        )
    row, sg, metal, dist, cut = (np.concatenate(z) for z in zip(*parts, strict=True))
    return pd.DataFrame(
        {
            "row": row,
            "spacegroup": sg,
            "metal": np.array(ELEMENTS)[metal],
            "distance": dist,
            "cutoff": cut,
            "bonded": dist < cut,
        }
    )


def neighbourhood(
    structure, site: int, *, spacegroup=None, bond_factor_value: float | None = None, depth: int = 2
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The atoms within ``depth`` bonds of ``site`` and the bonds among them, in Cartesian Å.

    For drawing one atom's environment (chapter 03, Fig. 1). Returns ``(nodes, edges)``: ``nodes`` has
    columns ``node`` (0 = the centre), ``site``, ``image`` (as a tuple), ``element``, ``label``
    (``"Al6"``), ``depth`` (bonds from the centre), ``x``, ``y``, ``z`` and ``u``, ``v`` (Å, the
    coordinates relative to the centre projected on the plane of largest spread, for a 2-D drawing);
    ``edges`` has ``a``, ``b`` (node numbers) and ``distance`` (Å). Periodic images are distinct nodes.
    """
    g = crystal_graph(structure, spacegroup=spacegroup, bond_factor_value=bond_factor_value)
    if not 0 <= int(site) < len(g["elements"]):
        raise ValueError(f"site must be between 0 and {len(g['elements']) - 1}, got {site!r}")
    order = np.argsort(g["src"], kind="stable")
    src, dst, img, dist = g["src"][order], g["dst"][order], g["image"][order], g["distance"][order]
    ptr = np.searchsorted(src, np.arange(len(g["elements"]) + 1))
    nodes = {(int(site), (0, 0, 0)): (0, 0)}
    frontier = [(int(site), (0, 0, 0))]
    edges = []
    for d in range(1, depth + 1):
        nxt = []
        for a, ia in frontier:
            for e in range(ptr[a], ptr[a + 1]):
                key = (int(dst[e]), tuple(int(v) for v in np.add(ia, img[e])))
                if key not in nodes:
                    nodes[key] = (len(nodes), d)
                    nxt.append(key)
                edges.append((nodes[(a, ia)][0], nodes[key][0], float(dist[e])))
        frontier = nxt
    cart = structure.cart_coords
    mat = structure.lattice.matrix
    rows = []
    for (s, im), (k, d) in nodes.items():
        xyz = cart[s] + np.asarray(im) @ mat
        rows.append(
            {
                "node": k,
                "site": s,
                "image": im,
                "element": g["elements"][s],
                "label": g["labels"][s],
                "depth": d,
                "x": xyz[0],
                "y": xyz[1],
                "z": xyz[2],
            }
        )
    node_df = pd.DataFrame(rows).sort_values("node", ignore_index=True)
    # a view for drawing: the plane of largest spread of the atoms (principal axes), centre at the origin
    xyz = node_df[["x", "y", "z"]].to_numpy() - node_df.loc[0, ["x", "y", "z"]].to_numpy(dtype=float)
    _, _, vt = np.linalg.svd(xyz - xyz.mean(axis=0), full_matrices=False)
    uv = xyz @ vt[:2].T
    uv *= np.where(uv.sum(axis=0) < 0, -1.0, 1.0)  # fix the sign of each axis (SVD leaves it free)
    node_df["u"], node_df["v"] = uv[:, 0], uv[:, 1]
    e = pd.DataFrame(edges, columns=["a", "b", "distance"])
    e[["a", "b"]] = np.sort(e[["a", "b"]].to_numpy(), axis=1)
    edge_df = e.drop_duplicates(["a", "b"]).reset_index(drop=True)
    return node_df, edge_df


# ----------------------------------------------------------------------------- path enumeration
def _expand(ptr, first_edge_of_path_end):
    """For each path (given the node where it ends), the list of edges leaving that node: (path idx, edge)."""
    start, stop = ptr[first_edge_of_path_end], ptr[first_edge_of_path_end + 1]
    deg = stop - start
    path = np.repeat(np.arange(len(deg)), deg)
    offset = np.arange(deg.sum()) - np.repeat(np.cumsum(deg) - deg, deg)
    return path, start[path] + offset


def _paths_counts(codes, graph_id, src, dst, img, max_n):
    """Per-graph counts of canonical n-gram keys, n = 1..max_n; returns dict n -> (graph, key, weight).

    A path is held as the integer ids of its atoms in the infinite periodic graph, ``site * _B3 + packed
    cumulative image`` (signed base-``_IMG_B`` digits, exact while every image component stays below
    ``_IMG_B / 2`` in magnitude, i.e. for any path of at most five atoms), so "the path is simple" is an
    integer comparison.
    """
    out = {1: (graph_id, codes, np.ones(len(codes)))}
    if max_n == 1:
        return out
    order = np.lexsort((dst, src))
    src, dst, img = src[order], dst[order], img[order]
    ptr = np.searchsorted(src, np.arange(len(codes) + 1))
    step = (img[:, 0] * _IMG_B + img[:, 1]) * _IMG_B + img[:, 2]  # packed image of each edge
    atoms = np.column_stack([src * _B3, dst * _B3 + step])  # (paths, atoms so far)
    last_site, last_img, first = dst, step, src
    fwd = codes[src] * _BASE + codes[dst]  # label keys read forwards ...
    rev = codes[dst] * _BASE + codes[src]  # ... and backwards
    for n in range(2, max_n + 1):
        if n > 2:
            p, e = _expand(ptr, last_site)
            new_img = last_img[p] + step[e]
            new_atom = dst[e] * _B3 + new_img
            ok = np.all(atoms[p] != new_atom[:, None], axis=1)  # a simple path: no atom visited twice
            p, e, new_img, new_atom = p[ok], e[ok], new_img[ok], new_atom[ok]
            atoms = np.column_stack([atoms[p], new_atom])
            c = codes[dst[e]]
            fwd, rev = fwd[p] * _BASE + c, rev[p] + c * _BASE ** (n - 1)
            last_site, last_img, first = dst[e], new_img, first[p]
        out[n] = (graph_id[first], np.minimum(fwd, rev), np.full(len(fwd), 0.5))
    return out


def _name(key: int, n: int) -> str:
    codes = [(key // _BASE ** (n - 1 - k)) % _BASE for k in range(n)]
    fwd = [f"{ELEMENTS[c // _MAX_CN]}{c % _MAX_CN}" for c in codes]
    return "-".join(min(fwd, fwd[::-1]))


def _check_frame(X, need_spacegroup: bool):
    if not isinstance(X, pd.DataFrame):
        raise TypeError(
            f"X must be the loader's DataFrame (columns 'structure' and 'spacegroup'), "
            f"got {type(X).__name__}; e.g. NGramFeaturizer().fit(data.load_tco().train)"
        )
    need = ["structure"] + (["spacegroup"] if need_spacegroup else [])
    require_columns(X, need, source="helpers.data.load_tco()")  # 'spacegroup' selects the winner's bond factor
    if len(X) == 0:
        raise ValueError("X has no rows")


# ----------------------------------------------------------------------------- in-process memo
#: Per-compound counts already computed in this process, keyed on the structure's content (lattice,
#: Cartesian coordinates, atomic numbers: a sha256) and the bond factor. A refit on a subset, a second
#: pipeline or a second featurizer with a smaller ``max_n`` then costs no neighbour search. Only this
#: process sees it: nothing is written to disk, so a changed source or data file can never be served stale.
_MEMO: dict[bytes, tuple] = {}
_MEMO_MAX = 50_000


def _memo_key(structure, factor: float) -> bytes:
    h = hashlib.sha256()
    for arr in (
        structure.lattice.matrix,
        structure.cart_coords,
        np.asarray(structure.atomic_numbers, dtype=np.int64),
        np.array([factor]),
    ):
        h.update(np.ascontiguousarray(arr).tobytes())
    return h.digest()


def _memo_put(key: bytes, value: tuple) -> None:
    if len(_MEMO) >= _MEMO_MAX:
        _MEMO.clear()
    _MEMO[key] = value


def clear_memo() -> None:
    """Forget the per-compound counts memorised by :class:`NGramFeaturizer` in this process."""
    _MEMO.clear()


# ----------------------------------------------------------------------------- the featurizer
def _up_to(max_n, pos, n, key, cnt):
    """The counts ``(row, n, key, count)`` of the cell in row ``pos`` with n ≤ ``max_n``."""
    keep = n <= max_n
    return np.full(int(keep.sum()), pos), n[keep], key[keep], cnt[keep]


def _count_block(block, keys, max_n):
    """The n-gram counts of a block of cells, in one vectorised pass over their joined graphs.

    ``block`` holds ``(pos, codes, src, dst, img)`` per cell (its row, atom codes and bonds); ``keys`` maps
    a row to its memo key. Each cell's counts are memoised and returned as ``(row, n, key, count)``.
    Joining cells into blocks of about ``_BLOCK_ATOMS`` atoms amortises numpy's per-call cost.
    """
    if not block:
        return []
    offs = np.cumsum([0] + [len(b[1]) for b in block])
    codes = np.concatenate([b[1] for b in block])
    gid = np.repeat(np.arange(len(block)), np.diff(offs))
    src = np.concatenate([b[2] + o for b, o in zip(block, offs[:-1], strict=True)])
    dst = np.concatenate([b[3] + o for b, o in zip(block, offs[:-1], strict=True)])
    img = np.concatenate([b[4] for b in block]).reshape(-1, 3)
    got = []
    for n, (g, key, w) in _paths_counts(codes, gid, src, dst, img, max_n).items():
        scale = np.int64(_BASE) ** n  # key < _BASE**n: one int64 per (compound, key)
        uniq, inv = np.unique(g.astype(np.int64) * scale + key, return_inverse=True)
        cnt = np.bincount(inv.ravel(), weights=w, minlength=len(uniq))
        got.append((uniq // scale, np.full(len(uniq), n), uniq % scale, cnt))
    g, n, key, cnt = (np.concatenate(z) for z in zip(*got, strict=True))
    order = np.argsort(g, kind="stable")
    g, n, key, cnt = g[order], n[order], key[order], cnt[order]
    cuts = np.searchsorted(g, np.arange(len(block) + 1))
    parts = []
    for b, (pos, *_rest) in enumerate(block):
        sl = slice(cuts[b], cuts[b + 1])
        _memo_put(keys[pos], (max_n, n[sl], key[sl], cnt[sl]))
        parts.append(_up_to(max_n, pos, n[sl], key[sl], cnt[sl]))
    return parts


class NGramFeaturizer(Featurizer):
    """Counts of the 1- to ``max_n``-grams of the metal–oxygen crystal graph (see the module docstring).

    Parameters
    ----------
    max_n : int, 1..5, default 3
        Longest path counted; the features are all 1-, 2-, …, ``max_n``-grams (the winner's "3-gram"
        and "4-gram" models use 1–3 and 1–4).
    normalize : ``"volume"`` (default), ``"atom"`` or None
        Count per cell divided by the cell volume (Å⁻³), by the number of atoms in the cell (1/atom), or
        left as the raw count per cell.
    bond_factor : ``"winner"`` (default) or float
        ``"winner"``: the factor of :data:`WINNER_BOND_FACTORS` for each compound's space group (X must
        have a ``spacegroup`` column); a float: the same factor for every compound.
    min_compounds : int, default 1
        Keep an n-gram in the vocabulary only if it occurs in at least this many training compounds.
    max_unseen_share : float in [0, 1], default 0.05
        ``transform`` warns (:class:`UnseenNGramWarning`, naming the rows) when more than this share of a
        row's n-gram occurrences (1- to ``max_n``-grams, counted per cell) is outside the vocabulary. With
        the recipes' settings no test compound of the NOMAD data has any unseen n-gram, while a cell
        compressed to 0.8× its size has most of its occurrences unseen.

    ``fit(X)`` learns the vocabulary: every n-gram seen in the training compounds, ordered by n and then
    by name. ``transform(X)`` returns a dense float array (n_compounds, n_features). n-grams outside the
    vocabulary are dropped (with a warning above ``max_unseen_share``); :meth:`unseen` lists them per row.
    ``transform`` stores nothing on the featurizer, so a fitted one can serve several threads. Attributes
    after fit: ``feature_names_``, ``orders_`` (the n of each feature), ``n_features_out_``.
    """

    CITATIONS = ("sutton2019", "shannon1976", "ong2013")
    IMPLEMENTORS = ("The compendium authors (after the NOMAD 2018 Kaggle winner's n-gram representation)",)

    def __init__(
        self,
        max_n: int = 3,
        normalize: str | None = "volume",
        bond_factor: str | float = "winner",
        min_compounds: int = 1,
        max_unseen_share: float = 0.05,
    ):
        self.max_n = max_n
        self.normalize = normalize
        self.bond_factor = bond_factor
        self.min_compounds = min_compounds
        self.max_unseen_share = max_unseen_share

    # -- validation
    def _check_params(self):
        if not (isinstance(self.max_n, numbers.Integral) and 1 <= self.max_n <= _MAX_N):
            raise ValueError(f"max_n must be an integer from 1 to {_MAX_N}, got {self.max_n!r}")
        if self.normalize not in ("volume", "atom", None):
            raise ValueError(f"normalize must be 'volume', 'atom' or None, got {self.normalize!r}")
        bf = self.bond_factor
        if not (bf == "winner" or (isinstance(bf, numbers.Real) and not isinstance(bf, bool) and bf > 0)):
            raise ValueError(f"bond_factor must be 'winner' or a positive number, got {bf!r}")
        if not (isinstance(self.min_compounds, numbers.Integral) and self.min_compounds >= 1):
            raise ValueError(f"min_compounds must be a positive integer, got {self.min_compounds!r}")
        share = self.max_unseen_share
        if not (isinstance(share, numbers.Real) and not isinstance(share, bool) and 0 <= share <= 1):
            raise ValueError(
                f"max_unseen_share must be a number from 0 to 1 (a share of a row's n-gram occurrences), got {share!r}"
            )

    # -- the counts
    def _counts(self, X):
        """Counts per cell as a tidy set of arrays ``(row, n, key, count)`` and the normaliser of each row."""
        self._check_params()
        winner = self.bond_factor == "winner"
        _check_frame(X, need_spacegroup=winner)
        structures = list(X["structure"])
        sgs = list(X["spacegroup"]) if winner else [None] * len(structures)
        max_n = int(self.max_n)
        norm = np.empty(len(structures))
        parts, block, keys = [], [], {}
        n_atoms = 0
        for pos, s in enumerate(structures):
            where = f"row {pos}" + (f" (index {X.index[pos]!r})" if X.index[pos] != pos else "")
            check_structure(s, where=where)  # before the neighbour search, which can hang on a flat cell
            factor = bond_factor(sgs[pos], s.lattice.gamma, where=where) if winner else float(self.bond_factor)
            norm[pos] = {"volume": s.volume, "atom": len(s), None: 1.0}[self.normalize]
            keys[pos] = _memo_key(s, factor)
            hit = _MEMO.get(keys[pos])
            if hit is not None and hit[0] >= max_n:
                parts.append(_up_to(max_n, pos, *hit[1:]))
                continue
            el, src, dst, img, _ = _bonds(s, factor, where)
            cn = np.bincount(src, minlength=len(el))
            if cn.max(initial=0) >= _MAX_CN:
                raise ValueError(
                    f"{where}: coordination number {cn.max()} is implausible; is the bond factor "
                    f"{factor} far too large?"
                )
            block.append((pos, el * _MAX_CN + cn, src, dst, img))
            n_atoms += len(el)
            if n_atoms >= _BLOCK_ATOMS:
                parts.extend(_count_block(block, keys, max_n))
                block, n_atoms = [], 0
        parts.extend(_count_block(block, keys, max_n))
        row, n, key, cnt = (np.concatenate(z) for z in zip(*parts, strict=True))
        return row, n, key, cnt, norm

    def _learn(self, n, key, row):
        nk = np.column_stack([n, key])
        pairs, inv = np.unique(nk, axis=0, return_inverse=True)
        n_rows = np.bincount(inv.ravel(), minlength=len(pairs))  # (row, n, key) are unique: compounds per n-gram
        if n_rows.max() < self.min_compounds:
            raise ValueError(
                f"min_compounds={self.min_compounds} leaves no n-gram: the most widespread one occurs "
                f"in {n_rows.max()} of the {int(row.max()) + 1} training compounds; lower "
                "min_compounds or fit on more compounds"
            )
        pairs = pairs[n_rows >= self.min_compounds]
        names = [_name(int(k), int(m)) for m, k in pairs]
        order = sorted(range(len(pairs)), key=lambda i: (int(pairs[i, 0]), names[i]))
        pairs = pairs[order]
        self.feature_names_ = [names[i] for i in order]
        self.orders_ = pairs[:, 0].astype(np.int64)
        self._vocab_keys = pairs[:, 0] * _BASE**_MAX_N + pairs[:, 1]  # one int per (n, key)
        self._vocab_sorter = np.argsort(self._vocab_keys)
        self.n_features_out_ = len(pairs)

    def _columns(self, n, key):
        """The feature column of each (n, key), -1 for an n-gram outside the vocabulary."""
        code = n * _BASE**_MAX_N + key
        sk = self._vocab_keys[self._vocab_sorter]
        loc = np.minimum(np.searchsorted(sk, code), len(sk) - 1)
        return np.where(sk[loc] == code, self._vocab_sorter[loc], -1)

    def _matrix(self, row, col, cnt, norm):
        out = np.zeros((len(norm), self.n_features_out_))
        hit = col >= 0
        np.add.at(out, (row[hit], col[hit]), cnt[hit])
        return out / norm[:, None]

    def _unseen_table(self, X, row, n, key, cnt, col) -> pd.DataFrame:
        miss = col < 0
        total = np.bincount(row, weights=cnt, minlength=len(X))
        n_unseen = np.bincount(row[miss], weights=cnt[miss], minlength=len(X)).astype(np.float64)  # int if none
        ngrams = [{} for _ in range(len(X))]
        for r, m, k, c in zip(row[miss], n[miss], key[miss], cnt[miss], strict=True):
            ngrams[r][_name(int(k), int(m))] = float(c)
        return pd.DataFrame(
            {"n_unseen": n_unseen, "n_total": total, "share": n_unseen / total, "ngrams": ngrams}, index=X.index
        )

    def fit(self, X, y=None):
        """Learn the vocabulary of n-grams from the training compounds ``X`` (the loader's DataFrame)."""
        row, n, key, _, _ = self._counts(X)
        self._learn(n, key, row)
        return self

    def fit_transform(self, X, y=None):
        """``fit(X).transform(X)`` with one pass over the structures."""
        row, n, key, cnt, norm = self._counts(X)
        self._learn(n, key, row)
        return self._matrix(row, self._columns(n, key), cnt, norm)

    def transform(self, X):
        """n-gram counts of ``X`` over the fitted vocabulary, normalised as ``normalize`` says.

        n-grams outside the vocabulary are dropped; if they exceed ``max_unseen_share`` of a row's n-gram
        occurrences, an :class:`UnseenNGramWarning` names the rows (see :meth:`unseen`). Writes no attribute.
        """
        check_is_fitted(self, "feature_names_")
        row, n, key, cnt, norm = self._counts(X)
        col = self._columns(n, key)
        if np.any(col < 0):
            self._warn_unseen(self._unseen_table(X, row, n, key, cnt, col))
        return self._matrix(row, col, cnt, norm)

    def _warn_unseen(self, table: pd.DataFrame) -> None:
        over = np.flatnonzero(table["share"].to_numpy() > self.max_unseen_share)
        if not len(over):
            return
        shown = over[:10]
        more = f" and {len(over) - len(shown)} more" if len(over) > len(shown) else ""
        labels = table.index[shown].tolist()
        index = "" if labels == shown.tolist() else f" (index {labels})"
        shares = ", ".join(f"{100 * v:.0f} %" for v in table["share"].to_numpy()[shown])
        warnings.warn(
            f"rows {shown.tolist()}{more}{index}: {shares} of their n-gram occurrences were never seen in "
            f"fit (more than max_unseen_share = {100 * self.max_unseen_share:g} %); those n-grams are "
            "dropped, so a prediction from these rows is an extrapolation; see "
            "NGramFeaturizer.unseen(X) for which n-grams",
            UnseenNGramWarning,
            stacklevel=4,
        )

    def unseen(self, X) -> pd.DataFrame:
        """The n-gram occurrences of each row of ``X`` that are outside the fitted vocabulary.

        These are the occurrences ``transform`` drops: n-grams never seen in ``fit`` (or pruned there by
        ``min_compounds``). Returns a DataFrame with ``X``'s index and the columns ``n_unseen`` (unseen
        occurrences per cell, a count, not normalised), ``n_total`` (all 1- to ``max_n``-gram occurrences
        per cell), ``share`` (``n_unseen / n_total``, dimensionless; ``transform`` warns above
        ``max_unseen_share``) and ``ngrams`` (a dict, name → occurrences per cell, of the row's unseen
        n-grams). The distinct unseen n-grams of all rows: ``set().union(*featurizer.unseen(X).ngrams)``.
        Nothing is stored on the featurizer.
        """
        check_is_fitted(self, "feature_names_")
        row, n, key, cnt, _ = self._counts(X)
        return self._unseen_table(X, row, n, key, cnt, self._columns(n, key))
