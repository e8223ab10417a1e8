"""The one palette and the colour (plus shape) of every status word.

Colours follow the Analysis Function palette (STYLE.md). Colour never carries meaning alone:
every status is shown with its word, and charts add a marker shape per status.
"""

from __future__ import annotations

from warehouse.assessments.status import Comparison, TargetStatus, Trend, is_good

DARK_BLUE = "#12436D"
TURQUOISE = "#28A197"
DARK_PINK = "#801650"
ORANGE = "#F46A25"
DARK_GREY = "#3D3D3D"
LIGHT_PURPLE = "#A285D1"
HIGHLIGHT_GREY = "#BFBFBF"
CATEGORICAL = [DARK_BLUE, TURQUOISE, DARK_PINK, ORANGE, DARK_GREY, LIGHT_PURPLE]
SEQUENTIAL = ["#092135", "#12436D", "#2073BC", "#6BACE6", "#ADD1F1"]
TEXT = "#0B0C0C"

# (background, text colour, marker symbol): text colours keep WCAG AA contrast on each fill.
_GOOD = (TURQUOISE, TEXT, "triangle-up")
_BAD = (DARK_PINK, "#FFFFFF", "triangle-down")
_MIDDLE = (ORANGE, TEXT, "circle")
_NEUTRAL = ("#FFFFFF", TEXT, "square")
_HIGHER_LOWER = (DARK_BLUE, "#FFFFFF", "diamond")

_SPECIAL = {
    TargetStatus.SLIPPING: _MIDDLE,
    Comparison.SIMILAR: _MIDDLE,
    Trend.NO_SIGNIFICANT_CHANGE: _MIDDLE,
    Comparison.HIGHER: _HIGHER_LOWER,
    Comparison.LOWER: _HIGHER_LOWER,
    Trend.INCREASING: _HIGHER_LOWER,
    Trend.DECREASING: _HIGHER_LOWER,
}


def status_style(status: str | None) -> tuple[str, str, str]:
    """Returns (fill colour, text colour, Plotly marker symbol) for a status word."""
    if status is None:
        return _NEUTRAL
    for word, style in _SPECIAL.items():
        if status == word:
            return style
    good = is_good(status)
    if good is True:
        return _GOOD
    if good is False:
        return _BAD
    return _NEUTRAL


def status_colour(status: str | None) -> str:
    """Returns the fill colour for a status word."""
    return status_style(status)[0]
