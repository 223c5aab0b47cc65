"""What the 7S chart and the heat map draw: element scores and question means on the
headline basis, which both say, read straight from the database rather than from the whole
results.

The charts themselves are drawn in workshops.reporting.charts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings

from workshops.models import Assessment, Basis
from workshops.services.answer_rows import counted_answers, counted_respondents
from workshops.services.groups import Group, people, why_not_shown
from workshops.services.results import CHANNELS, withheld_because
from workshops.services.scores import (
    band_for,
    rating_aggregates,
    scores_by_element,
    shares_by_element,
)


@dataclass(frozen=True)
class ElementScore:
    """One of the seven elements of the public sector 7S model, with its headline score."""

    number: int
    name: str
    aspect: str  # "centre", "soft" or "hard"
    score: float | None
    band_key: str = ""
    band_label: str = ""
    share: float | None = None  # at 3 or 4, "performs well or better", from 0 to 1


@dataclass(frozen=True)
class HeatRow:
    """One row of the heat map: an element and the mean rating of each of its items."""

    label: str
    cells: Sequence[tuple[str, float | None]]


@dataclass(frozen=True)
class ChartInputs:
    """What both charts draw, and the one basis they draw it on."""

    elements: list[ElementScore]
    heat_rows: list[HeatRow]
    basis: str

    @property
    def basis_words(self) -> str:
        return basis_words(self.basis)


def basis_words(basis: str) -> str:
    """Which basis a chart shows, as its caption says it: "Internal basis: against the LSP's
    own plans and goals"."""
    word, _, rest = Basis(basis).label.partition(": ")
    return f"{word} basis: {rest}"


def chart_inputs(
    assessment: Assessment, channel: str = "all", group: Group | None = None
) -> ChartInputs:
    """Element scores and top-level question means on the headline basis (the first the
    assessment asks), and nothing else, so each chart can say which basis it shows. Two
    queries (an average per question, done by the database), so a chart does not rebuild
    the whole results. Nothing while an anonymous assessment's results are withheld, nor
    for a ``group`` whose view the results page would not show."""
    channel = channel if channel in CHANNELS else "all"
    basis = assessment.bases[0]
    least = settings.MIN_GROUP_SIZE
    if withheld_because(assessment, channel, least):
        return ChartInputs([], [], basis)
    if group and why_not_shown(group, people(assessment), least, assessment.anonymous, channel):
        return ChartInputs([], [], basis)
    items = list(assessment.items.select_related("section").order_by("section__number", "position"))
    # Each person counted once on each question, as the results count them; then the group.
    answers = counted_answers(counted_respondents(assessment, channel), channel).filter(basis=basis)
    if group:
        answers = answers.filter(group.q("respondent__"))
    aggregates = list(rating_aggregates(answers))
    scores, means = scores_by_element(aggregates)
    shares = shares_by_element(aggregates)
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
                share=shares.get(number),
            )
        )
    rows = []
    for number, section in sections.items():
        cells = [
            (item.key, means.get((item.key, basis)))
            for item in items
            if item.section_id == section.pk
            and item.parent_id is None
            and item.kind == "rating"
            and not item.local  # the chart shows the instrument, as the element scores do
        ]
        if cells:
            rows.append(HeatRow(f"{number} {section.name}", cells))
    return ChartInputs(elements, rows, basis)
