"""Periodic-table heat maps: one value per element, drawn at its period (row) and main-group column.

The elpasolite chapter draws the contribution of each element on one site this way (the paper's Fig. 4).
Only main-group elements have a cell (columns 1–8: groups 1, 2 and 13–18, the ten transition-metal
groups closed up), as :func:`helpers.featurize.elpasolite.element_table` numbers them.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from helpers.featurize.elpasolite import element_table
from helpers.style import axis_title

__all__ = ["periodic_table_chart", "NO_DATA_COLOUR"]

#: Fill of an element without a value (no information).
NO_DATA_COLOUR = "#d9d9d9"


def _panel(df, *, value_title, scale, cell, title, tooltip):
    base = alt.Chart(df).encode(
        x=alt.X("column:O", title="main-group column", axis=alt.Axis(labelAngle=0, orient="top")),
        y=alt.Y("row:O", title="period"),
    )
    known = df[np.isfinite(df.value)]
    layers = [
        base.transform_filter("!isValid(datum.value)")
        .mark_rect(color=NO_DATA_COLOUR, stroke="white")
        .encode(tooltip=tooltip),
        alt.Chart(known)
        .mark_rect(stroke="white")
        .encode(x="column:O", y="row:O", color=alt.Color("value:Q", title=value_title, scale=scale), tooltip=tooltip),
        base.mark_text(fontSize=12, fontWeight="bold").encode(text="element:N"),
    ]
    return alt.layer(*layers).properties(width=cell * 8, height=cell * 6, title=title)


def periodic_table_chart(
    values: pd.DataFrame,
    *,
    quantity: str,
    unit: str,
    panel: str | None = None,
    cell: int = 34,
    scheme: str = "redblue",
    reverse: bool = True,
    extra_tooltip=(),
) -> alt.HConcatChart | alt.LayerChart:
    """Heat map of ``values`` on the main-group periodic table.

    ``values``: a frame with columns ``element`` (symbol) and ``value`` (NaN: drawn grey, "no
    information"), optionally ``ci_low``/``ci_high`` and the columns named in ``extra_tooltip`` (all
    shown in the tooltip), and ``panel`` (one table per panel value, side by side, one shared colour
    scale). ``quantity``/``unit`` title the colour legend. Diverging scheme centred on zero.
    """
    need = {"element", "value"} | ({panel} if panel else set())
    missing = need - set(values.columns)
    if missing:
        raise KeyError(f"values needs columns {sorted(need)}; missing {sorted(missing)}")
    table = element_table(tuple(pd.unique(values.element)))
    df = values.merge(table[["row", "column"]], left_on="element", right_index=True, how="left")
    df["value"] = df["value"].astype(float)
    title = axis_title(quantity, unit)
    lim = float(np.nanmax(np.abs(df.value))) if np.isfinite(df.value).any() else 1.0
    scale = alt.Scale(scheme=scheme, domainMid=0.0, domain=[-lim, lim], reverse=reverse)
    tooltip = [alt.Tooltip("element:N"), alt.Tooltip("value:Q", title=title, format=".3f")]
    for c in ("ci_low", "ci_high"):
        if c in df.columns:
            tooltip.append(alt.Tooltip(f"{c}:Q", format=".3f"))
    tooltip += [alt.Tooltip(f"{c}", title=c) for c in extra_tooltip]
    if panel is None:
        return _panel(df, value_title=title, scale=scale, cell=cell, title="", tooltip=tooltip)
    charts = [
        _panel(df[df[panel] == p], value_title=title, scale=scale, cell=cell, title=str(p), tooltip=tooltip)
        for p in pd.unique(df[panel])
    ]
    return alt.hconcat(*charts).resolve_scale(color="shared")
