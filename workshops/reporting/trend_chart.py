"""The trend chart: each element's score round by round, with the board's targets.

One small panel per element rather than seven coloured lines on one, so no line is
told apart by colour: each panel is named, each point shows its score as text and
each target is an open diamond labelled "Target 3.2". The rounds are numbered on the
axes and named in full under the panels.
"""

from __future__ import annotations

import math

from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator

from workshops.reporting.chart_colours import BLACK, BLUE, DARK_GREY
from workshops.reporting.charts import _clean, _message, _one_dp, _render, _wrap
from workshops.services.targets import TrendChart

COLUMNS = 4


def trend_chart(
    chart: TrendChart,
    *,
    title: str = "",
    basis: str = "",
    low: float = 1,
    high: float = 4,
    text_scale: float = 1.0,
) -> str:
    """An SVG of ``chart``'s element scores over its rounds, with its mean targets.
    ``text_scale`` draws every label that many times its usual size (the large-print
    plan's charts), with half as many panels to a row."""
    lines = chart.lines
    if not lines or not chart.rounds:
        return _message("No ratings yet", title)
    rounds = range(1, len(chart.rounds) + 1)
    columns = COLUMNS if text_scale == 1 else COLUMNS // 2
    rows = math.ceil(len(lines) / columns)
    small, label = 7 * text_scale, 8 * text_scale

    def draw(fig: Figure) -> None:
        if basis:
            fig.suptitle("\n".join(_wrap(basis, 90 / text_scale)), fontsize=10 * text_scale)
        axes = list(fig.subplots(rows, columns, sharey=True, squeeze=False).flat)
        for ax, line in zip(axes, lines, strict=False):
            name = f"{line.number}. {line.name}"
            ax.set_title(
                "\n".join(_wrap(name, 22 / max(1.0, text_scale / 2))), fontsize=9 * text_scale
            )
            ax.set_xlim(0.5, len(chart.rounds) + 0.5)
            ax.set_ylim(low - 0.2, high + 0.5)
            ax.xaxis.set_major_locator(FixedLocator(list(rounds)))
            ax.set_xticklabels([str(r) for r in rounds], fontsize=label)
            ax.tick_params(axis="y", labelsize=label)
            ax.grid(axis="y", color="#dddddd", linewidth=0.8)
            ax.set_axisbelow(True)
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
            points = [(x, s) for x, s in zip(rounds, line.scores, strict=False) if s is not None]
            if points:
                xs, ys = zip(*points, strict=True)
                ax.plot(xs, ys, color=BLUE, marker="o", markersize=4, linewidth=1.5)
                for x, y in points:
                    ax.annotate(
                        _one_dp(y),
                        (x, y),
                        xytext=(-3, 4),
                        textcoords="offset points",
                        ha="right",
                        fontsize=small,
                        color=BLACK,
                    )
            for index, value in sorted(line.targets.items()):
                x = index + 1
                ax.plot(
                    [x],
                    [value],
                    marker="D",
                    markersize=6 * min(text_scale, 2),
                    markerfacecolor="none",
                    markeredgecolor=BLACK,
                    linestyle="none",
                    gid=f"trend-target-{line.number}-{x}",
                )
                # Beside the diamond, not above it: a score at the same height keeps its own
                # label above its point.
                # In large print, under it: beside it would reach into the next panel.
                ax.annotate(
                    f"Target {_one_dp(value)}",
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
        key = "; ".join(
            f"{n} = {_clean(label)}" for n, label in zip(rounds, chart.rounds, strict=True)
        )
        fig.supxlabel(
            "\n".join(_wrap(f"Rounds: {key}.", 120 / text_scale)),
            fontsize=label,
            color=DARK_GREY,
            ha="center",
        )

    # Large print: as wide as the page's text, so the PDF draws it at its own size.
    width = 9 if text_scale == 1 else 6.6
    height = 1.2 * text_scale + 2.3 * rows * (1 if text_scale == 1 else 1.4)
    return _render(draw, figsize=(width, height), title=title, layout="constrained")
