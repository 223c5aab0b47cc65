"""Emails sent from our address on a partnership's behalf: how many it may send, and when.

Invitations and reminders go to any address a coordinator types in, so they are
held to two rules. A partnership support staff have not verified sends nothing
yet: its emails wait, and its invitations go out when it is verified. A verified
one sends at most PARTNERSHIP_EMAILS_PER_DAY a day; the rest wait for the next
day. Names in the emails are text, never links (``unlinked``).
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone

from workshops.models import Assessment, Invitation, Partnership

# What a mail client turns into a link: a scheme ("https://", "javascript:"), or a
# dot between a word and a letter ("www.evil.example", "evil.example/login", an
# email address). "St. Helens" and "Phase 2.5" are left alone.
_SCHEME = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*):(?=//)")
_BARE_SCHEME = re.compile(r"(?i)\b(javascript|vbscript|data|mailto|file|tel|sms|callto):")
_DOT = re.compile(r"(?<=\w)\.(?=[^\W\d_])")


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

    return pending_invitations(assessment).filter(sent_at=None).order_by("created_at", "pk")


@transaction.atomic
def send_waiting(partnership: Partnership) -> int:
    """Send the invitations that waited, for every assessment still open; returns how many."""
    from workshops.services.assessment import _message  # see waiting_invitations

    sent = 0
    for assessment in partnership.assessments.order_by("closes_on", "pk"):
        if not assessment.is_open():
            continue
        waiting = list(waiting_invitations(assessment).select_for_update(of=("self",)))
        going = waiting[: take(partnership, len(waiting))]
        if not going:
            continue
        Invitation.objects.filter(pk__in=[i.pk for i in going]).update(sent_at=timezone.now())
        send_mass_mail([_message(i, "invitation") for i in going], fail_silently=False)
        sent += len(going)
    # Invitations to join the partnership waited too (imported here for the same reason).
    from workshops.services import members

    return sent + members.send_waiting(partnership)


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
        return None
    note = f" Invitations still waiting: {waiting}." if waiting else ""
    return (
        f"{partnership} has sent {_emails(partnership.emails_sent)} today, the most a "
        f"partnership may send in a day.{note} The rest can go from tomorrow: invite the "
        "same people again, or remind everyone who has not finished."
    )


def _emails(count: int) -> str:
    return f"{count} email{'' if count == 1 else 's'}"
