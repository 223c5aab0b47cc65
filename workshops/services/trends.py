"""How a partnership's earlier assessments scored, element by element and item by item,
to set beside this one's results.

Two queries whatever the number of earlier assessments: one for them, one for every mean.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from workshops.models import Assessment, Respondent
from workshops.services.answer_rows import counted_answers
from workshops.services.scores import rating_aggregates, scores_by_element, shares_by_element

WORKSHOP = Respondent.Channel.WORKSHOP


@dataclass
class Trend:
    label: str  # an earlier assessment
    elements: dict[int, float | None]  # section number -> score on the headline basis
    items: dict[tuple[str, str], float | None]  # (item key, basis) -> mean
    # section number -> share at 3 or 4 ("performs well or better", 0 to 1), headline basis
    shares: dict[int, float | None] = field(default_factory=dict)


def earlier_assessments(assessment: Assessment):
    """The partnership's assessments that opened before this one, oldest first: the last
    is the previous assessment."""
    return assessment.partnership.assessments.filter(opens_on__lt=assessment.opens_on).order_by(
        "opens_on", "pk"
    )


def trends_for(assessment: Assessment) -> list[Trend]:
    """Earlier assessments of this partnership, matched item by item on the item's key
    (so a new bank version still lines up) and element by element on its number."""
    earlier = list(earlier_assessments(assessment))
    if not earlier:
        return []
    counted = Respondent.objects.filter(assessment__in=earlier).filter(
        Q(submitted_at__isnull=False) | Q(channel=WORKSHOP)
    )
    # Each person once on each question, as this assessment's results count them.
    answers = counted_answers(counted)
    by_assessment = defaultdict(list)
    rows = rating_aggregates(answers).values_list(
        "respondent__assessment_id",
        "item__section__number",
        "item__key",
        "basis",
        "avg",
        "n",
        "well",
    )
    for assessment_id, *rest in rows:
        by_assessment[assessment_id].append(rest)
    trends = []
    for old in earlier:
        rows = by_assessment.get(old.pk, [])
        elements, items = scores_by_element(rows)
        label = f"{old.title} ({old.opens_on:%B %Y})"
        trends.append(Trend(label, elements, items, shares_by_element(rows)))
    return trends
