"""Two-factor sign-in: who must set it up, setting up an authenticator app, signing
in with a code or a recovery code, and support staff's reset and deactivation."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import struct
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lsp_assess import settings as project_settings
from tests.builders import PASSWORD, make_user
from workshops.models import AuditEvent, Partnership

ROOT = Path(__file__).resolve().parents[3]


def totp_now(secret: str, offset: int = 0) -> str:
    """The code an authenticator app shows now (RFC 6238: HMAC-SHA1, 30 s, 6 digits)."""
    counter = int(time.time()) // 30 + offset
    key = base64.b32decode(secret.replace(" ", ""), casefold=True)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    start = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[start : start + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


@pytest.fixture
def required(settings):
    """The shipped rule: coordinators and support staff must have a second factor."""
    settings.MFA_REQUIRED_ROLES = ["coordinator", "staff"]


@pytest.fixture
def staff(db):
    user = make_user("support@lsp-assess.example.org", "Sam Support")
    user.is_staff = True
    user.save()
    return user


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


# The shipped setting.


def test_the_shipped_default_is_coordinators_and_support_staff():
    assert project_settings.MFA_REQUIRED_ROLES == ["coordinator", "staff"]


def test_none_makes_two_factor_sign_in_optional_for_everyone():
    env = {**os.environ, "MFA_REQUIRED_ROLES": "none"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from lsp_assess import settings; print(settings.MFA_REQUIRED_ROLES)",
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "[]"


# Who must set up a second factor first.


def test_a_coordinator_without_a_second_factor_is_sent_to_set_one_up(client, cast, required):
    client.force_login(cast.coordinator)
    response = client.get(cast.partnership.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_index")
    page = text(client.get(reverse("mfa_index")))
    assert "Set up two-factor sign-in before you go on" in page
    assert "Set up an authenticator app" in page
    # Nothing can be changed meanwhile, anywhere.
    response = client.post(
        reverse("partnership-edit", args=[cast.partnership.pk]), {"name": "Renamed"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("mfa_index")
    assert Partnership.objects.get(pk=cast.partnership.pk).name == "Eastvale LSP"
    for name in ("home", "members", "account", "usersessions_list"):
        args = [cast.partnership.pk] if name == "members" else []
        assert client.get(reverse(name, args=args)).status_code == 302, name
    # The scripts' polls get a refusal they can read, not a page.
    response = client.get(reverse("home"), HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    assert response.json()["url"] == reverse("mfa_index")
    # What setting one up needs, and pages with nothing to protect, still work.
    assert client.get(reverse("accessibility")).status_code == 200
    assert client.get(reverse("healthz")).status_code == 200
    assert client.get(reverse("mfa_activate_totp")).status_code == 302  # to confirm the password
    assert client.get(reverse("account_reauthenticate")).status_code == 200
    assert client.get(reverse("mfa_list_webauthn")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_with_an_authenticator_app_the_coordinator_goes_on(client, cast, required):
    give_totp(cast.coordinator)
    client.force_login(cast.coordinator)
    assert client.get(cast.partnership.get_absolute_url()).status_code == 200
    assert "before you go on" not in text(client.get(reverse("mfa_index")))


def test_recovery_codes_alone_are_not_a_second_factor(client, cast, required):
    client.force_login(cast.coordinator)
    RecoveryCodes.activate(cast.coordinator)
    response = client.get(cast.partnership.get_absolute_url())
    assert response.status_code == 302 and response["Location"] == reverse("mfa_index")


def test_an_executive_is_not_made_to_but_may_opt_in(client, cast, required):
    client.force_login(cast.executive)
    assert client.get(cast.partnership.get_absolute_url()).status_code == 200
    page = text(client.get(reverse("mfa_index")))
    assert "before you go on" not in page and "Set up an authenticator app" in page


def test_support_staff_must_set_one_up(client, staff, required):
    client.force_login(staff)
    response = client.get(reverse("support-partnerships"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_index")
    give_totp(staff)
    assert client.get(reverse("support-partnerships")).status_code == 200


def test_the_roles_come_from_the_setting(client, cast, settings):
    settings.MFA_REQUIRED_ROLES = ["executive"]
    client.force_login(cast.executive)
    response = client.get(cast.partnership.get_absolute_url())
    assert response.status_code == 302 and response["Location"] == reverse("mfa_index")
    client.force_login(cast.coordinator)
    assert "Eastvale LSP" in text(client.get(cast.partnership.get_absolute_url()))


def test_visitors_and_phones_are_not_touched(client, cast, required, django_assert_num_queries):
    response = client.get(cast.partnership.get_absolute_url())
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    # No session cookie: the rule reads neither the session nor the database.
    with CaptureQueriesContext(connection) as with_rule:
        assert client.get(reverse("join")).status_code == 200
    assert not any("mfa_authenticator" in q["sql"] for q in with_rule.captured_queries)
    assert len(with_rule.captured_queries) == 0


def test_the_rule_costs_one_query_a_request(client, cast, settings):
    give_totp(cast.coordinator)
    client.force_login(cast.coordinator)
    url = cast.partnership.get_absolute_url()
    client.get(url)  # warm up
    settings.MFA_REQUIRED_ROLES = []
    with CaptureQueriesContext(connection) as without:
        assert client.get(url).status_code == 200
    settings.MFA_REQUIRED_ROLES = ["coordinator", "staff"]
    with CaptureQueriesContext(connection) as with_rule:
        assert client.get(url).status_code == 200
    assert len(with_rule.captured_queries) == len(without.captured_queries) + 1
    [extra] = [q["sql"] for q in with_rule.captured_queries if "mfa_authenticator" in q["sql"]]
    assert "workshops_membership" in extra  # role and factor in the one query


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


def _password_step(client: Client, email: str) -> None:
    response = sign_in(client, email)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # not signed in yet
    page = text(client.get(reverse("mfa_authenticate")))
    assert "Enter your code" in page


def test_signing_in_takes_the_password_then_a_code(client, cast, required):
    secret = give_totp(cast.coordinator)
    _password_step(client, cast.coordinator.email)
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
    _password_step(other, cast.coordinator.email)
    response = other.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 200
    assert "it has been used already" in text(response)
    assert "_auth_user_id" not in other.session


def test_each_recovery_code_signs_in_once(client, cast, required):
    give_totp(cast.coordinator)
    codes = Authenticator.objects.get(user=cast.coordinator, type="recovery_codes")
    first, second = codes.wrap().get_unused_codes()[:2]
    _password_step(client, cast.coordinator.email)
    assert client.post(reverse("mfa_authenticate"), {"code": first}).status_code == 302
    assert client.get(cast.partnership.get_absolute_url()).status_code == 200
    assert AuditEvent.objects.filter(
        account=cast.coordinator,
        action="account.mfa_recovery_code_used",
        summary="Used a recovery code as the second factor (9 left).",
    ).exists()

    again = Client()
    _password_step(again, cast.coordinator.email)
    response = again.post(reverse("mfa_authenticate"), {"code": first})
    assert response.status_code == 200 and "it has been used already" in text(response)
    assert again.post(reverse("mfa_authenticate"), {"code": second}).status_code == 302


def test_guessing_codes_is_stopped(client, cast, settings):
    settings.MFA_CODE_FAILURE_LIMIT = 3
    secret = give_totp(cast.coordinator)
    _password_step(client, cast.coordinator.email)
    for _ in range(3):
        response = client.post(reverse("mfa_authenticate"), {"code": "123456"})
        assert "The code is not right" in text(response)
    # Now even the right code waits.
    response = client.post(reverse("mfa_authenticate"), {"code": totp_now(secret)})
    assert response.status_code == 200
    assert "Too many wrong codes. Wait 15 minutes, then try again." in text(response)
    assert "_auth_user_id" not in client.session


# Support staff: finding an account, resetting its second factors, deactivating it.


def test_support_staff_find_an_account_by_email(client, cast, staff):
    client.force_login(staff)
    page = text(client.get(reverse("support-accounts")))
    assert "Find an account" in page and 'method="get"' in page
    response = client.get(
        reverse("support-accounts"), {"email": "COORDINATOR@eastvale.example.org"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("support-account", args=[cast.coordinator.pk])
    response = client.get(reverse("support-accounts"), {"email": "nobody@example.org"})
    assert "No account has the address nobody@example.org." in text(response)
    response = client.get(reverse("support-accounts"), {"email": "not an address"})
    page = text(response)
    assert response.status_code == 200
    assert "There is a problem" in page and "Enter an email address like name@example.org" in page
    assert 'href="#id_email"' in page


def test_the_account_page_lists_its_second_factors(client, cast, staff):
    give_totp(cast.coordinator)
    Authenticator.objects.filter(user=cast.coordinator, type="totp").update(last_used_at=None)
    client.force_login(staff)
    page = text(client.get(reverse("support-account", args=[cast.coordinator.pk])))
    assert "coordinator@eastvale.example.org" in page
    assert "Coordinator of Eastvale LSP" in page
    assert "An authenticator app" in page
    assert "Recovery codes (10 unused)" in page
    assert "Not used" in page
    assert "Reset two-factor sign-in" in page and "Deactivate account" in page


def test_support_staff_reset_a_lost_second_factor(client, cast, staff, required):
    give_totp(staff)
    secret = give_totp(cast.coordinator)
    coordinator = Client()  # the browser on the phone that is lost
    _password_step(coordinator, cast.coordinator.email)
    coordinator.post(reverse("mfa_authenticate"), {"code": totp_now(secret)})
    assert coordinator.get(cast.partnership.get_absolute_url()).status_code == 200

    client.force_login(staff)
    url = reverse("support-account-mfa-reset", args=[cast.coordinator.pk])
    page = text(client.get(url))
    assert "Reset two-factor sign-in for coordinator@eastvale.example.org" in page
    assert Authenticator.objects.filter(user=cast.coordinator).count() == 2  # GET changed nothing
    response = client.post(url, follow=True)
    assert "Two-factor sign-in for coordinator@eastvale.example.org is reset" in text(response)
    assert "No second factor is set up." in text(response)
    assert not Authenticator.objects.filter(user=cast.coordinator).exists()
    event = AuditEvent.objects.get(action="account.mfa_reset")
    assert event.account == cast.coordinator and event.user == staff
    assert event.partnership is None
    assert event.summary == (
        "Support staff reset two-factor sign-in (removed an authenticator app, recovery codes)."
    )
    # The lost device's session is over; signing in again leads to setting up anew.
    response = coordinator.get(cast.partnership.get_absolute_url())
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    sign_in(coordinator, cast.coordinator.email)
    response = coordinator.get(cast.partnership.get_absolute_url())
    assert response["Location"] == reverse("mfa_index")


def test_only_other_support_staff_may_reset_or_deactivate(client, cast, staff):
    give_totp(staff)
    give_totp(cast.coordinator)
    urls = [
        reverse(name, args=[cast.coordinator.pk])
        for name in (
            "support-account",
            "support-account-mfa-reset",
            "support-account-deactivate",
            "support-account-reactivate",
        )
    ] + [reverse("support-accounts")]
    client.force_login(cast.coordinator)
    for url in urls:
        assert client.get(url).status_code in (403, 405), url
        assert client.post(url).status_code == 403, url
    # Staff cannot reset or deactivate their own account this way.
    client.force_login(staff)
    page = text(client.get(reverse("support-account", args=[staff.pk])))
    assert "This is your own account." in page and "Reset two-factor sign-in</a>" not in page
    for name in ("support-account-mfa-reset", "support-account-deactivate"):
        assert client.post(reverse(name, args=[staff.pk])).status_code == 403
    assert Authenticator.objects.filter(user=staff).count() == 2
    assert User_is_active(staff)
    assert Authenticator.objects.filter(user=cast.coordinator).count() == 2
    assert not AuditEvent.objects.filter(action__startswith="account.mfa_reset").exists()


def User_is_active(user) -> bool:  # noqa: N802 - reads as the assertion it is
    user.refresh_from_db()
    return user.is_active


def test_deactivating_an_account_signs_it_out_everywhere(client, cast, staff):
    coordinator = Client()
    assert sign_in(coordinator, cast.coordinator.email).status_code == 302
    assert coordinator.get(cast.partnership.get_absolute_url()).status_code == 200

    client.force_login(staff)
    url = reverse("support-account-deactivate", args=[cast.coordinator.pk])
    assert "They will be signed out everywhere" in text(client.get(url))
    response = client.post(url, follow=True)
    assert "coordinator@eastvale.example.org is deactivated and signed out everywhere." in text(
        response
    )
    assert not User_is_active(cast.coordinator)
    response = coordinator.get(cast.partnership.get_absolute_url())
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    event = AuditEvent.objects.get(action="account.deactivated")
    assert event.account == cast.coordinator and event.user == staff
    # They cannot sign in again until reactivated.
    again = Client()
    sign_in(again, cast.coordinator.email)
    assert "_auth_user_id" not in again.session

    response = client.post(
        reverse("support-account-reactivate", args=[cast.coordinator.pk]), follow=True
    )
    assert "is active again and can sign in" in text(response)
    assert User_is_active(cast.coordinator)
    assert AuditEvent.objects.filter(action="account.reactivated", user=staff).exists()
    assert sign_in(Client(), cast.coordinator.email).status_code == 302


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
    _password_step(visitor, cast.executive.email)
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


# The demo.


def test_the_demo_says_two_factor_sign_in_is_optional_and_runs_so(db):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "Two-factor sign-in is optional in the demo" in out.getvalue()
    run = re.search(r"^run:.*?(?=^\S)", (ROOT / "Makefile").read_text(), re.M | re.S)[0]
    assert "MFA_REQUIRED_ROLES=none" in run


@pytest.mark.parametrize(
    "code",
    ["\x00", "1" * 5000, "１２３４５６", "12345６", "<script>", " 123 456 ", "-1", "😀" * 6],
)
def test_odd_codes_are_refused_plainly(client, cast, code):
    secret = give_totp(cast.coordinator)
    _password_step(client, cast.coordinator.email)
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
    _password_step(client, cast.coordinator.email)
    assert "Use a passkey or security key" not in text(client.get(reverse("mfa_authenticate")))
