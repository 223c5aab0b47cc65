"""Two-factor sign-in in a real browser: a newcomer invited as coordinator must set up
an authenticator app before anything else, then signs in with it; and a passkey added
with Chromium's virtual authenticator signs in on its own and as the second factor."""

from __future__ import annotations

import re
import time

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP
from tests.builders import PASSWORD
from tests.workshops.accounts.second_factor import give_totp, totp_now
from workshops.models import AuditEvent, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "a-long-walk-by-the-river"


@pytest.fixture
def required(settings):
    settings.MFA_REQUIRED_ROLES = ["coordinator", "staff"]
    # The live server is plain http on localhost, which browsers treat as secure
    # for passkeys; allauth checks the origin only when this is off.
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def fresh_code(secret: str) -> str:
    """The code now, not one about to change while it is typed."""
    if 30 - time.time() % 30 < 3:
        time.sleep(3)
    return totp_now(secret)


def enter_code(page, secret: str) -> None:
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(
        fresh_code(secret)
    )
    page.get_by_role("button", name="Continue").click()


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").first.click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()


def test_a_newcomer_invited_as_coordinator_sets_up_an_authenticator_app(new_page, cast, required):
    # The inviting coordinator has an authenticator app already.
    secret = give_totp(cast.coordinator)
    coordinator = new_page(DESKTOP)
    sign_in(coordinator, cast.coordinator.email)
    enter_code(coordinator, secret)
    coordinator.get_by_role("link", name="Eastvale LSP").click()
    coordinator.get_by_role("link", name="See members and invite people").click()
    coordinator.get_by_role("button", name="Invite someone").click()
    coordinator.get_by_label("Email address").fill("nia@example.org")
    coordinator.get_by_label("Coordinator").check()
    coordinator.get_by_role("button", name="Send invitation").click()
    expect(
        coordinator.get_by_text("nia@example.org is invited to join Eastvale LSP")
    ).to_be_visible()

    [message] = mail.outbox
    link = re.search(r"https?://[^/\s]+(/invitations/\S+/)", message.body)[1]
    newcomer = new_page(DESKTOP)
    newcomer.goto(link)
    newcomer.get_by_label("Your name").fill("Nia Brown")
    newcomer.get_by_label("Choose a password").fill(NEW_PASSWORD)
    newcomer.get_by_label("Type the password again").fill(NEW_PASSWORD)
    newcomer.get_by_role("button", name="Create account and join").click()

    # Joined, but a coordinator goes no further without a second factor.
    expect(newcomer.get_by_text("You have joined Eastvale LSP as a coordinator.")).to_be_visible()
    expect(newcomer.get_by_text("Set up two-factor sign-in before you go on")).to_be_visible()
    newcomer.get_by_role("link", name="Your partnerships").click()
    expect(newcomer.get_by_role("heading", name="Two-factor sign-in", exact=True)).to_be_visible()

    # Having just chosen a password, they are not asked for it again.
    newcomer.get_by_role("button", name="Set up an authenticator app").click()
    expect(newcomer.get_by_role("heading", name="Set up an authenticator app")).to_be_visible()
    expect(
        newcomer.get_by_role("img", name="QR code to scan with your authenticator app")
    ).to_be_visible()
    # The key as text, for an app on a computer or anyone who cannot scan.
    shown = newcomer.locator("#totp-secret").inner_text()
    nia_secret = shown.replace(" ", "")
    newcomer.get_by_label("Code from your authenticator app").fill("000000")
    newcomer.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(newcomer.get_by_role("alert")).to_contain_text("The code is not right")
    newcomer.get_by_label("Code from your authenticator app").fill(fresh_code(nia_secret))
    newcomer.get_by_role("button", name="Turn on two-factor sign-in").click()

    expect(newcomer.get_by_text("Two-factor sign-in is on.")).to_be_visible()
    expect(newcomer.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(
        newcomer.get_by_role("list", name="Unused recovery codes").get_by_role("listitem")
    ).to_have_count(10)
    newcomer.get_by_role("button", name="I have saved my codes, continue").click()
    sign_out(newcomer)

    # Next time: the password, then a code from the app.
    sign_in(newcomer, "nia@example.org", NEW_PASSWORD)
    enter_code(newcomer, nia_secret)
    newcomer.get_by_role("link", name="Eastvale LSP").click()
    expect(newcomer.get_by_text("Your role: Coordinator")).to_be_visible()

    nia = User.objects.get(email="nia@example.org")
    assert AuditEvent.objects.filter(
        account=nia, action="account.mfa_added", summary__contains="authenticator app"
    ).exists()


def _virtual_authenticator(page):
    """Chromium's own authenticator, standing in for a fingerprint reader: the CDP
    session and the authenticator's id."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def test_a_passkey_is_added_then_signs_in_alone_and_as_the_second_factor(new_page, cast, required):
    page = new_page(DESKTOP)
    cdp, authenticator_id = _virtual_authenticator(page)
    sign_in(page, cast.coordinator.email)
    expect(page.get_by_text("Set up two-factor sign-in before you go on")).to_be_visible()
    page.get_by_role("button", name="Add a passkey or security key").click()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Add a passkey or security key")).to_be_visible()
    page.get_by_label("Name for this passkey or key").fill("Work laptop")
    expect(page.get_by_label("Let me sign in with it instead of my password")).to_be_checked()
    page.get_by_role("button", name="Add a passkey or security key").click()
    expect(page.get_by_text("Passkey or security key added.")).to_be_visible()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    page.get_by_role("button", name="I have saved my codes, continue").click()
    page.get_by_role("link", name="Eastvale LSP").click()
    expect(page.get_by_text("Your role: Coordinator")).to_be_visible()
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})
    assert len(credentials["credentials"]) == 1
    assert AuditEvent.objects.filter(
        account=cast.coordinator,
        action="account.mfa_added",
        summary="Added a passkey or security key (Work laptop) as a second factor.",
    ).exists()

    page.goto("/account/")
    page.get_by_role("link", name="Two-factor sign-in").click()
    page.get_by_role("link", name="Manage your passkeys and security keys").click()
    row = page.get_by_role("row", name=re.compile("Work laptop"))
    expect(row).to_contain_text("Passkey: signs in without a password")
    sign_out(page)

    # A passkey alone signs in: no email, no password.
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", name="Sign in with a passkey")).to_be_visible()
    page.get_by_role("button", name="Use a passkey").click()
    expect(page.get_by_role("link", name="Eastvale LSP")).to_be_visible()
    sign_out(page)

    # And after a password it is the second factor.
    sign_in(page, cast.coordinator.email)
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    page.get_by_role("button", name="Use a passkey or security key").click()
    expect(page.get_by_role("link", name="Eastvale LSP")).to_be_visible()


def test_without_webauthn_the_passkey_parts_stay_hidden(new_page, cast):
    page = new_page(DESKTOP)
    page.add_init_script("delete window.PublicKeyCredential")
    page.goto("/accounts/login/")
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Use a passkey")).to_be_hidden()
    expect(page.get_by_role("heading", name="Sign in with a passkey")).to_be_hidden()
