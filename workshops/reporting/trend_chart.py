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
    chart: TrendChart, *, title: str = "", basis: str = "", low: float = 1, high: float = 4
) -> str:
    """An SVG of ``chart``'s element scores over its rounds, with its mean targets."""
    lines = chart.lines
    if not lines or not chart.rounds:
        return _message("No ratings yet", title)
    rounds = range(1, len(chart.rounds) + 1)
    rows = math.ceil(len(lines) / COLUMNS)

    def draw(fig: Figure) -> None:
        if basis:
            fig.suptitle("\n".join(_wrap(basis, 90)), fontsize=10)
        axes = list(fig.subplots(rows, COLUMNS, sharey=True, squeeze=False).flat)
        for ax, line in zip(axes, lines, strict=False):
            ax.set_title("\n".join(_wrap(f"{line.number}. {line.name}", 22)), fontsize=9)
            ax.set_xlim(0.5, len(chart.rounds) + 0.5)
            ax.set_ylim(low - 0.2, high + 0.5)
            ax.xaxis.set_major_locator(FixedLocator(list(rounds)))
            ax.set_xticklabels([str(r) for r in rounds], fontsize=8)
            ax.tick_params(axis="y", labelsize=8)
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
                        fontsize=7,
                        color=BLACK,
                    )
            for index, value in sorted(line.targets.items()):
                x = index + 1
                ax.plot(
                    [x],
                    [value],
                    marker="D",
                    markersize=6,
                    markerfacecolor="none",
                    markeredgecolor=BLACK,
                    linestyle="none",
                    gid=f"trend-target-{line.number}-{x}",
                )
                # Beside the diamond, not above it: a score at the same height keeps its own
                # label above its point.
                ax.annotate(
                    f"Target {_one_dp(value)}",
                    (x, value),
                    xytext=(6, 0),
                    textcoords="offset points",
                    ha="left",
                    va="center",
                    fontsize=7,
                    color=BLACK,
                    annotation_clip=False,
                )
        for ax in axes[len(lines) :]:  # panels left over on the last row
            ax.set_axis_off()
        key = "; ".join(
            f"{n} = {_clean(label)}" for n, label in zip(rounds, chart.rounds, strict=True)
        )
        fig.supxlabel(
            "\n".join(_wrap(f"Rounds: {key}.", 120)), fontsize=8, color=DARK_GREY, ha="center"
        )

    return _render(draw, figsize=(9, 1.2 + 2.3 * rows), title=title, layout="constrained")
