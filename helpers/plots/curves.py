"""Error curves: learning curves (test error against training-set size on log-log axes, one line per
model) and the LASSO sparsity path (cross-validated error against the number of non-zero terms)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from helpers.style import KIND_COLOURS, axis_title

__all__ = ["learning_curve_chart", "learning_curve_range_chart", "sparsity_path_chart"]


def _check_curves(frame: pd.DataFrame, name: str, *, n: str, value: str, model: str) -> None:
    """Refuse a learning-curve frame without its columns, or with sizes or errors that a log axis cannot show."""
    need = {n, value, model}
    missing = need - set(frame.columns)
    if missing:
        raise KeyError(f"{name} needs columns {sorted(need)}; missing {sorted(missing)}")
    if (frame[n] <= 0).any() or (frame[value] <= 0).any():
        raise ValueError("a log-log learning curve needs positive training sizes and errors")


def learning_curve_chart(
    curves: pd.DataFrame,
    *,
    quantity: str,
    unit: str,
    n: str = "n_train",
    value: str = "mae",
    model: str = "model",
    references: pd.DataFrame | None = None,
    samples: str = "training crystals",
    width: int = 420,
    height: int = 280,
) -> alt.LayerChart:
    """Log-log learning curves from a tidy frame (one row per model and training size).

    ``curves`` columns: ``n`` (training-set size), ``value`` (the error, in ``unit``) and ``model``.
    ``references`` (optional): columns ``label`` and ``value``, drawn as dashed horizontal lines
    (e.g. a published error). ``quantity``/``unit`` title the y axis, ``samples`` the x axis.
    """
    _check_curves(curves, "curves", n=n, value=value, model=model)
    x = alt.X(f"{n}:Q", scale=alt.Scale(type="log"), title=axis_title(samples, "1"))
    y = alt.Y(f"{value}:Q", scale=alt.Scale(type="log", zero=False), title=axis_title(quantity, unit))
    colour = alt.Color(f"{model}:N", title="model")
    tip = [alt.Tooltip(f"{model}:N"), alt.Tooltip(f"{n}:Q", format=","), alt.Tooltip(f"{value}:Q", format=".3f")]
    base = alt.Chart(curves).encode(x=x, y=y, color=colour, tooltip=tip)
    layers = [base.mark_line(), base.mark_point(filled=True, size=50)]
    if references is not None and len(references):
        ref = alt.Chart(references).encode(y=alt.Y("value:Q"))
        layers.append(ref.mark_rule(strokeDash=[5, 4], color="#555555"))
        layers.append(ref.mark_text(align="left", dx=4, dy=-6, color="#555555").encode(text="label:N", x=alt.value(0)))
    return alt.layer(*layers).properties(width=width, height=height)


def sparsity_path_chart(
    table: pd.DataFrame, *, quantity: str, unit: str, best: int | None = None, width: int = 420, height: int = 240
) -> alt.LayerChart:
    """Cross-validated error along a LASSO path against the number of non-zero terms.

    ``table`` is ``helpers.linear.sparsity_path(...).table`` (n_terms, cv_rmse, cv_rmse_se);
    ``best`` (optional) is the row to mark. The y axis is the CV RMSE of ``quantity`` in ``unit``.
    """
    t = table[table.n_terms > 0].copy()
    t["low"], t["high"] = t.cv_rmse - t.cv_rmse_se, t.cv_rmse + t.cv_rmse_se
    x = alt.X("n_terms:Q", scale=alt.Scale(type="log"), title=axis_title("non-zero terms", "count"))
    yt = axis_title(f"5-fold CV RMSE of {quantity}", unit)
    band = (
        alt.Chart(t).mark_errorbar(color=KIND_COLOURS["intercept"]).encode(x=x, y=alt.Y("low:Q", title=yt), y2="high:Q")
    )
    line = (
        alt.Chart(t)
        .mark_line(point=True, color=KIND_COLOURS["main"])
        .encode(
            x=x,
            y=alt.Y("cv_rmse:Q", title=yt),
            tooltip=["n_terms:Q", alt.Tooltip("cv_rmse:Q", format=".4f"), alt.Tooltip("alpha:Q", format=".2e")],
        )
    )
    layers = [band, line]
    if best is not None:
        b = table.iloc[[int(best)]]
        layers.append(
            alt.Chart(b)
            .mark_point(size=160, shape="diamond", filled=True, color=KIND_COLOURS["pair"])
            .encode(x=x, y="cv_rmse:Q")
        )
    return alt.layer(*layers).properties(width=width, height=height)


def learning_curve_range_chart(
    draws: pd.DataFrame,
    *,
    quantity: str,
    unit: str,
    n: str = "n_train",
    value: str = "mae",
    model: str = "model",
    references: pd.DataFrame | None = None,
    samples: str = "training crystals",
    width: int = 420,
    height: int = 280,
) -> alt.LayerChart:
    """Log-log learning curves with error bars, from one row per model, training size and draw.

    ``draws`` columns: ``n`` (training-set size), ``value`` (the error of one draw, in ``unit``) and
    ``model`` (e.g. :func:`helpers.evaluate.learning_curve`'s frame). The line joins the mean over the
    draws at each size; the error bar spans the smallest to the largest draw. ``references`` and
    ``samples`` as in :func:`learning_curve_chart`.
    """
    _check_curves(draws, "draws", n=n, value=value, model=model)
    summary = draws.groupby([model, n], as_index=False)[value].agg(["mean", "min", "max"])
    bars = (
        alt.Chart(summary)
        .mark_errorbar()
        .encode(
            x=alt.X(f"{n}:Q", scale=alt.Scale(type="log")),
            # the curves' own title: a different one would be joined to it ("..., min")
            y=alt.Y("min:Q", scale=alt.Scale(type="log", zero=False), title=axis_title(quantity, unit)),
            y2="max:Q",
            color=alt.Color(f"{model}:N", title="model"),
        )
    )
    mean = summary.rename(columns={"mean": value})
    return alt.layer(
        learning_curve_chart(
            mean, quantity=quantity, unit=unit, n=n, value=value, model=model, references=references, samples=samples
        ),
        bars,
    ).properties(width=width, height=height)
