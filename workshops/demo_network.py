"""The demo partnership's network: plausible answers on how its organisations work
together, for the demo's assessments that have submitted questionnaires, and a previous
round a year earlier so the network page has changes to show.

Deterministic: each person's answers are drawn from a seed of their own name, and running
it again adds nothing (people who already answered are left as they are). An assessment
nobody has submitted yet is left alone, so ``make run``'s fresh demo is unchanged.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from workshops.models import (
    Assessment,
    NetworkAnswer,
    Organisation,
    Partnership,
    Respondent,
)

COUNCIL = "Eastvale District Council"
COUNTY = "Northshire County Council"
HEALTH = "NHS Northshire Primary Care Trust"
POLICE = "Northshire Police"
FIRE = "Northshire Fire and Rescue Service"
CHAMBER = "Eastvale Chamber of Commerce"
LOGISTICS = "Vale Logistics Ltd"
CVS = "Eastvale Council for Voluntary Service"
HOUSING = "Eastvale Community Housing Trust"

# How often each two organisations work together this round (0 never, 1 a few times a year,
# 2 monthly, 3 weekly or more); pairs not listed never do.
THIS_ROUND = {
    (COUNCIL, COUNTY): 3,
    (COUNCIL, HEALTH): 2,
    (COUNCIL, POLICE): 2,
    (COUNCIL, FIRE): 1,
    (COUNCIL, CHAMBER): 2,
    (COUNCIL, CVS): 3,
    (COUNCIL, HOUSING): 2,
    (COUNTY, HEALTH): 3,
    (COUNTY, POLICE): 2,
    (COUNTY, FIRE): 2,
    (HEALTH, CVS): 1,
    (POLICE, FIRE): 3,
    (POLICE, CVS): 1,
    (CHAMBER, LOGISTICS): 2,
    (CVS, HOUSING): 2,
}
# A year earlier: the housing trust and the police had not yet found the council and the
# voluntary sector, Vale Logistics worked with no one, and the fire service knew the CVS.
LAST_ROUND = {
    **{pair: often for pair, often in THIS_ROUND.items()},
    (COUNCIL, HOUSING): 0,
    (POLICE, CVS): 0,
    (CHAMBER, LOGISTICS): 0,
    (FIRE, CVS): 1,
}
PREVIOUS_TITLE = "Network review 2025"


def _often(table: dict, own: str, partner: str) -> int:
    return table.get((own, partner), table.get((partner, own), 0))


def _answers_of(
    respondent: Respondent, own: Organisation, others: list[Organisation], table: dict, seed: str
) -> list[NetworkAnswer]:
    """One person's view of every other organisation: the round's figure, now and then a
    step either way, as people in one organisation do not all see it alike."""
    rng = random.Random(f"lsp-demo-network:{seed}")  # noqa: S311 - demonstration data
    rows = []
    for partner in others:
        often = _often(table, own.name, partner.name)
        if rng.random() < 0.2:
            often = min(3, max(0, often + rng.choice([-1, 1])))
        if often == 0 and rng.random() < 0.1:
            rows.append(
                NetworkAnswer(
                    respondent=respondent, organisation=own, partner=partner, dont_know=True
                )
            )
            continue
        together = often > 0
        rows.append(
            NetworkAnswer(
                respondent=respondent,
                organisation=own,
                partner=partner,
                frequency=often,
                reliability=rng.choice([2, 3, 3, 4]) if together else None,
                contribution=rng.choice([2, 3, 3, 4]) if together else None,
            )
        )
    return rows


def _answer(assessment: Assessment, respondents, table: dict) -> int:
    organisations = {o.name: o for o in assessment.partnership.organisations.all()}
    rows = []
    for index, respondent in enumerate(respondents):
        own = organisations.get(respondent.organisation)
        if own is None:
            continue
        others = [o for o in organisations.values() if o.pk != own.pk]
        seed = f"{assessment.title}:{respondent.organisation}:{index}"
        rows += _answers_of(respondent, own, others, table, seed)
    NetworkAnswer.objects.bulk_create(rows)
    return len(rows)


def _previous_round(district: Partnership, assessment: Assessment) -> None:
    """A network review a year before ``assessment``, answered on paper by each demo person."""
    if district.assessments.filter(title=PREVIOUS_TITLE).exists():
        return
    opened = assessment.opens_on - timedelta(days=365)
    previous = Assessment.objects.create(
        partnership=district,
        title=PREVIOUS_TITLE,
        bank=assessment.bank,
        basis=Assessment.BasisChoice.INTERNAL,
        opens_on=opened,
        closes_on=opened + timedelta(days=21),
        network=True,
        created_by=assessment.created_by,
    )
    submitted = timezone.now() - timedelta(days=365)
    people = district.people.select_related("organisation").order_by("name")
    respondents = Respondent.objects.bulk_create(
        Respondent(
            assessment=previous,
            channel=Respondent.Channel.PAPER,
            submitted_at=submitted,
            **Respondent.attributes_of(person),
        )
        for person in people
    )
    _answer(previous, respondents, LAST_ROUND)


@transaction.atomic
def seed_network(district: Partnership) -> None:
    """Turn the network on for the district's assessments that have submitted
    questionnaires, answer it for their people who have not, and add the previous round."""
    counted = Respondent.objects.filter(
        assessment__partnership=district, submitted_at__isnull=False
    ).exclude(channel=Respondent.Channel.WORKSHOP)
    for assessment in district.assessments.filter(respondents__in=counted).distinct():
        if assessment.title == PREVIOUS_TITLE:
            continue
        if not assessment.network:
            assessment.network = True
            assessment.save(update_fields=["network"])
        waiting = counted.filter(assessment=assessment, network_answers__isnull=True)
        _answer(assessment, list(waiting.order_by("pk")), THIS_ROUND)
        _previous_round(district, assessment)
