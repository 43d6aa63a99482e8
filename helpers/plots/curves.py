"""Learning curves: test error against training-set size on log-log axes, one line per model."""

from __future__ import annotations

import altair as alt
import pandas as pd

from helpers.style import axis_title

__all__ = ["learning_curve_chart"]


def learning_curve_chart(curves: pd.DataFrame, *, quantity: str, unit: str, n: str = "n_train",
                         value: str = "mae", model: str = "model", references: pd.DataFrame | None = None,
                         width: int = 420, height: int = 280) -> alt.LayerChart:
    """Log-log learning curves from a tidy frame (one row per model and training size).

    ``curves`` columns: ``n`` (training-set size), ``value`` (the error, in ``unit``) and ``model``.
    ``references`` (optional): columns ``label`` and ``value``, drawn as dashed horizontal lines
    (e.g. a published error). ``quantity``/``unit`` title the y axis.
    """
    need = {n, value, model}
    missing = need - set(curves.columns)
    if missing:
        raise KeyError(f"curves needs columns {sorted(need)}; missing {sorted(missing)}")
    if (curves[n] <= 0).any() or (curves[value] <= 0).any():
        raise ValueError("a log-log learning curve needs positive training sizes and errors")
    x = alt.X(f"{n}:Q", scale=alt.Scale(type="log"), title=axis_title("training crystals", "1"))
    y = alt.Y(f"{value}:Q", scale=alt.Scale(type="log", zero=False), title=axis_title(quantity, unit))
    colour = alt.Color(f"{model}:N", title="model")
    tip = [alt.Tooltip(f"{model}:N"), alt.Tooltip(f"{n}:Q", format=","), alt.Tooltip(f"{value}:Q", format=".3f")]
    base = alt.Chart(curves).encode(x=x, y=y, color=colour, tooltip=tip)
    layers = [base.mark_line(), base.mark_point(filled=True, size=50)]
    if references is not None and len(references):
        ref = alt.Chart(references).encode(y=alt.Y("value:Q"))
        layers.append(ref.mark_rule(strokeDash=[5, 4], color="#555555"))
        layers.append(ref.mark_text(align="left", dx=4, dy=-6, color="#555555").encode(
            text="label:N", x=alt.value(0)))
    return alt.layer(*layers).properties(width=width, height=height)
