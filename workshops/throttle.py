"""Holding off people who guess workshop codes and personal links.

Both are credentials typed or followed without an account. Only failed
look-ups are counted, per address, in the shared cache (django-ratelimit's
counters), so a whole room joining from one network is never held up; once an
address has guessed too often it is refused even a right code or link until
the period is up, so guessing on cannot tell it when it has hit one.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage


def used_up(request: HttpRequest, group: str, rate: str) -> bool:
    """Whether this address has used up its wrong guesses for ``group``."""
    usage = get_usage(request, group=group, key="ip", rate=rate, increment=False)
    return usage is not None and usage["count"] >= usage["limit"]


def count_miss(request: HttpRequest, group: str, rate: str) -> None:
    get_usage(request, group=group, key="ip", rate=rate, increment=True)


def sign_in_name(request: HttpRequest, credentials: dict | None) -> str | None:
    """The account a sign-in attempt is for, as django-axes counts it.

    Email addresses sign in whatever their case, so they are counted in one
    case too: otherwise "Chair@…" and "chair@…" would each get their own
    allowance of guesses at the same account.
    """
    name = (credentials or {}).get("username") or request.POST.get("username")
    return name.strip().lower() if name else None


def client_address(request: HttpRequest) -> str:
    """The address a request came from, for the guess counters behind a reverse proxy.

    With TRUSTED_PROXY_COUNT proxies in front of the app servers, each appends
    the address it was reached from to X-Forwarded-For, so the client is that
    many entries from the right. Anything further left was written by the
    client and could be anything, so it is never used.
    """
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    count = settings.TRUSTED_PROXY_COUNT
    if count and len(forwarded) >= count and forwarded[-count]:
        return forwarded[-count]
    return request.META.get("REMOTE_ADDR", "")
