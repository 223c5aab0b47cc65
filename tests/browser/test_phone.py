"""The participant's phone at a phone's size (375 × 812): the ballot and its Vote button
are in view without scrolling, a vote on one basis of two says which part is missing, and
neither the phone's pages nor the results page scroll sideways at 320 pixels.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from questions.models import Item
from tests.browser.conftest import screenshot, sign_in
from tests.browser.keyboard import arrow_to, button, focused, press, tab_to
from tests.browser.phones import PRIYA, join_as
from tests.browser.test_reflow import overflows
from tests.builders import make_assessment, make_workshop
from tests.workshops.test_results import respond
from workshops.models import AgendaItem, Answer, Respondent, Workshop
from workshops.services import participants, voting
from workshops.services import workshop as workshop_service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_375 = {"width": 375, "height": 812}
NARROW = {"width": 320, "height": 640}
POLL = 4_000
INTERNAL = "Against our own plans (internal)"
EXTERNAL = "Against other LSPs (external)"
WHOLE = "Your vote is in. You can change it until voting closes."
PARTIAL = (
    "You rated ‘Against our own plans’ only; ‘Against other LSPs’ is not rated yet. "
    "Your vote for ‘Against our own plans’ is in, and you can add the other until voting closes."
)

# Whether the Vote button, and every option of the first basis, are in the window and
# on top (not under the bar that holds the button) without scrolling.
IN_VIEW = """() => {
  const outside = [];
  const form = document.querySelector("form[data-vote]");
  const button = form.querySelector("button[type=submit]");
  const first = form.querySelector("fieldset");
  const controls = [...first.querySelectorAll(".govuk-radios__label"), button];
  for (const e of controls) {
    const box = e.getBoundingClientRect();
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    if (box.top < 0 || box.bottom > innerHeight || box.left < 0 || box.right > innerWidth ||
        !(hit && (hit === e || e.contains(hit) || hit.control === e.control))) {
      outside.push(`${e.textContent.trim()} at ${Math.round(box.top)}-${Math.round(box.bottom)}px`);
    }
  }
  return {scrolled: scrollY, outside, options: form.querySelectorAll("input[type=radio]").length};
}"""


def go_to(workshop: Workshop, kind: str) -> AgendaItem:
    """Move the workshop on to its first item of this kind and open voting on it."""
    workshop_service.change(workshop.pk, "next")
    workshop.refresh_from_db()
    while workshop.current.item.kind != kind:
        workshop_service.change(workshop.pk, "next")
        workshop.refresh_from_db()
    workshop_service.change(workshop.pk, "open")
    return workshop.current


def assert_ballot_in_view(phone, options: int) -> None:
    expect(phone.get_by_role("button", name="Vote")).to_be_visible(timeout=POLL)
    seen = phone.evaluate(IN_VIEW)
    assert seen["options"] == options
    assert seen["scrolled"] == 0
    assert not seen["outside"], f"out of view at 375 × 812: {seen['outside']}"


def test_a_ballot_on_two_bases_and_its_vote_button_are_in_view_on_a_phone(new_page, cast, bank):
    workshop = make_workshop(cast, make_assessment(cast, basis="both"))
    phone = new_page(PHONE_375)
    join_as(phone, workshop.code)
    entry = go_to(workshop, Item.Kind.RATING)
    expect(phone.get_by_role("heading", name=entry.item.text)).to_be_visible(timeout=POLL)
    # Four ratings and "Don't know" on each basis, then the button, without scrolling.
    assert_ballot_in_view(phone, options=10)
    screenshot(phone, "phone-ballot-two-bases")
    phone.get_by_role("group", name=INTERNAL).get_by_label("3 – Performs well").check()
    phone.get_by_role("group", name=EXTERNAL).get_by_label("2 – Performs adequately").check()
    phone.get_by_role("button", name="Vote").click()
    expect(phone.locator("[data-vote-message]")).to_have_text(WHOLE)
    # The message sits above the button, and both stay in view wherever the ballot scrolled.
    for part in (
        phone.locator("[data-vote-message]"),
        phone.get_by_role("button", name="Change my vote"),
    ):
        box = part.bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= PHONE_375["height"]


def test_the_bar_holding_the_vote_button_never_covers_the_option_in_focus(new_page, cast, bank):
    workshop = make_workshop(cast, make_assessment(cast, basis="both"))
    phone = new_page(PHONE_375)
    join_as(phone, workshop.code)
    go_to(workshop, Item.Kind.RATING)
    expect(phone.get_by_role("button", name="Vote")).to_be_visible(timeout=POLL)
    # Every option of both bases by Tab and the arrow keys: press() checks after each key
    # that the focused option is on screen and nothing covers it.
    for basis in ("internal", "external"):
        tab_to(phone, lambda f, basis=basis: f["type"] == "radio" and f["name"] == basis)
        press(phone, "Space")
        arrow_to(phone, lambda f: f["value"] == "dont_know")
    tab_to(phone, button("Vote"))
    with phone.expect_response(lambda r: r.url.endswith("/vote/")):
        phone.keyboard.press("Enter")
    expect(phone.locator("[data-vote-message]")).to_have_text(WHOLE)
    # The bar has grown by the message: going back up the options stays clear of it.
    tab_to(phone, lambda f: f["type"] == "radio" and f["name"] == "external", back=True)
    arrow_to(phone, lambda f: f["value"] == "1", key="ArrowUp")
    assert focused(phone)["problem"] is None


def test_a_yes_no_ballot_and_its_vote_button_are_in_view_on_a_phone(new_page, cast, assessment):
    workshop = make_workshop(cast, assessment)
    phone = new_page(PHONE_375)
    join_as(phone, workshop.code)
    entry = go_to(workshop, Item.Kind.YES_NO)
    expect(phone.get_by_role("heading", name=entry.item.text)).to_be_visible(timeout=POLL)
    assert_ballot_in_view(phone, options=len(voting.vote_options(workshop, entry.item)))


def test_a_vote_on_one_basis_of_two_is_kept_and_says_which_is_missing(new_page, cast, bank):
    workshop = make_workshop(cast, make_assessment(cast, basis="both"))
    phone = new_page(PHONE_375)
    join_as(phone, workshop.code)
    entry = go_to(workshop, Item.Kind.RATING)
    internal = phone.get_by_role("group", name=INTERNAL)
    internal.get_by_label("3 – Performs well").check(timeout=POLL)
    phone.get_by_role("button", name="Vote").click()
    message = phone.locator("[data-vote-message]")
    expect(message).to_have_text(PARTIAL)
    voter = Respondent.objects.get(workshop=workshop)
    stored = Answer.objects.filter(respondent=voter, item=entry.item)
    assert {a.basis: a.value for a in stored} == {"internal": "3"}

    # The page says the same after a reload, and the other half completes the vote.
    phone.reload()
    expect(message).to_have_text(PARTIAL)
    phone.get_by_role("group", name=EXTERNAL).get_by_label("Don't know").check()
    phone.get_by_role("button", name="Change my vote").click()
    expect(message).to_have_text(WHOLE)
    assert {a.basis: a.value for a in stored.all()} == {"internal": "3", "external": "dont_know"}


def open_every_details(page) -> None:
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")


@pytest.mark.parametrize("viewport", [NARROW, PHONE_375], ids=["320px", "375px"])
def test_the_phone_and_the_results_page_do_not_scroll_sideways(new_page, cast, bank, viewport):
    assessment = make_assessment(cast, basis="both")
    for n, role in enumerate(["coordinator"] * 3 + ["board_member"] * 3):
        answers = {"1_1": str(1 + n % 4), "1_1__external": str(4 - n % 4), "2_1": "dont_know"}
        answers |= {"2_1__external": "3", "1_1_2": "yes" if n < 3 else "no"}
        respond(assessment, role=role, **answers)
    workshop = make_workshop(cast, assessment)
    failures: list[str] = []

    def look(page, what: str) -> None:
        for problem in overflows(page):
            failures.append(f"{what} at {viewport['width']}px: {problem}")

    phone = new_page(viewport)
    phone.goto(reverse("join"))
    look(phone, "the code page")
    phone.goto(reverse("workshop-join", args=[workshop.code]))
    look(phone, "the join page")
    join_as(phone, workshop.code)
    look(phone, "the lobby")

    # A second phone asking for the same name sees why, then waits to be let in.
    second = new_page(viewport)
    second.goto(f"/w/{workshop.code}/join/")
    second.get_by_label(PRIYA).check()
    second.get_by_role("button", name="Join the workshop").click()
    expect(
        second.get_by_role("heading", name="Someone has already joined as Priya Shah")
    ).to_be_visible()
    look(second, "the name-taken page")
    second.get_by_role("button", name=re.compile("^Ask the facilitator")).click()
    expect(second.get_by_role("heading", name="Waiting to be let in")).to_be_visible()
    look(second, "the waiting page")

    others = [
        participants.join(workshop, role="officer", sector="public", layer="strategic")
        for _ in range(3)
    ]
    workshop_service.change(workshop.pk, "next")
    expect(phone.get_by_text("Voting on this question opens soon")).to_be_visible(timeout=POLL)
    look(phone, "the room before voting")
    workshop_service.change(workshop.pk, "open")
    workshop.refresh_from_db()
    for voter, value in zip(others, "234", strict=True):
        voting.vote(workshop.code, voter.pk, workshop.current_id, {"internal": value})
    phone.get_by_role("group", name=INTERNAL).get_by_label("3 – Performs well").check(timeout=POLL)
    phone.get_by_role("button", name="Vote").click()
    expect(phone.locator("[data-vote-message]")).to_have_text(PARTIAL)
    look(phone, "the room after a partial vote")
    workshop_service.change(workshop.pk, "close")
    workshop_service.change(workshop.pk, "reveal")
    expect(phone.get_by_text("The results are on the main screen")).to_be_visible(timeout=POLL)
    look(phone, "the room with results revealed")
    workshop.refresh_from_db()
    workshop_service.record_consensus(
        workshop.current, {"agreed_internal": 1, "agreed_external": 4, "rationale": "Split"}
    )
    workshop_service.change(workshop.pk, "finish")
    expect(phone.get_by_role("heading", name="The workshop has finished")).to_be_visible(
        timeout=POLL
    )
    look(phone, "the room after the workshop")

    reader = new_page(viewport)
    sign_in(reader, cast.coordinator.email)
    reader.goto(reverse("results", args=[cast.partnership.pk, assessment.pk]))
    expect(reader.get_by_role("heading", name=re.compile("^Results:"))).to_be_visible()
    expect(reader.get_by_text("Individuals' median")).to_be_visible()  # the consensus table
    open_every_details(reader)
    look(reader, "the results page")

    assert not failures, "\n".join(failures)
