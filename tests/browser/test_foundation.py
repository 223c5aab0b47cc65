"""Journeys through the foundation: signing in, finding a partnership, reading the questions."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, screenshot
from tests.builders import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_coordinator_signs_in_with_the_keyboard_and_opens_their_partnership(
    new_page, cast, viewport
):
    page = new_page(viewport)
    page.goto("/")
    page.get_by_role("link", name="Sign in").first.click()
    page.get_by_label("Email address").fill(cast.coordinator.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Your partnerships")).to_be_visible()
    expect(page.get_by_role("row", name="Westmoor")).to_have_count(0)
    page.get_by_role("link", name="Eastvale LSP").click()
    expect(page.get_by_role("heading", name="Eastvale LSP", level=1)).to_be_visible()
    expect(page.get_by_role("cell", name="Priya Shah", exact=True)).to_be_visible()
    # GOV.UK Frontend's JavaScript loaded from our own static files.
    expect(page.locator("body.govuk-frontend-supported")).to_have_count(1)
    screenshot(page, f"partnership-{viewport['width']}")


def test_a_wrong_password_is_explained(new_page, cast):
    page = new_page(PHONE)
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(cast.coordinator.email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text(
        "The email address or the password is not right"
    )


def test_anyone_can_read_the_whole_instrument(new_page, bank):
    page = new_page(PHONE)
    page.goto("/questions/")
    expect(page.get_by_role("heading", level=2, name="Looking forward")).to_be_visible()
    expect(page.locator(".lsp-instrument__element")).to_have_count(8)
    expect(page.locator(".lsp-instrument__question")).to_have_count(38)
    page.get_by_role("link", name="Getting things done").click()
    expect(page).to_have_url(re.compile(r"#section-5$"))
    screenshot(page, "instrument-phone")


def test_nothing_is_loaded_from_another_host(new_page, live_server, bank):
    page = new_page(DESKTOP)
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/questions/")
    page.wait_for_load_state("networkidle")
    assert requested
    assert all(url.startswith(live_server.url) for url in requested), requested


def test_a_coordinator_adds_a_person_and_is_told_what_to_fix(new_page, cast, client):
    page = new_page(PHONE)
    # Sign in through the form, as a person would.
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(cast.coordinator.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.goto(f"/partnerships/{cast.partnership.pk}/")
    page.get_by_role("button", name="Add a person").click()

    page.get_by_role("button", name="Save").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    for message in ["Enter the person's name", "Choose their organisation", "Choose their role"]:
        expect(summary.get_by_role("link", name=message)).to_be_visible()
    screenshot(page, "person-form-errors-phone")

    page.get_by_label("Name").fill("Tom Brennan")
    page.get_by_label("Organisation").select_option(label="Eastvale District Council")
    page.get_by_label("Role").select_option(label="Board member")
    page.get_by_label("Strategic (board)").check()
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("Tom Brennan added.")).to_be_visible()
    expect(page.get_by_role("cell", name="Tom Brennan", exact=True)).to_be_visible()
    tom = cast.partnership.people.get(name="Tom Brennan")
    assert (tom.role, tom.layer) == ("board_member", "strategic")
