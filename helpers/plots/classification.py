"""Charts of classifiers: reliability curves (observed frequency against predicted probability) and
response curves (a model's output along one input, one line per model)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from helpers.style import axis_title

__all__ = ["reliability_chart", "response_curve_chart"]


def _need(frame: pd.DataFrame, columns, what: str) -> None:
    missing = sorted(set(columns) - set(frame.columns))
    if missing:
        raise KeyError(f"{what} needs columns {sorted(columns)}; missing {missing}")


def reliability_chart(
    table: pd.DataFrame, *, quantity: str, model: str = "model", width: int = 300, height: int = 300
) -> alt.LayerChart:
    """Reliability curves: observed frequency of the positive class against the mean predicted probability.

    ``table``: one row per model and probability bin, columns ``model``, ``mean_predicted``,
    ``fraction_positive`` and ``count`` (as :func:`helpers.metrics.reliability_table` returns, with a model
    column added). A calibrated model lies on the dashed diagonal; point size shows the compounds per bin.
    ``quantity`` names the event, e.g. ``"perovskite"`` (axes: "predicted probability of perovskite (1)").
    """
    _need(table, {model, "mean_predicted", "fraction_positive", "count"}, "reliability_chart")
    diag = alt.Chart(pd.DataFrame({"p": [0.0, 1.0]})).mark_line(strokeDash=[5, 4], color="#555555")
    diag = diag.encode(x="p:Q", y="p:Q")
    x = alt.X("mean_predicted:Q", title=axis_title(f"predicted probability of {quantity}", "1"))
    x = x.scale(domain=[0, 1])
    y = alt.Y("fraction_positive:Q", title=axis_title(f"observed frequency of {quantity}", "1"))
    y = y.scale(domain=[0, 1])
    tip = [
        f"{model}:N",
        alt.Tooltip("mean_predicted:Q", format=".2f"),
        alt.Tooltip("fraction_positive:Q", format=".2f"),
        "count:Q",
    ]
    base = alt.Chart(table).encode(x=x, y=y, color=alt.Color(f"{model}:N", title="model"), tooltip=tip)
    points = base.mark_point(filled=True).encode(size=alt.Size("count:Q", title=axis_title("compounds", "1")))
    return alt.layer(diag, base.mark_line(), points).properties(width=width, height=height)


def response_curve_chart(
    curves: pd.DataFrame,
    *,
    x: str,
    y: str,
    x_quantity: str,
    x_unit: str,
    quantity: str,
    unit: str,
    model: str = "model",
    facet: str | None = None,
    width: int = 260,
    height: int = 220,
) -> alt.Chart:
    """One line per model of the output ``y`` against the input ``x`` (e.g. the log-odds of a perovskite
    against rA/rB with the other inputs fixed); ``facet`` (optional) a column giving one panel per value.
    Axis titles from ``x_quantity``/``x_unit`` and ``quantity``/``unit``; a dashed rule marks y = 0."""
    _need(curves, {x, y, model} | ({facet} if facet else set()), "response_curve_chart")
    xe = alt.X(f"{x}:Q", title=axis_title(x_quantity, x_unit)).scale(zero=False)
    ye = alt.Y(f"{y}:Q", title=axis_title(quantity, unit))
    lines = alt.Chart().mark_line().encode(x=xe, y=ye, color=alt.Color(f"{model}:N", title="model"))
    zero = alt.Chart().mark_rule(strokeDash=[4, 4], color="#555555").encode(y=alt.datum(0))
    layer = alt.layer(lines, zero, data=curves).properties(width=width, height=height)
    return layer.facet(column=alt.Column(f"{facet}:N", title=None)) if facet else layer
