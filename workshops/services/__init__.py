"""Workflows across models, as plain functions that raise domain errors."""

from workshops.services.members import MembershipError, remove_member
from workshops.services.partnership import create_partnership, verify_partnership

__all__ = [
    "MembershipError",
    "create_partnership",
    "remove_member",
    "verify_partnership",
]
