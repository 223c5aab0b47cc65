"""Joining a partnership by invitation.

A coordinator invites an email address with a permission role; whoever opens
the emailed link signed in as that address (or creating the account for it)
joins. Nothing here tells the coordinator whether the address has an account,
or anything of it: inviting cannot be used to find out who uses the
installation. The emails count against the partnership's daily allowance and
wait for verification like all its emails (``workshops.services.mail``).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from workshops.models import (
    AuditEvent,
    EmailSend,
    MemberInvitation,
    Membership,
    Partnership,
    User,
)
from workshops.services import mail
from workshops.services.assessment import render_email
from workshops.services.partnership import MembershipError, keep_a_coordinator


class InvitationGone(Exception):
    """The link cannot be used (any more): ``reason`` says why, for the page."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class AccountExists(Exception):
    """An account for the address appeared since the page was shown: sign in instead."""


def a_role(role: str) -> str:
    """ "an executive", "a participant": a role as a sentence names it."""
    label = Membership.Role(role).label.lower()
    return f"{'an' if label[0] in 'aeiou' else 'a'} {label}"


def _lock_partnership(partnership: Partnership) -> None:
    # Every change to a partnership's invitations holds its row, so two coordinators
    # inviting the same address at once make one invitation, not a clash.
    Partnership.objects.select_for_update().get(pk=partnership.pk)


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


def invite_member(
    partnership: Partnership, inviter: User, email: str, role: str
) -> tuple[MemberInvitation, mail.Delivery | None]:
    """Invite ``email`` to the partnership with ``role``; returns the invitation and
    what became of its email (None: it waits, see ``held_back``).

    Inviting an address that has an open invitation gives it the new role and a
    new link. The result is the same whether or not the address has an account.
    """
    with transaction.atomic():
        _lock_partnership(partnership)
        mine = partnership.memberships.filter(user=inviter).first()
        if mine is None or not mine.may_grant(role):
            raise MembershipError("An invitation cannot give a role above your own.")
        email = email.strip().lower()
        invitation = partnership.member_invitations.filter(
            email=email, accepted_at=None, withdrawn_at=None
        ).first() or MemberInvitation(partnership=partnership, email=email)
        invitation.role, invitation.invited_by = role, inviter
        sends = _queue(invitation)
    return invitation, mail.deliver(sends) if sends else None


def resend(partnership: Partnership, invitation_id: int) -> mail.Delivery:
    """Send an open invitation again with a new link; the old link stops working
    once the new email has gone.

    Refused, changing nothing, when the email cannot go today: the link sent
    earlier keeps working meanwhile.
    """
    with transaction.atomic():
        _lock_partnership(partnership)
        invitation = partnership.member_invitations.get(pk=invitation_id)
        if not invitation.is_open:
            raise MembershipError(f"The invitation to {invitation.email} is no longer open.")
        if why := held_back(partnership):
            raise MembershipError(why)
        sends = _queue(invitation)
    return mail.deliver(sends)


@transaction.atomic
def withdraw(partnership: Partnership, invitation_id: int) -> MemberInvitation:
    _lock_partnership(partnership)
    invitation = partnership.member_invitations.get(pk=invitation_id)
    if not invitation.is_open:
        raise MembershipError(f"The invitation to {invitation.email} is no longer open.")
    invitation.withdrawn_at = timezone.now()
    invitation.save(update_fields=["withdrawn_at"])
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
    # the role (or left) cannot still let people in.
    inviter = invitation.partnership.memberships.filter(user=invitation.invited_by_id).first()
    if (
        invitation.invited_by_id is None
        or inviter is None
        or not inviter.may_grant(invitation.role)
    ):
        raise InvitationGone("invalid")


def _locked(invitation: MemberInvitation) -> MemberInvitation:
    # Locked, so that a double submit (or two tabs) accepts once: the second
    # finds the invitation used.
    locked = (
        MemberInvitation.objects.select_for_update()
        .select_related("partnership")
        .get(pk=invitation.pk)
    )
    check(locked)
    return locked


def _join(invitation: MemberInvitation, user: User, path: str) -> Membership:
    partnership = invitation.partnership
    membership = partnership.memberships.select_for_update().filter(user=user).first()
    if membership and membership.role == Membership.Role.COORDINATOR != invitation.role:
        keep_a_coordinator(partnership, membership)
    membership, _ = Membership.objects.update_or_create(
        partnership=partnership, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    # Not a coordinator's change, so not logged by its message: logged here.
    AuditEvent.objects.create(
        partnership=partnership,
        user=user,
        actor=f"{user.get_full_name()} ({user.email})"[:254],
        summary=f"{invitation.email} accepted the invitation and joined as "
        f"{a_role(invitation.role)}.",
        path=path[:500],
    )
    return membership


@transaction.atomic
def accept(invitation: MemberInvitation, user: User, path: str = "") -> Membership:
    """The signed-in ``user`` accepts: their membership gets the invited role, once."""
    locked = _locked(invitation)
    if not locked.is_for(user):
        raise InvitationGone("another address")
    return _join(locked, user, path)


@transaction.atomic
def join_with_new_account(
    invitation: MemberInvitation, full_name: str, password: str, path: str = ""
) -> User:
    """Create the account for the invited address and accept, in one step."""
    locked = _locked(invitation)
    if User.objects.filter(email__iexact=locked.email).exists():
        raise AccountExists
    user = User.objects.create_user(email=locked.email, password=password, full_name=full_name)
    _join(locked, user, path)
    return user
