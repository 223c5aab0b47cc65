"""Sessions in Chromium: the idle timeout, the console that says it was signed out, and
signing out of every other device.

Time passes by moving the session's stamp back in the database, where the server reads it.
"""

from __future__ import annotations

import re
from importlib import import_module

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_console_said import LISTEN
from tests.builders import PASSWORD, make_workshop
from workshops.accounts.sessions import SEEN_AT
from workshops.services import workshop as workshop_service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def move_back(page, seconds: int) -> None:
    """Move the stored session of ``page``'s browser back, as if it had sat unused."""
    cookie = next(
        c for c in page.context.cookies() if c["name"] == django_settings.SESSION_COOKIE_NAME
    )
    store = import_module(django_settings.SESSION_ENGINE).SessionStore(cookie["value"])
    store[SEEN_AT] -= seconds
    store.save()


def sign_in_again(page, email: str) -> None:
    """Fill in the sign-in page that is showing."""
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    # Exact: the page also offers signing in with a passkey or an organisation's account.
    # The test waits for the page it expects, not for the click's navigation to settle.
    page.get_by_role("button", name="Sign in", exact=True).click(no_wait_after=True)


def sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    sign_in_again(page, email)
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def test_after_the_idle_time_the_next_click_asks_to_sign_in_and_returns_to_the_page(
    new_page, cast, settings
):
    settings.SESSION_IDLE_MINUTES = 5
    page = new_page(DESKTOP)
    sign_in(page, cast.coordinator.email)
    page.goto(cast.partnership.get_absolute_url())
    expect(page.get_by_role("heading", name=cast.partnership.name, level=1)).to_be_visible()

    move_back(page, 7 * 60)
    page.get_by_role("link", name="See members and invite people").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    expect(
        page.get_by_text("You were signed out because you had not used LSP Assess for 5 minutes.")
    ).to_be_visible()
    sign_in_again(page, cast.coordinator.email)
    expect(page).to_have_url(re.compile(rf"/partnerships/{cast.partnership.pk}/members/$"))


def test_a_console_left_idle_says_it_was_signed_out_and_signing_in_returns_to_it(
    new_page, cast, assessment, settings
):
    settings.SESSION_IDLE_MINUTES = 5
    workshop = make_workshop(cast, assessment, title="Last year's away day")
    workshop_service.change(workshop.pk, "next")
    workshop_service.change(workshop.pk, "finish")  # its polls no longer keep anyone in
    page = new_page(DESKTOP)
    sign_in(page, cast.facilitator.email)
    page.goto(workshop.get_absolute_url())
    expect(page.get_by_role("heading", name="Last year's away day")).to_be_visible()

    page.evaluate(LISTEN)
    move_back(page, 7 * 60)
    # The next poll (every second) is told, and the page says so where the live panel was.
    alert = page.get_by_role("alert").filter(has_text="You were signed out")
    expect(alert).to_contain_text("had not used LSP Assess for 5 minutes", timeout=5_000)
    expect(page.get_by_text("Connection to the server lost")).to_be_hidden()
    # Said once: the alert is read out as it appears, and nothing repeats it.
    page.wait_for_timeout(2_000)
    expect(alert).to_have_count(1)
    assert not [s for s in page.evaluate("window.said") if "signed out" in s]
    alert.get_by_role("link", name="Sign in again").click()
    sign_in_again(page, cast.facilitator.email)
    expect(page.get_by_role("heading", name="Last year's away day")).to_be_visible()
    assert page.url.endswith(workshop.get_absolute_url())


def test_signing_out_of_all_other_devices_signs_the_other_browser_out(new_page, cast):
    laptop = new_page(DESKTOP)
    phone = new_page(PHONE)
    sign_in(laptop, cast.coordinator.email)
    sign_in(phone, cast.coordinator.email)
    phone.goto(cast.partnership.get_absolute_url())

    laptop.goto("/account/")
    laptop.get_by_role("link", name="Where you are signed in").click()
    expect(laptop.get_by_text("Signed in on 2 devices")).to_be_visible()
    expect(laptop.get_by_text("This device")).to_have_count(1)
    laptop.get_by_role("button", name="Sign out of all other devices").click()
    expect(laptop.get_by_text("You have signed out of all your other devices.")).to_be_visible()
    expect(laptop.get_by_text("Signed in on 1 device")).to_be_visible()

    # The phone is signed out on its next request; the laptop is not.
    phone.get_by_role("link", name="See members and invite people").click()
    expect(phone).to_have_url(re.compile(r"/accounts/login/\?next="))
    laptop.goto("/account/")
    expect(laptop.get_by_role("heading", name="Your account")).to_be_visible()
