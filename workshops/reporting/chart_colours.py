"""The charts' colours, and the contrast that keeps their text readable.

Colour never carries meaning on its own: every coloured shape in a chart also
shows its value or label as text, and the text colour chosen here has at least
4.5:1 contrast (WCAG 2) against the fill it sits on.
"""

from __future__ import annotations

import math

from matplotlib.colors import LinearSegmentedColormap, to_hex, to_rgb

__all__ = [
    "DEFAULT_COLOURS",
    "contrast_ratio",
    "heat_colours",
    "is_missing",
]

# GOV.UK Design System colours.
BLACK = "#0b0c0c"
WHITE = "#ffffff"
GREEN = "#00703c"
RED = "#d4351c"
YELLOW = "#ffdd00"
GREY = "#b1b4b6"
BLUE = "#1d70b8"
DARK_GREY = "#505a5f"

DEFAULT_COLOURS: tuple[str, str] = (GREY, BLACK)

# The network map's sectors (models.Sector's values). Each also has a shape of its own
# and a black outline, so neither the sector nor the shape's edge rests on colour.
SECTOR_COLOURS = {"public": BLUE, "private": YELLOW, "third": GREEN}

MIN_CONTRAST = 4.5

# Only the heat map's legend uses the colour map; its stops match heat_colours.
HEAT_CMAP = LinearSegmentedColormap.from_list("lsp_heat", [RED, YELLOW, GREEN], N=256)


def is_missing(value: float | None) -> bool:
    """Whether there is no mean to show: none at all, or not a number."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def _luminance(colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2 contrast ratio between two colours (1 to 21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _text_colour_on(fill: str) -> str:
    best = max((BLACK, WHITE), key=lambda text: contrast_ratio(fill, text))
    if contrast_ratio(fill, best) >= MIN_CONTRAST:
        return best
    # Around mid luminance neither GOV.UK black nor white reaches 4.5:1, but
    # pure black always does where white does not.
    return "#000000"


def heat_colours(value: float | None, *, low: float = 1, high: float = 4) -> tuple[str, str]:
    """(fill, text colour) for a mean on the heat map's scale; grey when there is no mean.

    The 7S chart colours element scores with it too, so one score has one colour in both;
    an HTML table of the same data can be coloured to match.
    """
    if is_missing(value):
        return DEFAULT_COLOURS
    t = min(max((value - low) / (high - low), 0.0), 1.0)
    # Interpolated here rather than looked up in the colour map's 256-entry
    # table, so the ends and the middle are exactly the GOV.UK colours.
    start, end, s = (RED, YELLOW, 2 * t) if t <= 0.5 else (YELLOW, GREEN, 2 * t - 1)
    mixed = [a + (b - a) * s for a, b in zip(to_rgb(start), to_rgb(end), strict=True)]
    fill = to_hex(mixed)
    return fill, _text_colour_on(fill)
