"""Workflows that touch more than one model."""

from __future__ import annotations

from django.db import transaction

from workshops.models import Membership, Partnership, User


class MembershipError(Exception):
    """A membership change that the rules do not allow; the message is for the user."""


@transaction.atomic
def create_partnership(user: User, **fields) -> Partnership:
    """A new partnership, with its creator as coordinator so it is never orphaned."""
    partnership = Partnership(**fields)
    partnership.full_clean()
    partnership.save()
    Membership.objects.create(partnership=partnership, user=user, role=Membership.Role.COORDINATOR)
    return partnership


@transaction.atomic
def add_member(partnership: Partnership, email: str, role: str) -> Membership:
    """Give an existing account a role in the partnership (or change its role)."""
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise MembershipError(
            f"There is no account for {email}. Ask them to be invited, or add them as a person."
        )
    membership, _ = Membership.objects.update_or_create(
        partnership=partnership, user=user, defaults={"role": role}
    )
    return membership


@transaction.atomic
def remove_member(partnership: Partnership, membership_id: int) -> None:
    """Remove a membership, but never the last coordinator of a partnership."""
    membership = partnership.memberships.select_for_update().get(pk=membership_id)
    coordinators = partnership.memberships.select_for_update().filter(
        role=Membership.Role.COORDINATOR
    )
    if membership.role == Membership.Role.COORDINATOR and coordinators.count() == 1:
        raise MembershipError("A partnership needs at least one coordinator.")
    membership.delete()
