"""The published summary of results: a coordinator previews and publishes it, and a
partner opens it from their personal link and a participant from the workshop's code."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import PHONE, screenshot, sign_in
from tests.browser.test_accessibility import check
from tests.workshops.test_summary import PLANTED, link, planned  # noqa: F401 - fixtures
from workshops.services import summary

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_previews_then_publishes_the_summary(new_page, cast, planned):  # noqa: F811
    page = new_page(axe=True)
    sign_in(page, cast.coordinator.email)
    page.goto(reverse("assessment", args=[cast.partnership.pk, planned.pk]))
    page.get_by_role("link", name="Preview and publish the summary of results for partners").click()
    expect(page.get_by_text("Preview: not published")).to_be_visible()
    check(page, "the summary's preview")
    page.get_by_role("button", name="Publish the summary").click()
    expect(
        page.get_by_text("Summary published: everyone who took part can read it.")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Withdraw the summary")).to_be_visible()
    planned.refresh_from_db()
    assert planned.summary_is_published


def test_a_partner_reads_the_published_summary_from_their_personal_link(
    new_page,
    cast,
    planned,  # noqa: F811
    link,  # noqa: F811
):
    summary.publish(planned, by=cast.coordinator)
    page = new_page(axe=True)
    page.goto(reverse("questionnaire", args=[link]))
    page.get_by_role("link", name="Read the summary of results").click()
    expect(page.get_by_role("heading", name=f"Summary of results: {planned.title}")).to_be_visible()
    expect(page.get_by_role("cell", name="Priya Shah, Eastvale District Council")).to_be_visible()
    expect(page.get_by_role("img", name="7S")).to_be_visible()
    assert PLANTED not in page.content()
    check(page, "the summary through a personal link")
    screenshot(page, "summary-personal-link")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the summary as a PDF").click()
    reader = PdfReader(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Refresh the community strategy" in text and "Joint commissioning with health" in text


def test_a_participant_reads_it_from_the_workshops_code_page(new_page, cast, planned):  # noqa: F811
    summary.publish(planned, by=cast.coordinator)
    workshop = planned.workshops.get()
    page = new_page(PHONE, axe=True)
    page.goto(reverse("workshop-join", args=[workshop.code]))
    page.get_by_role("link", name="Read the summary of results").click()
    expect(page.get_by_role("heading", name=f"Summary of results: {planned.title}")).to_be_visible()
    expect(page.get_by_text("Most partners know the SCS")).to_be_visible()
    check(page, "the summary through a workshop's code")
    screenshot(page, "summary-workshop-code")
