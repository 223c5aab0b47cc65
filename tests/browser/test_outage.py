"""The outage page in a real browser: it retries by itself and takes the person back."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from playwright.sync_api import expect

from lsp_assess.views import service_unavailable

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_outage_page_retries_by_itself_and_goes_back_when_the_service_returns(new_page, bank):
    page = new_page()
    # The first visit meets the outage (as the server renders it); the health check then
    # fails once more before the service is back.
    outage = service_unavailable(RequestFactory().get("/questions/"))
    answers = {"page": 0, "health": 0}

    def questions(route):
        answers["page"] += 1
        if answers["page"] == 1:
            route.fulfill(status=503, body=outage.content, content_type="text/html")
        else:
            route.continue_()

    def health(route):
        answers["health"] += 1
        if answers["health"] == 1:
            route.fulfill(status=503, body='{"status": "unavailable"}')
        else:
            route.continue_()

    page.route("**/questions/", questions)
    page.route("**/healthz", health)
    page.goto("/questions/")
    expect(page.get_by_role("heading", name="Sorry, the service is unavailable")).to_be_visible()
    expect(page.get_by_role("link", name="Go back to the page you were on")).to_have_attribute(
        "href", "/questions/"
    )
    expect(page.get_by_role("status")).to_have_text("Trying again every few seconds…")
    # No reload on a timer: the script asks the health check, then goes back.
    expect(page.get_by_role("heading", name="Sorry, the service is unavailable")).to_have_count(
        0, timeout=15_000
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("The self-assessment questions")
    assert answers["health"] >= 2 and answers["page"] == 2
