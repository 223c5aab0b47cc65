"""Workflows across models, as plain functions that raise domain errors."""

from workshops.services.partnership import (
    MembershipError,
    add_member,
    create_partnership,
    remove_member,
)

__all__ = ["MembershipError", "add_member", "create_partnership", "remove_member"]
