"""Limits on guessing passwords, and how long the record of sign-ins is kept.

django-axes counts failed sign-ins in the database, so every app server shares
the count. Two limits hold: LOGIN_FAILURE_LIMIT wrong passwords for one account
from one address (the owner elsewhere is never locked out), and
LOGIN_ADDRESS_FAILURE_LIMIT for all accounts together from one address, against
trying a few common passwords on many accounts ("password spraying").
"""

from __future__ import annotations

from datetime import datetime

from allauth.usersessions.models import UserSession
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest

from workshops.models import AuditEvent

# The audit log's entries that say where someone signed in from.
SIGN_IN_ACTIONS = ("account.signed_in", "account.sign_in_failed")


class SignInHandler(AxesDatabaseHandler):
    """Axes' database handler with a second, higher limit for an address.

    AXES_LOCKOUT_PARAMETERS lists the account-and-address pair first and the
    address alone second; axes compares a single count with one limit, so an
    address past its own limit is reported as at the account limit.
    """

    def get_failures(self, request, credentials: dict | None = None) -> int:
        pair, address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        if address >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return max(pair, get_failure_limit(request, credentials))
        return pair

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        # A successful sign-in forgets that account's failures from this address
        # only: forgetting the whole address's would let someone spraying guesses
        # start again by signing in to an account of their own.
        pair = self.filter_user_attempts(request, credentials)[0]
        count, _ = pair.delete()
        return count


# Warn of the pause when this few wrong passwords are left before it.
WARN_WHEN_LEFT = 2


def lockout_warning(request: HttpRequest, login: str) -> str | None:
    """After a wrong password, a warning when only one or two more would pause signing in.

    Counted as the limits count (workshops.signin.SignInHandler): the address signed
    in to from this network, and this network as a whole. Failures are counted for
    any address typed, with or without an account, so the warning says nothing about
    whether the account exists.
    """
    credentials = {"email": login}
    pair, address = (
        attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
        for attempts in SignInHandler().get_user_attempts(request, credentials)
    )
    pair_left = get_failure_limit(request, credentials) - pair
    address_left = settings.LOGIN_ADDRESS_FAILURE_LIMIT - address
    left = min(pair_left, address_left)
    if not 0 < left <= WARN_WHEN_LEFT:
        return None
    cool_off = get_cool_off(request)
    minutes = round(cool_off.total_seconds() / 60) if cool_off else 0
    paused = (
        "signing in to that email address from this network"
        if pair_left <= address_left
        else "signing in from this network"
    )
    times = "once more" if left == 1 else f"{left} more times"
    return (
        f"If the password is wrong {times}, {paused} will be paused for "
        f"{minutes} minute{'' if minutes == 1 else 's'}."
    )


def purge_sign_in_records(cutoff: datetime, *, dry_run: bool = False) -> dict[str, int]:
    """Delete the record of sign-ins (addresses, browsers, accounts tried) before ``cutoff``."""
    records = {
        "sign-in failures": AccessAttempt.objects.filter(attempt_time__lt=cutoff),
        "sign-in failure log entries": AccessFailureLog.objects.filter(attempt_time__lt=cutoff),
        "sign-in log entries": AccessLog.objects.filter(attempt_time__lt=cutoff),
        # The audit log's sign-ins name the network and browser too; the rest of the
        # log (what was changed, and by whom) is the partnership's record and stays.
        "sign-ins in the audit log": AuditEvent.objects.filter(
            action__in=SIGN_IN_ACTIONS, at__lt=cutoff
        ),
        # Devices signed in before the cut-off whose sessions have ended.
        "devices signed in": UserSession.objects.filter(last_seen_at__lt=cutoff),
    }
    counts = {what: queryset.count() for what, queryset in records.items()}
    if not dry_run:
        for what, queryset in records.items():
            counts[what] = queryset.delete()[1].get(queryset.model._meta.label, 0)
    return counts
