"""Answering a questionnaire: whose response it is, submitting it, and the
questionnaire's shape and how far a respondent has got.

Saving the answers themselves is ``answer_saving``'s, which asks here whether
they may still be changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from questions.models import Item, Section
from workshops import audit
from workshops.models import Assessment, Basis, Invitation, Person, Respondent, User
from workshops.models.slots import initial_from
from workshops.services.assessment import render_email


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


def _unlinked_paper_returns(assessment: Assessment, person: Person):
    return assessment.respondents.filter(
        channel=Respondent.Channel.PAPER, invitation=None, person=person, submitted_at=None
    )


def find_respondent(
    assessment: Assessment, invitation: Invitation | None, person: Person | None
) -> Respondent | None:
    """The response being answered, or None before the first answer.

    Without an invitation (a paper return in an anonymous assessment) it is the
    paper return being entered for the person, never their online response.
    """
    if invitation is None:
        respondent = _unlinked_paper_returns(assessment, person).order_by("pk").first()
    elif invitation.pk is None:
        return None
    else:
        try:
            respondent = invitation.respondent
        except Respondent.DoesNotExist:
            return None
    if respondent is not None:
        respondent.assessment = assessment
    return respondent


def start_respondent(
    assessment: Assessment,
    invitation: Invitation | None,
    person: Person,
    channel: str,
    entered_by: User | None = None,
) -> Respondent:
    """The response the first answer goes to, created then (never on a mere visit)."""
    if invitation is None:
        respondent = find_respondent(assessment, None, person)
        if respondent is None:
            respondent = Respondent.objects.create(
                assessment=assessment,
                channel=channel,
                person=person,
                entered_by=entered_by,
                **Respondent.attributes_of(person),
            )
            respondent.assessment = assessment
        return respondent
    if invitation.pk is None:
        # A named paper return: the invitation is stored with the first answer.
        invitation, _ = Invitation.objects.get_or_create(assessment=assessment, person=person)
        invitation.assessment, invitation.person = assessment, person
    return respondent_for_invitation(invitation, channel, entered_by)


def submit(respondent: Respondent, *, by: User | None = None) -> None:
    """Submit the response. ``by`` is whoever entered a paper return, for the audit
    log; partners submitting through their own link are not in it."""
    problem = editable_problem(respondent.assessment, respondent)
    if problem:
        raise QuestionnaireError(problem)
    # Named before an anonymous paper return lets go of the person.
    person = respondent.person or (respondent.invitation and respondent.invitation.person)
    submitted = {"submitted_at": timezone.now()}
    if respondent.invitation_id is None and respondent.assessment.anonymous:
        # A paper return in an anonymous assessment is held against the person's
        # name only while it is being entered.
        submitted["person"] = None
    # A conditional update, so two submits racing record one submission time.
    if Respondent.objects.filter(pk=respondent.pk, submitted_at=None).update(**submitted):
        audit.record(
            "paper_return.submitted",
            by=by,
            partnership=respondent.assessment.partnership,
            target=f"Paper return of {person} to “{respondent.assessment}”",
            data={"respondent": respondent.pk, "person": str(person)},
        )
    respondent.refresh_from_db(fields=["submitted_at", "person"])


def email_copy(respondent: Respondent, address: str) -> None:
    """Send the person a copy of what they submitted: once submitted, their link
    shows only that they have, so the answers are not readable by whoever has it."""
    answers = list(respondent.answers.select_related("item").order_by("item__position", "basis"))
    notes = dict(respondent.evidence_notes.values_list("item_id", "text"))
    lines = []
    for answer in answers:
        basis = f" ({Basis(answer.basis).short.lower()})" if answer.basis else ""
        lines.append((answer.item, f"{answer.display}{basis}", notes.pop(answer.item_id, "")))
    context = {
        "assessment": respondent.assessment,
        "partnership": respondent.assessment.partnership,
        "submitted_at": respondent.submitted_at,
        "lines": lines,
    }
    subject, body = render_email("answers_copy", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=False)


@dataclass
class OutlineSection:
    section: Section
    items: list[Item]
    questions: list[tuple[Item, list[Item]]]
    slots: int


def outline(assessment: Assessment) -> list[OutlineSection]:
    """The sections an assessment asks, with their items, in instrument order (one query)."""
    result: list[OutlineSection] = []
    for item in assessment.items.select_related("section").order_by("section__number", "position"):
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
    notes = list(respondent.evidence_notes.filter(item__in=items).select_related("item"))
    return initial_from(answers, notes, items)


# How long answering takes, for the start page: an estimate of reading a question and
# choosing, not a measurement. A rating is answered once for each basis it is asked on;
# a written answer may be left out, but whoever writes one takes a minute or so.
SECONDS_TO_ANSWER = {Item.Kind.RATING: 30, Item.Kind.YES_NO: 15, Item.Kind.OPEN: 60}


@dataclass(frozen=True)
class TimeToAnswer:
    """About how long a questionnaire takes, rounded to five minutes, and what it
    was worked out from (seconds for each answer of a kind), for saying so."""

    minutes: int
    seconds_for: dict[str, int]

    @property
    def words(self) -> str:
        hours, minutes = divmod(self.minutes, 60)
        parts = [f"{hours} hour{'s' if hours > 1 else ''}"] if hours else []
        if minutes:
            parts.append(f"{minutes} minutes")
        return " ".join(parts)


def time_to_answer(assessment: Assessment, sections: list[OutlineSection]) -> TimeToAnswer:
    seconds = sum(
        SECONDS_TO_ANSWER[item.kind]
        * (len(assessment.bases) if item.kind == Item.Kind.RATING else 1)
        for section in sections
        for item in section.items
    )
    return TimeToAnswer(
        minutes=max(5, 5 * round(seconds / 300)),
        seconds_for={str(kind): seconds for kind, seconds in SECONDS_TO_ANSWER.items()},
    )
