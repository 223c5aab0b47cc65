"""The partnership network map: organisations as shapes, ties as lines, as SVG.

Drawn deterministically: the layout is networkx's spring layout with a fixed seed over the
organisations in name order, so the same network gives the same bytes. Sector is shown by
shape as well as colour (circle, square, triangle, named in the key), a shape's size by
how far the organisation links partners that would otherwise be apart (betweenness), a
line's thickness by how often the two work together, and every organisation is labelled
by name. Each shape and line carries an id (``organisation-<id>``, ``tie-<id>-<id>``) so
tests can check that the table beside the map (templates/workshops/results/_network.html)
holds every fact the picture shows.
"""

from __future__ import annotations

import networkx as nx
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from workshops.models import Frequency, Sector
from workshops.reporting.chart_colours import BLACK, DARK_GREY, SECTOR_COLOURS
from workshops.reporting.svg import message, render, wrap
from workshops.services.network import Network

SEED = 21  # any fixed number: the same network, the same picture
SHAPES = {Sector.PUBLIC: "o", Sector.PRIVATE: "s", Sector.THIRD: "^"}
SHAPE_WORDS = {Sector.PUBLIC: "circle", Sector.PRIVATE: "square", Sector.THIRD: "triangle"}
SMALLEST, LARGEST = 10, 30  # a shape's size in points, from no betweenness to the most


def line_width(frequency: float) -> float:
    return 1.0 + 1.5 * (frequency - 1)


def shape_size(betweenness: float) -> float:
    return SMALLEST + (LARGEST - SMALLEST) * betweenness


def alt_text(network: Network) -> str:
    """The map in a sentence: what it shows and where its facts are in words."""
    ties = len(network.ties)
    return (
        f"Map of the partnership network: {len(network.members)} organisations and {ties} "
        f"tie{'' if ties == 1 else 's'} between them. Shapes show sectors "
        + ", ".join(f"({SHAPE_WORDS[s]}: {s.label.lower()})" for s in Sector)
        + ", larger shapes link more partners who would otherwise be apart, and thicker "
        "lines mean more frequent work. The table of organisations gives the same facts."
    )


def layout(network: Network) -> dict[int, tuple[float, float]]:
    """Where each organisation is drawn: those with ties by networkx's spring layout with a
    fixed seed, over the organisations in name order so nothing but the network moves
    them; those with none in a row underneath, in name order, rather than flung to a corner
    where they would squeeze the rest."""
    connected = nx.Graph()
    connected.add_nodes_from(m.organisation.pk for m in network.members if m.degree)
    connected.add_edges_from(sorted(network.graph.edges))
    positions = {
        pk: (float(x), float(y)) for pk, (x, y) in nx.spring_layout(connected, seed=SEED).items()
    }
    alone = [m.organisation.pk for m in network.members if not m.degree]
    for index, pk in enumerate(alone):
        x = 0.0 if len(alone) == 1 else -1 + 2 * index / (len(alone) - 1)
        positions[pk] = (x, -1.4 if positions else 0.0)
    return positions


def _key(ax, text_scale: float) -> None:
    large = text_scale != 1
    handles = [
        Line2D(
            [], [], marker=SHAPES[s], linestyle="none", markersize=9 * min(text_scale, 1.5),
            markeredgecolor=BLACK, markerfacecolor=SECTOR_COLOURS[s],
            label=f"{s.label} ({SHAPE_WORDS[s]})",
        )
        for s in Sector
    ] + [
        Line2D([], [], color=DARK_GREY, linewidth=line_width(f), label=f.label)
        for f in Frequency
        if f >= Frequency.YEARLY
    ]  # fmt: skip
    title = "Larger shapes link more partners who would otherwise be apart"
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.02),
        # In large print one column, so the key is no wider than the page.
        ncol=1 if large else 3,
        frameon=False,
        fontsize=8 * text_scale,
        title="\n".join(wrap(title, 34)) if large else title,
        title_fontsize=8 * text_scale,
    )


def network_map(network: Network, *, text_scale: float = 1.0) -> str:
    """An SVG of ``network``; a message when there is nothing to draw."""
    title = alt_text(network)
    if network.withheld or not network.members:
        return message(network.withheld or "No organisations to show", title)
    positions = layout(network)
    label_size = 8 * text_scale

    large = text_scale != 1

    def draw(fig: Figure) -> None:
        # At the usual size the map and its key have places of their own in the figure, so
        # it need not be cropped (render's second pass): the key in the bottom eighth. The
        # large print's key is long and in one column, and is left to the cropping.
        ax = fig.add_subplot() if large else fig.add_axes((0.0, 0.125, 1.0, 0.875))
        ax.set_axis_off()
        ax.margins(0.12)
        for tie in network.ties:
            a, b = tie.first.pk, tie.second.pk
            (x1, y1), (x2, y2) = positions[a], positions[b]
            ax.plot(
                [x1, x2], [y1, y2], color=DARK_GREY, linewidth=line_width(tie.frequency),
                solid_capstyle="round", zorder=1, clip_on=False, gid=f"tie-{min(a, b)}-{max(a, b)}",
            )  # fmt: skip
        for member in network.members:
            organisation = member.organisation
            x, y = positions[organisation.pk]
            ax.plot(
                [x], [y], marker=SHAPES[Sector(organisation.sector)], linestyle="none",
                markersize=shape_size(member.betweenness), markeredgecolor=BLACK,
                markerfacecolor=SECTOR_COLOURS[organisation.sector], zorder=2, clip_on=False,
                gid=f"organisation-{organisation.pk}",
            )  # fmt: skip
            # One text per line: multi-line text loses its centring in the SVG (as in
            # charts.py), and the label must stay under its shape in any browser's font.
            # No box behind a label: in a close network it hid other organisations' shapes,
            # and each box was one more path for the PDF to draw.
            below = shape_size(member.betweenness) / 2 + 3
            for line in wrap(organisation.name, 22 if text_scale == 1 else 14):
                ax.annotate(
                    line,
                    (x, y),
                    xytext=(0, -below),
                    textcoords="offset points",
                    ha="center",
                    va="top",
                    fontsize=label_size,
                    color=BLACK,
                    zorder=3,
                )
                below += label_size * 1.25
        _key(ax, text_scale)

    # Large print: as wide as the page's text and taller, so the PDF draws it at its own size.
    size = (6.6, 9) if large else (9, 7.2)
    return render(draw, figsize=size, title=title, tight=large)
