"""Template helpers for single sign-on: which organisation's provider serves an address."""

from __future__ import annotations

from django import template

from workshops.models import SignInProvider

register = template.Library()


@register.filter
def sign_in_provider(email: str) -> SignInProvider | None:
    """The active provider serving ``email``'s domain (decided by the domain alone)."""
    from workshops.accounts.sso import provider_for_email

    return provider_for_email(str(email or ""))
