"""A coordinator makes the improvement plan of a typical assessment on a laptop, in
minutes: proposes drafts, accepts the strongest and rejects the rest without losing
their place, gives three priorities their dots with one save, and the board agrees.

Every click and every field typed is counted. The budget is 40 of them: at about ten
seconds each (reading a draft, finding a button) that is under seven minutes, well
inside the ten the meeting can spare.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import screenshot, sign_in
from tests.browser.test_accessibility import check
from tests.workshops.typical_plan import LOOKING_FORWARD, answer_typically
from workshops.models import Action
from workshops.services import draft_actions
from workshops.services import plan as plan_service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 768}
BUDGET = 40


class Counted:
    """The coordinator's hands: each click, tick and field typed is one step."""

    def __init__(self, page: Page):
        self.page, self.steps, self.keys = page, 0, 0

    def click(self, target: Locator) -> None:
        target.click()
        self.steps += 1

    def tick(self, target: Locator) -> None:
        target.check()
        self.steps += 1

    def type(self, target: Locator, text: str) -> None:
        target.fill(text)
        self.steps += 1
        self.keys += len(text)


def announced(page: Page) -> Locator:
    return page.locator("[data-live-announce]")


def in_view(page: Page) -> bool:
    """Whether the focused control is on the screen."""
    return page.evaluate(
        """() => {
          const box = document.activeElement.getBoundingClientRect();
          return box.top >= 0 && box.bottom <= window.innerHeight;
        }"""
    )


def test_a_typical_plan_is_agreed_in_under_forty_steps(new_page, cast, assessment):
    answer_typically(assessment)
    page = new_page(LAPTOP)
    sign_in(page, cast.coordinator.email)
    page.goto(reverse("plan", args=[cast.partnership.pk, assessment.pk]))
    hands = Counted(page)

    hands.click(page.get_by_role("button", name="Propose draft actions from the results"))
    proposed = Action.objects.filter(assessment=assessment, status="proposed")
    total = proposed.count()
    expect(page.get_by_text(f"{total} new draft actions proposed")).to_be_visible()
    elements = page.locator("[data-draft-group]")
    element_count = elements.count()
    # Grouped and capped: each element shows its strongest few, the rest one click away.
    assert element_count >= 5
    shown = page.locator("[data-draft-group] > ul input[name=action]")
    assert shown.count() <= draft_actions.SHOWN_PER_ELEMENT * element_count < total
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 8_000, f"the plan page is {height}px tall with its drafts"

    # From here on the page never reloads: a full load would forget this.
    page.evaluate("window.stillHere = true")
    strongest = []
    for n in range(element_count):
        first = elements.nth(n).locator("input[name=action]").first
        strongest.append(int(first.get_attribute("value")))
        hands.tick(first)
    hands.click(page.get_by_role("button", name="Accept selected").first)
    expect(announced(page)).to_contain_text(f"Accepted {element_count} draft actions")
    assert set(Action.objects.filter(pk__in=strongest).values_list("status", flat=True)) == {
        "not_started"
    }

    # Rejecting the rest, element by element: each goes in place, and the next
    # element takes its place on the screen, with focus on its heading.
    for n in range(element_count):
        group = elements.first
        heading = group.locator("h3").inner_text()
        button = group.get_by_role("button", name="Reject all")
        button.scroll_into_view_if_needed()
        where = group.bounding_box()["y"]
        hands.click(button)
        expect(announced(page)).to_contain_text("Rejected")
        expect(page.locator("h3", has_text=heading)).to_have_count(0)
        if n < element_count - 1:
            assert elements.first.bounding_box()["y"] == pytest.approx(where, abs=2)
            assert in_view(page)
    expect(page.get_by_text("No draft actions are waiting for a decision.")).to_be_visible()
    assert not proposed.exists()

    hands.click(page.get_by_role("button", name="Gather priorities"))
    dots = {LOOKING_FORWARD[0]: "2", LOOKING_FORWARD[1]: "7", LOOKING_FORWARD[2]: "4"}
    page.evaluate("window.stillHere = true")
    for rank, text in enumerate(LOOKING_FORWARD, 1):
        hands.type(page.get_by_label(f"Dots for priority {rank}", exact=True), dots[text])
    hands.click(page.get_by_role("button", name="Save dots"))
    expect(announced(page)).to_have_text("Dots saved for 3 priorities.")
    plan = plan_service.plan_for(assessment)
    assert dict(plan.priorities.values_list("text", "votes")) == {
        text: int(count) for text, count in dots.items()
    }
    assert page.evaluate("window.stillHere === true")
    hands.click(page.get_by_role("button", name="Rank by the dot vote"))
    hands.click(page.get_by_role("button", name="Record that the board agreed this plan"))

    expect(page.get_by_text("Version 1 of the plan agreed.")).to_be_visible()
    screenshot(page, "plan-agreed")
    assert hands.steps <= BUDGET, f"{hands.steps} steps to agree a typical plan"
    in_plan = page.locator("#plan-actions + .lsp-table-scroll")
    for action in Action.objects.filter(pk__in=strongest):
        expect(in_plan.get_by_role("link", name=action.title)).to_be_visible()
    ranked = page.locator("#priorities tbody tr td:nth-child(2)").all_inner_texts()
    assert [text.split(" (")[0] for text in ranked] == [
        LOOKING_FORWARD[1],
        LOOKING_FORWARD[2],
        LOOKING_FORWARD[0],
    ]


def test_one_draft_is_accepted_in_place_and_the_ticks_and_typed_dots_stay(
    new_page, cast, assessment
):
    answer_typically(assessment)
    draft_actions.propose_drafts(assessment, cast.coordinator)
    page = new_page(LAPTOP)
    sign_in(page, cast.coordinator.email)
    page.goto(reverse("plan", args=[cast.partnership.pk, assessment.pk]))
    page.get_by_role("button", name="Gather priorities").click()
    page.get_by_label("Dots for priority 2", exact=True).fill("5")
    page.evaluate("window.stillHere = true")

    element = page.locator("[data-draft-group]").nth(2)
    element.locator("input[name=action]").nth(1).check()
    ticked = element.locator("input[name=action]").nth(1).get_attribute("id")
    first = element.locator("input[name=action]").first
    title = Action.objects.get(pk=first.get_attribute("value")).title
    # "Show more" opened, as a coordinator reading on would have it.
    element.locator("details summary").click()
    element.get_by_role("button", name=f"Accept draft “{title}”", exact=True).click()
    expect(announced(page)).to_have_text(f"Accepted: “{title}”.")
    expect(element.locator(".lsp-plan-notice")).to_contain_text(f"Accepted: “{title}”.")
    assert page.evaluate("window.stillHere === true")
    assert page.locator(f"#{ticked}").is_checked()
    assert element.locator("details").get_attribute("open") is not None
    expect(page.get_by_label("Dots for priority 2", exact=True)).to_have_value("5")
    assert in_view(page)
    expect(page.locator("#plan-actions + .lsp-table-scroll")).to_contain_text(title)


def test_a_bad_count_of_dots_saves_none_and_says_which_row(new_page, cast, assessment):
    answer_typically(assessment)
    page = new_page(LAPTOP)
    sign_in(page, cast.coordinator.email)
    page.goto(reverse("plan", args=[cast.partnership.pk, assessment.pk]))
    page.get_by_role("button", name="Gather priorities").click()
    page.get_by_label("Dots for priority 1", exact=True).fill("3")
    page.get_by_label("Dots for priority 2", exact=True).fill("lots")
    page.get_by_role("button", name="Save dots").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(
        "Enter the dots for priority 2 as a whole number from 0 to 1000"
    )
    expect(summary).to_contain_text("No dots were saved")
    # What was typed stays, to be put right.
    expect(page.get_by_label("Dots for priority 2", exact=True)).to_have_value("lots")
    expect(page.get_by_label("Dots for priority 1", exact=True)).to_have_value("3")
    plan = plan_service.plan_for(assessment)
    assert set(plan.priorities.values_list("votes", flat=True)) == {0}


def test_the_coordinators_plan_with_drafts_passes_axe_and_reflows(
    browser, live_server, cast, assessment
):
    answer_typically(assessment)
    draft_actions.propose_drafts(assessment, cast.coordinator)
    # axe is injected as a script, which the Content Security Policy would refuse.
    context = browser.new_context(viewport=LAPTOP, base_url=live_server.url, bypass_csp=True)
    try:
        page = context.new_page()
        sign_in(page, cast.coordinator.email)
        page.goto(reverse("plan", args=[cast.partnership.pk, assessment.pk]))
        page.get_by_role("button", name="Gather priorities").click()
        page.locator("[data-draft-group] details summary").first.click()
        check(page, "the coordinator's plan with drafts")
        page.set_viewport_size({"width": 320, "height": 640})  # WCAG 1.4.10's reflow width
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= 320, f"the plan with drafts is {wide}px wide on a 320px screen"
    finally:
        context.close()
