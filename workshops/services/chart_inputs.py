"""What the 7S chart and the heat map draw: element scores and question means on the
headline basis, read straight from the database rather than from the whole results.

The charts themselves are drawn in workshops.reporting.charts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings

from workshops.models import Assessment
from workshops.services.answer_rows import counted_answers, counted_respondents
from workshops.services.results import CHANNELS, withheld_because
from workshops.services.scores import band_for, rating_aggregates, scores_by_element


@dataclass(frozen=True)
class ElementScore:
    """One of the seven elements of the public sector 7S model, with its headline score."""

    number: int
    name: str
    aspect: str  # "centre", "soft" or "hard"
    score: float | None
    band_key: str = ""
    band_label: str = ""


@dataclass(frozen=True)
class HeatRow:
    """One row of the heat map: an element and the mean rating of each of its items."""

    label: str
    cells: Sequence[tuple[str, float | None]]


def chart_inputs(
    assessment: Assessment, channel: str = "all"
) -> tuple[list[ElementScore], list[HeatRow]]:
    """Element scores and top-level question means on the headline basis. Two queries (an
    average per question, done by the database, each person counted once on each question
    as the results count them), so a chart does not rebuild the whole results. Nothing
    while an anonymous assessment's results are withheld."""
    channel = channel if channel in CHANNELS else "all"
    if withheld_because(assessment, channel, settings.MIN_GROUP_SIZE):
        return [], []
    items = list(assessment.items.select_related("section").order_by("position"))
    answers = counted_answers(counted_respondents(assessment, channel), channel)
    scores, means = scores_by_element(rating_aggregates(answers))
    basis = assessment.bases[0]
    sections = {item.section.number: item.section for item in items if item.section.is_element}
    elements = []
    for number, section in sections.items():
        score = scores.get(number)
        band = band_for(assessment.bank, score)
        elements.append(
            ElementScore(
                number=number,
                name=section.name or section.heading,
                aspect=section.aspect,
                score=score,
                band_key=band["key"] if band else "",
                band_label=band["label"] if band else "",
            )
        )
    rows = []
    for number, section in sections.items():
        cells = [
            (item.key, means.get((item.key, basis)))
            for item in items
            if item.section_id == section.pk and item.parent_id is None and item.kind == "rating"
        ]
        if cells:
            rows.append(HeatRow(f"{number} {section.name}", cells))
    return elements, rows
