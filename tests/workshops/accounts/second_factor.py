"""Second factors as the tests use them: the code an authenticator app shows, a factor
set up as allauth stores it, signing in up to the code step, the shipped rule, and support
staff."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client
from django.urls import reverse

from tests.builders import PASSWORD, make_staff


def totp_now(secret: str, offset: int = 0) -> str:
    """The code an authenticator app shows now (RFC 6238: HMAC-SHA1, 30 s, 6 digits)."""
    counter = int(time.time()) // 30 + offset
    key = base64.b32decode(secret.replace(" ", ""), casefold=True)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    start = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[start : start + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


@pytest.fixture(name="required")
def mfa_required(settings):
    """The shipped rule: coordinators and support staff must have a second factor."""
    settings.MFA_REQUIRED_ROLES = ["coordinator", "staff"]


@pytest.fixture(name="staff")
def support_staff(db):
    return make_staff("Sam Support")


def give_totp(user) -> str:
    """An authenticator app and recovery codes, as allauth stores them; returns the secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


def text(response) -> str:
    return response.content.decode()


def sign_in(client: Client, email: str, password: str = PASSWORD):
    return client.post(reverse("login"), {"login": email, "password": password})


def confirm_password(client: Client) -> None:
    # allauth asks for the password again before a second factor is added or removed.
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302, text(response)


def password_step(client: Client, email: str) -> None:
    response = sign_in(client, email)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # not signed in yet
    page = text(client.get(reverse("mfa_authenticate")))
    assert "Enter your code" in page
