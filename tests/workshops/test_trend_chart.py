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


def share_chart() -> TrendChart:
    """The same chart, with element 1's share in each round and share targets for it."""
    figures = chart()
    figures.well = "performs well or better"
    figures.lines[0].shares = [40.0, 50.0]
    figures.lines[0].share_targets = {1: 45.0, 2: 60.0}
    figures.lines[1].shares = [None, 100.0]
    return figures


def test_share_targets_get_panels_of_shares_with_the_targets_marked():
    figures = share_chart()
    svg = trend_chart(figures, title=figures.alt)
    assert "Share that say it performs well or better, for the elements with a share target" in svg
    for text in ["40%", "50%", "Target 45%", "Target 60%", "Target 3.0"]:
        assert text in svg
    assert 'id="trend-share-target-1-2"' in svg and 'id="trend-share-target-1-3"' in svg
    # Only the elements with a share target have a panel of shares.
    assert "trend-share-target-2-" not in svg
    assert trend_chart(figures).count("Staff and skills") == 1
    title = re.search(r"<title>([^<]*)</title>", svg).group(1)
    assert (
        "Share of ratings that say it performs well or better, for the elements with a share "
        "target: 1. SCS: 2025 review (May 2025) 40%, 2026 review (this assessment) 50%; "
        "target 45% for 2026 review (this assessment); target 60% for the next assessment."
    ) in title


def test_a_chart_without_share_targets_is_unchanged_by_its_shares():
    figures = chart()
    plain = trend_chart(figures, title=figures.alt)
    figures.lines[0].shares = [40.0, 50.0]
    figures.well = "performs well or better"
    assert trend_chart(figures, title=figures.alt) == plain
    assert "Share" not in figures.alt and "trend-share" not in plain


def test_the_large_print_chart_draws_the_share_targets_too():
    svg = trend_chart(share_chart(), text_scale=2)
    assert "Target 60%" in svg and 'id="trend-share-target-1-3"' in svg
