"""Joining a partnership by invitation.

A coordinator invites an email address with a permission role; whoever opens
the emailed link signed in as that address (or creating the account for it)
joins. Nothing here tells the coordinator whether the address has an account,
or anything of it: inviting cannot be used to find out who uses the
installation. The emails count against the partnership's daily allowance and
wait for verification like all its emails (``workshops.services.mail``), and
are limited per address (MEMBER_INVITATION_EMAILS_PER_ADDRESS a day from one
partnership) and per sender (MEMBER_INVITATIONS_PER_SENDER_PER_HOUR), so that
nobody can use them to flood someone's inbox from our address.

Members' roles, and what each may give, are in services.members.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, time

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from workshops import audit
from workshops.models import (
    EmailSend,
    MemberInvitation,
    Membership,
    Partnership,
    User,
)
from workshops.models.partnership import a_role
from workshops.services import mail
from workshops.services.assessment import render_email
from workshops.services.members import (
    MembershipError,
    keep_a_coordinator,
    lock_partnership,
    may_grant,
)

logger = logging.getLogger(__name__)


class InvitationGone(Exception):
    """The link cannot be used (any more): ``reason`` says why, for the page."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class AccountExists(Exception):
    """An account for the address appeared since the page was shown: sign in instead."""


def _queue(invitation: MemberInvitation) -> list[EmailSend]:
    """Save the invitation, and queue its email if today's allowance has room.

    Call inside a transaction, and ``mail.deliver`` what this returns once it has
    committed. Without room it is saved with no link, to wait; with room, the link
    it has (a resent one's) keeps working until the new email goes.
    """
    if not mail.take(invitation.partnership, 1):
        invitation.clear_link()
        invitation.save()
        return []
    invitation.save()
    return mail.queue(invitation.partnership, EmailSend.Kind.MEMBER, [invitation])


def compose(invitation: MemberInvitation) -> tuple[EmailMessage, Callable[[], None]]:
    """The invitation's email with a new link (saved now: the link then works the
    moment the email arrives), and how to put the earlier link back if it fails."""
    before = (invitation.token_hash, invitation.sent_at, invitation.expires_at)
    token = invitation.issue_link()
    invitation.save(update_fields=["token_hash", "sent_at", "expires_at"])
    context = {
        "partnership": invitation.partnership,
        "invitation": invitation,
        "role": a_role(invitation.role),
        "link": settings.SITE_URL + invitation_path(token),
    }
    subject, body = render_email("member_invitation", context)
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])

    def undo() -> None:
        # The new link was never seen; the one sent before (if any) works again.
        MemberInvitation.objects.filter(pk=invitation.pk).update(
            token_hash=before[0], sent_at=before[1], expires_at=before[2]
        )

    return message, undo


def invitation_path(token: str) -> str:
    return reverse("member-invitation", args=[token])


def _start_of_today() -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate(), time.min))


def _address_allowance(partnership: Partnership, email: str) -> None:
    """Refuse a further invitation email to ``email`` from the partnership today.

    Counted from the emails recorded (sent, failed or waiting to go), resends
    included, so that inviting and resending cannot flood one inbox. The words
    are the same whether or not the address has an account.
    """
    limit = settings.MEMBER_INVITATION_EMAILS_PER_ADDRESS
    sent = EmailSend.objects.filter(
        partnership=partnership,
        kind=EmailSend.Kind.MEMBER,
        to=email,
        created_at__gte=_start_of_today(),
    ).count()
    if sent >= limit:
        raise MembershipError(
            f"{email} has been sent {sent} invitation emails from {partnership} today, the most "
            "one address may be sent in a day. Send the invitation again from tomorrow."
        )


SENDER_KEY = "member-invitations-sent-by:{}"


def _sender_allowance(sender: User) -> None:
    """Count one more invitation email from ``sender``; refuse it past the hour's limit.

    Counted in the shared cache for an hour from the first, across all the
    partnerships the sender belongs to. Like the guess counters it fails open:
    a cache that is down must not stop coordinators inviting people.
    """
    limit = settings.MEMBER_INVITATIONS_PER_SENDER_PER_HOUR
    key = SENDER_KEY.format(sender.pk)
    try:
        cache.add(key, 0, timeout=3600)
        sent = cache.incr(key)
    except Exception as exc:  # noqa: BLE001 - any cache failure: fail open
        logger.warning("Invitation counter unavailable (%s); not limiting senders.", exc)
        return
    if sent > limit:
        raise MembershipError(
            f"You have sent {limit} invitations in the last hour, the most one person may "
            "send in an hour. Send the rest later."
        )


def queue_invitation(
    partnership: Partnership, inviter: User, email: str, role: str
) -> tuple[MemberInvitation, list[EmailSend]]:
    """``invite_member`` inside the caller's transaction: the emails to ``deliver``
    once it has committed."""
    lock_partnership(partnership)
    if not may_grant(partnership, inviter, role):
        raise MembershipError("An invitation cannot give a role above your own.")
    email = email.strip().lower()
    _address_allowance(partnership, email)
    _sender_allowance(inviter)
    invitation = partnership.member_invitations.filter(
        email=email, accepted_at=None, withdrawn_at=None
    ).first() or MemberInvitation(partnership=partnership, email=email)
    invitation.role, invitation.invited_by = role, inviter
    return invitation, _queue(invitation)


def invite_member(
    partnership: Partnership, inviter: User, email: str, role: str, *, by: User | None = None
) -> tuple[MemberInvitation, mail.Delivery | None]:
    """Invite ``email`` to the partnership with ``role``; returns the invitation and
    what became of its email (None: it waits, see ``held_back``).

    Inviting an address that has an open invitation gives it the new role and a
    new link. The result is the same whether or not the address has an account.
    """
    with transaction.atomic():
        invitation, sends = queue_invitation(partnership, inviter, email, role)
        audit.record(
            "member.invited",
            by=by,
            partnership=partnership,
            target=f"Invitation to {invitation.email}",
            data={
                "invitation": invitation.pk,
                "email": invitation.email,
                "role": role,
                "partnership": partnership.name,
            },
        )
    return invitation, mail.deliver(sends) if sends else None


def resend(partnership: Partnership, invitation_id: int, by: User | None = None) -> mail.Delivery:
    """Send an open invitation again with a new link; the old link stops working
    once the new email has gone. ``by`` (who resends it) becomes its sender: the
    new link gives what they may give.

    Refused, changing nothing, when the email cannot go today: the link sent
    earlier keeps working meanwhile.
    """
    with transaction.atomic():
        lock_partnership(partnership)
        invitation = partnership.member_invitations.get(pk=invitation_id)
        if not invitation.is_open:
            raise MembershipError(f"The invitation to {invitation.email} is no longer open.")
        if why := held_back(partnership):
            raise MembershipError(why)
        _address_allowance(partnership, invitation.email)
        if by is not None:
            if not may_grant(partnership, by, invitation.role):
                raise MembershipError("An invitation cannot give a role above your own.")
            _sender_allowance(by)
            invitation.invited_by = by
        sends = _queue(invitation)
    delivery = mail.deliver(sends)
    if not delivery.failed:  # a refused email put the earlier link back: nothing changed
        audit.record(
            "member.invitation_resent",
            by=by,
            partnership=partnership,
            target=f"Invitation to {invitation.email}",
            data={"invitation": invitation.pk, "email": invitation.email},
        )
    return delivery


@transaction.atomic
def withdraw(
    partnership: Partnership, invitation_id: int, *, by: User | None = None
) -> MemberInvitation:
    lock_partnership(partnership)
    invitation = partnership.member_invitations.get(pk=invitation_id)
    if not invitation.is_open:
        raise MembershipError(f"The invitation to {invitation.email} is no longer open.")
    invitation.withdrawn_at = timezone.now()
    invitation.save(update_fields=["withdrawn_at"])
    audit.record(
        "member.invitation_withdrawn",
        by=by,
        partnership=partnership,
        target=f"Invitation to {invitation.email}",
        data={"invitation": invitation.pk, "email": invitation.email},
    )
    return invitation


def queue_waiting(partnership: Partnership) -> list[EmailSend]:
    """Queue the invitations that waited, oldest first, as far as today's allowance
    goes. Call inside a transaction (verification's ``mail.send_waiting`` does)."""
    waiting = (
        partnership.member_invitations.filter(accepted_at=None, withdrawn_at=None, token_hash=None)
        .exclude(
            pk__in=EmailSend.objects.filter(mail.OPEN_SEND, member_invitation__isnull=False).values(
                "member_invitation_id"
            )
        )
        .order_by("created_at", "pk")
    )
    sends: list[EmailSend] = []
    for invitation in waiting.select_for_update():
        queued = _queue(invitation)
        if not queued:
            break
        sends += queued
    return sends


def held_back(partnership: Partnership) -> str | None:
    """Why an invitation email cannot go now, for the coordinator; None if it can."""
    partnership = Partnership.objects.get(pk=partnership.pk)
    if partnership.verified_at is None:
        return (
            f"Emails from {partnership} wait until support staff have checked the "
            "partnership, as they do for every new one. Invitations go out by themselves then."
        )
    limit = settings.PARTNERSHIP_EMAILS_PER_DAY
    if partnership.emails_day == timezone.localdate() and partnership.emails_sent >= limit:
        return (
            f"{partnership} has sent {partnership.emails_sent} emails today, the most a "
            "partnership may send in a day. Send the invitation again from tomorrow."
        )
    return None


def check(invitation: MemberInvitation) -> None:
    """Raise ``InvitationGone`` if the invitation's link can no longer be used."""
    if invitation.accepted_at is not None:
        raise InvitationGone("used")
    if invitation.withdrawn_at is not None or invitation.token_hash is None:
        raise InvitationGone("withdrawn")
    if invitation.is_expired:
        raise InvitationGone("expired")
    # An invitation gives what its sender may give now: one who has since lost
    # the role (or left, or stopped being support staff) cannot still let people in.
    if not may_grant(invitation.partnership, invitation.invited_by, invitation.role):
        raise InvitationGone("invalid")


def _locked(invitation: MemberInvitation) -> MemberInvitation:
    # Locked, so that a double submit (or two tabs) accepts once: the second
    # finds the invitation used. The partnership first, in the order every
    # change to its invitations and memberships takes, so none waits on another.
    lock_partnership(invitation.partnership)
    locked = (
        MemberInvitation.objects.select_for_update()
        .select_related("partnership")
        .get(pk=invitation.pk)
    )
    check(locked)
    return locked


def _join(invitation: MemberInvitation, user: User, request: HttpRequest | None) -> Membership:
    partnership = invitation.partnership
    membership = partnership.memberships.select_for_update().filter(user=user).first()
    if membership and membership.role == Membership.Role.COORDINATOR != invitation.role:
        keep_a_coordinator(partnership, membership)
    membership, _ = Membership.objects.update_or_create(
        partnership=partnership, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit.record(
        "member.invitation_accepted",
        account=user,
        partnership=partnership,
        target=f"Invitation to {invitation.email}",
        data={"invitation": invitation.pk, "email": invitation.email, "role": invitation.role},
        request=request,
    )
    return membership


@transaction.atomic
def accept(
    invitation: MemberInvitation, user: User, request: HttpRequest | None = None
) -> Membership:
    """The signed-in ``user`` accepts: their membership gets the invited role, once."""
    locked = _locked(invitation)
    if not locked.is_for(user):
        raise InvitationGone("another address")
    return _join(locked, user, request)


@transaction.atomic
def join_with_new_account(
    invitation: MemberInvitation,
    full_name: str,
    password: str,
    request: HttpRequest | None = None,
) -> User:
    """Create the account for the invited address and accept, in one step."""
    locked = _locked(invitation)
    if User.objects.filter(email__iexact=locked.email).exists():
        raise AccountExists
    user = User.objects.create_user(email=locked.email, password=password, full_name=full_name)
    _join(locked, user, request)
    return user
