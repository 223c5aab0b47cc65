"""Setting up an assessment round, inviting people and reminding them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Q
from django.template import Context, Engine
from django.utils import timezone

from questions.models import BankVersion
from workshops import audit
from workshops.models import Assessment, EmailSend, Invitation, Partnership, Person, User
from workshops.models.assessment import Scope  # noqa: F401 - also imported from here
from workshops.services import mail


class AssessmentError(Exception):
    """The request breaks a rule; the message says which, for the coordinator."""


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
    network: bool = False,
    sections: Iterable[int] = (),
    by: User | None = None,
) -> Assessment:
    bank = BankVersion.current()
    if bank is None:
        raise AssessmentError("The question bank has not been loaded yet.")
    if closes_on < opens_on:
        raise AssessmentError("The closing date must be on or after the opening date.")
    if scope not in {Scope.FULL, Scope.TOP_LEVEL, Scope.ELEMENTS}:
        raise AssessmentError("Choose which questions to ask.")
    # The instrument's questions: other assessments' local questions share the bank.
    items = bank.items.filter(local=False)
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
        network=network,
        created_by=user,
    )
    assessment.items.set(items)
    audit.record(
        "assessment.created",
        by=by,
        partnership=partnership,
        target=f"Assessment “{assessment}”",
        data={
            "assessment": assessment.pk,
            "title": title,
            "scope": scope,
            "basis": basis,
            "opens_on": opens_on,
            "closes_on": closes_on,
            "anonymous": anonymous,
            "network": network,
        },
    )
    return assessment


def set_network(assessment: Assessment, on: bool, *, by: User | None) -> bool:
    """Turn the network section on or off; False when it already was. Answers already
    given stay stored when it is turned off, and are asked again if it is turned on."""
    if assessment.network == on:
        return False
    assessment.network = on
    assessment.save(update_fields=["network"])
    audit.record(
        "assessment.network_changed",
        by=by,
        partnership=assessment.partnership,
        target=f"Assessment “{assessment}”",
        data={"assessment": assessment.pk, "network": on},
    )
    return True


def link_for(invitation: Invitation) -> str:
    """The link for an email to the invitee. Only hashes of links are kept, so an
    invitation read from the database gets a new link (the earlier ones still work)."""
    if invitation.token is None:
        invitation.issue_link()
    return f"{settings.SITE_URL}{invitation.get_absolute_url()}"


def address_for(invitation: Invitation) -> str:
    """Where the invitation's links go: the address the first one was sent to, and no
    other. Changing the person's email withdraws the link (see ``address_changed``),
    so a coordinator cannot redirect someone's link to an address of their own."""
    if not invitation.sent_to:
        invitation.sent_to = invitation.person.email
        Invitation.objects.filter(pk=invitation.pk, sent_to="").update(sent_to=invitation.sent_to)
    return invitation.sent_to


def _render_text(template_name: str, context: dict) -> str:
    # Plain-text email, so no HTML escaping: render_to_string would send
    # "O'Brien" as "O&#x27;Brien" and "Health & Wellbeing" as "Health &amp; Wellbeing".
    template = Engine.get_default().get_template(template_name)
    return template.render(Context(context, autoescape=False))


def render_email(template: str, context: dict) -> tuple[str, str]:
    """The subject and body of one of our plain-text emails."""
    # A subject is one line: a stray newline in a title would make Django refuse the mail.
    subject = " ".join(_render_text(f"workshops/email/{template}_subject.txt", context).split())
    return subject, _render_text(f"workshops/email/{template}.txt", context)


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
    return subject, body, settings.DEFAULT_FROM_EMAIL, [address_for(invitation)]


def invite(
    assessment: Assessment, people: Iterable[Person], *, by: User | None = None
) -> tuple[int, mail.Delivery]:
    """Invite people of the partnership; returns how many were invited now, and what
    became of the emails.

    Inviting someone twice keeps their one invitation (and link). Those without
    an email address are invited, and their link can be passed on by hand.
    The emails go once the invitations are committed (``mail.deliver``).
    """
    with transaction.atomic():
        invited, sends = queue_invitations(assessment, people)
    delivery = mail.deliver(sends)
    if invited or delivery.sent:
        _record_sent(assessment, "assessment.invited", by, invited=invited, emailed=delivery.sent)
    return invited, delivery


def _record_sent(assessment: Assessment, action: str, by: User | None, **counts: int) -> None:
    audit.record(
        action,
        by=by,
        partnership=assessment.partnership,
        target=f"Assessment “{assessment}”",
        data={"assessment": assessment.pk, **counts},
    )


def queue_invitations(
    assessment: Assessment, people: Iterable[Person]
) -> tuple[int, list[EmailSend]]:
    """``invite``'s work inside the caller's transaction: the invitations made, and the
    emails to deliver once it commits."""
    if assessment.status() == "closed":
        raise AssessmentError("This assessment has closed; nobody more can be invited.")
    people = list({p.pk: p for p in people}.values())  # the same person twice is one invitation
    if any(p.partnership_id != assessment.partnership_id for p in people):
        raise AssessmentError("Only people of this partnership can be invited.")
    already = set(assessment.invitations.values_list("person_id", flat=True))
    new_people = [p for p in people if p.pk not in already]
    Invitation.objects.bulk_create(
        [Invitation(assessment=assessment, person=p) for p in new_people], batch_size=1000
    )
    # The new invitations, and these people's earlier ones whose email had to wait
    # (a partnership not yet verified, or the daily limit), oldest first, as many
    # as the partnership may send today (services.mail); the rest wait on. The
    # partnership is locked first, by every sender: a second invite at the same
    # moment waits here, then sees the emails this one queued and queues none.
    chosen = {p.pk for p in people}
    Partnership.objects.select_for_update().get(pk=assessment.partnership_id)
    waiting = [
        i
        for i in mail.waiting_invitations(assessment).select_for_update(of=("self",))
        if i.person_id in chosen
    ]
    to_email = waiting[: mail.take(assessment.partnership, len(waiting))]
    return len(new_people), mail.queue(assessment.partnership, EmailSend.Kind.INVITATION, to_email)


def pending_invitations(assessment: Assessment):
    """Invitations whose person has not submitted and whose link still works."""
    return (
        assessment.invitations.filter(revoked_at=None)
        .exclude(respondent__submitted_at__isnull=False)
        .exclude(sent_to="", person__email="")
        .select_related("person", "assessment__partnership")
    )


def send_reminders(
    assessment: Assessment, *, now: datetime | None = None, by: User | None = None
) -> mail.Delivery:
    """Email everyone who has not finished; returns what became of the emails.

    Safe to run again: people invited or reminded within mail.REMINDER_QUIET_PERIOD are
    skipped, so the daily ``send_reminders`` command, a second run of it and
    the coordinator's button on the same day send each person one email.
    """
    if not assessment.is_open():
        return mail.Delivery()
    now = now or timezone.now()
    cutoff = now - mail.REMINDER_QUIET_PERIOD
    due = (Q(sent_at=None) | Q(sent_at__lt=cutoff)) & (
        Q(reminded_at=None) | Q(reminded_at__lt=cutoff)
    )
    with transaction.atomic():
        # The partnership first, as every sender locks it (see queue_invitations).
        Partnership.objects.select_for_update().get(pk=assessment.partnership_id)
        # Lock the rows so an overlapping run (the cron job while a coordinator
        # presses the button) waits, then finds them reminded and skips them.
        pending = list(pending_invitations(assessment).filter(due).select_for_update(of=("self",)))
        # No more than the partnership may send today, and none before it is
        # verified (services.mail); the others are reminded on a later run.
        pending = pending[: mail.take(assessment.partnership, len(pending))]
        Invitation.objects.filter(pk__in=[i.pk for i in pending]).update(reminded_at=now)
        sends = mail.queue(assessment.partnership, EmailSend.Kind.REMINDER, pending)
    # Sent once they are marked reminded: one the mail server refuses is tried
    # again by send_waiting_emails, not by tomorrow's reminders.
    delivery = mail.deliver(sends)
    if delivery.sent:
        _record_sent(assessment, "assessment.reminded", by, sent=delivery.sent)
    return delivery


def revoke(invitation: Invitation, *, by: User | None = None) -> None:
    """Withdraw a personal link at once; answers already given are kept."""
    withdrawn = Invitation.objects.filter(pk=invitation.pk, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    if withdrawn:
        audit.record(
            "invitation.revoked",
            by=by,
            partnership=invitation.assessment.partnership,
            target=f"Link of {invitation.person} to “{invitation.assessment}”",
            data={
                "invitation": invitation.pk,
                "person": str(invitation.person),
                "assessment": invitation.assessment_id,
            },
        )


def address_changed(person: Person, old_email: str) -> int:
    """Withdraw the links that went to the person's old address, and tell that address.

    Runs whenever a person's email changes, however it is changed. Otherwise a
    coordinator could put their own address on someone, press Remind and read
    (and change) that person's answers through the link. Returns how many links
    were withdrawn.
    """
    if not old_email or old_email.lower() == person.email.lower():
        return 0
    invitations = list(
        Invitation.objects.filter(person=person, revoked_at=None)
        .exclude(sent_to="")
        .exclude(sent_to__iexact=person.email)
        .select_related("assessment__partnership")
    )
    if not invitations:
        return 0
    Invitation.objects.filter(pk__in=[i.pk for i in invitations]).update(revoked_at=timezone.now())
    context = {
        "person": person,
        "partnership": person.partnership,
        "assessments": [i.assessment for i in invitations],
    }
    subject, body = render_email("link_withdrawn", context)
    addresses = sorted({i.sent_to for i in invitations})
    # Sent once the change is saved, so a change that fails tells nobody anything.
    transaction.on_commit(
        lambda: send_mass_mail(
            [(subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in addresses],
            fail_silently=False,
        )
    )
    return len(invitations)


def remember_email(sender, instance: Person, raw: bool = False, **kwargs) -> None:
    """pre_save of Person: note the address stored before this save."""
    if raw or instance.pk is None:
        return
    instance._stored_email = (
        Person.objects.filter(pk=instance.pk).values_list("email", flat=True).first() or ""
    )


def withdraw_links_on_new_email(sender, instance: Person, raw: bool = False, **kwargs) -> None:
    """post_save of Person: apply ``address_changed`` when the address changed."""
    old = getattr(instance, "_stored_email", "")
    if not raw and old:
        address_changed(instance, old)
    instance._stored_email = instance.email


def paper_invitation(assessment: Assessment, person: Person) -> Invitation:
    """The person's invitation, for entering their paper return: the stored one, or an
    unsaved one that ``Invitation.save`` stores with their first answer (not on sight,
    so looking at the page changes nothing)."""
    invitation = (
        Invitation.objects.select_related(
            "assessment__bank", "assessment__partnership", "person__organisation", "respondent"
        )
        .filter(assessment=assessment, person=person)
        .first()
    )
    if invitation is None:
        invitation = Invitation(assessment=assessment, person=person)
    invitation.assessment = assessment
    return invitation
