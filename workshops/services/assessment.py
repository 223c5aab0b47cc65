"""Setting up an assessment round, inviting people and reminding them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from questions.models import BankVersion
from workshops.models import Assessment, Invitation, Partnership, Person, User


class AssessmentError(Exception):
    """The request breaks a rule; the message says which, for the coordinator."""


class Scope:
    FULL = "full"
    TOP_LEVEL = "top_level"
    ELEMENTS = "elements"
    CHOICES = [
        (FULL, "Full questionnaire: every question and sub-question"),
        (TOP_LEVEL, "Top-level questions only"),
        (ELEMENTS, "Chosen elements only"),
    ]


@transaction.atomic
def create_assessment(
    partnership: Partnership,
    user: User,
    *,
    title: str,
    scope: str,
    basis: str,
    opens_on: date,
    closes_on: date,
    anonymous: bool,
    sections: Iterable[int] = (),
) -> Assessment:
    bank = BankVersion.current()
    if bank is None:
        raise AssessmentError("The question bank has not been loaded yet.")
    if closes_on < opens_on:
        raise AssessmentError("The closing date must be on or after the opening date.")
    items = bank.items.all()
    if scope == Scope.TOP_LEVEL:
        items = items.filter(parent=None)
    elif scope == Scope.ELEMENTS:
        items = items.filter(section__number__in=list(sections))
    items = list(items)
    if not items:
        raise AssessmentError("Choose at least one element to ask about.")
    assessment = Assessment.objects.create(
        partnership=partnership,
        title=title,
        bank=bank,
        basis=basis,
        opens_on=opens_on,
        closes_on=closes_on,
        anonymous=anonymous,
        created_by=user,
    )
    assessment.items.set(items)
    return assessment


def link_for(invitation: Invitation) -> str:
    return f"{settings.SITE_URL}{invitation.get_absolute_url()}"


def _message(invitation: Invitation, template: str) -> tuple[str, str, str, list[str]]:
    context = {
        "invitation": invitation,
        "assessment": invitation.assessment,
        "partnership": invitation.assessment.partnership,
        "link": link_for(invitation),
    }
    subject = render_to_string(f"workshops/email/{template}_subject.txt", context).strip()
    body = render_to_string(f"workshops/email/{template}.txt", context)
    return subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.person.email]


@transaction.atomic
def invite(assessment: Assessment, people: Iterable[Person]) -> tuple[int, int]:
    """Invite people of the partnership; returns (invited now, emails sent).

    Inviting someone twice keeps their one invitation (and link). Those without
    an email address are invited, and their link can be passed on by hand.
    """
    if assessment.status() == "closed":
        raise AssessmentError("This assessment has closed; nobody more can be invited.")
    people = list(people)
    if any(p.partnership_id != assessment.partnership_id for p in people):
        raise AssessmentError("Only people of this partnership can be invited.")
    already = set(assessment.invitations.values_list("person_id", flat=True))
    new_people = [p for p in people if p.pk not in already]
    Invitation.objects.bulk_create([Invitation(assessment=assessment, person=p) for p in new_people])
    fresh = list(
        assessment.invitations.select_related("person", "assessment__partnership").filter(
            person__in=new_people
        )
    )
    to_email = [i for i in fresh if i.person.email]
    send_mass_mail([_message(i, "invitation") for i in to_email], fail_silently=False)
    Invitation.objects.filter(pk__in=[i.pk for i in to_email]).update(sent_at=timezone.now())
    return len(fresh), len(to_email)


def pending_invitations(assessment: Assessment):
    """Invitations whose person has not submitted and whose link still works."""
    return (
        assessment.invitations.filter(revoked_at=None)
        .exclude(respondent__submitted_at__isnull=False)
        .exclude(person__email="")
        .select_related("person", "assessment__partnership")
    )


def send_reminders(assessment: Assessment) -> int:
    """Email everyone who has not finished; returns how many were reminded."""
    if not assessment.is_open():
        return 0
    pending = list(pending_invitations(assessment))
    send_mass_mail([_message(i, "reminder") for i in pending], fail_silently=False)
    Invitation.objects.filter(pk__in=[i.pk for i in pending]).update(reminded_at=timezone.now())
    return len(pending)


def revoke(invitation: Invitation) -> None:
    """Withdraw a personal link at once; answers already given are kept."""
    Invitation.objects.filter(pk=invitation.pk, revoked_at=None).update(revoked_at=timezone.now())


def invitation_for_paper(assessment: Assessment, person: Person) -> Invitation:
    """The person's invitation, made (without an email) if they were asked on paper only."""
    invitation, _ = Invitation.objects.select_related(
        "assessment__bank", "assessment__partnership", "person__organisation", "respondent"
    ).get_or_create(assessment=assessment, person=person)
    invitation.assessment = assessment
    return invitation
