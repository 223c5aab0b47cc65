"""Template helpers for the site's layout (templates/base.html)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def back_landmark(links: str) -> str:
    """A page's back link in a navigation landmark of its own, or nothing when the page has
    none. It stays before <main>, where GOV.UK puts it so that "Skip to main content" passes
    it, yet a screen reader's list of landmarks still finds it (nothing outside one)."""
    if not links.strip():
        return ""
    return format_html('<nav aria-label="Back">{}</nav>', links)
