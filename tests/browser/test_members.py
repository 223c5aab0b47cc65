"""A coordinator invites a new address; the invitee opens the emailed link in a browser of
their own, chooses a name and password, and lands signed in on the partnership with the role."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, sign_in
from tests.builders import PASSWORD
from workshops.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_invites_a_newcomer_who_joins_from_the_email(new_page, cast):
    coordinator = new_page(DESKTOP)
    sign_in(coordinator, cast.coordinator.email)
    coordinator.get_by_role("link", name="Eastvale LSP").click()
    coordinator.get_by_role("link", name="See members and invite people").click()
    coordinator.get_by_role("button", name="Invite someone").click()
    coordinator.get_by_label("Email address").fill("ann@example.org")
    coordinator.get_by_label("Executive").check()
    coordinator.get_by_role("button", name="Send invitation").click()
    expect(
        coordinator.get_by_text("ann@example.org is invited to join Eastvale LSP")
    ).to_be_visible()
    expect(coordinator.get_by_role("row", name=re.compile("ann@example.org"))).to_contain_text(
        "Executive"
    )

    # The live server runs in this process, so its emails are in the outbox.
    [message] = mail.outbox
    # Its path, on the live server's address rather than the configured site's.
    link = re.search(r"https?://[^/\s]+(/invitations/\S+/)", message.body)[1]
    invitee = new_page(PHONE)  # a fresh context: no cookies of the coordinator's
    invitee.goto(link)
    expect(invitee.get_by_role("heading", name="Join Eastvale LSP")).to_be_visible()
    invitee.get_by_label("Your name").fill("Ann Okafor")
    invitee.get_by_label("Choose a password").fill("a-long-walk-by-the-river")
    invitee.get_by_label("Type the password again").fill("a-long-walk-by-the-river")
    invitee.get_by_role("button", name="Create account and join").click()

    expect(invitee).to_have_url(re.compile(re.escape(cast.partnership.get_absolute_url()) + "$"))
    expect(invitee.get_by_text("You have joined Eastvale LSP as an executive.")).to_be_visible()
    expect(invitee.get_by_text("Your role: Executive")).to_be_visible()
    ann = User.objects.get(email="ann@example.org")
    assert ann.full_name == "Ann Okafor"
    assert cast.partnership.memberships.get(user=ann).role == "executive"


def test_a_coordinator_changes_a_members_role_on_a_phone(new_page, cast):
    coordinator = new_page(PHONE)
    coordinator.goto("/accounts/login/")
    coordinator.get_by_label("Email address").fill(cast.coordinator.email)
    coordinator.get_by_label("Password").fill(PASSWORD)
    coordinator.get_by_role("button", name="Sign in", exact=True).click()
    coordinator.goto(f"/partnerships/{cast.partnership.pk}/members/")
    coordinator.get_by_label("Permission role of participant@eastvale.example.org").select_option(
        "Executive"
    )
    coordinator.get_by_role(
        "button", name="Change role of participant@eastvale.example.org"
    ).click()
    expect(
        coordinator.get_by_text("Participant is now an executive (was a participant).")
    ).to_be_visible()
    expect(
        coordinator.get_by_label("Permission role of participant@eastvale.example.org")
    ).to_have_value("executive")
    assert cast.partnership.memberships.get(user=cast.participant).role == "executive"
    # The members table scrolls in its own region rather than widening the page.
    width = coordinator.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
