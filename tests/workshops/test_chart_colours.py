"""The charts' colours: every fill's text is readable (WCAG 2, at least 4.5:1)."""

from __future__ import annotations

from workshops.reporting.chart_colours import contrast_ratio, heat_colours


def test_heat_colours_run_from_red_through_yellow_to_green_with_readable_text():
    assert heat_colours(1.0) == ("#d4351c", "#ffffff")
    assert heat_colours(2.5) == ("#ffdd00", "#0b0c0c")
    assert heat_colours(4.0) == ("#00703c", "#ffffff")
    assert heat_colours(None) == ("#b1b4b6", "#0b0c0c")
    for step in range(301):
        fill, text = heat_colours(1 + step / 100)
        assert contrast_ratio(fill, text) >= 4.5, (1 + step / 100, fill, text)
