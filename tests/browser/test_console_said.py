"""What a screen reader hears on the facilitator's console, and its countdown.

The console's live panel is drawn again by its poll whenever anything in the room
changes (a phone joins, a vote comes in). A screen reader hears the page's status
region ([data-live-announce], written by connection.js's ``say``): the tests record
every change to it, as a screen reader would be told of them. What the console
says after a press is in its own status regions ([data-console-said]).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, sign_in
from tests.browser.console import in_place
from tests.browser.phones import join_as
from tests.browser.test_accessibility import check
from tests.browser.test_console import LAPTOP
from tests.browser.test_outage import LOST, Outage
from tests.builders import make_workshop
from workshops.models import Workshop
from workshops.services import participants as participants_service
from workshops.services import voting as voting_service
from workshops.services import workshop as workshop_service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POLL = 4_000
QUIET = 2_000  # long enough for two polls: what has not been said by then is not said
COUNT_EVERY = 15_000  # console.js says a count that is not everyone's at most this often

# Records each change to the page's status region, and each change inside a status
# region already on the page where the console says what a press did: each is
# something a screen reader reads out.
LISTEN = r"""() => {
  window.said = [];
  window.liveSaid = [];
  const region = document.querySelector("[data-live-announce]");
  new MutationObserver(() => {
    const words = region.textContent.replace(/\s+/g, " ").trim();
    if (words) window.said.push(words);
  }).observe(region, {childList: true, characterData: true, subtree: true});
  new MutationObserver((records) => {
    for (const record of records) {
      const place = record.target.closest && record.target.closest("[data-console-said]");
      if (place && document.contains(place) && place.textContent.trim()) {
        window.liveSaid.push(place.textContent.trim());
      }
    }
  }).observe(document.body, {childList: true, subtree: true, characterData: true});
}"""


def said(page) -> list[str]:
    return page.evaluate("window.said")


def is_said(page, words: str, timeout: int = POLL) -> None:
    page.wait_for_function("w => window.said.some(s => s.includes(w))", arg=words, timeout=timeout)


@pytest.fixture
def console_for(new_page, cast):
    """Opens the facilitator's console on a laptop, listened to. Its context lets axe in."""

    def open_console(workshop: Workshop):
        page = new_page(LAPTOP, axe=True)
        sign_in(page, cast.facilitator.email)
        page.goto(workshop.get_absolute_url())
        page.evaluate(LISTEN)
        return page

    return open_console


def voting_with(cast, assessment, people: int) -> tuple[Workshop, list]:
    """A workshop with voting open on its first item and ``people`` joined."""
    workshop = make_workshop(cast, assessment)
    joined = [
        participants_service.join(workshop, role="officer", sector="public", layer="executive")
        for _ in range(people)
    ]
    workshop_service.change(workshop.pk, "next")
    return workshop_service.change(workshop.pk, "open"), joined


def vote(workshop: Workshop, voter, value: str = "3") -> None:
    voting_service.vote(workshop.code, voter.pk, workshop.current_id, {"internal": value})


def test_a_vote_is_not_the_question_again_and_the_count_is_said_politely_and_rarely(
    console_for, cast, assessment
):
    workshop, voters = voting_with(cast, assessment, 3)
    item = workshop.current.item
    console = console_for(workshop)
    panel = console.locator(".lsp-status")

    # The first vote: the question is not read out again, and the count is said at
    # once, as nothing about the count has been said lately.
    vote(workshop, voters[0])
    expect(panel).to_contain_text("1 of 3 voted", timeout=POLL)
    console.wait_for_timeout(QUIET)
    assert not [s for s in said(console) if item.text in s], f"the question again: {said(console)}"
    is_said(console, f"1 of 3 have voted on {item.key}.")
    # The second soon after: held back, then said when its time comes.
    vote(workshop, voters[1])
    expect(panel).to_contain_text("2 of 3 voted", timeout=POLL)
    console.wait_for_timeout(QUIET)
    assert not [s for s in said(console) if "2 of 3" in s], said(console)
    is_said(console, f"2 of 3 have voted on {item.key}.", timeout=COUNT_EVERY + POLL)
    # Everyone who has joined has voted: said at once.
    vote(workshop, voters[2])
    is_said(console, f"3 of 3 have voted on {item.key}: everyone who has joined.")

    heard = said(console)
    assert not [s for s in heard if item.text in s], f"the question was read out again: {heard}"
    assert heard == [
        f"1 of 3 have voted on {item.key}.",
        f"2 of 3 have voted on {item.key}.",
        f"3 of 3 have voted on {item.key}: everyone who has joined.",
    ]


def test_the_room_moved_on_elsewhere_is_said_once(console_for, cast, assessment):
    workshop, _ = voting_with(cast, assessment, 1)
    item = workshop.current.item
    console = console_for(workshop)
    panel = console.locator(".lsp-status")

    # Voting is closed from another window (or the countdown runs out).
    workshop_service.change(workshop.pk, "close")
    expect(panel).to_contain_text("Voting closed", timeout=POLL)
    is_said(console, f"Voting closed: {item.key} {item.text}")
    # Someone joins: the panel is drawn again, and the room is where it was.
    participants_service.join(workshop, role="officer", sector="public", layer="executive")
    expect(panel).to_contain_text("2 of", timeout=POLL)
    console.wait_for_timeout(QUIET)
    assert said(console) == [f"Voting closed: {item.key} {item.text}"]


def test_back_after_an_outage_the_room_moved_on_meanwhile_is_said_after_connected_again(
    console_for, cast, assessment
):
    workshop, _ = voting_with(cast, assessment, 1)
    item = workshop.current.item
    console = console_for(workshop)
    polls = Outage(console, "**/live/")
    polls.mode = "503"
    is_said(console, LOST)
    workshop_service.change(workshop.pk, "close")  # meanwhile, from another window
    polls.mode = ""
    expect(console.locator(".lsp-status")).to_contain_text("Voting closed", timeout=POLL)
    console.wait_for_timeout(QUIET)
    # One announcement for the return, which says where the room now is.
    assert said(console) == [LOST, f"Connected again. Voting closed: {item.key} {item.text}"]


def test_a_press_is_said_once_where_it_happened_and_not_again_by_the_panel(
    console_for, cast, assessment
):
    workshop, voters = voting_with(cast, assessment, 2)
    key = workshop.current.item.key
    console = console_for(workshop)

    in_place(console, lambda: console.get_by_role("button", name="Close voting").click())
    # Focus moves to what the console says happened, which is read as it takes focus.
    done = f"Voting is closed on {key}."
    expect(console.locator(":focus")).to_have_text(done)
    participants_service.join(workshop, role="officer", sector="public", layer="strategic")
    expect(console.locator(".lsp-status")).to_contain_text("3 of", timeout=POLL)
    console.wait_for_timeout(QUIET)
    # Not said again: neither by its own status region nor by the panel's redraws.
    assert console.evaluate("window.liveSaid") == []
    assert said(console) == []

    # So too a step that changes what the panel shows but not where the room is.
    toggle = console.get_by_role("button", name=re.compile("^Show the questionnaire"))
    in_place(console, toggle.click)
    shown = "The questionnaire's answers are shown beside the room's."
    expect(console.locator(":focus")).to_have_text(shown)

    # A press whose button stays keeps focus on it; its words are said by their region.
    console.get_by_label("Why the board agreed this").fill("Most said 3")
    record = console.get_by_role("button", name="Record what was agreed")
    in_place(console, record.click)
    expect(record).to_be_focused()
    console.wait_for_timeout(QUIET)
    assert console.evaluate("window.liveSaid") == [f"What the room agreed on {key} is recorded."]
    assert said(console) == []


def test_the_chosen_countdown_stays_chosen_when_the_panel_is_drawn_again(
    console_for, cast, assessment
):
    workshop, voters = voting_with(cast, assessment, 2)
    console = console_for(workshop)
    length = console.get_by_label("Countdown")
    expect(length).to_have_value("60")
    length.focus()
    length.select_option("300")  # as a keyboard user's arrow keys would
    vote(workshop, voters[0])
    expect(console.locator(".lsp-status")).to_contain_text("1 of 2 voted", timeout=POLL)
    expect(length).to_have_value("300")
    expect(length).to_be_focused()

    # Started, it is the length the console offers from then on.
    in_place(console, lambda: console.get_by_role("button", name="Start countdown").click())
    vote(workshop, voters[1])
    expect(console.locator(".lsp-status")).to_contain_text("2 of 2 voted", timeout=POLL)
    expect(length).to_have_value("300")
    assert Workshop.objects.get(pk=workshop.pk).countdown == 300


def seconds_left(locator) -> int:
    """What a countdown shows (m:ss left, or the time it closes), in seconds from now."""
    text = locator.inner_text()
    found = re.search(r"(\d+):(\d\d)\b(?!:)", text)
    assert found, text
    return int(found.group(1)) * 60 + int(found.group(2))


def test_time_added_to_the_countdown_shows_on_the_console_and_the_phones(
    console_for, new_page, cast, assessment
):
    workshop = make_workshop(cast, assessment)
    phone = new_page(PHONE)
    join_as(phone, workshop.code)
    workshop_service.change(workshop.pk, "next")
    workshop = workshop_service.change(workshop.pk, "open")
    console = console_for(workshop)

    console.get_by_label("Countdown").select_option("60")
    in_place(console, lambda: console.get_by_role("button", name="Start countdown").click())
    on_console = console.locator(".lsp-status [data-deadline]")
    on_phone = phone.locator("[data-deadline]")
    expect(on_phone).to_contain_text(re.compile(r"0:[0-5]\d"), timeout=POLL)
    assert seconds_left(on_console) <= 60

    add = console.get_by_role("button", name="Add 30 seconds to the countdown")
    in_place(console, add.click)
    closes = Workshop.objects.get(pk=workshop.pk).voting_closes_at
    expect(console.locator("#console-said")).to_contain_text(
        re.compile(r"30 seconds added: voting closes at \d\d:\d\d:\d\d\.")
    )
    expect(on_console).to_contain_text(re.compile(r"1:[0-3]\d"))
    expect(on_phone).to_contain_text(re.compile(r"1:[0-3]\d"), timeout=POLL)
    assert 60 < seconds_left(on_phone) <= 90
    assert on_phone.get_attribute("data-deadline") == on_console.get_attribute("data-deadline")
    assert Workshop.objects.get(pk=workshop.pk).voting_closes_at == closes
    check(console, "workshop console, a countdown running with time added")


HEADINGS = """() => [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")]
  .filter((h) => h.getClientRects().length || h.closest(".govuk-visually-hidden"))
  .map((h) => [Number(h.tagName[1]), h.textContent.trim()])"""


def headings(page) -> list[tuple[int, str]]:
    """The page's headings in order, as a screen reader lists them (hidden ones left out)."""
    return [tuple(h) for h in page.evaluate(HEADINGS)]


def levels_follow_in_order(found: list[tuple[int, str]]) -> bool:
    return all(b <= a + 1 for (a, _), (b, _) in zip(found, found[1:], strict=False))


def test_the_consoles_headings_follow_in_order_and_name_the_live_panel(
    console_for, cast, assessment
):
    workshop, _ = voting_with(cast, assessment, 1)
    console = console_for(workshop)
    # A phone waiting to be let in has its own heading, inside the panel's.
    participants_service.ask_to_join(
        workshop, "192.0.2.1", role="officer", sector="public", layer="strategic"
    )
    expect(console.get_by_text("1 phone waiting to be let in")).to_be_visible(timeout=POLL)
    for state in ("voting", "closed", "revealed", "finished"):
        if state != "voting":
            step = {"closed": "close", "revealed": "reveal", "finished": "finish"}[state]
            workshop_service.change(workshop.pk, step)
            console.reload()
        found = headings(console)
        assert found[0] == (1, workshop.title), found
        assert levels_follow_in_order(found), f"{state}: {found}"
        assert found[1] == (2, "The room now"), f"{state}: {found}"
        check(console, f"workshop console, {state}")


def test_a_vote_leaves_the_control_in_focus_where_it_is_not_read_out_again(
    console_for, cast, assessment
):
    # A control drawn afresh and focused again is read out again ("Close voting,
    # button") on every vote: the panel keeps its controls while the room's step is
    # unchanged, and draws again only the counts.
    workshop, voters = voting_with(cast, assessment, 3)
    console = console_for(workshop)
    control = console.locator("#control-close")
    control.focus()
    console.evaluate("() => { document.activeElement.dataset.heldFocus = 'yes'; }")
    console.locator("#timer-seconds").select_option("300")

    vote(workshop, voters[0])
    expect(console.locator(".lsp-status")).to_contain_text("1 of 3 voted", timeout=POLL)
    assert console.evaluate("() => document.activeElement.dataset.heldFocus") == "yes"
    expect(console.locator("#timer-seconds")).to_have_value("300")

    # A step for the room does draw the controls again.
    workshop_service.change(workshop.pk, "close")
    expect(console.locator("#control-reveal")).to_be_visible(timeout=POLL)
