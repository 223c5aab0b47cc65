"""Emails sent from our address on a partnership's behalf: how many it may send, and when.

Invitations and reminders go to any address a coordinator types in, so they are
held to two rules. A partnership support staff have not verified sends nothing
yet: its emails wait, and its invitations go out when it is verified. A verified
one sends at most PARTNERSHIP_EMAILS_PER_DAY a day; the rest wait for the next
day. Names in the emails are text, never links (``unlinked``).

Every email is an ``EmailSend`` row written in the transaction that decides it
should go, and sent by ``deliver`` only once that transaction has committed: a
mail server that refuses leaves what was stored stored, and the email waiting
to be tried again by ``retry_failed`` (the ``send_waiting_emails`` command),
with a new link, since the link of an email that failed was never seen.
"""

from __future__ import annotations

import contextlib
import logging
import re
import smtplib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from workshops.models import (
    Assessment,
    EmailSend,
    Invitation,
    MemberInvitation,
    Partnership,
    PersonalLink,
)
from workshops.models.assessment import hash_token

logger = logging.getLogger(__name__)

# What a refusing or unreachable mail server raises.
MAIL_ERRORS = (smtplib.SMTPException, OSError)
# A failed email is tried again by each run of send_waiting_emails, this many times in all.
MAX_ATTEMPTS = 10
# A pending email still not sent this long after its sender claimed it had its
# sender die on the way; the next retry run takes it on.
STRANDED = timedelta(minutes=10)
# Nobody is reminded twice within this: of a questionnaire they have not finished
# (send_reminders) or of an action falling due (send_action_reminders), so a scheduler
# that runs twice a day, or a coordinator who presses Remind again, sends one.
REMINDER_QUIET_PERIOD = timedelta(hours=20)

# What a mail client turns into a link: a scheme ("https://", "javascript:"), or a
# dot between a word and a letter ("www.evil.example", "evil.example/login", an
# email address). "St. Helens" and "Phase 2.5" are left alone.
_SCHEME = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*):(?=//)")
_BARE_SCHEME = re.compile(r"(?i)\b(javascript|vbscript|data|mailto|file|tel|sms|callto):")
_DOT = re.compile(r"(?<=\w)\.(?=[^\W\d_])")


# An email that is still to go: not tried yet, or failed and to be tried again.
OPEN_SEND = Q(state=EmailSend.State.PENDING) | Q(
    state=EmailSend.State.FAILED, attempts__lt=MAX_ATTEMPTS
)


def unlinked(text: object) -> str:
    """``text`` with anything a mail client would make a link of broken up, readably.

    Names and titles are typed by coordinators but sent from our address, so
    a partnership called "www.evil.example/login" must not become a link there.
    """
    text = _SCHEME.sub(r"\1[:]", str(text))
    text = _BARE_SCHEME.sub(r"\1[:]", text)
    return _DOT.sub("[.]", text)


def take(partnership: Partnership, wanted: int) -> int:
    """Reserve up to ``wanted`` of today's emails for the partnership; returns how many may go.

    Call inside the transaction that sends them: the partnership's row is locked
    until it ends, so two senders at once share one allowance, and if sending
    fails the reservation is rolled back with everything else.
    """
    locked = Partnership.objects.select_for_update().get(pk=partnership.pk)
    if locked.verified_at is None or wanted <= 0:
        return 0
    today = timezone.localdate()
    sent = locked.emails_sent if locked.emails_day == today else 0
    granted = max(0, min(wanted, settings.PARTNERSHIP_EMAILS_PER_DAY - sent))
    Partnership.objects.filter(pk=locked.pk).update(emails_day=today, emails_sent=sent + granted)
    return granted


def waiting_invitations(assessment: Assessment):
    """Invitations still to be emailed, oldest first."""
    # Imported here: services.assessment sends through this module.
    from workshops.services.assessment import pending_invitations

    return (
        pending_invitations(assessment)
        .filter(sent_at=None)
        .exclude(
            pk__in=EmailSend.objects.filter(
                OPEN_SEND, kind=EmailSend.Kind.INVITATION, invitation__isnull=False
            ).values("invitation_id")
        )
        .order_by("created_at", "pk")
    )


def send_waiting(partnership: Partnership) -> Delivery:
    """Send the invitations that waited, for every assessment still open, and the
    invitations to join the partnership that waited too."""
    # Imported here: services.assessment and services.member_invitations send through this module.
    from workshops.services import member_invitations

    sends: list[EmailSend] = []
    with transaction.atomic():
        Partnership.objects.select_for_update().get(pk=partnership.pk)  # as every sender does
        for assessment in partnership.assessments.order_by("closes_on", "pk"):
            if not assessment.is_open():
                continue
            waiting = list(waiting_invitations(assessment).select_for_update(of=("self",)))
            going = waiting[: take(partnership, len(waiting))]
            sends += queue(partnership, EmailSend.Kind.INVITATION, going)
        sends += member_invitations.queue_waiting(partnership)
    return deliver(sends)


@dataclass
class Delivery:
    """What became of a batch of emails."""

    sent: int = 0
    failed: int = 0
    cancelled: int = 0
    reason: str = ""  # why the first that failed did

    def __add__(self, other: Delivery) -> Delivery:
        return Delivery(
            self.sent + other.sent,
            self.failed + other.failed,
            self.cancelled + other.cancelled,
            self.reason or other.reason,
        )

    def failure_note(self, what: str = "email") -> str | None:
        """The coordinator's message when some could not be sent; None if all went."""
        if not self.failed:
            return None
        return (
            f"{_count(self.sent, what)} sent; {_count(self.failed, what, verb=True)} not be "
            f"sent because the mail server refused {'it' if self.failed == 1 else 'them'} "
            f"({self.reason}). {'It' if self.failed == 1 else 'They'} will be tried again "
            "automatically every few minutes, with a new link; everything else is saved."
        )


def _count(count: int, what: str, *, verb: bool = False) -> str:
    words = f"{count:,} {what}{'' if count == 1 else 's'}"
    if verb:
        return words + " could"
    return words + (" was" if count == 1 else " were")


def queue(
    partnership: Partnership,
    kind: str,
    invitations: Iterable[Invitation | MemberInvitation],
) -> list[EmailSend]:
    """Record emails to send once the caller's transaction commits (then ``deliver`` them).

    Call inside the transaction that decided them, with the allowance taken.
    """
    # Imported here: services.assessment sends through this module.
    from workshops.services.assessment import address_for

    sends = []
    for invitation in invitations:
        if isinstance(invitation, MemberInvitation):
            sends.append(
                EmailSend(
                    partnership=partnership,
                    kind=kind,
                    to=invitation.email,
                    member_invitation=invitation,
                )
            )
        else:
            sends.append(
                EmailSend(
                    partnership=partnership,
                    kind=kind,
                    to=address_for(invitation),
                    invitation=invitation,
                )
            )
    return EmailSend.objects.bulk_create(sends)


def deliver(
    sends: list[EmailSend],
    progress: Callable[[Delivery], None] | None = None,
) -> Delivery:
    """Send the emails, one connection for all, and record what became of each.

    Call after the transaction that queued them has committed (requests are not
    wrapped in one: no ATOMIC_REQUESTS), so every link in an email opens what it
    points at, whatever happens to the mail server.
    """
    done = Delivery()
    if not sends:
        return done
    connection = get_connection(fail_silently=False)
    broken = ""
    try:
        for number, send in enumerate(sends, 1):
            if broken:
                _failed(send, broken)
                done.failed += 1
                done.reason = done.reason or broken
            else:
                outcome = _deliver_one(connection, send)
                if outcome == "sent":
                    done.sent += 1
                elif outcome == "cancelled":
                    done.cancelled += 1
                else:
                    done.failed += 1
                    done.reason = done.reason or outcome.removeprefix("broken:")
                    if outcome.startswith("broken:"):
                        # The connection is gone: the rest wait for the next try
                        # rather than each waiting for its own time-out.
                        broken = outcome.removeprefix("broken:")
            if progress and (number % 25 == 0 or number == len(sends)):
                progress(done)
    finally:
        with contextlib.suppress(*MAIL_ERRORS):
            connection.close()
    return done


def _deliver_one(connection, send: EmailSend) -> str:
    """Compose and send one email: "sent", "cancelled", or the reason it failed
    (prefixed "broken:" when the connection went with it)."""
    EmailSend.objects.filter(pk=send.pk).update(
        attempts=F("attempts") + 1, claimed_at=timezone.now()
    )
    composed = _compose(send)
    if isinstance(composed, str):
        EmailSend.objects.filter(pk=send.pk).update(
            state=EmailSend.State.CANCELLED, reason=composed
        )
        return "cancelled"
    message, undo = composed
    message.connection = connection
    try:
        message.send(fail_silently=False)
    except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError) as exc:
        undo()
        reason = _reason(exc)
        _failed(send, reason)
        return "broken:" + reason
    except smtplib.SMTPException as exc:
        undo()
        reason = _reason(exc)
        _failed(send, reason)
        return reason
    now = timezone.now()
    EmailSend.objects.filter(pk=send.pk).update(state=EmailSend.State.SENT, reason="", sent_at=now)
    if send.kind == EmailSend.Kind.INVITATION:
        Invitation.objects.filter(pk=send.invitation_id, sent_at=None).update(sent_at=now)
    return "sent"


def _failed(send: EmailSend, reason: str) -> None:
    EmailSend.objects.filter(pk=send.pk).update(state=EmailSend.State.FAILED, reason=reason)
    logger.warning("Email %s to a partnership's invitee not sent: %s", send.pk, reason)


def _reason(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = (
            exc.smtp_error.decode(errors="replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        return f"{exc.smtp_code} {text}"[:500]
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "the address was refused"
    return (str(exc) or type(exc).__name__)[:500]


def _compose(send: EmailSend) -> tuple[EmailMessage, Callable[[], None]] | str:
    """The email with a new link, and how to withdraw that link if it fails to go;
    or why it is no longer wanted."""
    # Imported here: services.assessment, member_invitations and summary send through this module.
    from workshops.services import member_invitations, summary
    from workshops.services.assessment import _message

    if send.kind == EmailSend.Kind.MEMBER:
        invitation = MemberInvitation.objects.select_related("partnership").get(
            pk=send.member_invitation_id
        )
        if not invitation.is_open:
            return "The invitation was accepted or withdrawn before it could be sent."
        return member_invitations.compose(invitation)
    if send.kind == EmailSend.Kind.SUMMARY:
        return summary.compose(send)
    invitation = (
        Invitation.objects.select_related("person", "assessment__partnership")
        .filter(pk=send.invitation_id)
        .first()
    )
    if invitation is None or invitation.is_revoked:
        return "The link was withdrawn before it could be sent."
    if invitation.assessment.status() == "closed":
        return "The assessment closed before it could be sent."
    if hasattr(invitation, "respondent") and invitation.respondent.submitted_at:
        return "They answered before it could be sent."
    template = "reminder" if send.kind == EmailSend.Kind.REMINDER else "invitation"
    subject, body, sender, to = _message(invitation, template)
    token_hash = hash_token(invitation.token)

    def undo() -> None:
        # Never seen by anyone: a link nobody has is a link nobody expects to work.
        PersonalLink.objects.filter(token_hash=token_hash).delete()

    return EmailMessage(subject, body, sender, to), undo


def retry_failed(now: datetime | None = None) -> Delivery:
    """Send again the emails that failed (and any whose sender stopped on the way).

    Each is claimed in a short transaction first, so two runs at once send it once.
    """
    now = now or timezone.now()
    due = Q(state=EmailSend.State.FAILED, attempts__lt=MAX_ATTEMPTS) | Q(
        state=EmailSend.State.PENDING, claimed_at__lt=now - STRANDED
    )
    with transaction.atomic():
        claimed = list(
            EmailSend.objects.filter(due)
            .order_by("claimed_at", "pk")
            .select_for_update(skip_locked=True)
        )
        EmailSend.objects.filter(pk__in=[s.pk for s in claimed]).update(
            state=EmailSend.State.PENDING, claimed_at=now
        )
    return deliver(claimed)


def held_back(assessment: Assessment) -> str | None:
    """Why some of this assessment's emails have not gone, for the coordinator; None if all went."""
    partnership = Partnership.objects.get(pk=assessment.partnership_id)
    waiting = waiting_invitations(assessment).count()
    if partnership.verified_at is None:
        return (
            f"Emails from {partnership} wait until support staff have checked the partnership, "
            "as they do for every new one. Its invitations go out by themselves then"
            + (f" ({_emails(waiting)} waiting)." if waiting else ".")
        )
    limit = settings.PARTNERSHIP_EMAILS_PER_DAY
    used_up = partnership.emails_day == timezone.localdate() and partnership.emails_sent >= limit
    if not used_up:
        return _failing(assessment)
    note = f" Invitations still waiting: {waiting}." if waiting else ""
    return (
        f"{partnership} has sent {_emails(partnership.emails_sent)} today, the most a "
        f"partnership may send in a day.{note} The rest can go from tomorrow: invite the "
        "same people again, or remind everyone who has not finished."
    )


def _failing(assessment: Assessment) -> str | None:
    sends = EmailSend.objects.filter(
        invitation__assessment=assessment, state=EmailSend.State.FAILED
    )
    retrying = sends.filter(attempts__lt=MAX_ATTEMPTS).count()
    given_up = sends.filter(attempts__gte=MAX_ATTEMPTS).count()
    if retrying:
        return (
            f"{_emails(retrying)} could not be sent yet because the mail server refused "
            f"{'it' if retrying == 1 else 'them'}. They are tried again every few minutes."
        )
    if given_up:
        return (
            f"{_emails(given_up)} could not be sent after {MAX_ATTEMPTS} tries. "
            "Invite the same people again, or ask the site’s administrators about the mail server."
        )
    return None


def _emails(count: int) -> str:
    return f"{count} email{'' if count == 1 else 's'}"
