"""Tests of helpers.plots.periodic: the periodic-table heat map."""

import numpy as np
import pandas as pd
import pytest

from helpers import plots


def values():
    return pd.DataFrame(
        {
            "element": ["F", "C", "Cl", "Cs"],
            "value": [0.0, 2.5, 1.0, np.nan],
            "ci_low": [0.0, 2.0, 0.8, np.nan],
            "ci_high": [0.0, 3.0, 1.2, np.nan],
            "n_train": [300, 250, 280, 0],
        }
    )


def test_single_panel_places_elements_by_row_and_column():
    chart = plots.periodic_table_chart(
        values(), quantity="contribution on D", unit="eV/atom", extra_tooltip=["n_train"]
    )
    d = chart.to_dict()
    rows = {r["element"]: (r["row"], r["column"]) for r in d["datasets"][next(iter(d["datasets"]))]}
    assert rows["F"] == (2, 7) and rows["Cs"] == (6, 1) and rows["C"] == (2, 4)
    colour = d["layer"][1]["encoding"]["color"]
    assert colour["title"] == "contribution on D (eV/atom)" and colour["scale"]["domainMid"] == 0.0
    assert d["layer"][0]["mark"]["color"] == plots.NO_DATA_COLOUR  # NaN → grey, "no information"
    tips = [t.get("field") for t in d["layer"][1]["encoding"]["tooltip"]]
    assert {"element", "value", "ci_low", "ci_high", "n_train"} <= set(tips)


def test_panels_side_by_side_share_the_scale():
    df = pd.concat([values().assign(model="with C on D"), values().assign(model="without")])
    d = plots.periodic_table_chart(df, quantity="c", unit="eV/atom", panel="model").to_dict()
    assert len(d["hconcat"]) == 2 and d["resolve"]["scale"]["color"] == "shared"
    assert [p["title"] for p in d["hconcat"]] == ["with C on D", "without"]


def test_bad_input():
    with pytest.raises(KeyError, match="value"):
        plots.periodic_table_chart(pd.DataFrame({"element": ["F"]}), quantity="c", unit="eV/atom")
    with pytest.raises(ValueError, match="quantity and a unit"):
        plots.periodic_table_chart(values(), quantity="c", unit="")
    with pytest.raises(ValueError, match="not a main-group element"):
        plots.periodic_table_chart(pd.DataFrame({"element": ["Fe"], "value": [1.0]}), quantity="c", unit="1")
