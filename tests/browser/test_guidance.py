"""A partner who does not know the jargon opens "What does this mean?" under a question, on a
phone without JavaScript and at desktop size with it, and reads the glossary: the details
open natively and every state passes axe."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from questions.bank_file import read_bank
from questions.loader import load_bank
from tests.browser.conftest import PHONE
from tests.browser.test_accessibility import check
from tests.builders import make_assessment
from tests.conftest import make_cast
from workshops.models import Invitation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIGURE = "58% of LSP coordinators thought members challenge each other's performance"


@pytest.fixture
def link(live_server) -> str:
    load_bank(read_bank(settings.QUESTION_BANK_PATH))
    cast = make_cast()
    assessment = make_assessment(cast)
    invitation = Invitation.objects.create(assessment=assessment, person=cast.person)
    return reverse("questionnaire-section", args=[invitation.issue_link(), 3])


def test_what_does_this_mean_opens_without_javascript_on_a_phone(browser, live_server, link):
    context = browser.new_context(
        viewport=PHONE, base_url=live_server.url, java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.goto(link)
        figure = page.get_by_text(FIGURE)
        expect(figure).to_be_hidden()
        page.get_by_text("What does this mean? Question 3.1.2").click()
        expect(figure).to_be_visible()
        expect(page.get_by_text("not a benchmark to meet").first).to_be_visible()
    finally:
        context.close()


def test_open_guidance_and_the_glossary_pass_axe(new_page, link):
    page = new_page(axe=True)
    page.goto(link)
    for summary in page.locator(".lsp-guidance summary").all():
        summary.click()
    expect(page.get_by_text(FIGURE)).to_be_visible()
    check(page, "questionnaire part 3 with every explanation open")
    page.get_by_role("link", name="Terms used in the questions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Terms used in the questions")
    check(page, "glossary")
