"""Forgotten password, in Chromium: from the sign-in page to an emailed link, a new
password (a common one refused first), signing in with it, and the used link's page."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.builders import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "a-quiet-lane-in-autumn"


def test_someone_who_forgot_their_password_resets_it_from_the_email(new_page, cast):
    page = new_page(PHONE)
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgotten your password?").click()
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    page.get_by_label("Email address").fill(cast.participant.email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    # The live server runs in this process, so its emails are in the outbox.
    [message] = mail.outbox
    assert message.to == [cast.participant.email]
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", message.body)[1]
    page.goto(link)
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_label("New password", exact=True).fill("password123")
    page.get_by_label("Type the new password again").fill("password123")
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.locator(".govuk-error-summary")).to_contain_text("This password is too common.")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Type the new password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_role("heading", name="Your password has been changed")).to_be_visible()

    page.get_by_role("link", name="Sign in with your new password").click()
    page.get_by_label("Email address").fill(cast.participant.email)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("link", name="Eastvale LSP")).to_be_visible()
    cast.participant.refresh_from_db()
    assert cast.participant.check_password(NEW_PASSWORD)
    assert not cast.participant.check_password(PASSWORD)

    # The link worked once: in a fresh browser it now says so, and changes nothing.
    later = new_page(PHONE)
    later.goto(link)
    expect(later.get_by_role("heading", name="This link has already been used")).to_be_visible()
    expect(later.get_by_text("Nothing has changed.")).to_be_visible()
    cast.participant.refresh_from_db()
    assert cast.participant.check_password(NEW_PASSWORD)
