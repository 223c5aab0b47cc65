"""Drawing a chart as an SVG document with matplotlib: what every chart shares.

The same input always gives the same bytes (fixed ids, no timestamps), so responses can be
cached and compared. Labels stay real text, not glyph outlines, so browsers, screen readers
and the PDF renderer can read them, and the document references nothing outside itself.
"""

from __future__ import annotations

import io
import re
import textwrap
import threading
from collections.abc import Callable
from xml.sax.saxutils import escape

import matplotlib
from matplotlib.figure import Figure

from workshops.reporting.chart_colours import BLACK, DARK_GREY

# Nothing here uses pyplot, but if anything in the process imports it later it
# must not go looking for a display on a server.
matplotlib.use("Agg")

_RC = {
    # Element ids are otherwise random UUIDs, which would make every render differ.
    "svg.hashsalt": "lsp-assess",
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
    "font.size": 10,
    "text.color": BLACK,
    "axes.edgecolor": DARK_GREY,
    "axes.labelcolor": BLACK,
    "xtick.color": BLACK,
    "ytick.color": BLACK,
    # Labels come from user-editable data; a "$" must not switch on mathtext.
    "text.parse_math": False,
    "text.usetex": False,
}

# The defaults would add a timestamp and a creator/type with URLs in them.
# Title is left out because it would also go into RDF metadata whose
# namespace declarations are URLs; add_title writes the <title> instead.
_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}

# rc_context swaps matplotlib's process-wide rcParams, and matplotlib's text
# and font caches are not thread-safe, so concurrent requests in a threaded
# worker could otherwise render with each other's (or the default) settings.
_RENDER_LOCK = threading.Lock()

# Characters XML 1.0 forbids; one in a partnership's data would break the document.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str) -> str:
    return _INVALID_XML.sub("", str(text))


def one_dp(value: float) -> str:
    return f"{value:.1f}"


def add_title(svg: str, title: str) -> str:
    title = clean(title).strip()
    if not title:
        return svg
    root = re.search(r"<svg\b[^>]*>", svg)
    if root is None:  # pragma: no cover - matplotlib always writes a root element
        raise ValueError("not an SVG document")
    return f"{svg[: root.end()]}\n <title>{escape(title)}</title>{svg[root.end() :]}"


def render(
    draw: Callable[[Figure], None],
    *,
    figsize: tuple[float, float],
    title: str,
    layout: str | None = None,
    tight: bool = True,
) -> str:
    """The SVG ``draw`` makes on a figure of ``figsize`` inches, titled ``title``.
    ``tight``: cropped to what was drawn, which takes matplotlib a second pass over every
    artist; a chart that places its own parts within the figure need not."""
    with _RENDER_LOCK, matplotlib.rc_context(_RC):
        # A bare Figure, not pyplot: no global figure registry to leak between
        # requests, and the figure is freed as soon as it goes out of scope.
        fig = Figure(figsize=figsize, layout=layout)
        draw(fig)
        buffer = io.StringIO()
        fig.savefig(
            buffer, format="svg", bbox_inches="tight" if tight else None, metadata=_METADATA
        )
    svg = buffer.getvalue()
    # The prolog's DOCTYPE names the W3C DTD by URL and nothing needs it; without
    # the prolog the document can also be inlined in an HTML page as it is.
    svg = svg[svg.index("<svg") :]
    return add_title(svg, title)


def message(text: str, title: str) -> str:
    def draw(fig: Figure) -> None:
        ax = fig.add_subplot()
        ax.set_axis_off()
        ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=12, color=BLACK)

    return render(draw, figsize=(6, 1), title=title)


def wrap(text: str, width: float) -> list[str]:
    """``text`` cleaned and wrapped at about ``width`` characters, one string per line."""
    return textwrap.wrap(clean(text), round(width), break_long_words=False) or [""]
