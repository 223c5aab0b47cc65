"""The trend chart: each element's score round by round, with the board's targets; and,
where the board set a share target, that element's share round by round beneath.

One small panel per element rather than seven coloured lines on one, so no line is
told apart by colour: each panel is named, each point shows its figure as text and
each target is an open diamond labelled "Target 3.2" or "Target 60%". Shares have
panels of their own (0 to 100%), under a heading saying what they count, rather than
a second scale on the same axes, which readers take for one line. The rounds are
numbered on the axes and named in full under the panels.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from matplotlib.figure import Figure, SubFigure
from matplotlib.ticker import FixedLocator, FuncFormatter

from workshops.reporting.chart_colours import BLACK, BLUE, DARK_GREY
from workshops.reporting.svg import clean, message, one_dp, render, wrap
from workshops.services.targets import TrendChart, TrendLine

COLUMNS = 4
# A share's panel runs from 0 to 100%, with room above for the labels, as a mean's does.
SHARE_TICKS = [0, 25, 50, 75, 100]


@dataclass(frozen=True)
class _Measure:
    """What one block of panels draws: a line's figures and targets, on what scale, and
    how each figure is written."""

    values: Callable[[TrendLine], list[float | None]]
    targets: Callable[[TrendLine], dict[int, float]]
    limits: tuple[float, float]
    shown: Callable[[float], str]
    gid: str  # the target markers' ids: "trend-target-1-3"
    ticks: list[float] | None = None  # None: matplotlib's own


def _percent(value: float) -> str:
    return f"{value:.0f}%"


def trend_chart(
    chart: TrendChart,
    *,
    title: str = "",
    basis: str = "",
    low: float = 1,
    high: float = 4,
    text_scale: float = 1.0,
) -> str:
    """An SVG of ``chart``'s element scores over its rounds, with its mean targets, and the
    shares of the elements with a share target, with those targets. ``text_scale`` draws
    every label that many times its usual size (the large-print plan's charts), with half
    as many panels to a row."""
    lines = chart.lines
    if not lines or not chart.rounds:
        return message("No ratings yet", title)
    columns = COLUMNS if text_scale == 1 else COLUMNS // 2
    rows = math.ceil(len(lines) / columns)
    shared = chart.share_lines
    share_rows = math.ceil(len(shared) / columns)
    label = 8 * text_scale
    means = _Measure(
        lambda line: line.scores,
        lambda line: line.targets,
        (low - 0.2, high + 0.5),
        one_dp,
        "trend-target",
    )
    shares = _Measure(
        lambda line: line.shares,
        lambda line: line.share_targets,
        (-7, 117),
        _percent,
        "trend-share-target",
        SHARE_TICKS,
    )

    def draw(fig: Figure) -> None:
        if basis:
            fig.suptitle("\n".join(wrap(basis, 90 / text_scale)), fontsize=10 * text_scale)
        if shared:
            top, bottom = fig.subfigures(2, 1, height_ratios=[rows + 0.3, share_rows + 0.3])
            for part, heading in (
                (top, "Mean rating, 1 to 4"),
                (bottom, f"Share that say it {chart.well}, for the elements with a share target"),
            ):
                part.suptitle(
                    "\n".join(wrap(heading, 90 / text_scale)),
                    fontsize=9 * text_scale,
                    fontweight="bold",
                )
            _panels(top, chart, lines, rows, columns, text_scale, means)
            _panels(bottom, chart, shared, share_rows, columns, text_scale, shares)
        else:
            _panels(fig, chart, lines, rows, columns, text_scale, means)
        key = "; ".join(f"{n} = {clean(name)}" for n, name in enumerate(chart.rounds, start=1))
        fig.supxlabel(
            "\n".join(wrap(f"Rounds: {key}.", 120 / text_scale)),
            fontsize=label,
            color=DARK_GREY,
            ha="center",
        )

    # Large print: as wide as the page's text, so the PDF draws it at its own size.
    width = 9 if text_scale == 1 else 6.6
    panel = 2.3 * (1 if text_scale == 1 else 1.4)
    height = 1.2 * text_scale + panel * rows
    if shared:
        height += panel * share_rows + 0.6 * text_scale  # and the two blocks' headings
    return render(draw, figsize=(width, height), title=title, layout="constrained")


def _panels(
    fig: Figure | SubFigure,
    chart: TrendChart,
    lines: list[TrendLine],
    rows: int,
    columns: int,
    text_scale: float,
    measure: _Measure,
) -> None:
    """One panel for each of ``lines``: its figures over the rounds, and its targets."""
    rounds = range(1, len(chart.rounds) + 1)
    small, label = 7 * text_scale, 8 * text_scale
    axes = list(fig.subplots(rows, columns, sharey=True, squeeze=False).flat)
    for ax, line in zip(axes, lines, strict=False):
        name = f"{line.number}. {line.name}"
        ax.set_title("\n".join(wrap(name, 22 / max(1.0, text_scale / 2))), fontsize=9 * text_scale)
        ax.set_xlim(0.5, len(chart.rounds) + 0.5)
        ax.set_ylim(*measure.limits)
        ax.xaxis.set_major_locator(FixedLocator(list(rounds)))
        ax.set_xticklabels([str(r) for r in rounds], fontsize=label)
        if measure.ticks:
            ax.yaxis.set_major_locator(FixedLocator(measure.ticks))
            ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: measure.shown(value)))
        ax.tick_params(axis="y", labelsize=label)
        ax.grid(axis="y", color="#dddddd", linewidth=0.8)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        values = measure.values(line)
        points = [(x, v) for x, v in zip(rounds, values, strict=False) if v is not None]
        if points:
            xs, ys = zip(*points, strict=True)
            ax.plot(xs, ys, color=BLUE, marker="o", markersize=4, linewidth=1.5)
            for x, y in points:
                ax.annotate(
                    measure.shown(y),
                    (x, y),
                    xytext=(-3, 4),
                    textcoords="offset points",
                    ha="right",
                    fontsize=small,
                    color=BLACK,
                )
        for index, value in sorted(measure.targets(line).items()):
            x = index + 1
            ax.plot(
                [x],
                [value],
                marker="D",
                markersize=6 * min(text_scale, 2),
                markerfacecolor="none",
                markeredgecolor=BLACK,
                linestyle="none",
                gid=f"{measure.gid}-{line.number}-{x}",
            )
            # Beside the diamond, not above it: a figure at the same height keeps its own
            # label above its point.
            # In large print, under it: beside it would reach into the next panel.
            ax.annotate(
                f"Target {measure.shown(value)}",
                (x, value),
                xytext=(6, 0) if text_scale == 1 else (0, -6),
                textcoords="offset points",
                ha="left" if text_scale == 1 else "center",
                va="center" if text_scale == 1 else "top",
                fontsize=small,
                color=BLACK,
                annotation_clip=False,
            )
    for ax in axes[len(lines) :]:  # panels left over on the last row
        ax.set_axis_off()
