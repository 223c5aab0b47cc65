"""The SVG charts: what a reader sees in them, and that they are safe to serve."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from workshops.reporting.chart_colours import contrast_ratio, heat_colours
from workshops.reporting.charts import distribution_chart, heat_map, seven_s_chart
from workshops.services.chart_inputs import ElementScore, HeatRow

SVG = "{http://www.w3.org/2000/svg}"
NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}

ELEMENTS = [
    ElementScore(1, "SCS", "centre", 3.24, "strength", "Strength"),
    ElementScore(2, "Staff and skills", "soft", 2.5, "needs_attention", "Needs attention"),
    ElementScore(3, "Style", "soft", 1.76, "concern", "Concern"),
    ElementScore(4, "Synergies", "soft", None),
    ElementScore(5, "Steering", "hard", 3.0, "strength", "Strength"),
    ElementScore(6, "Standards", "hard", 2.2, "needs_attention", "Needs attention"),
    ElementScore(7, "Systems", "hard", 1.2, "concern", "Concern"),
]

NAMES = ["SCS", "Staff and skills", "Style", "Synergies", "Steering", "Standards", "Systems"]
# 33 items, as in the real question bank; one item has no ratings yet.
HEAT_ROWS = [
    HeatRow(
        f"{e} {name}",
        [
            (f"{e}.{i}", None if (e, i) == (4, 3) else round(1 + ((e * 7 + i * 3) % 31) / 10, 2))
            for i in range(1, size + 1)
        ],
    )
    for e, (name, size) in enumerate(zip(NAMES, [5, 5, 4, 4, 5, 5, 5], strict=True), start=1)
]

OPTIONS = [
    "1 – Performs poorly",
    "2 – Performs adequately",
    "3 – Performs well",
    "4 – Performs excellently",
    "Don't know",
]
COUNTS = [1, 4, 11, 2, 0]

CHARTS = {
    "7s": lambda **kw: seven_s_chart(ELEMENTS, **kw),
    "heat map": lambda **kw: heat_map(HEAT_ROWS, **kw),
    "distribution": lambda **kw: distribution_chart(OPTIONS, COUNTS, **kw),
}


def parse(svg: str) -> ET.Element:
    # The SVG is our own output, not untrusted input.
    root = ET.fromstring(svg)  # noqa: S314
    assert root.tag == f"{SVG}svg"
    return root


def texts(root: ET.Element) -> list[str]:
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


def style(node: ET.Element) -> dict[str, str]:
    declarations = (part.split(":", 1) for part in node.get("style", "").split(";") if part)
    return {name.strip(): value.strip() for name, value in declarations}


def circle(root: ET.Element, number: int) -> ET.Element:
    group = root.find(f".//{SVG}g[@id='seven-s-element-{number}']")
    assert group is not None, f"no circle for element {number}"
    return group.find(f"{SVG}path")


def circle_x(path: ET.Element) -> float:
    # matplotlib starts a circle's path at its lowest point, straight below the centre.
    return float(path.get("d").split()[1])


def tick_texts(root: ET.Element, axis: str) -> list[ET.Element]:
    return [
        node
        for group in root.iter(f"{SVG}g")
        if group.get("id", "").startswith(f"{axis}tick_")
        for node in group.iter(f"{SVG}text")
    ]


def tick_labels(root: ET.Element, axis: str) -> list[str]:
    return ["".join(node.itertext()) for node in tick_texts(root, axis)]


def plot_texts(root: ET.Element) -> list[str]:
    """Texts drawn in the plot itself, not the axes' tick labels."""
    ticks = {
        id(node)
        for group in root.iter(f"{SVG}g")
        if re.match(r"[xy]tick_", group.get("id", ""))
        for node in group.iter(f"{SVG}text")
    }
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text") if id(t) not in ticks]


# --- the 7S chart -----------------------------------------------------------


def test_7s_chart_shows_each_element_with_its_score_and_band_as_text():
    root = parse(seven_s_chart(ELEMENTS))
    shown = texts(root)

    for name in NAMES:
        assert name in shown
    # Means to one decimal place: 3.24 -> 3.2, 1.76 -> 1.8, 3.0 stays 3.0.
    for score in ["3.2", "2.5", "1.8", "3.0", "2.2", "1.2"]:
        assert score in shown
    assert shown.count("Strength") == 2
    assert shown.count("Needs attention") == 2
    assert shown.count("Concern") == 2
    assert shown.count("No ratings") == 1
    assert "Soft (transformational)" in shown
    assert "Hard (transactional)" in shown


def test_7s_circles_are_coloured_as_the_heat_map_colours_the_same_score():
    root = parse(seven_s_chart(ELEMENTS))
    heat = parse(heat_map([HeatRow("All", [(str(e.number), e.score) for e in ELEMENTS])]))
    cells = {style(path).get("fill") for path in heat.iter(f"{SVG}path")}

    fills = {n: style(circle(root, n))["fill"] for n in range(1, 8)}
    assert fills == {e.number: heat_colours(e.score)[0] for e in ELEMENTS}
    # The same score, the same colour: 2.2 is the heat map's orange, not the band's yellow.
    assert fills[6] != "#ffdd00" and fills[6] in cells
    assert set(fills.values()) <= cells
    assert fills[4] == "#b1b4b6"
    # Each score is written in the text colour chosen for its fill, readable against it.
    text_fill = {"".join(t.itertext()): style(t)["fill"] for t in root.iter(f"{SVG}text")}
    for element in ELEMENTS:
        fill, text = heat_colours(element.score)
        shown = "No ratings" if element.score is None else f"{element.score:.1f}"
        assert text_fill[shown] == text and contrast_ratio(fill, text) >= 4.5


def test_both_charts_say_which_basis_they_show():
    basis = "External basis: against the performance of other LSPs"
    assert basis in texts(parse(seven_s_chart(ELEMENTS, basis=basis)))
    assert basis in texts(parse(heat_map(HEAT_ROWS, basis=basis)))


def test_7s_puts_the_centre_in_the_middle_soft_on_the_left_and_hard_on_the_right():
    root = parse(seven_s_chart(ELEMENTS))

    x = {n: circle_x(circle(root, n)) for n in range(1, 8)}
    assert max(x[2], x[3], x[4]) < x[1] < min(x[5], x[6], x[7])


def test_7s_chart_without_any_ratings_is_all_grey_and_says_so():
    # A band left over without a score must not colour the circle.
    unrated = [
        ElementScore(e.number, e.name, e.aspect, None, "strength", "Strength") for e in ELEMENTS
    ]
    root = parse(seven_s_chart(unrated))

    assert texts(root).count("No ratings") == 7
    assert "Strength" not in texts(root)
    assert {style(circle(root, n))["fill"] for n in range(1, 8)} == {"#b1b4b6"}

    assert "No ratings yet" in texts(parse(seven_s_chart([])))
    with pytest.raises(ValueError, match="aspect"):
        seven_s_chart([ElementScore(1, "SCS", "middle", 3.0)])


# --- heat map ---------------------------------------------------------------


def test_heat_map_shows_every_item_key_and_mean():
    root = parse(heat_map(HEAT_ROWS))
    shown = texts(root)

    for row in HEAT_ROWS:
        assert row.label in shown
        for key, mean in row.cells:
            assert key in shown
            if mean is not None:
                assert f"{mean:.1f}" in shown
    assert sum(len(row.cells) for row in HEAT_ROWS) == 33
    assert shown.count("–") == 1
    assert "1 Performs poorly" in shown
    assert "4 Performs excellently" in shown
    # The legend must be drawn, not embedded as a bitmap.
    assert root.find(f".//{SVG}image") is None


def test_heat_map_colours_cells_on_the_scale_with_readable_text():
    rows = [HeatRow("1 SCS", [("1.1", 1.0), ("1.2", 4.0), ("1.3", None)])]
    root = parse(heat_map(rows, low_label="Low end", high_label="High end"))
    fills = {style(path).get("fill") for path in root.iter(f"{SVG}path")}

    assert {"#d4351c", "#00703c", "#b1b4b6"} <= fills
    assert {"Low end", "High end"} <= set(texts(root))


def test_heat_map_with_nothing_to_show_says_no_ratings_yet():
    for rows in ([], [HeatRow("1 SCS", [])]):
        assert texts(parse(heat_map(rows))) == ["No ratings yet"]


# --- distribution -----------------------------------------------------------


def test_distribution_chart_shows_each_option_and_its_count():
    labels = [*OPTIONS[:-1], "Costs $5 & $6", OPTIONS[-1]]
    root = parse(distribution_chart(labels, [*COUNTS[:-1], 3, 0]))

    # A "$" pair must not be read as mathematics.
    assert tick_labels(root, "y") == labels
    # First option at the top: SVG's y grows downwards.
    heights = [float(t.get("y")) for t in tick_texts(root, "y")]
    assert heights == sorted(heights)
    assert [s for s in plot_texts(root) if s.isdigit()] == ["1", "4", "11", "2", "3", "0"]
    bars = [p for p in root.iter(f"{SVG}path") if style(p).get("fill") == "#1d70b8"]
    assert len(bars) == 6
    assert all(label.isdigit() for label in tick_labels(root, "x"))


def test_distribution_chart_with_no_answers_is_still_a_chart():
    root = parse(distribution_chart(OPTIONS, [0] * 5))

    assert [s for s in plot_texts(root) if s.isdigit()] == ["0"] * 5
    assert tick_labels(root, "x") == ["0", "1"]
    assert "No answers yet" in texts(parse(distribution_chart([], [])))
    with pytest.raises(ValueError):
        distribution_chart(OPTIONS, [1, 2])


# --- every chart ------------------------------------------------------------


@pytest.mark.parametrize("chart", CHARTS.values(), ids=CHARTS.keys())
def test_the_same_input_gives_the_same_svg(chart):
    assert chart(title="Same") == chart(title="Same")


@pytest.mark.parametrize("chart", CHARTS.values(), ids=CHARTS.keys())
def test_title_is_the_first_child_of_the_svg_only_when_given(chart):
    root = parse(chart(title="Results <draft> & notes"))
    assert root[0].tag == f"{SVG}title"
    assert root[0].text == "Results <draft> & notes"

    assert parse(chart()).find(f"{SVG}title") is None


@pytest.mark.parametrize(
    "svg",
    [
        *(chart(title="A chart") for chart in CHARTS.values()),
        seven_s_chart([]),
        heat_map([]),
        distribution_chart(OPTIONS, [0] * 5),
    ],
    ids=[*CHARTS.keys(), "empty 7s", "empty heat map", "no answers"],
)
def test_charts_reference_nothing_outside_themselves(svg):
    urls = set(re.findall(r"https?://[^\s\"'<>)]*", svg))
    assert urls <= NAMESPACES
    root = parse(svg)
    assert root.find(f".//{SVG}image") is None
    assert root.find(f".//{SVG}metadata") is None
    # Text stays text, in a sans-serif font a browser or PDF renderer can pick.
    assert texts(root)
    assert all("sans-serif" in style(t)["font-family"] for t in root.iter(f"{SVG}text"))


# --- large print ------------------------------------------------------------


def font_sizes(root: ET.Element) -> list[float]:
    """Each label's size as drawn at the SVG's own size (px in the style, pt in the width)."""
    return [float(style(node)["font-size"].removesuffix("px")) for node in root.iter(f"{SVG}text")]


@pytest.mark.parametrize(
    ("chart", "scale"), [("7s", 2.0), ("heat map", 2.2)], ids=["7s", "heat map"]
)
def test_scaled_text_makes_every_label_at_least_large_print_body_size(chart, scale):
    root = parse(
        CHARTS[chart](basis="Internal basis: against the LSP's own plans", text_scale=scale)
    )
    # Printed at its own size, or shrunk to the A4 page's text width (174 mm, 493 pt).
    printed = min(1, 493 / float(root.get("width").removesuffix("pt")))
    assert min(font_sizes(root)) * printed >= 17
    # Everything is still there, only wrapped sooner.
    shown = " ".join(texts(root))
    if chart == "7s":
        for name in NAMES:
            assert name.split()[0] in shown
    else:
        assert all(row.label in texts(root) for row in HEAT_ROWS)
        assert "1.1" in texts(root) and "Mean rating (– = no ratings)" in texts(root)


def test_unscaled_charts_keep_their_usual_sizes():
    assert min(font_sizes(parse(seven_s_chart(ELEMENTS)))) == 9.5
    assert min(font_sizes(parse(heat_map(HEAT_ROWS)))) == 8
