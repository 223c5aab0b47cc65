"""With a PDF worker (as in production), the download waits on a page that starts it by itself."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from scripts.check_pdf_ua import problems
from tests.browser.conftest import PHONE, screenshot, sign_in
from tests.workshops.test_results import respond
from workshops.models import PlanPdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_waiting_page_starts_the_download_once_the_worker_has_made_it(
    new_page, cast, assessment, settings
):
    settings.PDF_WORKER = True
    respond(assessment, **{"1_1": "3", "1_1_2": "no"})
    page = new_page(PHONE)
    sign_in(page, cast.executive.email)
    page.get_by_role("link", name="Eastvale LSP").click()
    page.get_by_role("link", name=f"Improvement plan for {assessment.title}").click()

    page.get_by_role("link", name="Download the improvement plan (PDF)").click()

    expect(page.get_by_role("heading", name="Your PDF is being prepared", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Check whether it is ready")).to_be_visible()
    screenshot(page, "plan-pdf-waiting")
    assert PlanPdf.objects.get().state == "pending"
    with page.expect_download(timeout=30_000) as download_info:
        call_command("run_pdf_worker", "--once", stdout=io.StringIO())
    download = download_info.value
    assert download.suggested_filename.endswith("-improvement-plan-draft.pdf")
    reader = PdfReader(io.BytesIO(Path(download.path()).read_bytes()))
    assert "Improvement plan" in reader.pages[0].extract_text()
    # What the worker made and the browser downloaded is PDF/UA-1 as far as the checker sees.
    assert problems(download.path()) == []
    # The page says so, to the eye and to a screen reader, and moves focus to it.
    ready = page.get_by_role("heading", name="Your PDF is ready", level=1)
    expect(ready).to_be_visible()
    expect(ready).to_be_focused()
    expect(page.get_by_role("status")).to_have_text("Your PDF is ready. The download has started.")
    expect(page.get_by_role("heading", name="Your PDF is being prepared")).to_be_hidden()
    expect(page.get_by_role("link", name="Download the improvement plan (PDF)")).to_be_visible()


def test_the_waiting_page_says_when_it_is_taking_too_long_without_a_reload(
    new_page, cast, assessment, settings
):
    settings.PDF_WORKER = True  # and no worker running: the job stays pending
    page = new_page()
    sign_in(page, cast.executive.email)
    page.goto(
        f"/partnerships/{cast.partnership.pk}/assessments/{assessment.pk}/improvement-plan.pdf"
    )
    expect(page.get_by_role("heading", name="Your PDF is being prepared", level=1)).to_be_visible()
    warning = page.locator(".govuk-warning-text")
    expect(warning).to_be_hidden()
    page.evaluate("window.lspLoaded = true")  # gone if the page reloads
    PlanPdf.objects.update(requested_at=timezone.now() - PlanPdf.SLOW - timedelta(seconds=1))
    expect(warning).to_be_visible(timeout=10_000)
    assert page.evaluate("window.lspLoaded") is True
    expect(page.get_by_role("status")).to_contain_text("taking longer than it should")
