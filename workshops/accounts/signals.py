"""The audit log's record of what happens to accounts: signing in, passwords.

Each entry is about one account (``account``), with no partnership: the audit
page of each partnership the account belongs to shows it. Nothing is written
about addresses that have no account, so the log cannot be read to learn who
uses the installation.
"""

from __future__ import annotations

import re

from allauth.account import signals as account_signals
from allauth.account.adapter import get_adapter
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest
from django.urls import reverse

from workshops import audit, throttle
from workshops.models import User

# Checked in order: Edge and Opera also say "Chrome", and Chrome also says "Safari".
BROWSERS = [
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
]
SYSTEMS = [
    ("iPhone", "an iPhone"),
    ("iPad", "an iPad"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Macintosh", "a Mac"),
    ("Linux", "Linux"),
]
SECOND_FACTORS = {
    "totp": "an authenticator app code",
    "recovery_codes": "a recovery code",
    "webauthn": "a security key",
}


def browser_summary(user_agent: str) -> str:
    """ "Firefox on Windows": enough to recognise one's own sign-ins, no more."""
    browser = next((name for mark, name in BROWSERS if mark in user_agent), "")
    system = next((name for mark, name in SYSTEMS if mark in user_agent), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or (f"a browser on {system}" if system else "an unknown browser")


def where_from(request: HttpRequest) -> str:
    """ "from 192.0.2.1 using Firefox on Windows", for the log's summaries."""
    address = throttle.client_address(request) or "an unknown address"
    agent = re.sub(r"\s+", " ", request.META.get("HTTP_USER_AGENT", ""))[:300]
    return f"from {address} using {browser_summary(agent)}"


def _how(request: HttpRequest, sociallogin=None) -> str:
    """How the sign-in was made, from the steps allauth recorded in the session."""
    if sociallogin is not None:
        return f"through {sociallogin.account.get_provider(request).name}"
    records = request.session.get(AUTHENTICATION_METHODS_SESSION_KEY, []) if request else []
    methods = [record.get("method") for record in records]
    second = next((r for r in reversed(records) if r.get("method") == "mfa"), None)
    if second is not None and second.get("passwordless"):
        return "with a passkey"
    if "password_reset" in methods:
        first = "with a new password after a reset"
    elif "socialaccount" in methods:
        provider = next(r.get("provider") for r in records if r.get("method") == "socialaccount")
        first = f"through {provider}"
    else:
        first = "with a password"
    if second is not None:
        return f"{first} and {SECOND_FACTORS.get(second.get('type'), 'a second factor')}"
    return first


@receiver(account_signals.user_logged_in)
def signed_in(sender, request: HttpRequest, user: User, sociallogin=None, **kwargs) -> None:
    # allauth's signal, sent once every step of a sign-in through its pages is done
    # (password, second factor, passkey, single sign-on). Django's own is sent by any
    # login() call, including code that signs an account in with nobody asking.
    audit.record(
        "account.signed_in",
        f"Signed in {_how(request, sociallogin)}, {where_from(request)}.",
        account=user,
        request=request,
    )


@receiver(user_login_failed)
def sign_in_failed(sender, credentials: dict, request: HttpRequest | None = None, **kwargs):
    if request is None:
        return  # not a visitor's attempt: code checking a password
    name = throttle.sign_in_name(request, credentials)
    account = User.objects.filter(email__iexact=name).first() if name else None
    if account is None:
        # Only attempts on real accounts: an entry per typo'd address would grow
        # the log without bound and tell its readers which addresses are not used.
        return
    audit.record(
        "account.sign_in_failed",
        f"A sign-in failed (wrong password, or the account was locked), {where_from(request)}.",
        account=account,
        request=request,
    )


def _password_event(action: str, said: str, notice: str):
    def receiver_(sender, request: HttpRequest, user: User, **kwargs) -> None:
        audit.record(action, f"{said}, {where_from(request)}.", account=user, request=request)
        # Tell the account's owner, so a change they did not make does not go unseen.
        context = {"user": user, "what": notice, "reset_url": _reset_url(), "request": request}
        get_adapter(request).send_mail("account/email/password_changed", user.email, context)

    return receiver_


def _reset_url() -> str:
    return settings.SITE_URL + reverse("account_reset_password")


password_reset = _password_event(
    "account.password_reset", "Set a new password with a reset link", "reset with an emailed link"
)
password_changed = _password_event("account.password_changed", "Changed their password", "changed")
password_set = _password_event("account.password_set", "Set a password", "set")
account_signals.password_reset.connect(password_reset, dispatch_uid="audit.password_reset")
account_signals.password_changed.connect(password_changed, dispatch_uid="audit.password_changed")
account_signals.password_set.connect(password_set, dispatch_uid="audit.password_set")
