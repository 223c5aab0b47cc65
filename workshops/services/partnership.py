"""Setting up a partnership (support staff do, inviting its first coordinator) and
verifying it, which sends the emails that waited for that."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from workshops import audit
from workshops.models import Membership, Partnership, User
from workshops.services import mail, member_invitations


def create_partnership(
    coordinator_email: str, staff: User, request: HttpRequest | None = None, **fields
):
    """A new partnership, and an invitation to be its first coordinator.

    Only support staff set partnerships up (the view checks). Setting it up is
    their check that it is a real partnership, so it starts verified (logged as
    such) and the invitation goes at once. The first coordinator is invited by
    email whether or not the address has an account, so the page says nothing
    of who uses the installation; until they accept, the partnership has no
    coordinator and the support list says it is waiting for them.

    Returns the partnership, the invitation and what became of its email (None:
    it waits, as ``member_invitations.held_back`` says).
    """
    with transaction.atomic():
        partnership = Partnership(**fields)
        partnership.full_clean()
        partnership.verified_at, partnership.verified_by = timezone.now(), staff
        partnership.save()
        audit.record(
            "partnership.set_up",
            by=staff,
            partnership=partnership,
            target=f"Partnership “{partnership}”",
            data={"partnership": partnership.pk},
            request=request,
        )
        invitation, sends = member_invitations.queue_invitation(
            partnership, staff, coordinator_email, Membership.Role.COORDINATOR
        )
    # After the commit, as every email: its link then opens what it points at.
    return partnership, invitation, mail.deliver(sends) if sends else None


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
        audit.record(
            "partnership.verified",
            by=staff,
            partnership=locked,
            target=f"Partnership “{locked}”",
            data={"partnership": locked.pk},
            path=path,
        )
    # After the commit: a mail server that refuses leaves the partnership verified,
    # and the emails it refused are tried again (services.mail.retry_failed).
    return mail.send_waiting(partnership)
