"""Publishing an assessment's summary of results to the partners who took part.

A coordinator publishes it on purpose, after a preview; then respondents read it
through their personal link, workshop participants through the workshop's code and
members in the app. Publishing emails each respondent who gave an address once,
however often it is published or the request is retried (one ``EmailSend`` of kind
``summary`` per invitation, held by a constraint). Withdrawing it hides it again,
and cancels any of its emails not yet sent.

What the summary shows is built in ``reporting.summary_pdf`` from the results and
plan services; nothing here decides what may be said of anyone's answers.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from workshops import audit
from workshops.models import Assessment, EmailSend, Invitation, PersonalLink, User
from workshops.models.assessment import hash_token
from workshops.services import mail
from workshops.services.assessment import address_for, render_email

# Why an email was not sent: the summary was withdrawn first (publishing again sends it).
WITHDRAWN = "The summary was withdrawn before it could be sent."


def recipients(assessment: Assessment) -> QuerySet[Invitation]:
    """Who is emailed on publishing: those who answered through a link still valid,
    with an address, and not emailed the summary already."""
    return (
        assessment.invitations.select_related("person")
        .filter(revoked_at=None, respondent__submitted_at__isnull=False)
        .exclude(Q(sent_to="") & Q(person__email=""))
        .exclude(email_sends__kind=EmailSend.Kind.SUMMARY)
        .order_by("pk")
    )


def publish(assessment: Assessment, *, by: User) -> mail.Delivery:
    """Publish the summary (again, harmlessly, if it is already published) and email
    those who took part and have not been emailed it yet."""
    with transaction.atomic():
        # Locked, so two presses of Publish at once queue each email once.
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        newly = locked.summary_published_at is None
        if newly:
            locked.summary_published_at = timezone.now()
            locked.summary_published_by = by
            locked.save(update_fields=["summary_published_at", "summary_published_by"])
        # Not held to the partnership's daily allowance: these go only to people the
        # partnership already emailed a link, about something they took part in.
        sends = mail.queue(locked.partnership, EmailSend.Kind.SUMMARY, recipients(locked))
        sends += _revived(locked)
        if newly or sends:
            audit.record(
                "summary.published",
                by=by,
                partnership=locked.partnership,
                target=f"Assessment “{locked}”",
                data={"assessment": locked.title, "id": locked.pk, "emails": len(sends)},
            )
    assessment.summary_published_at = locked.summary_published_at
    assessment.summary_published_by = locked.summary_published_by
    return mail.deliver(sends)


def _revived(assessment: Assessment) -> list[EmailSend]:
    """Emails cancelled because the summary was withdrawn before they went: wanted again."""
    cancelled = EmailSend.objects.select_for_update().filter(
        kind=EmailSend.Kind.SUMMARY,
        invitation__assessment=assessment,
        state=EmailSend.State.CANCELLED,
        reason=WITHDRAWN,
    )
    revived = list(cancelled)
    EmailSend.objects.filter(pk__in=[s.pk for s in revived]).update(
        state=EmailSend.State.PENDING, reason="", attempts=0, claimed_at=timezone.now()
    )
    return revived


def withdraw(assessment: Assessment, *, by: User) -> bool:
    """Withdraw the published summary; False if it was not published."""
    with transaction.atomic():
        withdrawn = Assessment.objects.filter(
            pk=assessment.pk, summary_published_at__isnull=False
        ).update(summary_published_at=None, summary_published_by=None)
        if withdrawn:
            audit.record(
                "summary.withdrawn",
                by=by,
                partnership=assessment.partnership,
                target=f"Assessment “{assessment}”",
                data={"assessment": assessment.title, "id": assessment.pk},
            )
    assessment.summary_published_at = None
    assessment.summary_published_by = None
    return bool(withdrawn)


def compose(send: EmailSend):
    """The email telling one respondent the summary is published, with a new link of
    theirs to it, and how to withdraw that link if the email fails to go; or why it is
    no longer wanted. Called by ``mail.deliver``."""
    invitation = (
        Invitation.objects.select_related("person", "assessment__partnership")
        .filter(pk=send.invitation_id)
        .first()
    )
    if invitation is None or invitation.is_revoked:
        return "The link was withdrawn before it could be sent."
    if not invitation.assessment.summary_is_published:
        return WITHDRAWN
    token = invitation.issue_link()
    context = {
        "invitation": invitation,
        "assessment": invitation.assessment,
        "partnership": invitation.assessment.partnership,
        "link": f"{settings.SITE_URL}{reverse('summary-link', args=[token])}",
    }
    subject, body = render_email("summary", context)
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address_for(invitation)])

    def undo() -> None:
        PersonalLink.objects.filter(token_hash=hash_token(token)).delete()

    return message, undo
