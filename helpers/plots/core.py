"""Core altair chart builders. They take computed results (Bunch / DataFrame / arrays) and never fit.

Colours follow :mod:`helpers.style`: main effects blue, pair interactions red, intercept and
"rest" grey. Axis titles are built from ``quantity=`` and ``unit=`` (:func:`helpers.style.axis_title`),
so units are never typed by hand; options are keyword-only. Every builder returns an ``alt.Chart`` (or a layer of
charts) whose ``to_dict()`` validates against the Vega-Lite schema.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from helpers.interpret import BAND_LABELS
from helpers.linear import PAIR_SEP
from helpers.style import HEIGHT, KIND_COLOURS, WIDTH, axis_title, kind_scale

__all__ = [
    "pd_ice_chart",
    "h_statistic_chart",
    "h_squared_chart",
    "contributions_chart",
    "parity_chart",
    "histogram",
    "histogram_rows",
]

#: Colour of the ensemble mean / band lines and of a "null" distribution.
LINE_COLOUR = "#333333"
NULL_COLOUR = KIND_COLOURS["intercept"]


def _rug(values, n_max, seed, title, y_pixel):
    """Tick marks of the data values (a density rug), at most ``n_max`` of them (fixed random subset)."""
    v = np.asarray(values, dtype=float)
    if len(v) > n_max:
        v = np.random.default_rng(seed).choice(v, n_max, replace=False)
    return (
        alt.Chart(pd.DataFrame({"x": v}))
        .mark_tick(color=LINE_COLOUR, opacity=0.35, thickness=1, size=10)
        .encode(x=alt.X("x:Q", title=title), y=alt.value(y_pixel))
    )


def pd_ice_chart(
    result,
    *,
    quantity: str,
    unit: str,
    feature_unit: str,
    kind: str = "pd",
    max_ice: int = 100,
    max_rug: int = 300,
    random_state: int = 0,
    width: int | None = None,
    height: int | None = None,
) -> alt.LayerChart:
    """PD/ICE of one feature from :func:`helpers.interpret.partial_dependence_ice`.

    ``kind="pd"``: ensemble mean PD (solid) and the 95 % band bounds (dashed; the legend says which band,
    :data:`helpers.interpret.BAND_LABELS`), as Fig. 7A of the
    paper; per-member PD curves thin and grey. ``kind="ice"``: ICE curves of the ensemble mean
    (thin, transparent, at most ``max_ice`` of them, a fixed random subset) with the PD on top,
    as Fig. 7B. ``kind="both"``: ICE curves + PD band. Along the bottom edge, a rug of the data
    values of the feature (at most ``max_rug`` ticks). The x axis is the feature (``feature_unit``); the
    y axis is "(centred) PD/ICE of ``quantity``" in ``unit``, the target's.
    """
    if kind not in ("pd", "ice", "both"):
        raise ValueError("kind must be 'pd', 'ice' or 'both'")
    grid = np.asarray(result.grid)
    x_title = axis_title(str(result.feature), feature_unit)
    what = {"pd": "PD", "ice": "ICE", "both": "ICE and PD"}[kind]
    y_title = axis_title(f"{'centred ' if result.centered else ''}{what} of {quantity}", unit)
    xs = alt.X("x:Q", title=x_title)
    layers = []
    if kind in ("ice", "both"):
        ice = np.asarray(result.ice)
        rows = np.arange(ice.shape[0])
        if len(rows) > max_ice:
            rows = np.sort(np.random.default_rng(random_state).choice(rows, max_ice, replace=False))
        d = pd.DataFrame({"sample": np.repeat(rows, len(grid)), "x": np.tile(grid, len(rows)), "y": ice[rows].ravel()})
        layers.append(
            alt.Chart(d)
            .mark_line(strokeWidth=0.8, opacity=0.25, color=KIND_COLOURS["main"])
            .encode(x=xs, y=alt.Y("y:Q", title=y_title), detail="sample:N")
        )
    if kind == "pd" and result.n_models > 1:
        avg = np.asarray(result.average)
        d = pd.DataFrame(
            {
                "member": np.repeat(np.arange(avg.shape[0]), len(grid)),
                "x": np.tile(grid, avg.shape[0]),
                "y": avg.ravel(),
            }
        )
        layers.append(
            alt.Chart(d)
            .mark_line(strokeWidth=1, opacity=0.5, color=NULL_COLOUR)
            .encode(x=xs, y=alt.Y("y:Q", title=y_title), detail="member:N")
        )
    band = BAND_LABELS[result.band] if result.n_models > 1 else None  # says what the band measures
    curves = pd.concat(
        [
            pd.DataFrame({"x": grid, "y": np.asarray(result.pd_mean), "curve": "mean", "line": "ensemble mean"}),
            pd.DataFrame({"x": grid, "y": np.asarray(result.pd_low), "curve": "low", "line": band}),
            pd.DataFrame({"x": grid, "y": np.asarray(result.pd_high), "curve": "high", "line": band}),
        ],
        ignore_index=True,
    )
    if band is None:
        curves = curves[curves.curve == "mean"]
    dash = alt.StrokeDash(
        "line:N",
        title=None,
        scale=alt.Scale(domain=["ensemble mean", band or "band"], range=[[1, 0], [6, 4]]),
        legend=alt.Legend(orient="top-left") if band else None,
    )
    layers.append(
        alt.Chart(curves)
        .mark_line(color=LINE_COLOUR, strokeWidth=2.2)
        .encode(x=xs, y=alt.Y("y:Q", title=y_title), strokeDash=dash, detail="curve:N")
    )
    height = height or HEIGHT
    layers.append(_rug(result.feature_values, max_rug, random_state, x_title, y_pixel=height - 5))
    return alt.layer(*layers).properties(width=width or WIDTH, height=height)


def h_statistic_chart(
    df: pd.DataFrame,
    *,
    quantity: str,
    unit: str = "1",
    value: str = "h_squared",
    group: str = "data",
    groups: tuple[str, str] = ("with interaction", "no interaction (null)"),
    bins: int = 30,
) -> alt.Chart:
    """Overlaid histograms of H² for the true-interaction ensembles (red) and the null ones (grey).

    ``df`` has one row per fitted ensemble, a numeric column ``value`` and a label column
    ``group`` whose two values are ``groups`` (true first). The x axis is ``quantity`` in ``unit``.
    """
    x_title = axis_title(quantity, unit)
    lo, hi = 0.0, float(max(df[value].max(), 1e-3)) * 1.05
    colour = alt.Color(
        f"{group}:N",
        title=None,
        scale=alt.Scale(domain=list(groups), range=[KIND_COLOURS["pair"], NULL_COLOUR]),
        legend=alt.Legend(orient="top-right"),
    )
    return (
        alt.Chart(df)
        .mark_bar(opacity=0.7, binSpacing=0)
        .encode(
            x=alt.X(f"{value}:Q", bin=alt.Bin(extent=[lo, hi], maxbins=bins), title=x_title),
            y=alt.Y("count():Q", stack=None, title="ensembles (count)"),
            color=colour,
        )
    )


def h_squared_chart(table: pd.DataFrame, *, width: int = 300) -> alt.LayerChart:
    """H² of each feature pair over the members of an ensemble: mean bar with the members' range.

    The per-pair view of Friedman's H-statistic (chapter 03); :func:`h_statistic_chart` is its other view, the
    distribution of one pair's H² over many fits against a null distribution (chapter 02).

    ``table`` has one row per (pair, member) with columns ``pair`` and ``h_squared``.
    """
    if not {"pair", "h_squared"} <= set(table.columns):
        raise KeyError("table needs the columns 'pair' and 'h_squared'")
    g = table.groupby("pair", sort=False).h_squared.agg(["mean", "min", "max"]).reset_index()
    y = alt.Y("pair:N", sort=list(g.sort_values("mean", ascending=False).pair), title=None)
    xt = axis_title("H² over the ensemble members", "1")
    bars = (
        alt.Chart(g)
        .mark_bar(color=KIND_COLOURS["pair"], opacity=0.75)
        .encode(y=y, x=alt.X("mean:Q", title=xt, scale=alt.Scale(zero=True), axis=alt.Axis(format=".1e")))
    )
    rng = alt.Chart(g).mark_errorbar(color="black", ticks=True).encode(y=y, x=alt.X("min:Q", title=xt), x2="max:Q")
    return alt.layer(bars, rng).properties(width=width)


def _contrib_frame(contributions, kinds=None) -> pd.DataFrame:
    if isinstance(contributions, pd.DataFrame):
        d = contributions.loc[:, ["term", "kind", "contribution"]].copy()
    else:
        s = pd.Series(contributions, dtype=float)
        if kinds is None:
            kinds = ["intercept" if t == "intercept" else ("pair" if PAIR_SEP in str(t) else "main") for t in s.index]
        d = pd.DataFrame({"term": [str(t) for t in s.index], "kind": list(kinds), "contribution": s.to_numpy()})
    return d


def contributions_chart(contributions, *, quantity: str, unit: str, kinds=None, top: int = 5) -> alt.Chart:
    """Horizontal bars: the ``top`` largest |contributions| of one prediction, then "rest" and intercept.

    ``contributions`` is the tidy frame of :func:`helpers.linear.local_contributions` (columns
    term, kind, contribution) or a Series indexed by term name (kinds then given, or inferred:
    ``"intercept"``; names containing :data:`helpers.linear.PAIR_SEP` are pairs; the rest main
    effects). Colours: main blue, pair red, rest and intercept grey (``helpers.style``). Bars appear in
    this order top to bottom; they sum to the prediction. ``quantity`` and ``unit`` (required, e.g.
    ``"formation energy"``, ``"eV/atom"``) are those of the target the model was fitted on; the axis
    reads "contribution to <quantity> (<unit>)".
    """
    d = _contrib_frame(contributions, kinds)
    icpt = d[d.kind == "intercept"]
    terms = d[d.kind != "intercept"].copy()
    terms["abs"] = terms.contribution.abs()
    terms = terms.sort_values("abs", ascending=False, kind="stable")
    shown, rest = terms.iloc[:top], terms.iloc[top:]
    rows = [shown[["term", "kind", "contribution"]]]
    if len(rest):
        rows.append(
            pd.DataFrame(
                {"term": [f"rest ({len(rest)} terms)"], "kind": ["rest"], "contribution": [rest.contribution.sum()]}
            )
        )
    rows.append(icpt[["term", "kind", "contribution"]])
    out = pd.concat(rows, ignore_index=True)
    order = list(out.term)
    kinds_present = [k for k in ("main", "pair", "rest", "intercept") if k in set(out.kind)]
    return (
        alt.Chart(out)
        .mark_bar()
        .encode(
            y=alt.Y("term:N", sort=order, title=None),
            x=alt.X("contribution:Q", title=axis_title(f"contribution to {quantity}", unit)),
            color=alt.Color("kind:N", scale=kind_scale(kinds_present), title="term"),
            tooltip=["term:N", "kind:N", alt.Tooltip("contribution:Q", format=".4f")],
        )
    )


def parity_chart(
    y_true, y_pred, *, quantity: str, unit: str, group=None, max_points: int = 5000, random_state: int = 0
) -> alt.LayerChart:
    """Predicted vs reference scatter with the y = x diagonal; optional colour ``group`` labels.

    Axes "reference/predicted ``quantity`` (``unit``)"; at most ``max_points`` points (a seeded subset).
    """
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    d = pd.DataFrame({"reference": y_true, "predicted": y_pred})
    if group is not None:
        d["group"] = np.asarray(group).astype(str)
    if len(d) > max_points:
        d = d.sample(max_points, random_state=random_state)
    lo = float(min(d.reference.min(), d.predicted.min()))
    hi = float(max(d.reference.max(), d.predicted.max()))
    scale = alt.Scale(domain=[lo, hi], nice=True)
    enc = dict(
        x=alt.X("reference:Q", title=axis_title(f"reference {quantity}", unit), scale=scale),
        y=alt.Y("predicted:Q", title=axis_title(f"predicted {quantity}", unit), scale=scale),
    )
    pts = alt.Chart(d).mark_circle(size=18, opacity=0.5)
    pts = (
        pts.encode(**enc, color=alt.Color("group:N", title=None))
        if group is not None
        else pts.encode(**enc, color=alt.value(KIND_COLOURS["main"]))
    )
    diag = (
        alt.Chart(pd.DataFrame({"reference": [lo, hi], "predicted": [lo, hi]}))
        .mark_line(color=LINE_COLOUR, strokeDash=[4, 4])
        .encode(**enc)
    )
    return alt.layer(diag, pts)


# --------------------------------------------------------------------------- distributions (chapter 01)
def histogram(
    df: pd.DataFrame,
    value: str,
    *,
    quantity: str,
    unit: str,
    by: str | None = None,
    colour: str | None = None,
    bins: int = 30,
    columns: int = 3,
    width: int = 160,
    height: int = 110,
) -> alt.Chart:
    """Histogram of column ``value`` of a tidy DataFrame, one panel per level of ``by`` (optional).

    The x axis reads "``quantity`` (``unit``)", e.g. ``quantity="formation energy", unit="eV/atom"``.
    ``colour`` stacks the bars by another (categorical) column. Panels share the bins and the x axis;
    numeric ``by`` levels are ordered numerically. Nothing is fitted.
    """
    cols = list(dict.fromkeys(c for c in (value, by, colour) if c is not None))
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise KeyError(f"not columns of the data: {missing}")
    chart = (
        alt.Chart(df[cols])
        .mark_bar()
        .encode(
            x=alt.X(f"{value}:Q", bin=alt.Bin(maxbins=bins), title=axis_title(quantity, unit)),
            y=alt.Y("count():Q", title="count"),
        )
    )
    if colour is not None:
        chart = chart.encode(color=alt.Color(f"{colour}:N", title=colour))
    chart = chart.properties(width=width, height=height)
    if by is None:
        return chart
    kind = "O" if pd.api.types.is_numeric_dtype(df[by]) else "N"
    return chart.facet(facet=alt.Facet(f"{by}:{kind}", title=by), columns=columns).resolve_scale(y="independent")


def histogram_rows(
    df: pd.DataFrame, value: str, *, by: str, quantity: str, unit: str, bins: int = 40, width: int = 520, step: int = 13
) -> alt.Chart:
    """Many histograms as one heat map: one row per level of ``by``, columns are bins of ``value``,
    colour is the count. Rows are ordered by the median of ``value`` (lowest at the top).

    For a grouping with many levels (e.g. 39 elements) where small multiples would be unreadable.
    The x axis reads "``quantity`` (``unit``)". Nothing is fitted.
    """
    for c in (value, by):
        if c not in df.columns:
            raise KeyError(f"{c!r} is not a column of the data")
    order = df.groupby(by)[value].median().sort_values().index.astype(str).tolist()
    data = df[[value, by]].assign(**{by: df[by].astype(str)})
    return (
        alt.Chart(data)
        .mark_rect()
        .encode(
            x=alt.X(f"{value}:Q", bin=alt.Bin(maxbins=bins), title=axis_title(quantity, unit)),
            y=alt.Y(f"{by}:N", sort=order, title=f"{by} (sorted by median)"),
            color=alt.Color("count():Q", title="count", scale=alt.Scale(scheme="blues")),
            tooltip=[alt.Tooltip(f"{by}:N"), alt.Tooltip("count():Q", title="count")],
        )
        .properties(width=width, height=alt.Step(step))
    )
