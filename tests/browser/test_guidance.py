"""A partner who does not know the jargon opens "What does this mean?" under a question, on a
phone without JavaScript and at desktop size with it, and reads the glossary: the details
open natively and every state passes axe."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from questions.bank_file import read_bank
from questions.loader import load_bank
from tests.browser.conftest import PHONE
from tests.browser.test_accessibility import check
from tests.builders import make_assessment, make_person, respond
from tests.conftest import make_cast
from workshops.models import Invitation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIGURE = "58% of LSP coordinators thought members challenge each other's performance"


@pytest.fixture
def cast(live_server):
    load_bank(read_bank(settings.QUESTION_BANK_PATH))
    return make_cast()


@pytest.fixture
def link(cast) -> str:
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


def test_the_results_set_the_survey_beside_its_question_and_link_terms_to_the_glossary(
    new_page, live_server, cast
):
    assessment = make_assessment(cast)
    for name, value in [("Ann Lee", "3"), ("Bo Grant", "2"), ("Cy Dale", "4")]:
        invitation = Invitation.objects.create(
            assessment=assessment, person=make_person(cast, name)
        )
        respond(invitation, {"3.1.2:internal": value, "6.3.1": "no"}, submitted=True)
    client = Client()
    client.force_login(cast.executive)
    page = new_page(axe=True)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto(reverse("results", args=[cast.partnership.pk, assessment.pk]))
    page.locator("summary", has_text="3. Meetings and messages").click()
    expect(page.get_by_text(FIGURE)).to_be_visible()
    check(page, "results with the 2008 survey beside 3.1.2")
    page.locator("summary", has_text="6. Common frameworks").click()
    page.get_by_role("link", name="ABG", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Terms used in the questions")
    assert page.url.endswith("#term-abg")
    expect(page.locator("#term-abg")).to_be_in_viewport()
