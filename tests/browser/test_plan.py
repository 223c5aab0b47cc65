"""An executive downloads the improvement plan as a PDF from the browser."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader

from tests.browser.conftest import DESKTOP, screenshot, sign_in
from tests.browser.test_accessibility import structure_problems
from tests.workshops.test_results import respond
from workshops.models import Action
from workshops.services import plan as plan_service
from workshops.services import priorities

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


# --- What a screen reader is told when a priority's form is refused ------------------------------


@pytest.fixture
def plan_page(browser, live_server, cast, assessment):
    """The plan of three priorities, opened by the coordinator with scripts on or off."""
    plan = plan_service.plan_for(assessment)
    for text in ("Joint commissioning", "Sharing data between partners", "A workforce plan"):
        priorities.add_priority(plan, text)
    contexts = []

    def open_plan(scripts: bool) -> Page:
        context = browser.new_context(
            viewport=DESKTOP, base_url=live_server.url, java_script_enabled=scripts
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        sign_in(page, cast.coordinator.email)
        page.goto(reverse("plan", args=[cast.partnership.pk, assessment.pk]))
        return page

    yield open_plan
    for context in contexts:
        context.close()


def described_by(field: Locator) -> str:
    """What a screen reader reads after the field's name: its aria-describedby targets."""
    return field.evaluate(
        """field => (field.getAttribute("aria-describedby") || "").split(/\\s+/)
            .map(id => document.getElementById(id)?.textContent || "").join(" ")
            .replace(/\\s+/g, " ").trim()"""
    )


def follow_summary(page: Page, message: str, scripts: bool) -> Locator:
    """The error summary's link with ``message``, followed: the field it leads to (which
    GOV.UK Frontend's script focuses; without it, the browser only scrolls to it)."""
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    if scripts:
        expect(summary).to_be_focused()
    link = summary.get_by_role("link", name=message)
    target = link.get_attribute("href")
    assert target and target.startswith("#")
    link.click()
    field = page.locator(f"[id='{target[1:]}']")
    expect(field).to_have_count(1)
    if scripts:
        expect(field).to_be_focused()
    return field


@pytest.mark.parametrize("scripts", [True, False], ids=["with scripts", "without scripts"])
def test_a_bad_count_of_dots_is_summarised_and_marked_on_its_field_as_typed(
    plan_page, assessment, scripts
):
    page = plan_page(scripts)
    page.get_by_label("Dots for priority 1", exact=True).fill("3")
    page.get_by_label("Dots for priority 2", exact=True).fill("lots")
    page.get_by_role("button", name="Save dots").click()

    expect(page).to_have_title(re.compile(r"^Error: Improvement plan: "))
    message = "Enter the dots for priority 2 as a whole number from 0 to 1000"
    field = follow_summary(page, message, scripts)
    expect(field).to_have_accessible_name("Dots for priority 2")
    expect(field).to_have_value("lots")
    assert described_by(field) == f"Error: {message}"
    # The other counts typed stay too, and nothing is saved until all are right.
    expect(page.get_by_label("Dots for priority 1", exact=True)).to_have_value("3")
    plan = plan_service.plan_for(assessment)
    assert set(plan.priorities.values_list("votes", flat=True)) == {0}

    field.fill("4")
    page.get_by_role("button", name="Save dots").click()
    banner = page.locator(".govuk-notification-banner", has_text="Dots saved for 2 priorities.")
    expect(banner).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Improvement plan: "))
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    assert list(plan.priorities.values_list("votes", flat=True)) == [3, 4, 0]


@pytest.mark.parametrize("scripts", [True, False], ids=["with scripts", "without scripts"])
def test_an_empty_priority_is_summarised_and_marked_on_its_field(plan_page, assessment, scripts):
    page = plan_page(scripts)
    page.get_by_label("Dots for priority 3", exact=True).fill("2")
    page.get_by_role("button", name="Add priority").click()

    expect(page).to_have_title(re.compile(r"^Error: Improvement plan: "))
    field = follow_summary(page, "Write the priority", scripts)
    expect(field).to_have_accessible_name("Add a priority")
    assert described_by(field) == "Error: Write the priority"
    assert plan_service.plan_for(assessment).priorities.count() == 3


# --- The PDF's waiting page ----------------------------------------------------------------------


def test_the_waiting_pages_title_says_the_pdf_is_ready_once_it_is(
    new_page, cast, assessment, settings
):
    settings.PDF_WORKER = True
    respond(assessment, **{"1_1": "3"})
    page = new_page(DESKTOP)
    sign_in(page, cast.executive.email)
    page.goto(reverse("plan-pdf", args=[cast.partnership.pk, assessment.pk]))
    expect(page).to_have_title("Your PDF is being prepared – LSP Assess")
    with page.expect_download(timeout=30_000):
        call_command("run_pdf_worker", "--once", stdout=io.StringIO())
    expect(page.get_by_role("heading", name="Your PDF is ready", level=1)).to_be_focused()
    expect(page).to_have_title("Your PDF is ready – LSP Assess")
    # Loaded afresh, the server says the same.
    page.reload()
    expect(page).to_have_title("Your PDF is ready – LSP Assess")
    expect(page.get_by_role("heading", name="Your PDF is ready", level=1)).to_be_visible()


# --- Landmarks and names a screen reader lists ---------------------------------------------------


def named(role: str, tree: str) -> list[str]:
    """The names of the ``role`` nodes in an ARIA snapshot (whose YAML quotes a line
    holding a colon: - 'button "Accept: …"')."""
    return re.findall("- '?" + role + ' "([^"]*)"', tree)


def test_the_plans_regions_and_its_drafts_buttons_each_have_a_name_of_their_own(
    browser, live_server, cast, assessment
):
    item = assessment.items.get(key="1.1")
    title = "Understand why views differ on 1.1"
    # Proposed again after the first was rejected: the same words, another gap.
    for status in ("proposed", "proposed", "rejected"):
        Action.objects.create(
            assessment=assessment,
            title=title,
            description=f"A gap, {status}",
            item=item,
            source=Action.Source.GAP,
            status=status,
        )
    Action.objects.create(assessment=assessment, title="Refresh the strategy", status="in_progress")
    priorities.add_priority(plan_service.plan_for(assessment), "Joint commissioning")
    # axe is injected as a script, which the Content Security Policy would refuse.
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url, bypass_csp=True)
    try:
        page = context.new_page()
        sign_in(page, cast.coordinator.email)
        page.goto(reverse("plan", args=[cast.partnership.pk, assessment.pk]))
        page.get_by_text("1 rejected draft").click()

        tree = page.locator("body").aria_snapshot()
        regions = named("(?:region|navigation|main|banner|contentinfo)", tree)
        assert len(regions) == len(set(regions)), regions
        accept = [name for name in named("button", tree) if re.match("Accept.*Understand", name)]
        assert len(accept) == 3 and len(set(accept)) == 3, accept
        assert structure_problems(page) == []
    finally:
        context.close()
