"""Charts of crystal graphs (chapter 03): the n-gram schematic and the bond-length histogram of the TCO
compounds. Builders take computed results and never fit.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from helpers.style import KIND_COLOURS, PALETTE, axis_title

__all__ = ["ngram_schematic", "bond_length_chart", "ELEMENT_COLOURS"]

#: Colours of the four elements of the TCO compounds.
ELEMENT_COLOURS: dict[str, str] = {"Al": PALETTE[0], "Ga": PALETTE[4], "In": PALETTE[6], "O": PALETTE[2]}
_PATH_COLOUR = KIND_COLOURS["pair"]


def _canonical(labels) -> str:
    labels = list(labels)
    return "-".join(min(labels, labels[::-1]))


def ngram_schematic(
    nodes: pd.DataFrame, edges: pd.DataFrame, *, path, unit: str = "Å", size: int = 360
) -> alt.HConcatChart:
    """One atom's neighbourhood in the metal–oxygen graph, with a highlighted 3-atom path (Fig. 1).

    ``nodes``/``edges`` are the output of :func:`helpers.featurize.ngram.neighbourhood` (drawn at their
    ``u``, ``v`` projection, in ``unit``); ``path`` is a list of three node numbers, bonded in that order.
    Left: atoms coloured by element and labelled by element + coordination number, bonds grey, the path
    red. Right: the 1-, 2- and 3-gram that the path's first one, two and three atoms spell.
    """
    path = [int(p) for p in path]
    if len(path) != 3:
        raise ValueError(f"path must list three node numbers, got {path!r}")
    pairs = {tuple(sorted(e)) for e in edges[["a", "b"]].itertuples(index=False)}
    for a, b in zip(path, path[1:], strict=False):
        if tuple(sorted((a, b))) not in pairs:
            raise ValueError(f"nodes {a} and {b} of the path are not bonded")
    pos = nodes.set_index("node")[["u", "v"]]
    e = edges.assign(
        u=pos.u.loc[edges.a].to_numpy(),
        v=pos.v.loc[edges.a].to_numpy(),
        u2=pos.u.loc[edges.b].to_numpy(),
        v2=pos.v.loc[edges.b].to_numpy(),
    )
    on_path = {tuple(sorted(p)) for p in zip(path, path[1:], strict=False)}
    e["on_path"] = [tuple(sorted(ab)) in on_path for ab in zip(e.a, e.b, strict=True)]
    lo = float(min(nodes.u.min(), nodes.v.min())) - 0.6
    hi = float(max(nodes.u.max(), nodes.v.max())) + 0.6
    scale = alt.Scale(domain=[lo, hi], nice=False)
    x = alt.X("u:Q", title=axis_title("in-plane coordinate", unit), scale=scale)
    y = alt.Y("v:Q", title=axis_title("in-plane coordinate", unit), scale=scale)
    bonds = (
        alt.Chart(e)
        .mark_rule()
        .encode(
            x=x,
            y=y,
            x2="u2:Q",
            y2="v2:Q",
            color=alt.condition("datum.on_path", alt.value(_PATH_COLOUR), alt.value("#bbbbbb")),
            strokeWidth=alt.condition("datum.on_path", alt.value(4), alt.value(1.2)),
        )
    )
    nd = nodes.assign(on_path=nodes.node.isin(path))
    elements = [el for el in ELEMENT_COLOURS if el in set(nd.element)]
    atoms = (
        alt.Chart(nd)
        .mark_circle(opacity=1, stroke="black")
        .encode(
            x=x,
            y=y,
            size=alt.condition("datum.on_path", alt.value(420), alt.value(160)),
            strokeWidth=alt.condition("datum.on_path", alt.value(2), alt.value(0.3)),
            color=alt.Color(
                "element:N",
                title="element",
                scale=alt.Scale(domain=elements, range=[ELEMENT_COLOURS[el] for el in elements]),
            ),
            tooltip=["label:N", "depth:Q", alt.Tooltip("u:Q", format=".2f"), alt.Tooltip("v:Q", format=".2f")],
        )
    )
    text = alt.Chart(nd[nd.on_path]).mark_text(dy=-17, fontSize=13, fontWeight="bold").encode(x=x, y=y, text="label:N")
    graph = alt.layer(bonds, atoms, text).properties(width=size, height=size)
    lab = nodes.set_index("node").label
    grams = pd.DataFrame(
        {
            "n": [f"{k}-gram" for k in (1, 2, 3)],
            "ngram": [_canonical(lab.loc[path[:k]]) for k in (1, 2, 3)],
            "row": [0, 1, 2],
        }
    )
    listing = (
        alt.Chart(grams)
        .mark_text(align="left", fontSize=15, dx=4)
        .encode(y=alt.Y("row:O", axis=None), text="ngram:N", color=alt.value(_PATH_COLOUR))
    )
    kinds = (
        alt.Chart(grams).mark_text(align="right", fontSize=14, dx=-4).encode(y=alt.Y("row:O", axis=None), text="n:N")
    )
    side = alt.hconcat(
        kinds.properties(width=60, height=120), listing.properties(width=170, height=120), spacing=0
    ).properties(title="the red path spells")
    return alt.hconcat(graph, side)


def bond_length_chart(
    distances: pd.DataFrame, *, bins: int = 60, width: int = 230, height: int = 160
) -> alt.FacetChart:
    """Histogram of metal–oxygen distances divided by the bond cut-off, one panel per metal.

    ``distances`` is the frame of :func:`helpers.featurize.ngram.metal_oxygen_distances` (``metal``,
    ``distance``, ``cutoff``, ``bonded``). A ratio below 1 is a bond; the rule marks 1. Bars are coloured
    bonded / not bonded; counts are pairs (metal, oxygen) over all compounds given, binned here into
    ``bins`` equal bins (so a million pairs make a small chart).
    """
    need = {"metal", "distance", "cutoff", "bonded"}
    if not need <= set(distances.columns):
        raise KeyError(f"distances needs the columns {sorted(need)}")
    ratio = (distances.distance / distances.cutoff).to_numpy()
    lo = float(np.floor(ratio.min() * 10) / 10) if len(ratio) else 0.0
    hi = float(np.ceil(ratio.max() * 10) / 10) if len(ratio) else 2.0
    edges = np.linspace(lo, hi, bins + 1)
    rows = []  # binned here, so the chart embeds counts, not pairs
    for (metal, bonded), idx in distances.groupby(["metal", "bonded"]).groups.items():
        counts, _ = np.histogram(ratio[distances.index.get_indexer(idx)], bins=edges)
        rows.append(
            pd.DataFrame(
                {
                    "metal": metal,
                    "pair": "bond" if bonded else "no bond",
                    "lo": edges[:-1],
                    "hi": edges[1:],
                    "count": counts,
                }
            )
        )
    d = pd.concat(rows, ignore_index=True)
    d = d[d["count"] > 0]
    hist = (
        alt.Chart()
        .mark_bar()
        .encode(
            x=alt.X("lo:Q", title=axis_title("distance / cut-off", "1"), scale=alt.Scale(domain=[lo, hi])),
            x2="hi:Q",
            y=alt.Y("count:Q", title="M–O pairs (count)"),
            y2=alt.datum(0),
            color=alt.Color(
                "pair:N",
                title=None,
                scale=alt.Scale(domain=["bond", "no bond"], range=[KIND_COLOURS["main"], KIND_COLOURS["rest"]]),
            ),
        )
    )
    rule = alt.Chart().mark_rule(color="black", strokeDash=[4, 3]).encode(x=alt.datum(1.0))
    return (
        alt.layer(hist, rule, data=d)
        .properties(width=width, height=height)
        .facet(column=alt.Column("metal:N", title=None, sort=["Al", "Ga", "In"]))
        .resolve_scale(y="independent")
    )
