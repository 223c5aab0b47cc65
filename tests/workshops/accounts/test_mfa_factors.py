"""Second factors themselves: setting up an authenticator app and recovery codes (each
step audited), signing in with a code or a recovery code, refusing odd and guessed codes,
and the two-factor pages' markup."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse

from tests.builders import PASSWORD
from tests.workshops.accounts.second_factor import (
    confirm_password,
    give_totp,
    mfa_required,  # noqa: F401 - the "required" fixture
    password_step,
    sign_in,
    support_staff,  # noqa: F401 - the "staff" fixture
    text,
    totp_now,
)
from workshops.models import AuditEvent

# Setting up an authenticator app.


def _secret_on(page: str) -> str:
    return re.search(r'data-secret="([A-Z2-7]+)"', page)[1]


def test_setting_up_an_authenticator_app_with_the_key_shown_on_the_page(
    client, cast, required, django_capture_on_commit_callbacks
):
    assert sign_in(client, cast.coordinator.email).status_code == 302
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302  # confirm the password first
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    page = text(client.get(response["Location"]))
    assert "Confirm it is you" in page
    confirm_password(client)
    page = text(client.get(reverse("mfa_activate_totp")))
    assert "Set up an authenticator app" in page
    assert "<svg" in page  # the QR code, drawn in the page (no image from elsewhere)
    secret = _secret_on(page)
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    assert grouped in page  # the key as text, for those who cannot scan

    # A wrong code, then none: clear messages, and nothing set up.
    wrong = f"{(int(totp_now(secret)) + 500_000) % 1_000_000:06d}"
    response = client.post(reverse("mfa_activate_totp"), {"code": wrong})
    assert response.status_code == 200
    page = text(response)
    assert "There is a problem" in page and 'href="#id_code"' in page
    assert "The code is not right. Enter the 6-digit code your authenticator app shows now." in page
    assert "<title>Error: " in page
    response = client.post(reverse("mfa_activate_totp"), {"code": ""})
    assert "Enter the code from your authenticator app." in text(response)
    assert not Authenticator.objects.filter(user=cast.coordinator).exists()

    # allauth confirms and signals once the change is committed.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_activate_totp"), {"code": totp_now(secret)})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    page = text(client.get(response["Location"]))
    assert "Your recovery codes" in page
    codes = re.findall(r"<li><code>(\w+)</code></li>", page)
    assert len(codes) == 10
    # Now the partnership opens.
    assert client.get(cast.partnership.get_absolute_url()).status_code == 200
    assert set(
        Authenticator.objects.filter(user=cast.coordinator).values_list("type", flat=True)
    ) == {
        "totp",
        "recovery_codes",
    }
    events = AuditEvent.objects.filter(account=cast.coordinator, action="account.mfa_added")
    assert set(events.values_list("summary", flat=True)) == {
        "Added an authenticator app as a second factor.",
        "Recovery codes were made, to sign in with if the second factor is lost.",
    }
    assert all(e.user == cast.coordinator for e in events)


def test_the_recovery_codes_download_as_a_text_file(client, cast):
    give_totp(cast.coordinator)
    client.force_login(cast.coordinator)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    response = client.get(reverse("mfa_download_recovery_codes"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert f"LSP Assess recovery codes for {cast.coordinator.email}" in body
    codes = Authenticator.objects.get(user=cast.coordinator, type="recovery_codes")
    assert all(code in body for code in codes.wrap().get_unused_codes())


def test_turning_the_authenticator_app_off_is_audited(client, cast):
    give_totp(cast.coordinator)
    client.force_login(cast.coordinator)
    confirm_password(client)
    page = text(client.get(reverse("mfa_deactivate_totp")))
    assert "Turn off the authenticator app" in page
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=cast.coordinator).exists()
    summaries = AuditEvent.objects.filter(
        account=cast.coordinator, action="account.mfa_removed"
    ).values_list("summary", flat=True)
    assert set(summaries) == {
        "Removed an authenticator app as a second factor.",
        "Removed recovery codes as a second factor.",
    }


def test_new_recovery_codes_replace_the_old_and_are_audited(
    client, cast, django_capture_on_commit_callbacks
):
    give_totp(cast.coordinator)
    old = Authenticator.objects.get(user=cast.coordinator, type="recovery_codes")
    old_codes = old.wrap().get_unused_codes()
    client.force_login(cast.coordinator)
    confirm_password(client)
    page = text(client.get(reverse("mfa_generate_recovery_codes")))
    assert "Your 10 unused codes will stop working." in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_generate_recovery_codes"))
    assert response.status_code == 302
    new = Authenticator.objects.get(user=cast.coordinator, type="recovery_codes")
    assert not set(new.wrap().get_unused_codes()) & set(old_codes)
    assert AuditEvent.objects.filter(
        account=cast.coordinator,
        action="account.mfa_recovery_codes_replaced",
        summary="Made new recovery codes; the old ones no longer work.",
    ).exists()


# Signing in with a second factor.


def test_signing_in_takes_the_password_then_a_code(client, cast, required):
    secret = give_totp(cast.coordinator)
    password_step(client, cast.coordinator.email)
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.status_code == 200
    page = text(response)
    assert "There is a problem" in page
    assert "The code is not right, or it has been used already." in page
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": ""})
    assert "Enter the code from your authenticator app, or a recovery code." in text(response)

    code = totp_now(secret)
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    assert client.get(cast.partnership.get_absolute_url()).status_code == 200
    assert AuditEvent.objects.filter(account=cast.coordinator, action="account.mfa_failed").exists()

    # The same code again, from somewhere else, is refused: it has been used.
    other = Client()
    password_step(other, cast.coordinator.email)
    response = other.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 200
    assert "it has been used already" in text(response)
    assert "_auth_user_id" not in other.session


def test_each_recovery_code_signs_in_once(client, cast, required):
    give_totp(cast.coordinator)
    codes = Authenticator.objects.get(user=cast.coordinator, type="recovery_codes")
    first, second = codes.wrap().get_unused_codes()[:2]
    password_step(client, cast.coordinator.email)
    assert client.post(reverse("mfa_authenticate"), {"code": first}).status_code == 302
    assert client.get(cast.partnership.get_absolute_url()).status_code == 200
    assert AuditEvent.objects.filter(
        account=cast.coordinator,
        action="account.mfa_recovery_code_used",
        summary="Used a recovery code as the second factor (9 left).",
    ).exists()

    again = Client()
    password_step(again, cast.coordinator.email)
    response = again.post(reverse("mfa_authenticate"), {"code": first})
    assert response.status_code == 200 and "it has been used already" in text(response)
    assert again.post(reverse("mfa_authenticate"), {"code": second}).status_code == 302


def test_guessing_codes_is_stopped(client, cast, settings):
    settings.MFA_CODE_FAILURE_LIMIT = 3
    secret = give_totp(cast.coordinator)
    password_step(client, cast.coordinator.email)
    for _ in range(3):
        response = client.post(reverse("mfa_authenticate"), {"code": "123456"})
        assert "The code is not right" in text(response)
    # Now even the right code waits.
    response = client.post(reverse("mfa_authenticate"), {"code": totp_now(secret)})
    assert response.status_code == 200
    assert "Too many wrong codes. Wait 15 minutes, then try again." in text(response)
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "code",
    ["\x00", "1" * 5000, "１２３４５６", "12345６", "<script>", " 123 456 ", "-1", "😀" * 6],
)
def test_odd_codes_are_refused_plainly(client, cast, code):
    secret = give_totp(cast.coordinator)
    password_step(client, cast.coordinator.email)
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 200
    assert "There is a problem" in text(response)
    assert "_auth_user_id" not in client.session
    client.force_login(cast.executive)
    confirm_password(client)
    client.get(reverse("mfa_activate_totp"))
    response = client.post(reverse("mfa_activate_totp"), {"code": code})
    assert response.status_code == 200
    assert "There is a problem" in text(response)
    assert not Authenticator.objects.filter(user=cast.executive).exists()
    assert secret


def test_the_code_page_offers_a_passkey_only_to_those_who_have_one(client, cast):
    give_totp(cast.coordinator)
    password_step(client, cast.coordinator.email)
    assert "Use a passkey or security key" not in text(client.get(reverse("mfa_authenticate")))


# The pages.


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)


INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.I)


EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+=", re.I)


def test_the_two_factor_pages_need_no_inline_script_or_style(client, cast, staff):
    give_totp(cast.executive)
    passkey_user = cast.participant
    client.force_login(cast.coordinator)
    confirm_password(client)
    urls = [
        reverse("mfa_index"),
        reverse("mfa_activate_totp"),
        reverse("mfa_list_webauthn"),
        reverse("mfa_add_webauthn"),
        reverse("account_reauthenticate"),
    ]
    executive = Client()
    executive.force_login(cast.executive)
    confirm_password(executive)
    pages = [(client, url) for url in urls]
    pages += [
        (executive, reverse(name))
        for name in (
            "mfa_index",
            "mfa_view_recovery_codes",
            "mfa_generate_recovery_codes",
            "mfa_deactivate_totp",
            "mfa_reauthenticate",
        )
    ]
    visitor = Client()
    password_step(visitor, cast.executive.email)
    pages += [(visitor, reverse("mfa_authenticate")), (Client(), reverse("login"))]
    support = Client()
    support.force_login(staff)
    pages += [
        (support, reverse(name, args=args))
        for name, args in (
            ("support-accounts", []),
            ("support-account", [cast.executive.pk]),
            ("support-account-mfa-reset", [cast.executive.pk]),
            ("support-account-deactivate", [cast.executive.pk]),
        )
    ]
    for who, url in pages:
        response = who.get(url)
        assert response.status_code == 200, url
        html = text(response)
        assert not INLINE_SCRIPT.search(html), url
        assert not INLINE_STYLE.search(html), url
        assert not EVENT_HANDLER.search(html), url
        assert '<h1 class="govuk-heading-l">' in html, url
    assert passkey_user  # the passkey pages are driven in the browser tests


def test_passkey_sign_in_is_offered_on_the_sign_in_page_for_browsers_that_can(client, db):
    page = text(client.get(reverse("login")))
    assert "Sign in with a passkey" in page
    assert "data-passkey-section hidden" in page  # shown by the script, where passkeys work
    assert "/static/js/passkeys.js" in page
