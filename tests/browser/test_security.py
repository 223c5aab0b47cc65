"""The Content Security Policy in a real browser: pages with charts, autosave and live
polling work under it, with no inline script or style refused."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, sign_in
from tests.builders import make_workshop, respond
from workshops.services import workshop as workshop_service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _watch(page) -> list[str]:
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return refused


def test_nothing_is_refused_by_the_policy_on_the_busiest_pages(new_page, cast, invitation):
    assessment = invitation.assessment
    respond(invitation, {"1.1:internal": "3"})
    workshop = make_workshop(cast, assessment)
    workshop_service.change(workshop.pk, "next")
    ids = f"/partnerships/{cast.partnership.pk}/assessments/{assessment.pk}"

    coordinator = new_page(DESKTOP)
    refused = _watch(coordinator)
    sign_in(coordinator, cast.coordinator.email)
    coordinator.goto(f"{ids}/results/")
    chart = coordinator.locator("img[src*='7s.svg']")
    expect(chart).to_be_visible()
    assert chart.evaluate("img => img.complete && img.naturalWidth > 100")
    coordinator.goto(f"{ids}/workshops/{workshop.pk}/")
    coordinator.get_by_role("button", name="Open voting").click()
    expect(coordinator.get_by_text("Voting open")).to_be_visible()

    phone = new_page(PHONE)
    refused += _watch(phone)
    phone.goto(f"/a/{invitation.token}/part/1/")
    phone.get_by_role("radio").first.check()
    # The autosave script ran and saved the answer.
    expect(phone.get_by_text("Saved at")).to_be_visible()
    phone.goto(f"/w/{workshop.code}/join/")
    expect(phone.get_by_role("heading").first).to_be_visible()

    presenter = new_page(DESKTOP)
    refused += _watch(presenter)
    sign_in(presenter, cast.facilitator.email)
    presenter.goto(f"{ids}/workshops/{workshop.pk}/present/")
    expect(presenter.get_by_text(workshop.display_code)).to_be_visible()
    presenter.wait_for_timeout(1500)  # a poll or two
    assert refused == []
