"""An executive downloads the improvement plan as a PDF from the browser."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import DESKTOP, screenshot, sign_in
from tests.workshops.test_results import respond
from workshops.models import Action

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_executive_downloads_the_improvement_plan(new_page, cast, assessment):
    respond(assessment, **{"1_1": "3", "1_1_2": "no"})
    Action.objects.create(
        assessment=assessment,
        title="Refresh the community strategy",
        description="With every partner",
        owner=cast.council,
        status="in_progress",
    )
    page = new_page(DESKTOP)
    sign_in(page, cast.executive.email)
    page.get_by_role("link", name="Eastvale LSP").click()
    page.get_by_role("link", name=f"Improvement plan for {assessment.title}").click()
    expect(page.get_by_role("heading", name="Improvement plan", level=1)).to_be_visible()
    expect(page.get_by_role("cell", name="Refresh the community strategy")).to_be_visible()
    expect(page.get_by_role("button", name="Propose draft actions")).to_have_count(0)
    screenshot(page, "plan-executive")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the improvement plan (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == (
        "eastvale-lsp-spring-2026-self-assessment-improvement-plan-draft.pdf"
    )
    reader = PdfReader(io.BytesIO(Path(download.path()).read_bytes()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Refresh the community strategy" in text and "Eastvale District Council" in text
