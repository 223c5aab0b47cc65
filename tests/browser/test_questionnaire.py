"""A partner answers on a phone with the keyboard alone, loses the browser
halfway, and carries on from their link in a fresh browser. At every key the
focus must be on screen and show its indicator (tests.browser.keyboard)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, screenshot
from tests.browser.keyboard import press, submit, tab_to
from tests.builders import make_assessment
from workshops.models import Answer, Respondent
from workshops.models.assessment import Scope

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def answer_with_keyboard(page, given: dict, stop_after: int | None = None) -> None:
    """Answer every unanswered slot on the page, in tab order, until the save button."""
    answered_here = 0
    while True:
        focused = tab_to(
            page,
            lambda f: (
                (f["type"] == "radio" and f["name"] not in given)
                or (f["tag"] == "TEXTAREA" and f["name"] not in given and ":" not in f["name"])
                or f["text"] == "Save and continue"
            ),
        )
        if focused["text"] == "Save and continue":
            return
        key = focused["name"].split(":")[0]
        if focused["type"] == "radio":
            # Arrow keys move to and select the next option in a radio group.
            given[focused["name"]] = press(page, "ArrowDown")["value"]
        else:
            text = f"Answer to {key} typed on a phone"
            page.keyboard.type(text)
            given[focused["name"]] = text
        expect(page.locator(f'[data-saved-for="{key}"]')).to_contain_text("Saved")
        answered_here += 1
        if stop_after and answered_here >= stop_after:
            return


def expect_kept(page, given: dict) -> None:
    for name, value in given.items():
        control = page.locator(f'[name="{name}"]')
        if control.first.get_attribute("type") == "radio":
            expect(page.locator(f'[name="{name}"][value="{value}"]')).to_be_checked()
        else:
            expect(control).to_have_value(value)


def test_a_partner_answers_by_keyboard_on_a_phone_and_resumes_in_a_new_browser(
    browser, live_server, cast, bank
):
    assessment = make_assessment(cast, title="Quick check", scope=Scope.ELEMENTS, sections=(1, 8))
    invitation = assessment.invitations.create(person=cast.person)
    link = f"{live_server.url}/a/{invitation.token}/"
    given: dict[str, str] = {}

    first = browser.new_context(viewport=PHONE)
    page = first.new_page()
    page.goto(link)
    tab_to(page, lambda f: f["text"].startswith("Start now"))
    submit(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("The LSP's long-term goals")
    answer_with_keyboard(page, given, stop_after=7)
    screenshot(page, "questionnaire-halfway-phone")
    first.close()  # the phone's browser is closed halfway through

    second = browser.new_context(viewport=PHONE)
    page = second.new_page()
    page.goto(link)
    expect(page.get_by_text("You have given 7 of 18 answers")).to_be_visible()
    tab_to(page, lambda f: f["text"].startswith("Continue"))
    submit(page)
    expect_kept(page, given)

    answer_with_keyboard(page, given)
    submit(page)  # Enter on "Save and continue"
    expect(page.get_by_role("heading", level=1)).to_have_text("Looking forward")
    answer_with_keyboard(page, given)
    submit(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Check and submit your answers")
    expect(page.get_by_text("You have given 18 of 18 answers")).to_be_visible()
    tab_to(page, lambda f: f["text"] == "Submit your answers")
    submit(page)
    expect(page.get_by_role("heading", name="You have submitted your answers")).to_be_visible()
    screenshot(page, "questionnaire-submitted-phone")
    second.close()

    respondent = Respondent.objects.get(invitation=invitation)
    assert respondent.is_submitted
    stored = {
        (f"{a.item.key}:{a.basis}" if a.basis else a.item.key): a.value
        for a in Answer.objects.filter(respondent=respondent).select_related("item")
    }
    assert stored == given
    assert len(stored) == 18


def test_without_javascript_save_and_continue_still_works(browser, live_server, invitation):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/a/{invitation.token}/part/1/")
    page.get_by_role("group", name=re.compile("Your answer to 1.1.2")).get_by_label(
        "No", exact=True
    ).check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Leading the LSP and creating a culture of working together"
    )
    context.close()
    answer = Answer.objects.get(respondent__invitation=invitation)
    assert (answer.item.key, answer.choice) == ("1.1.2", "no")
