"""The network section of a questionnaire: who is asked it, about which organisations,
and storing their answers as they give them.

Saved means stored, as for the other answers (``answer_saving``): each answer about
a partner organisation is written only over the version the page had loaded, so a
second window never quietly replaces what another stored, and sending again what is
stored is taken, so a double click or a retry stores one row per pair.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby

from django.db import IntegrityError, transaction

from workshops.models import Assessment, Organisation, Person, Respondent
from workshops.models.network import Frequency, NetworkAnswer
from workshops.models.network_slots import DONT_KNOW_LABEL, NetworkValue
from workshops.models.partnership import Sector
from workshops.services.questionnaire import QuestionnaireError, editable_problem

TITLE = "How your organisation works with partners"
# Where a respondent resumes (Respondent.last_section holds a section number): the
# network section is no section of the question bank, so it has a number of its own,
# past every instrument section and the local questions' (99).
NETWORK_PART = 100


@dataclass
class Offer:
    """Whether the section is asked of a respondent, about which organisations."""

    own: Organisation | None = None
    partners: list[Organisation] = field(default_factory=list)

    @property
    def offered(self) -> bool:
        return self.own is not None and bool(self.partners)

    def by_sector(self) -> list[tuple[str, list[Organisation]]]:
        return [
            (Sector(sector).label, list(orgs))
            for sector, orgs in groupby(self.partners, key=lambda o: o.sector)
        ]


def offer(assessment: Assessment, organisation_name: str) -> Offer:
    """The section for someone of the organisation named: asked only when the assessment
    has it on and the organisation is one of the partnership's (one query)."""
    if not assessment.network or not organisation_name:
        return Offer()
    organisations = _in_order(assessment)
    own = next((o for o in organisations if o.name == organisation_name), None)
    if own is None:
        return Offer()
    return Offer(own, [o for o in organisations if o.pk != own.pk])


def _in_order(assessment: Assessment) -> list[Organisation]:
    """The partnership's organisations by sector (public, private, third), then name."""
    order = {sector: i for i, sector in enumerate(Sector.values)}
    organisations = assessment.partnership.organisations.all()
    return sorted(organisations, key=lambda o: (order[o.sector], o.name))


def on_paper(assessment: Assessment) -> list[tuple[str, list[Organisation]]]:
    """Every organisation by sector, for the paper questionnaire when the section is on:
    a printed copy is not anybody's, so it lists all and people pass over their own."""
    if not assessment.network:
        return []
    return Offer(None, _in_order(assessment)).by_sector()


def offer_for(
    assessment: Assessment, respondent: Respondent | None, person: Person | None
) -> Offer:
    """The section for a response: by the organisation it was given for, or before the
    first answer by the person's organisation now."""
    if respondent is not None:
        return offer(assessment, respondent.organisation)
    return offer(assessment, person.organisation.name if person is not None else "")


def stored(respondent: Respondent | None) -> dict[int, NetworkAnswer]:
    """The respondent's network answers, by the organisation they are about."""
    if respondent is None or respondent.pk is None:
        return {}
    return {a.partner_id: a for a in respondent.network_answers.all()}


def answered(respondent: Respondent | None) -> int:
    if respondent is None or respondent.pk is None:
        return 0
    return respondent.network_answers.count()


@dataclass
class NetworkSaved:
    """What a save did, as ``answer_saving.Saved`` says it: how many answers it stored,
    the organisations (ids) it refused as changed elsewhere, and what is now stored
    about every organisation it was sent, as {id: (code, version)}."""

    count: int = 0
    conflicts: list[int] = field(default_factory=list)
    stored: dict[int, tuple[str, int]] = field(default_factory=dict)


def save_network(
    respondent: Respondent,
    own: Organisation,
    values: dict[int, NetworkValue],
    *,
    bases: dict[int, tuple[str, int]] | None = None,
    section: int | None = None,
) -> NetworkSaved:
    """Store the answers about the organisations (by id) that the page changed.

    ``bases`` says what the page loaded of each: its code and the stored version (0
    for none). An answer as loaded is left alone; a change over an older version is
    refused and the stored answer kept, the others still stored. Without ``bases``
    (imports) the values are simply stored. The caller checks the organisations are
    the offer's partners.
    """
    problem = editable_problem(respondent.assessment, respondent)
    if problem:
        raise QuestionnaireError(problem)
    touched = {
        pk: value
        for pk, value in values.items()
        if bases is None or value.code != bases.get(pk, ("", 0))[0]
    }
    current = {a.partner_id: a for a in respondent.network_answers.filter(partner__in=touched)}
    saved = NetworkSaved()
    created: list[NetworkAnswer] = []
    for pk, value in touched.items():
        answer = current.get(pk)
        if value == NetworkValue.of(answer):
            continue  # already stored: a retry, or the same change from two places
        if bases is not None and bases.get(pk, ("", 0))[1] != (answer.version if answer else 0):
            saved.conflicts.append(pk)
        elif answer is None:
            created.append(
                NetworkAnswer(
                    respondent=respondent, organisation=own, partner_id=pk, **value.fields()
                )
            )
        elif _write(answer, value):
            saved.count += 1
            if value.is_empty:
                current.pop(pk)
        else:
            saved.conflicts.append(pk)
            current[pk] = NetworkAnswer.objects.filter(pk=answer.pk).first()
    saved.count += _create(respondent, created, current, saved)
    if section is not None and section != respondent.last_section:
        respondent.last_section = section
        respondent.save(update_fields=["last_section"])
    for pk in touched:
        answer = current.get(pk)
        saved.stored[pk] = (NetworkValue.of(answer).code, answer.version if answer else 0)
    return saved


def _write(answer: NetworkAnswer, value: NetworkValue) -> bool:
    """Change or delete the stored answer if it is still the version read."""
    same = NetworkAnswer.objects.filter(pk=answer.pk, version=answer.version)
    if value.is_empty:
        return bool(same.delete()[0])
    fields = value.fields() | {"version": answer.version + 1}
    if not same.update(**fields):
        return False
    for name, new in fields.items():
        setattr(answer, name, new)
    return True


def _create(respondent, created: list[NetworkAnswer], current: dict, saved: NetworkSaved) -> int:
    """Insert new answers. If another write inserted one first, none of these is stored
    and each that differs from what the other stored is reported as changed elsewhere."""
    if not created:
        return 0
    try:
        with transaction.atomic():
            NetworkAnswer.objects.bulk_create(created)
    except IntegrityError:
        partners = [a.partner_id for a in created]
        current.update(stored_for(respondent, partners))
        for answer in created:
            if NetworkValue.of(current.get(answer.partner_id)) != NetworkValue.of(answer):
                saved.conflicts.append(answer.partner_id)
        return 0
    for answer in created:
        current[answer.partner_id] = answer
    return len(created)


def stored_for(respondent: Respondent, partners: list[int]) -> dict[int, NetworkAnswer]:
    return {a.partner_id: a for a in respondent.network_answers.filter(partner__in=partners)}


@dataclass(frozen=True)
class ReviewRow:
    partner: str
    how_often: str
    reliability: int | None
    contribution: int | None


def review_rows(respondent: Respondent | None) -> list[ReviewRow]:
    """The respondent's network answers, in words, for checking before submitting."""
    if respondent is None or respondent.pk is None:
        return []
    answers = respondent.network_answers.select_related("partner").order_by("partner__name")
    return [
        ReviewRow(
            a.partner.name,
            DONT_KNOW_LABEL if a.dont_know else Frequency(a.frequency).label,
            a.reliability,
            a.contribution,
        )
        for a in answers
    ]
