"""Workflows across models, as plain functions that raise domain errors."""

from workshops.services.partnership import (
    MembershipError,
    create_partnership,
    remove_member,
    verify_partnership,
)

__all__ = [
    "MembershipError",
    "create_partnership",
    "remove_member",
    "verify_partnership",
]
