"""Charts of assessment results, drawn on the server as SVG with matplotlib.

Each public function returns a complete SVG document as a string, drawn by
reporting.svg, so the same input always gives the same bytes.

Colour never carries meaning on its own: every coloured shape also shows its
value or label as text, in a colour from chart_colours with at least 4.5:1
contrast against it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Rectangle
from matplotlib.ticker import MaxNLocator

from workshops.reporting.chart_colours import (
    BLACK,
    BLUE,
    DARK_GREY,
    HEAT_CMAP,
    heat_colours,
    is_missing,
)
from workshops.reporting.svg import clean, message, one_dp, render, wrap
from workshops.services.chart_inputs import ElementScore, HeatRow

__all__ = ["distribution_chart", "heat_map", "seven_s_chart"]

NO_DATA = "–"


# --- the 7S chart -----------------------------------------------------------

_RING = 3.4  # distance from the centre circle's centre to each outer circle's
_OUTER_RADIUS = 1.3
_CENTRE_RADIUS = 1.45


def _half_angles(count: int, *, left: bool) -> list[float]:
    # Spread evenly over a half circle, top to bottom, so that three per side
    # land on the corners of a regular hexagon (120°, 180°, 240° on the left).
    step = 180 / count
    if left:
        return [math.radians(90 + step * (i + 0.5)) for i in range(count)]
    return [math.radians(90 - step * (i + 0.5)) for i in range(count)]


def _circle_label(
    ax, x: float, y: float, element: ElementScore, colour: str, text_scale: float
) -> None:
    # Larger text wraps sooner, so that it stays inside the circle.
    width = 18 / text_scale
    lines: list[tuple[str, float, str]] = [
        (line, 10.5 * text_scale, "bold") for line in wrap(element.name, width)
    ]
    if is_missing(element.score):
        lines += [(line, 10 * text_scale, "normal") for line in wrap("No ratings", width)]
    else:
        lines.append((one_dp(element.score), 16 * text_scale, "bold"))
        if element.band_label:
            band = wrap(element.band_label, width)
            lines += [(line, 9.5 * text_scale, "normal") for line in band]
    heights = [size * 1.3 for _, size, _ in lines]
    # Offsets in points, so the block stays centred whatever the data scale.
    top = sum(heights) / 2
    for (text, size, weight), height in zip(lines, heights, strict=True):
        # One text per line: matplotlib writes multi-line text with positions
        # measured in its own font, but single lines get text-anchor: middle,
        # which stays centred in whichever sans-serif the reader's browser has.
        ax.annotate(
            text,
            xy=(x, y),
            xytext=(0, top - height / 2),
            textcoords="offset points",
            ha="center",
            va="center",
            fontsize=size,
            fontweight=weight,
            color=colour,
        )
        top -= height


def seven_s_chart(
    elements: Sequence[ElementScore],
    *,
    title: str = "",
    basis: str = "",
    text_scale: float = 1.0,
) -> str:
    """The public sector 7S "flower": the SCS in the centre, soft elements on the
    left, hard on the right, each circle labelled with its name, score and band and
    coloured as the heat map colours the same score, under a line saying which
    basis (``basis``, in words) the scores are on. ``text_scale`` draws every label
    that many times its usual size (the large-print plan's charts), wrapping sooner."""
    if not elements:
        return message("No ratings yet", title)
    centre = [e for e in elements if e.aspect == "centre"]
    soft = [e for e in elements if e.aspect == "soft"]
    hard = [e for e in elements if e.aspect == "hard"]
    unknown = sorted({e.aspect for e in elements} - {"centre", "soft", "hard"})
    if unknown:
        raise ValueError(f"unknown 7S aspect: {', '.join(map(repr, unknown))}")
    if len(centre) > 1:
        raise ValueError("only one element can be at the centre")

    placed: list[tuple[ElementScore, float, float, float]] = []
    for group, left in ((soft, True), (hard, False)):
        if group:
            for element, angle in zip(group, _half_angles(len(group), left=left), strict=True):
                x, y = _RING * math.cos(angle), _RING * math.sin(angle)
                placed.append((element, x, y, _OUTER_RADIUS))

    def draw(fig: Figure) -> None:
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_axis_off()
        ax.set_aspect("equal")
        reach = _RING + _OUTER_RADIUS
        lowest = -_RING * math.sin(math.radians(60)) - _OUTER_RADIUS
        ax.set_xlim(-reach - 0.1, reach + 0.1)
        top = _RING * math.sin(math.radians(60)) + _OUTER_RADIUS + 0.1
        ax.set_ylim(lowest - 1.0, top + (0.6 if basis else 0))
        if basis:
            ax.text(
                0,
                top + 0.15,
                "\n".join(wrap(basis, 70 / text_scale)),
                ha="center",
                va="bottom",
                fontsize=11 * text_scale,
            )

        if centre:
            for _, x, y, _ in placed:
                ax.add_line(Line2D([0, x], [0, y], color=DARK_GREY, linewidth=1.5, zorder=1))
        circles = list(placed)
        if centre:
            circles.insert(0, (centre[0], 0.0, 0.0, _CENTRE_RADIUS))
        for element, x, y, radius in circles:
            # The heat map's colours, so one score looks the same in both charts.
            fill, text = heat_colours(element.score)
            # The dark outline gives a pale (yellow or grey) circle a visible
            # edge against the white page (non-text contrast).
            ax.add_patch(
                Circle(
                    (x, y),
                    radius,
                    facecolor=fill,
                    edgecolor=BLACK,
                    linewidth=1,
                    zorder=2,
                    clip_on=False,
                    gid=f"seven-s-element-{element.number}",
                )
            )
            _circle_label(ax, x, y, element, text, text_scale)

        # Brackets under each half say which side is which in words.
        y = lowest - 0.3
        for x0, x1, label in (
            (-reach, -0.3, "Soft (transformational)"),
            (0.3, reach, "Hard (transactional)"),
        ):
            ax.add_line(Line2D([x0, x0, x1, x1], [y + 0.15, y, y, y + 0.15], color=DARK_GREY))
            ax.text(
                (x0 + x1) / 2,
                y - 0.15,
                "\n".join(wrap(label, 24 / text_scale)),
                ha="center",
                va="top",
                fontsize=11 * text_scale,
                color=BLACK,
            )

    return render(draw, figsize=(7.5, 7.8 if basis else 7.2), title=title)


# --- heat map ---------------------------------------------------------------

_CELL_WIDTH = 0.8  # inches
_CELL_HEIGHT = 0.6


def _legend_ticks(low: float, high: float) -> list[float]:
    inner = range(math.ceil(low), math.floor(high) + 1)
    return sorted({float(low), float(high), *map(float, inner)})


def heat_map(
    rows: Sequence[HeatRow],
    *,
    title: str = "",
    basis: str = "",
    low: float = 1,
    high: float = 4,
    low_label: str = "1 Performs poorly",
    high_label: str = "4 Performs excellently",
    text_scale: float = 1.0,
) -> str:
    """One row per element, one cell per item, each cell coloured by its mean
    from red (low) through yellow to green (high) and showing the item key and
    the mean. Items with no ratings are grey and show a dash. ``basis`` says in words
    which basis the means are on, above the cells. ``text_scale`` draws every label that
    many times its usual size (the large-print plan's charts), each row's name then
    above its cells, so the cells have the page's whole width."""
    if not high > low:
        raise ValueError("high must be greater than low")
    columns = max((len(row.cells) for row in rows), default=0)
    if columns == 0:
        return message("No ratings yet", title)
    count = len(rows)
    any_missing = any(is_missing(value) for row in rows for _, value in row.cells)
    names_above = text_scale > 1
    # Each row is a band of cells, under a band for its name when names go above.
    name_band = 0.4 if names_above else 0.0
    pitch = 1 + name_band
    key_size, value_size = 8 * text_scale, max(11, 8 * text_scale)

    def draw(fig: Figure) -> None:
        if basis:
            fig.suptitle("\n".join(wrap(basis, 80 / text_scale)), fontsize=max(10, key_size))
        ax = fig.add_subplot()
        ax.set_xlim(0, columns)
        ax.set_ylim(count * pitch, 0)  # first row at the top
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.set_xticks([])
        if names_above:
            ax.set_yticks([])
            for r, row in enumerate(rows):
                ax.text(
                    0.03,
                    r * pitch + name_band * 0.55,
                    clean(row.label),
                    ha="left",
                    va="center",
                    fontsize=key_size,
                    fontweight="bold",
                    color=BLACK,
                )
        else:
            ax.set_yticks(
                [r + 0.5 for r in range(count)], [clean(row.label) for row in rows], fontsize=10
            )
            ax.tick_params(axis="y", length=0, pad=6)

        for r, row in enumerate(rows):
            top = r * pitch + name_band
            for c, (key, value) in enumerate(row.cells):
                fill, text = heat_colours(value, low=low, high=high)
                # A white gap round each cell keeps neighbours apart.
                ax.add_patch(
                    Rectangle((c + 0.03, top + 0.04), 0.94, 0.92, facecolor=fill, edgecolor="none")
                )
                shown = NO_DATA if is_missing(value) else one_dp(value)
                middle = {"ha": "center", "va": "center", "color": text}
                ax.text(c + 0.5, top + 0.3, clean(key), fontsize=key_size, **middle)
                ax.text(
                    c + 0.5, top + 0.66, shown, fontsize=value_size, fontweight="bold", **middle
                )

        legend = fig.colorbar(
            ScalarMappable(norm=Normalize(low, high), cmap=HEAT_CMAP),
            ax=ax,
            location="bottom",
            # Few enough bands that matplotlib draws them as vector shapes; with
            # the full colour map it would embed a bitmap of the gradient.
            boundaries=np.linspace(low, high, 31),
            shrink=1.0 if names_above else min(1.0, 4.5 / (columns * _CELL_WIDTH)),
            aspect=25,
            pad=0.04,
        )
        ticks = _legend_ticks(low, high)
        labels = [f"{t:g}" for t in ticks]
        ends = 24 / text_scale
        labels[0], labels[-1] = ("\n".join(wrap(end, ends)) for end in (low_label, high_label))
        legend.set_ticks(ticks, labels=labels, fontsize=max(9, key_size))
        legend.outline.set_visible(False)
        legend.set_label(
            f"Mean rating ({NO_DATA} = no ratings)" if any_missing else "Mean rating",
            fontsize=max(9, key_size),
        )

    if names_above:
        # Cells as wide as usual (seven fit the page), as tall as two lines of their text.
        cell_height = 2.5 * key_size / 72 + 0.08
        figsize = (
            0.3 + columns * _CELL_WIDTH * 1.1,
            (1.3 + (0.5 if basis else 0)) * text_scale / 2 + count * pitch * cell_height,
        )
    else:
        figsize = (1.8 + columns * _CELL_WIDTH, 1.1 + count * _CELL_HEIGHT + (0.3 if basis else 0))
    return render(draw, figsize=figsize, title=title, layout="constrained")


# --- distribution -----------------------------------------------------------


def distribution_chart(labels: Sequence[str], counts: Sequence[int], *, title: str = "") -> str:
    """Horizontal bars, one per answer option in the order given, each with its count."""
    if len(labels) != len(counts):
        raise ValueError("labels and counts must be the same length")
    if any(c < 0 for c in counts):
        raise ValueError("counts cannot be negative")
    if not labels:
        return message("No answers yet", title)
    counts = [int(c) for c in counts]
    most = max(counts)

    def draw(fig: Figure) -> None:
        ax = fig.add_subplot()
        positions = range(len(labels))
        bars = ax.barh(positions, counts, height=0.6, color=BLUE, zorder=2)
        ax.bar_label(bars, labels=[str(c) for c in counts], padding=4, fontsize=10, color=BLACK)
        ax.set_yticks(list(positions), [clean(label) for label in labels])
        ax.invert_yaxis()  # first option at the top, as in the questionnaire
        # Room at the right for the count written after the longest bar; with
        # no answers at all, a 0-1 axis rather than matplotlib's degenerate one.
        ax.set_xlim(0, max(1, most * 1.15))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(axis="x", color="#dddddd", linewidth=0.8, zorder=0)
        ax.set_axisbelow(True)
        ax.tick_params(axis="y", length=0)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.set_xlabel("Number of answers")

    figsize = (7, 0.9 + 0.45 * len(labels))
    return render(draw, figsize=figsize, title=title, layout="constrained")
