"""Template helpers for the results page."""

from __future__ import annotations

from django import template

from workshops.models import Basis
from workshops.services.results import Results

register = template.Library()

BAND_TAGS = {
    "strength": "govuk-tag--green",
    "needs_attention": "govuk-tag--yellow",
    "concern": "govuk-tag--red",
}


@register.filter
def get(mapping: dict, key):
    return mapping.get(key) if mapping else None


@register.filter
def score(value) -> str:
    return "–" if value is None else f"{value:.1f}"


@register.filter
def percent(fraction: float) -> str:
    return f"{100 * fraction:.0f}%"


@register.filter
def basis_label(basis: str) -> str:
    return Basis.column(basis)


@register.filter
def band_colour(key: str) -> str:
    return BAND_TAGS.get(key, "govuk-tag--grey")


@register.filter
def count_of(counts: dict, value) -> int:
    return counts.get(str(value), 0)


@register.filter
def gap_tables(results: Results) -> list[tuple]:
    return [
        ("Ratings: gap in points on the 1 to 4 scale", results.rating_gaps, "points", 1),
        ("Yes or no: gap in percentage points", results.yes_no_gaps, "percentage points", 0),
    ]


@register.filter
def seven_s_alt(results: Results) -> str:
    """The 7S chart in words, for its text alternative."""
    parts = []
    for element in results.elements:
        if not element.section.is_element:
            continue
        value, band = element.headline
        name = element.section.name or element.section.heading
        if value is None:
            parts.append(f"{name}: no ratings")
        else:
            parts.append(f"{name}: {value:.1f}" + (f", {band['label'].lower()}" if band else ""))
    return "7S chart of element scores. " + "; ".join(parts) + "."
