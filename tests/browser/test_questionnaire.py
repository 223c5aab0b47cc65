"""A partner answers on a phone with the keyboard alone, loses the browser
halfway, and carries on from their link in a fresh browser. At every key the
focus must be on screen and show its indicator (tests.browser.keyboard)."""

from __future__ import annotations

import re

import pytest
import yaml
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, screenshot
from tests.browser.keyboard import press, submit, tab_to
from tests.browser.test_accessibility import check
from tests.builders import make_assessment, respond
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
    page.get_by_role("group", name=re.compile("Your answer to question 1.1.2")).get_by_label(
        "No", exact=True
    ).check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Leading the LSP and creating a culture of working together"
    )
    context.close()
    answer = Answer.objects.get(respondent__invitation=invitation)
    assert (answer.item.key, answer.choice) == ("1.1.2", "no")


@pytest.fixture
def axe_page(new_page):
    """A page that axe can be run on (the Content Security Policy that would refuse it
    is tested itself in test_security.py)."""
    return new_page(DESKTOP, axe=True)


# What a screen reader says of each control: its name, and the groups it sits in.

QUESTION_KEY = re.compile(r"\b\d+\.\d+(?:\.\d+)?\b")
CONTROLS = {"radio", "textbox", "checkbox"}
CONTEXTS = {"group", "region"}


def _role_and_name(node: str) -> tuple[str, str]:
    """A line of Playwright's ARIA snapshot (`group "Name" [attrs]`) as its role and name."""
    found = re.match(r'(\w+)(?: "(.*)")?(?: \[.*\])?$', node)
    assert found, node
    return found[1], found[2] or ""


def announced_controls(page) -> list[dict]:
    """Every control of the answer form as a screen reader reaches it: its role, its
    name, and the groups and regions around it (innermost first)."""
    tree = yaml.safe_load(page.locator("form.lsp-questionnaire").aria_snapshot())
    found: list[dict] = []

    def walk(nodes, around):
        for node in nodes or []:
            if isinstance(node, dict):
                ((head, children),) = node.items()
            else:
                head, children = node, None
            role, name = _role_and_name(head)
            if role in CONTROLS:
                found.append({"role": role, "name": name, "around": around})
            if isinstance(children, list):
                walk(children, [(role, name), *around] if role in CONTEXTS else around)

    walk(tree, [])
    return found


def test_every_control_of_a_part_says_which_question_it_answers(axe_page, cast, bank):
    assessment = make_assessment(cast, basis="both", scope=Scope.ELEMENTS, sections=(1, 3))
    invitation = assessment.invitations.create(person=cast.person)
    page = axe_page
    for part in (1, 3):
        page.goto(f"/a/{invitation.token}/part/{part}/")
        items = {i.key: i for i in assessment.items.filter(section__number=part)}
        controls = announced_controls(page)
        named = []  # each answer's name: a radio group's, or the text box's or check box's
        for control in controls:
            # A radio is named by its option; its group names the answer.
            own = control["around"][0][1] if control["role"] == "radio" else control["name"]
            keys = set(QUESTION_KEY.findall(own))
            assert len(keys) == 1, f"{control['role']} {control['name']!r} in {own!r}"
            key = keys.pop()
            words = re.escape(key) + r"\W+" + re.escape(items[key].text)
            assert re.search(words, own), f"{own!r} does not give {key}'s question"
            # No group or region around it speaks of another question (a parent's).
            for role, name in control["around"]:
                assert set(QUESTION_KEY.findall(name)) <= {key}, (key, role, name)
            if control["role"] != "radio" or own not in named:
                named.append(own)
        slots = [(i.kind == "open" and i.na_allowed, i.kind) for i in items.values()]
        expected = sum(3 if kind == "rating" else 2 if has_na else 1 for has_na, kind in slots)
        assert len(named) == expected  # every answer on the part, each once
        assert len(set(named)) == len(named), "two answers share a name"
        checkboxes = [c["name"] for c in controls if c["role"] == "checkbox"]
        assert len(set(checkboxes)) == len(checkboxes)
        # Each sub-question is a group of its own, beside its question, not inside it.
        for key, item in items.items():
            group = page.get_by_role("group", name=f"{key} {item.text}", exact=True)
            expect(group).to_have_count(1)
            if item.parent_id:
                parent = items[item.parent.key]
                inside = page.get_by_role("group", name=f"{parent.key} {parent.text}", exact=True)
                expect(inside.get_by_role("group", name=f"{key} {item.text}")).to_have_count(0)
        check(page, f"questionnaire part {part}, rated on both bases")


def described_by(control) -> str:
    """The text of what the control's aria-describedby points to, as a screen reader reads it."""
    return control.evaluate(
        """e => (e.getAttribute("aria-describedby") || "").split(/\\s+/).filter(Boolean)
              .map(id => document.getElementById(id)?.textContent.trim() ?? "").join(" ")"""
    )


def test_an_error_on_an_open_answer_is_linked_to_it_and_says_what_was_saved(axe_page, cast, bank):
    assessment = make_assessment(cast, scope=Scope.ELEMENTS, sections=(3,))
    invitation = assessment.invitations.create(person=cast.person)
    page = axe_page
    page.goto(f"/a/{invitation.token}/part/3/")
    page.locator('[name="3.1:internal"][value="3"]').check()
    expect(page.locator('[data-saved-for="3.1"]')).to_contain_text("Saved at")
    box = page.locator('textarea[name="3.5"]')
    box.fill("Quarterly joint meetings with the county.")
    page.locator('[name="3.5:na"]').check()
    page.get_by_role("button", name="Save and continue").click()

    expect(page).to_have_title(re.compile("^Error: "))
    message = "Either answer the question or mark it not applicable"
    assert message in described_by(box)
    expect(box).to_have_accessible_description(re.compile(message))
    summary = page.locator(".govuk-error-summary")
    # The rating was stored as it was given: the page must not say nothing was saved.
    assert Answer.objects.get(respondent__invitation=invitation, item__key="3.1").rating == 3
    expect(summary).not_to_contain_text("Nothing on this page was saved")
    expect(summary).to_contain_text("Not saved: your answer to 3.5.")
    expect(summary).to_contain_text("Your other answers on this page are saved.")
    check(page, "questionnaire part with an error on an open answer")


def test_without_javascript_an_invalid_page_names_each_answer_not_saved(
    browser, live_server, cast, bank
):
    assessment = make_assessment(cast, scope=Scope.ELEMENTS, sections=(3,))
    invitation = assessment.invitations.create(person=cast.person)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"/a/{invitation.token}/part/3/")
    page.locator('[name="3.1:internal"][value="3"]').check()
    page.locator('textarea[name="3.5"]').fill("Joint meetings.")
    page.locator('[name="3.5:na"]').check()
    page.get_by_role("button", name="Save and continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Not saved: your answers to 3.1 and 3.5.")
    expect(summary).not_to_contain_text("other answers")
    context.close()
    assert not Answer.objects.filter(respondent__invitation=invitation).exists()


def test_each_page_is_titled_with_what_it_now_is(new_page, cast, bank):
    assessment = make_assessment(cast, scope=Scope.ELEMENTS, sections=(1,))
    invitation = assessment.invitations.create(person=cast.person)
    page = new_page()

    def titled_as_heading(path: str, heading: str) -> None:
        page.goto(f"/a/{invitation.token}/{path}")
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        # The start page's heading is the assessment's title, said once.
        of = "" if heading == assessment.title else f" – {assessment.title}"
        expect(page).to_have_title(f"{heading}{of} – LSP Assess")

    titled_as_heading("", assessment.title)
    titled_as_heading("part/1/", "The LSP's long-term goals")
    titled_as_heading("review/", "Check and submit your answers")
    respond(invitation, {"1.1:internal": "2"})
    page.get_by_role("button", name="Submit your answers").click()
    expect(page).to_have_title(f"You have submitted your answers – {assessment.title} – LSP Assess")
    for path in ("", "part/1/", "review/"):
        titled_as_heading(path, "You have submitted your answers")

    # A questionnaire that has closed shows the answers given, to read, and says so.
    other = make_assessment(cast, title="Closed", scope=Scope.ELEMENTS, sections=(1,), closes=-1)
    late = other.invitations.create(person=cast.person)
    respond(late, {})
    invitation = late
    assessment = other
    titled_as_heading("review/", "Your answers")
