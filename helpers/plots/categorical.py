"""Charts of categorical inputs: contributions of their levels with intervals, and a target's distribution
per level (the transition-metal complexes of chapter 5, paper Fig. 6). They take computed frames and never
fit. Axis titles come from ``quantity=``/``unit=`` through :func:`helpers.style.axis_title`.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from helpers.style import KIND_COLOURS, PALETTE, axis_title

__all__ = ["level_contributions_chart", "distribution_by_level_chart", "ABSENT_COLOUR"]

#: Colour of levels that have no data (e.g. Ni(III)).
ABSENT_COLOUR = KIND_COLOURS["rest"]


def _check(df, columns):
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise KeyError(f"not columns of the data: {missing}; expected {list(columns)}")


def level_contributions_chart(
    df: pd.DataFrame,
    *,
    quantity: str,
    unit: str,
    level_title: str,
    colour: str | None = None,
    colour_title: str | None = None,
    sort: str = "given",
    absent_text: str = "not in the data",
    width: int = 360,
    step: int = 18,
) -> alt.LayerChart:
    """Horizontal bars of the contribution of each level, with its interval as a black rule.

    ``df`` has columns ``level``, ``contribution``, ``ci_low``, ``ci_high`` (intervals may be NaN) and
    optionally ``absent`` (bool): absent levels are drawn as a grey bar of zero length with
    ``absent_text`` written next to it, so that they are visible rather than silently dropped.
    ``colour`` names a categorical column for the bar colours (default: all blue, the main-effect colour);
    ``sort``: ``"given"`` (the frame's order) or ``"value"`` (largest contribution at the top).
    The x axis reads "``quantity`` (``unit``)".
    """
    _check(df, ["level", "contribution", "ci_low", "ci_high"])
    if sort not in ("given", "value"):
        raise ValueError(f"sort must be 'given' or 'value', got {sort!r}")
    data = df.copy()
    data["level"] = data["level"].astype(str)
    if "absent" not in data:
        data["absent"] = False
    data["absent"] = data["absent"].astype(bool)
    if data.loc[~data["absent"], "contribution"].isna().any():
        raise ValueError("a level that is not marked absent has no contribution")
    data.loc[data["absent"], ["contribution", "ci_low", "ci_high"]] = 0.0
    if sort == "value":
        data = data.assign(_key=np.where(data["absent"], -np.inf, data["contribution"]))
        data = data.sort_values("_key", ascending=False, kind="stable").drop(columns="_key")
    order = data["level"].tolist()
    y = alt.Y("level:N", sort=order, title=level_title)
    x_title = axis_title(quantity, unit)
    present, absent = data[~data["absent"]], data[data["absent"]]
    if colour is not None:
        _check(data, [colour])
        levels = list(dict.fromkeys(present[colour].astype(str)))
        col = alt.Color(
            f"{colour}:N",
            title=colour_title or colour,
            scale=alt.Scale(domain=levels, range=PALETTE[: len(levels)] if len(levels) <= len(PALETTE) else None),
        )
    else:
        col = alt.value(KIND_COLOURS["main"])
    tooltip = [
        alt.Tooltip("level:N", title=level_title),
        alt.Tooltip("contribution:Q", format=".1f"),
        alt.Tooltip("ci_low:Q", format=".1f"),
        alt.Tooltip("ci_high:Q", format=".1f"),
    ]
    bars = (
        alt.Chart(present).mark_bar().encode(y=y, x=alt.X("contribution:Q", title=x_title), color=col, tooltip=tooltip)
    )
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color="#333333").encode(x="x:Q")
    layers = [bars, zero]
    ci = present.dropna(subset=["ci_low", "ci_high"])
    if len(ci):
        layers.append(alt.Chart(ci).mark_rule(color="#333333").encode(y=y, x="ci_low:Q", x2="ci_high:Q"))
    if len(absent):
        layers.append(
            alt.Chart(absent)
            .mark_tick(color=ABSENT_COLOUR, thickness=6, size=step * 0.7)
            .encode(y=y, x="contribution:Q")
        )
        layers.append(
            alt.Chart(absent.assign(note=absent_text))
            .mark_text(align="left", dx=8, color=ABSENT_COLOUR, fontStyle="italic")
            .encode(y=y, x="contribution:Q", text="note:N")
        )
    return alt.layer(*layers).properties(width=width, height=alt.Step(step))


def distribution_by_level_chart(
    df: pd.DataFrame,
    value: str,
    *,
    by: str,
    quantity: str,
    unit: str,
    level_title: str | None = None,
    order=None,
    positive_text: str | None = None,
    negative_text: str | None = None,
    width: int = 420,
    step: int = 26,
) -> alt.LayerChart:
    """Box plot (min-max whiskers) of column ``value`` for each level of ``by``, one row per level, with a
    rule at zero; ``positive_text``/``negative_text`` label the two sides of zero (e.g. "low spin" and
    "high spin"). ``level_title``: title of the row axis (default ``by``). ``order``: the row order (default:
    sorted level names). Levels listed in ``order`` that
    have no rows get an empty row. The x axis reads "``quantity`` (``unit``)".
    """
    _check(df, [value, by])
    data = df[[value, by]].assign(**{by: df[by].astype(str)})
    order = sorted(data[by].unique()) if order is None else [str(o) for o in order]
    y = alt.Y(f"{by}:N", sort=order, title=level_title or by, scale=alt.Scale(domain=order))
    box = (
        alt.Chart(data)
        .mark_boxplot(extent="min-max", color=KIND_COLOURS["main"])
        .encode(y=y, x=alt.X(f"{value}:Q", title=axis_title(quantity, unit)))
    )
    counts = data.groupby(by).size().reindex(order, fill_value=0)
    n = pd.DataFrame({by: order, "n": [f"n = {c}" if c else "no data" for c in counts]})
    xmax = float(data[value].max())
    label = (
        alt.Chart(n.assign(x=xmax))
        .mark_text(align="left", dx=6, color="#555555")
        .encode(y=alt.Y(f"{by}:N", sort=order, scale=alt.Scale(domain=order)), x="x:Q", text="n:N")
    )
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color="#333333", strokeDash=[4, 3]).encode(x="x:Q")
    layers = [box, zero, label]
    side = [(t, a, x) for t, a, x in ((positive_text, "left", 0.0), (negative_text, "right", 0.0)) if t]
    for text, align, x in side:
        layers.append(
            alt.Chart(pd.DataFrame({"x": [x], "t": [f"{text} →" if align == "left" else f"← {text}"]}))
            .mark_text(align=align, dx=4 if align == "left" else -4, dy=-8, baseline="bottom", color="#333333")
            .encode(x="x:Q", y=alt.value(0), text="t:N")
        )
    return alt.layer(*layers).properties(width=width, height=alt.Step(step))
