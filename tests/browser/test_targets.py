"""The board's targets: a coordinator sets one on the plan page (on a phone, without
scripts), and the next assessment's results say whether it was met, beside the trend chart."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, screenshot, sign_in
from tests.builders import make_assessment
from tests.workshops.test_results import respond
from workshops.models import Target

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_target_set_on_a_phone_is_met_or_not_on_the_next_results(
    browser, live_server, new_page, cast, bank
):
    earlier = make_assessment(cast, title="2025 review", opens=-400, closes=-380)
    respond(earlier, **{"1_1": "2"})
    context = browser.new_context(
        viewport=PHONE, base_url=live_server.url, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, cast.coordinator.email)
    page.goto(reverse("plan", args=[cast.partnership.pk, earlier.pk]))

    page.get_by_label("Element or question").select_option(
        label="Element 1. The LSP's long-term goals"
    )
    page.get_by_label("A mean rating").check()
    page.get_by_label("Target for the next assessment").fill("5")
    page.get_by_role("button", name="Set target").click()
    expect(page).to_have_title(re.compile(r"^Error: Improvement plan: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a mean from 1 to 4, the rating scale's range.")
    expect(summary).to_contain_text("No target was set.")
    assert not Target.objects.exists()

    page.get_by_label("Target for the next assessment").fill("2.6")
    page.get_by_role("button", name="Set target").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Target set for Element 1. The LSP's long-term goals: a mean of 2.6."
    )
    expect(page.get_by_role("cell", name="A mean of 2.6")).to_be_visible()
    screenshot(page, "plan-targets-phone")
    context.close()

    now = make_assessment(cast, title="2026 review")
    for value in ["3", "3", "2"]:
        respond(now, **{"1_1": value})
    page = new_page(DESKTOP)
    sign_in(page, cast.executive.email)
    page.goto(reverse("results", args=[cast.partnership.pk, now.pk]))
    targets = page.locator("#targets")
    expect(targets).to_contain_text("Of the 1 target set in the plan of “2025 review”: 1 met")
    row = targets.get_by_role("row", name=re.compile("Element 1"))
    expect(row).to_contain_text("A mean of 2.6")  # the target, and the figure reached (2.7)
    expect(row).to_contain_text("A mean of 2.7")
    expect(row).to_contain_text("Met")
    chart = targets.get_by_role("img", name=re.compile("target 2.6 for 2026 review"))
    expect(chart).to_be_visible()
    assert chart.evaluate("image => image.complete && image.naturalWidth > 0")
    screenshot(page, "results-targets")
