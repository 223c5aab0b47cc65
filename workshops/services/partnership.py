"""Workflows that touch more than one model."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from workshops.models import AuditEvent, Membership, Partnership, User
from workshops.services import mail


class MembershipError(Exception):
    """A membership change that the rules do not allow; the message is for the user."""


@transaction.atomic
def create_partnership(coordinator_email: str, **fields) -> Partnership:
    """A new partnership with its first coordinator, so it is never orphaned.

    Only support staff set partnerships up (the view checks), naming the account
    of its coordinator. It starts unverified: it counts in nobody's comparisons
    and its emails wait until ``verify_partnership``.
    """
    coordinator = User.objects.filter(email__iexact=coordinator_email.strip()).first()
    if coordinator is None:
        raise MembershipError(
            f"There is no account for {coordinator_email}. Create it in the admin site first."
        )
    partnership = Partnership(**fields)
    partnership.full_clean()
    partnership.save()
    Membership.objects.create(
        partnership=partnership, user=coordinator, role=Membership.Role.COORDINATOR
    )
    return partnership


VERIFIED = "Partnership verified by support staff."


def verify_partnership(
    partnership: Partnership, staff: User, path: str = ""
) -> mail.Delivery | None:
    """Mark the partnership as checked by support staff, log it, and send the emails that
    waited for it. Returns what became of those, or None if it was verified before."""
    with transaction.atomic():
        locked = Partnership.objects.select_for_update().get(pk=partnership.pk)
        if locked.verified_at is not None:
            return None
        Partnership.objects.filter(pk=locked.pk).update(
            verified_at=timezone.now(), verified_by=staff
        )
        AuditEvent.objects.create(
            partnership=locked,
            user=staff,
            actor=f"{staff.get_full_name()} ({staff.email})"[:254],
            summary=VERIFIED,
            path=path[:500],
        )
    # After the commit: a mail server that refuses leaves the partnership verified,
    # and the emails it refused are tried again (services.mail.retry_failed).
    return mail.send_waiting(partnership)


def keep_a_coordinator(partnership: Partnership, leaving: Membership) -> None:
    """Refuse to take away the last coordinator, by removing or by demoting them."""
    others = partnership.memberships.select_for_update().filter(role=Membership.Role.COORDINATOR)
    if not others.exclude(pk=leaving.pk).exists():
        raise MembershipError("A partnership needs at least one coordinator.")


@transaction.atomic
def remove_member(partnership: Partnership, membership_id: int) -> None:
    """Remove a membership, but never the last coordinator of a partnership."""
    membership = partnership.memberships.select_for_update().get(pk=membership_id)
    if membership.role == Membership.Role.COORDINATOR:
        keep_a_coordinator(partnership, membership)
    membership.delete()
