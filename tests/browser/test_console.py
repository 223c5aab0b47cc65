"""The facilitator's console on a laptop (1366 × 768): its working area fits the
screen, presses update it in place and say what happened, typed text survives the
facilitator's moves, and finishing asks first and can be undone.

"Fits" is measured: the boxes of the controls, the room's count and the agreed
form's button against the viewport, with the page not scrolled.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in
from tests.browser.console import in_place
from tests.builders import make_assessment, make_workshop
from workshops.models import AgendaItem, Workshop
from workshops.services import participants as participants_service
from workshops.services import voting as voting_service
from workshops.services import workshop as workshop_service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 768}
POLL = 4_000

# Where each thing asked for sits, and whether the page was scrolled or scrolls sideways.
BOXES = """(selectors) => {
  const boxes = {};
  for (const selector of selectors) {
    const element = document.querySelector(selector);
    const box = element && element.getBoundingClientRect();
    boxes[selector] = box && {top: box.top, bottom: box.bottom, left: box.left, right: box.right};
  }
  return {
    boxes,
    scrolled: window.scrollY,
    sideways: document.documentElement.scrollWidth > window.innerWidth,
    height: window.innerHeight,
    width: window.innerWidth,
  };
}"""


def outside_the_screen(page, selectors: list[str]) -> list[str]:
    seen = page.evaluate(BOXES, selectors)
    assert seen["scrolled"] == 0 and not seen["sideways"], seen
    problems = []
    for selector, box in seen["boxes"].items():
        if box is None:
            problems.append(f"{selector}: not on the page")
        elif box["top"] < 0 or box["bottom"] > seen["height"] or box["right"] > seen["width"]:
            problems.append(f"{selector}: {box}")
    return problems


def revealed_workshop(cast, assessment, voters: int = 5) -> Workshop:
    """A workshop on its first item with the room's votes in and voting closed."""
    workshop = make_workshop(cast, assessment)
    joined = [
        participants_service.join(workshop, role="officer", sector="public", layer="executive")
        for _ in range(voters)
    ]
    workshop_service.change(workshop.pk, "next")
    workshop = workshop_service.change(workshop.pk, "open")
    bases = {basis: str(1 + n % 4) for n, basis in enumerate(assessment.bases)}
    for voter in joined:
        voting_service.vote(workshop.code, voter.pk, workshop.current_id, bases)
    return workshop_service.change(workshop.pk, "close")


def open_console(new_page, cast, workshop: Workshop):
    console = new_page(LAPTOP)
    sign_in(console, cast.facilitator.email)
    console.goto(workshop.get_absolute_url())
    return console


def stays_on_the_page(page) -> None:
    """Mark the page; a page load would lose the mark (see still_the_same_page)."""
    page.evaluate("() => { window.sameConsole = true; }")


def still_the_same_page(page) -> bool:
    return page.evaluate("() => window.sameConsole === true")


def test_after_reveal_the_working_area_fits_a_laptop_screen(new_page, cast, bank):
    assessment = make_assessment(cast, title="Both ways", basis="both")
    workshop = revealed_workshop(cast, assessment)
    console = open_console(new_page, cast, workshop)
    in_place(console, lambda: console.get_by_role("button", name="Reveal results").click())
    expect(console.locator(".lsp-tally")).to_contain_text("Performs well")
    screenshot(console, "console-laptop-revealed")

    controls = [f"#control-{action}" for action in ("hide", "previous", "next", "skip")]
    working = [
        *controls,
        ".lsp-status [data-console-now]",  # the state and the current item
        ".lsp-status .lsp-console__voted",  # how many have voted
        ".lsp-tally table",  # the room's count
        "#agreed-heading",  # the start of the agreed form
        "#agreed-form button",  # its button
    ]
    assert outside_the_screen(console, working) == []


def test_record_updates_in_place_says_so_and_keeps_the_scroll_position(new_page, cast, assessment):
    workshop = revealed_workshop(cast, assessment)
    workshop = workshop_service.change(workshop.pk, "reveal")
    entry = workshop.current
    console = open_console(new_page, cast, workshop)
    stays_on_the_page(console)
    console.evaluate("() => window.scrollTo(0, 120)")
    scrolled = console.evaluate("() => window.scrollY")
    assert scrolled > 0

    console.get_by_label("Agreed rating against our own plans (internal)").select_option("3")
    console.get_by_label("Why the board agreed this").fill("Most of the room said 3")
    in_place(console, lambda: console.get_by_role("button", name="Record what was agreed").click())
    expect(console.locator("#agreed [data-console-said]")).to_contain_text(
        f"What the room agreed on {entry.item.key} is recorded"
    )
    assert still_the_same_page(console)
    assert console.evaluate("() => window.scrollY") == scrolled
    # The form now shows what is stored, and focus stays on the button pressed.
    expect(console.get_by_label("Why the board agreed this")).to_have_value(
        "Most of the room said 3"
    )
    expect(console.get_by_role("button", name="Record what was agreed")).to_be_focused()
    entry.refresh_from_db()
    assert (entry.agreed_internal, entry.rationale) == (3, "Most of the room said 3")

    # An action is added in place too, and a mistake is shown where it was made.
    in_place(console, lambda: console.get_by_role("button", name="Add action").click())
    expect(console.locator(".govuk-error-summary")).to_contain_text("Describe the action")
    console.get_by_label("Action").fill("Share the strategy with every partner")
    in_place(console, lambda: console.get_by_role("button", name="Add action").click())
    expect(console.locator("#actions [data-console-said]")).to_contain_text(
        f"Action added to {entry.item.key}"
    )
    expect(console.locator(".govuk-error-summary")).to_have_count(0)
    expect(console.get_by_text("Share the strategy with every partner")).to_be_visible()
    expect(console.get_by_label("Action")).to_have_value("")
    assert still_the_same_page(console)


def test_text_typed_for_the_room_is_kept_when_the_facilitator_opens_voting(
    new_page, cast, assessment
):
    workshop = make_workshop(cast, assessment)
    first, second = workshop.agenda.select_related("item")[:2]
    workshop_service.change(workshop.pk, "next")
    console = open_console(new_page, cast, workshop)
    stays_on_the_page(console)

    console.get_by_label("Why the board agreed this").fill("Half a thought about the plan")
    in_place(console, lambda: console.get_by_role("button", name="Open voting").click())
    expect(console.locator(".lsp-status")).to_contain_text("Voting open")
    expect(console.locator("#console-said")).to_contain_text("Voting is open")
    expect(console.get_by_label("Why the board agreed this")).to_have_value(
        "Half a thought about the plan"
    )
    # Polls redraw the status while votes come in; the text stays.
    voter = participants_service.join(workshop, role="officer", sector="public", layer="strategic")
    voting_service.vote(workshop.code, voter.pk, first.pk, {"internal": "2"})
    expect(console.locator(".lsp-status")).to_contain_text("1 of 1", timeout=POLL)
    expect(console.get_by_label("Why the board agreed this")).to_have_value(
        "Half a thought about the plan"
    )

    # Moving on keeps the item being written about on screen, with a way to the next.
    in_place(console, lambda: console.get_by_role("button", name="Close voting").click())
    in_place(console, lambda: console.get_by_role("button", name="Next item").click())
    expect(console.locator(".lsp-status")).to_contain_text(second.item.text)
    expect(console.get_by_label("Why the board agreed this")).to_have_value(
        "Half a thought about the plan"
    )
    expect(console.locator("[data-console-item]")).to_contain_text(
        f"The room has moved on to {second.item.key}"
    )
    assert still_the_same_page(console)

    # Leaving the page with the text unsaved asks first.
    asked = []
    console.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    console.get_by_role("link", name="Change the agenda").click()
    console.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    assert still_the_same_page(console)
    in_place(console, lambda: console.get_by_role("button", name="Record what was agreed").click())
    assert AgendaItem.objects.get(pk=first.pk).rationale == "Half a thought about the plan"


def test_finishing_asks_first_and_the_facilitator_can_reopen(new_page, cast, assessment):
    workshop = make_workshop(cast, assessment)
    console = open_console(new_page, cast, workshop)
    # Nothing to finish before the workshop starts.
    expect(console.get_by_role("link", name=re.compile("Finish"))).to_have_count(0)
    in_place(
        console, lambda: console.get_by_role("button", name="Start with the first item").click()
    )
    # Finishing is a link away from the room's controls, to a page that asks.
    expect(console.get_by_role("button", name=re.compile("Finish"))).to_have_count(0)
    console.get_by_role("link", name="Finish the workshop").click()
    expect(console.get_by_role("heading", name="Finish Board away day?")).to_be_visible()
    console.get_by_role("link", name="No, go back to the console").click()
    expect(console.get_by_role("heading", name="Board away day")).to_be_visible()
    assert Workshop.objects.get(pk=workshop.pk).state == Workshop.State.READY

    console.get_by_role("link", name="Finish the workshop").click()
    console.get_by_role("button", name="Yes, finish the workshop").click()
    expect(console.locator("#console-said")).to_contain_text("Board away day has finished")
    assert Workshop.objects.get(pk=workshop.pk).state == Workshop.State.FINISHED

    in_place(console, lambda: console.get_by_role("button", name="Reopen the workshop").click())
    expect(console.locator("#console-said")).to_contain_text("open again")
    expect(console.get_by_role("button", name="Open voting")).to_be_visible()
    workshop.refresh_from_db()
    assert workshop.state == Workshop.State.READY
    assert workshop.current == workshop.agenda.first()
