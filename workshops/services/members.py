"""A partnership's members and their permission roles: what each role may give,
changing a member's role and removing a member, never leaving the partnership
without a coordinator.

Joining a partnership by invitation is in services.member_invitations.
"""

from __future__ import annotations

from django.db import transaction

from workshops import audit
from workshops.models import Membership, Partnership, User


class MembershipError(Exception):
    """A membership change that the rules do not allow; the message is for the user."""


def lock_partnership(partnership: Partnership) -> None:
    """Hold the partnership's row until the transaction ends.

    Every change to a partnership's invitations and members takes it first: two
    coordinators inviting the same address at once then make one invitation, not a
    clash, and two removing each other wait in turn rather than each holding one row
    the other needs.
    """
    Partnership.objects.select_for_update().get(pk=partnership.pk)


def may_grant(partnership: Partnership, user: User | None, role: str) -> bool:
    """Whether ``user`` may give ``role`` in the partnership now: a member up to their
    own role, or active support staff (who invite a new partnership's first coordinator)."""
    if user is None or not user.is_active:
        return False
    if user.is_staff:
        return role in Membership.Role.values
    mine = partnership.memberships.filter(user=user).first()
    return mine is not None and mine.may_grant(role)


def keep_a_coordinator(partnership: Partnership, leaving: Membership) -> None:
    """Refuse to take away the last coordinator, by removing or by demoting them."""
    others = partnership.memberships.select_for_update().filter(role=Membership.Role.COORDINATOR)
    if not others.exclude(pk=leaving.pk).exists():
        raise MembershipError("A partnership needs at least one coordinator.")


def change_role(
    partnership: Partnership, membership_id: int, role: str, by: User
) -> tuple[Membership, str]:
    """Give a member another permission role; returns the membership and its role before.

    Never a role above ``by``'s own, never to someone whose role is above it, and
    never leaving the partnership without a coordinator.
    """
    with transaction.atomic():
        lock_partnership(partnership)
        membership = (
            partnership.memberships.select_for_update().select_related("user").get(pk=membership_id)
        )
        if role not in Membership.Role.values:
            raise MembershipError("Choose a permission role.")
        if not (may_grant(partnership, by, role) and may_grant(partnership, by, membership.role)):
            raise MembershipError("You cannot give a role above your own.")
        before = membership.role
        if before == Membership.Role.COORDINATOR != role:
            keep_a_coordinator(partnership, membership)
        if before != role:
            membership.role = role
            membership.save(update_fields=["role"])
            audit.record(
                "member.role_changed",
                by=by,
                partnership=partnership,
                target=f"Member {membership.user.email}",
                data={
                    "user": membership.user_id,
                    "member": str(membership.user),
                    "role": role,
                    "was": before,
                },
            )
    return membership, before


@transaction.atomic
def remove_member(partnership: Partnership, membership_id: int, *, by: User | None = None) -> None:
    """Remove a membership, but never the last coordinator of a partnership."""
    lock_partnership(partnership)
    membership = partnership.memberships.select_for_update().get(pk=membership_id)
    if membership.role == Membership.Role.COORDINATOR:
        keep_a_coordinator(partnership, membership)
    membership.delete()
    audit.record(
        "member.removed",
        by=by,
        partnership=partnership,
        target=f"Member {membership.user.email}",
        data={"user": membership.user_id, "member": str(membership.user), "role": membership.role},
    )
