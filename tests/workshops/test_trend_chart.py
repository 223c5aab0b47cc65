"""The trend chart (workshops/reporting/trend_chart.py): element scores over the rounds,
with the board's targets, as SVG."""

from __future__ import annotations

import re

from workshops.reporting.trend_chart import trend_chart
from workshops.services.targets import TrendChart, TrendLine


def chart() -> TrendChart:
    return TrendChart(
        ["2025 review (May 2025)", "2026 review (this assessment)", "Next assessment"],
        [
            TrendLine(1, "SCS", [2.0, 2.5], {1: 2.6, 2: 3.0}),
            TrendLine(2, "Staff and skills", [None, 3.5]),
        ],
    )


def test_each_element_has_a_panel_with_its_scores_and_targets_as_text():
    svg = trend_chart(chart(), title=chart().alt)
    for text in ["1. SCS", "2. Staff and skills", "2.0", "2.5", "3.5", "Target 2.6", "Target 3.0"]:
        assert f">{text}<" in svg or text in svg
    assert 'id="trend-target-1-2"' in svg and 'id="trend-target-1-3"' in svg
    assert "trend-target-2-" not in svg
    assert "1 = 2025 review (May 2025); 2 = 2026 review (this assessment); 3 = Next assessment" in (
        svg
    )
    title = re.search(r"<title>([^<]*)</title>", svg).group(1)
    assert "target 3.0 for the next assessment" in title


def test_the_same_figures_give_the_same_svg():
    assert trend_chart(chart()) == trend_chart(chart())


def test_with_no_elements_it_says_no_ratings_yet():
    assert "No ratings yet" in trend_chart(TrendChart(["Now"], []))
