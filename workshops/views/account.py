"""A signed-in person's own account: the page that leads to its password, second
factors, sessions and sign-ins."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from workshops.models import AuditEvent

# Written by the sign-in receivers (workshops.accounts.signals) for every sign-in,
# and for every failed one against an existing account.
SIGNED_IN = "account.signed_in"
SIGN_IN_FAILED = "account.sign_in_failed"
SIGN_INS_SHOWN = 20


@login_required
def account(request: HttpRequest) -> HttpResponse:
    context = {
        "idle_minutes": settings.SESSION_IDLE_MINUTES,
        "lifetime_hours": settings.SESSION_LIFETIME_HOURS,
    }
    return render(request, "workshops/account/index.html", context)


@login_required
def sign_ins(request: HttpRequest) -> HttpResponse:
    """The account's own recent sign-ins and failed attempts, newest first: someone
    who sees one that was not them knows to change their password."""
    events = AuditEvent.objects.filter(
        account=request.user, action__in=(SIGNED_IN, SIGN_IN_FAILED)
    ).only("action", "summary", "at")[:SIGN_INS_SHOWN]
    context = {
        "sign_ins": [{"event": e, "failed": e.action == SIGN_IN_FAILED} for e in events],
        "shown": SIGN_INS_SHOWN,
    }
    return render(request, "workshops/account/sign_ins.html", context)
