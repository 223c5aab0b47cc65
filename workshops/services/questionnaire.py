"""Answering a questionnaire: who may answer, saving answers, submitting.

Saving is an upsert on (respondent, item, basis), so a double click or a retry
after a dropped connection stores one answer, and it costs the same few
queries however long the questionnaire is.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from questions.models import Item, Section
from workshops.forms.questionnaire import Slot, initial_from
from workshops.models import Answer, Assessment, EvidenceNote, Invitation, Respondent


class QuestionnaireError(Exception):
    """The answer cannot be taken; the message says why, for the person answering."""


def editable_problem(assessment: Assessment, respondent: Respondent | None) -> str | None:
    """Why answers cannot be changed now, or None when they can."""
    status = assessment.status()
    if status == "not_open":
        return f"This questionnaire opens on {assessment.opens_on:%-d %B %Y}."
    if status == "closed":
        return f"This questionnaire closed on {assessment.closes_on:%-d %B %Y}."
    if respondent is not None and respondent.is_submitted:
        return "You have submitted your answers, so they can no longer be changed."
    return None


def respondent_for_invitation(invitation: Invitation, channel: str, entered_by=None) -> Respondent:
    """The invitee's response, created on their first answer (safe against a race)."""
    try:
        respondent = invitation.respondent
    except Respondent.DoesNotExist:
        pass
    else:
        respondent.assessment = invitation.assessment  # already loaded: no second query
        return respondent
    attributes = Respondent.attributes_of(invitation.person)
    try:
        with transaction.atomic():
            respondent = Respondent.objects.create(
                assessment=invitation.assessment,
                invitation=invitation,
                channel=channel,
                entered_by=entered_by,
                **attributes,
            )
    except IntegrityError:
        respondent = Respondent.objects.get(invitation=invitation)
    invitation.respondent = respondent
    return respondent


@dataclass
class Changes:
    answers: list[Answer]
    cleared: Q | None
    notes: list[EvidenceNote]
    cleared_notes: Q | None

    @property
    def count(self) -> int:
        return len(self.answers) + len(self.notes)


def _or(q: Q | None, other: Q) -> Q:
    return other if q is None else q | other


def plan_changes(respondent: Respondent, values: dict[Slot, str | bool]) -> Changes:
    """Turn validated form values into rows to upsert and rows to delete."""
    changes = Changes([], None, [], None)
    na_given = {slot.item.key: value for slot, value in values.items() if slot.part == "na"}
    for slot, value in values.items():
        item = slot.item
        if slot.part == "na":
            if item.key in {s.item.key for s in values if s.part == ""}:
                continue  # decided together with the text below
            if value:
                changes.answers.append(
                    Answer(respondent=respondent, item=item, choice=Answer.Choice.NA)
                )
            else:
                changes.cleared = _or(
                    changes.cleared, Q(item=item, basis="", choice=Answer.Choice.NA)
                )
            continue
        if slot.part == "note":
            if value:
                changes.notes.append(EvidenceNote(respondent=respondent, item=item, text=value))
            else:
                changes.cleared_notes = _or(changes.cleared_notes, Q(item=item))
            continue
        basis = slot.part
        answer = Answer(respondent=respondent, item=item, basis=basis)
        if item.kind == Item.Kind.OPEN:
            if na_given.get(item.key):
                answer.choice = Answer.Choice.NA
            elif value.strip():
                answer.text = value.strip()
            else:
                changes.cleared = _or(changes.cleared, Q(item=item, basis=basis))
                continue
        elif value == "":
            changes.cleared = _or(changes.cleared, Q(item=item, basis=basis))
            continue
        elif value.isdigit():
            answer.rating = int(value)
        else:
            answer.choice = value
        changes.answers.append(answer)
    return changes


def save_values(
    respondent: Respondent, values: dict[Slot, str | bool], *, section: int | None = None
) -> int:
    """Store what the person gave. Returns how many answers and notes were stored."""
    problem = editable_problem(respondent.assessment, respondent)
    if problem:
        raise QuestionnaireError(problem)
    changes = plan_changes(respondent, values)
    with transaction.atomic():
        if changes.answers:
            Answer.objects.bulk_create(
                changes.answers,
                update_conflicts=True,
                unique_fields=["respondent", "item", "basis"],
                update_fields=["rating", "choice", "text", "updated_at"],
            )
        if changes.cleared is not None:
            respondent.answers.filter(changes.cleared).delete()
        if changes.notes:
            EvidenceNote.objects.bulk_create(
                changes.notes,
                update_conflicts=True,
                unique_fields=["respondent", "item"],
                update_fields=["text", "updated_at"],
            )
        if changes.cleared_notes is not None:
            respondent.evidence_notes.filter(changes.cleared_notes).delete()
        if section is not None and section != respondent.last_section:
            respondent.last_section = section
            respondent.save(update_fields=["last_section"])
    return changes.count


def submit(respondent: Respondent) -> None:
    problem = editable_problem(respondent.assessment, respondent)
    if problem:
        raise QuestionnaireError(problem)
    # A conditional update, so two submits racing record one submission time.
    Respondent.objects.filter(pk=respondent.pk, submitted_at=None).update(
        submitted_at=timezone.now()
    )
    respondent.refresh_from_db(fields=["submitted_at"])


@dataclass
class OutlineSection:
    section: Section
    items: list[Item]
    questions: list[tuple[Item, list[Item]]]
    slots: int


def outline(assessment: Assessment) -> list[OutlineSection]:
    """The sections an assessment asks, with their items, in instrument order (one query)."""
    result: list[OutlineSection] = []
    for item in assessment.items.select_related("section").order_by("position"):
        if not result or result[-1].section.pk != item.section_id:
            result.append(OutlineSection(item.section, [], [], 0))
        current = result[-1]
        current.items.append(item)
        if item.parent_id and current.questions and current.questions[-1][0].pk == item.parent_id:
            current.questions[-1][1].append(item)
        else:
            current.questions.append((item, []))
    for entry in result:
        entry.slots = assessment.slots_per_respondent(entry.items)
    return result


def answered_by_section(respondent: Respondent | None) -> dict[int, int]:
    """How many answers the respondent has given in each section, by section id."""
    if respondent is None or respondent.pk is None:
        return {}
    rows = (
        respondent.answers.values("item__section_id")
        .annotate(n=Count("id"))
        .values_list("item__section_id", "n")
    )
    return dict(rows)


def stored_answers(respondent: Respondent | None, items: list[Item]) -> dict[str, str | bool]:
    """Form initial data for these items from what the respondent has stored."""
    if respondent is None or respondent.pk is None:
        return {}
    answers = list(respondent.answers.filter(item__in=items).select_related("item"))
    notes = dict(respondent.evidence_notes.filter(item__in=items).values_list("item__key", "text"))
    return initial_from(answers, notes)
