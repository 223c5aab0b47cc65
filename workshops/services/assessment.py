"""Setting up an assessment round, inviting people and reminding them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Q
from django.template import Context, Engine
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
    if scope not in {Scope.FULL, Scope.TOP_LEVEL, Scope.ELEMENTS}:
        raise AssessmentError("Choose which questions to ask.")
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


def _render_text(template_name: str, context: dict) -> str:
    # Plain-text email, so no HTML escaping: render_to_string would send
    # "O'Brien" as "O&#x27;Brien" and "Health & Wellbeing" as "Health &amp; Wellbeing".
    template = Engine.get_default().get_template(template_name)
    return template.render(Context(context, autoescape=False))


def _message(invitation: Invitation, template: str) -> tuple[str, str, str, list[str]]:
    context = {
        "invitation": invitation,
        "assessment": invitation.assessment,
        "partnership": invitation.assessment.partnership,
        "link": link_for(invitation),
    }
    # A subject is one line: a stray newline in a title would make Django refuse the mail.
    subject = " ".join(_render_text(f"workshops/email/{template}_subject.txt", context).split())
    body = _render_text(f"workshops/email/{template}.txt", context)
    return subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.person.email]


@transaction.atomic
def invite(assessment: Assessment, people: Iterable[Person]) -> tuple[int, int]:
    """Invite people of the partnership; returns (invited now, emails sent).

    Inviting someone twice keeps their one invitation (and link). Those without
    an email address are invited, and their link can be passed on by hand.
    """
    if assessment.status() == "closed":
        raise AssessmentError("This assessment has closed; nobody more can be invited.")
    people = list({p.pk: p for p in people}.values())  # the same person twice is one invitation
    if any(p.partnership_id != assessment.partnership_id for p in people):
        raise AssessmentError("Only people of this partnership can be invited.")
    already = set(assessment.invitations.values_list("person_id", flat=True))
    new_people = [p for p in people if p.pk not in already]
    Invitation.objects.bulk_create(
        [Invitation(assessment=assessment, person=p) for p in new_people]
    )
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


# Nobody is emailed twice within this time, counting the invitation itself.
# A little under a day, so a daily cron job that runs somewhat earlier than
# the day before still reminds everyone once a day.
QUIET_PERIOD = timedelta(hours=20)


def send_reminders(assessment: Assessment, *, now: datetime | None = None) -> int:
    """Email everyone who has not finished; returns how many were reminded.

    Safe to run again: people invited or reminded within QUIET_PERIOD are
    skipped, so the daily ``send_reminders`` command, a second run of it and
    the coordinator's button on the same day send each person one email.
    """
    if not assessment.is_open():
        return 0
    now = now or timezone.now()
    cutoff = now - QUIET_PERIOD
    due = (Q(sent_at=None) | Q(sent_at__lt=cutoff)) & (
        Q(reminded_at=None) | Q(reminded_at__lt=cutoff)
    )
    with transaction.atomic():
        # Lock the rows so an overlapping run (the cron job while a coordinator
        # presses the button) waits, then finds them reminded and skips them.
        pending = list(pending_invitations(assessment).filter(due).select_for_update(of=("self",)))
        Invitation.objects.filter(pk__in=[i.pk for i in pending]).update(reminded_at=now)
        # Sent inside the transaction: if the mail server refuses, nobody is
        # marked reminded and the next run tries again.
        send_mass_mail([_message(i, "reminder") for i in pending], fail_silently=False)
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
