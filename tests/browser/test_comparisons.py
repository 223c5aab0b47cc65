"""A county's executive compares, on a phone and without JavaScript: the districts that share
with the county side by side, and types of authority."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, screenshot, sign_in
from tests.workshops.test_comparisons import sharing, two_tier

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_county_executive_reads_its_districts_and_the_types_of_authority(
    browser, live_server, cast, bank
):
    county, county_exec, *_ = two_tier(cast)
    county.share_benchmarks = True
    county.save()
    sharing(cast, 5, "county", ["4", "4", "2"], "yes")
    context = browser.new_context(
        viewport=PHONE, base_url=live_server.url, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, county_exec.email)
    page.get_by_role("link", name="Northshire").click()

    page.get_by_role("link", name="District partnerships side by side").click()
    table = page.get_by_role("table", name="Element scores of district partnerships")
    eastvale = table.get_by_role("row", name="Eastvale LSP")
    expect(eastvale).to_contain_text("2.7")
    expect(eastvale).to_contain_text("67%")
    expect(table.get_by_role("row", name="Southdale")).to_contain_text("Too few answers to show")
    expect(page.get_by_text("Hillcombe")).to_have_count(0)
    screenshot(page, "comparison-districts-phone")

    page.go_back()
    page.get_by_role("link", name="Types of authority compared").click()
    expect(
        page.get_by_text("Districts and unitaries: no other partnerships of this kind")
    ).to_be_visible()
    elements = page.get_by_role("table", name="Element scores by type of authority")
    expect(elements.get_by_role("row").nth(2)).to_contain_text("3.3")
    context.close()
