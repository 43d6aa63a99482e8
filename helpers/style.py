"""One look for every chart of the book: an altair theme plus the colour convention.

Colour convention (used by every contribution plot, after the paper's Fig. 2):
main effects are blue, pairwise interaction terms red, the intercept and "rest" grey.

Call :func:`setup` once at the top of a chapter; it registers and enables the theme and
fixes the global numpy seed so that anything not seeded explicitly is still repeatable.
"""

from __future__ import annotations

import altair as alt
import numpy as np

#: Colours by term kind (hex). Blue = main effect, red = interaction, grey = intercept / rest.
KIND_COLOURS: dict[str, str] = {
    "main": "#1f77b4",
    "pair": "#d62728",
    "intercept": "#7f7f7f",
    "rest": "#bdbdbd",
}
#: Categorical palette for everything else (colour-blind friendly, Tableau 10).
PALETTE: list[str] = [
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
]
#: Default chart size in pixels.
WIDTH, HEIGHT = 420, 260
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
THEME_NAME = "compendium"
#: Seed used for the global numpy state; helpers take explicit ``random_state`` arguments too.
SEED = 0


def axis_title(quantity: str, unit: str) -> str:
    """Axis title ``"quantity (unit)"``; ``unit="1"`` (dimensionless) gives ``"quantity (dimensionless)"``.

    Every chart builder of :mod:`helpers.plots` labels its axes through this, from ``quantity=`` and
    ``unit=`` arguments, so that no unit is typed into a title by hand.
    """
    if not quantity or unit is None or unit == "":
        raise ValueError(f"an axis needs a quantity and a unit (use '1' if dimensionless), got {quantity!r}, {unit!r}")
    return f"{quantity} ({'dimensionless' if unit == '1' else unit})"


def kind_scale(kinds: list[str] | None = None) -> alt.Scale:
    """Altair colour scale mapping term kinds (``main``, ``pair``, ``intercept``, ``rest``) to the convention."""
    kinds = kinds or list(KIND_COLOURS)
    return alt.Scale(domain=kinds, range=[KIND_COLOURS[k] for k in kinds])


@alt.theme.register(THEME_NAME, enable=False)
def _theme() -> alt.theme.ThemeConfig:
    label, title = 13, 14
    return {
        "config": {
            "view": {"continuousWidth": WIDTH, "continuousHeight": HEIGHT, "stroke": None},
            "font": FONT,
            "axis": {
                "labelFontSize": label,
                "titleFontSize": title,
                "grid": True,
                "gridOpacity": 0.4,
                "titleFontWeight": "normal",
            },
            "legend": {"labelFontSize": label, "titleFontSize": title},
            "header": {"labelFontSize": title, "titleFontSize": title},
            "title": {"fontSize": 15, "anchor": "start", "fontWeight": "normal"},
            "range": {"category": PALETTE},
        }
    }


def setup(seed: int = SEED) -> None:
    """Enable the compendium's altair theme and seed numpy's global generator.

    Safe to call more than once. Charts stay interactive (default HTML renderer); the book
    serves the vega bundle locally (see :mod:`helpers.sphinx_vega`).
    """
    alt.theme.enable(THEME_NAME)
    # large frames (e.g. 10 k elpasolites) are embedded in the page rather than refused
    alt.data_transformers.disable_max_rows()
    np.random.seed(seed)
