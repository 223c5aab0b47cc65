"""Template helpers for plain-text emails."""

from __future__ import annotations

from django import template

from workshops.services.mail import unlinked as _unlinked

register = template.Library()


@register.filter
def unlinked(value: object) -> str:
    """Names and titles as plain text that no mail client turns into a link."""
    return _unlinked(value)
