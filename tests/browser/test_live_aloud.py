"""What the users of a phone and of the projector hear, and what a phone keeps, while
the room moves on (WCAG 2.2 4.1.3 Status Messages, 2.4.3 Focus Order, 1.3.1 Info and
Relationships).

A screen reader hears a live screen through its status region ([data-live-announce]).
Each test records every change to that region, as a screen reader is told of them,
and asserts the words: each change of state said once, in words, and nothing said
when nothing changed for this person. A rating chosen and not yet sent stays chosen,
with focus on it, whatever else the facilitator changes; a new question takes focus
to its heading. Once revealed, the phone shows the room's votes as the projector does,
as text and a table.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.db.models import F
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in
from tests.browser.phones import join_anonymously, join_as
from tests.browser.test_accessibility import describe, violations
from tests.builders import (
    anonymous_with_two_remote_answers,
    make_assessment,
    make_workshop,
    respond,
)
from workshops.models import Answer, Invitation, Workshop
from workshops.services import participants as participants_service
from workshops.services import voting as voting_service
from workshops.services import workshop as workshop_service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
PROJECTOR = {"width": 1280, "height": 720}
POLL = 8_000  # a change shows within 2 s; allow for a slow, busy CI machine
QUIET = 2_500  # two polls and more: long enough for a poll to have said something
WELL = "3 – Performs well"

# Every change to a page's status region, in order, as a screen reader is told of
# it: setting the same words again is a change too (and is read again, or skipped).
RECORD_WHAT_IS_SAID = """
window.said = [];
new MutationObserver((records) => {
  const regions = new Set();
  for (const record of records) {
    const node = record.target.nodeType === 1 ? record.target : record.target.parentElement;
    const region = node && node.closest("[data-live-announce]");
    if (region) regions.add(region);
  }
  for (const region of regions) {
    const words = region.textContent.trim();
    if (words) window.said.push(words);
  }
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


@pytest.fixture
def device(new_page):
    """A page in a fresh context that records what its status region says, and lets axe in."""

    def open_page(viewport=PHONE):
        return new_page(viewport, axe=True, init_script=RECORD_WHAT_IS_SAID)

    return open_page


def said(page) -> list[str]:
    return page.evaluate("() => window.said")


def forget_said(page) -> None:
    page.evaluate("() => { window.said.length = 0; }")


def no_axe_violations(page, where: str) -> None:
    found = violations(page)
    assert not found, describe(where, f"{page.viewport_size['width']}px", found)


def step(workshop: Workshop, *actions: str, seconds: int = 0) -> Workshop:
    for action in actions:
        workshop_service.change(workshop.pk, action, seconds=seconds)
    return Workshop.objects.get(pk=workshop.pk)


def closes_at(workshop: Workshop) -> str:
    workshop.refresh_from_db()
    return f"{timezone.localtime(workshop.voting_closes_at):%H:%M:%S}"


def count_down(workshop: Workshop, seconds: int) -> None:
    """Start a countdown shorter than a facilitator may set, so the test need not wait
    for a long one to run out; saved as the timer saves it (a new version)."""
    Workshop.objects.filter(pk=workshop.pk).update(
        voting_closes_at=timezone.now() + datetime.timedelta(seconds=seconds),
        version=F("version") + 1,
    )
    voting_service.forget(workshop.code)


def a_poll_answered(phone, press) -> None:
    """Do something and wait until the phone's poll has brought the change."""
    with phone.expect_response(
        lambda r: r.url.endswith("/live/") and r.status == 200, timeout=POLL
    ):
        press()
    phone.wait_for_timeout(300)  # for the page's script to put it in place


def test_the_phone_says_each_change_of_state_once_and_nothing_for_another_phones_vote(
    device, cast, bank
):
    workshop = make_workshop(cast, make_assessment(cast))
    phone = device()
    join_as(phone, workshop.code)
    other = participants_service.join(workshop, role="officer", sector="public", layer="strategic")
    workshop = step(workshop, "next")
    item = workshop.current.item
    expect(phone.get_by_text("Voting on this question opens soon")).to_be_visible(timeout=POLL)
    forget_said(phone)

    workshop = step(workshop, "open")
    expect(phone.get_by_role("button", name="Vote")).to_be_visible(timeout=POLL)
    voting_service.vote(workshop.code, other.pk, workshop.current_id, {"internal": "2"})
    phone.wait_for_timeout(QUIET)
    assert said(phone) == [f"Voting is open on {item.key}"]

    workshop = step(workshop, "timer", seconds=120)
    deadline = closes_at(workshop)
    expect(phone.get_by_text(re.compile(r"Voting closes in \d:\d\d"))).to_be_visible(timeout=POLL)
    workshop = step(workshop, "close")
    expect(phone.get_by_text("Voting on this question has closed")).to_be_visible(timeout=POLL)
    workshop = step(workshop, "reveal")
    expect(phone.get_by_text("The results are on the main screen")).to_be_visible(timeout=POLL)
    phone.wait_for_timeout(QUIET)
    assert said(phone) == [
        f"Voting is open on {item.key}",
        f"Voting closes at {deadline}",
        "Voting has closed",
        "Results are on the main screen — and here",
    ]
    no_axe_violations(phone, "phone, results revealed in place")


def test_a_countdown_warns_once_at_ten_seconds_and_its_end_closes_voting_aloud(device, cast, bank):
    workshop = make_workshop(cast, make_assessment(cast))
    phone = device()
    join_as(phone, workshop.code)
    presenter = device(PROJECTOR)
    sign_in(presenter, cast.facilitator.email)
    presenter.goto(workshop.get_absolute_url() + "present/")
    workshop = step(workshop, "next", "open")
    expect(phone.get_by_role("button", name="Vote")).to_be_visible(timeout=POLL)
    expect(presenter.get_by_text("0 of 1 have voted")).to_be_visible(timeout=POLL)
    forget_said(phone)
    forget_said(presenter)

    count_down(workshop, 18)
    ticking = phone.locator("[data-deadline]")
    expect(ticking).to_have_text(re.compile(r"Voting closes in 0:1[1-9]"), timeout=POLL)
    deadline = closes_at(workshop)
    # The ticking words are not in a live region: they would be read every second.
    assert phone.evaluate(
        """(e) => !e.closest('[aria-live]:not([aria-live=off]), [role=status], [role=alert],'
             + ' [role=log], [role=marquee]')""",
        ticking.element_handle(),
    )
    expect(phone.get_by_text("Voting on this question has closed")).to_be_visible(timeout=25_000)
    phone.wait_for_timeout(QUIET)
    assert said(phone) == [
        f"Voting closes at {deadline}",
        "10 seconds left to vote",
        "Voting has closed",
    ]
    said_on_projector = said(presenter)
    assert said_on_projector.count("10 seconds left to vote") == 1
    assert said_on_projector[-1] == "Voting has closed"


def test_a_rating_chosen_and_not_sent_stays_chosen_and_focused_while_the_room_changes(
    device, cast, bank
):
    assessment = make_assessment(cast)
    workshop = make_workshop(cast, assessment)
    phone = device()
    join_as(phone, workshop.code)
    workshop = step(workshop, "next", "open")
    item = workshop.current.item
    choice = phone.get_by_label(WELL)
    choice.check(timeout=POLL)
    choice.focus()
    expect(choice).to_be_focused()
    forget_said(phone)

    later = workshop.agenda.order_by("position").last()
    for change in (
        lambda: workshop_service.change(workshop.pk, "timer", seconds=120),
        lambda: workshop_service.move_on_agenda(later, -1),
        lambda: workshop_service.change(workshop.pk, "show_remote"),
    ):
        a_poll_answered(phone, change)
        expect(choice).to_be_checked()
        expect(choice).to_be_focused()
    assert said(phone) == [f"Voting closes at {closes_at(workshop)}"]

    # What was kept is what is sent.
    phone.get_by_role("button", name="Vote").click()
    expect(phone.locator("[data-vote-message]")).to_have_text(re.compile("^Your vote is in"))
    assert [a.value for a in Answer.objects.filter(item=item, respondent__workshop=workshop)] == [
        "3"
    ]

    # A new question takes focus to its heading, and says so.
    forget_said(phone)
    workshop = step(workshop, "close", "next")
    following = workshop.current.item
    heading = phone.get_by_role("heading", name=following.text, level=1)
    expect(heading).to_be_focused(timeout=POLL)
    phone.wait_for_timeout(QUIET)
    assert said(phone) == [f"Now on question {following.key}. Voting opens soon"]
    no_axe_violations(phone, "phone, a new question")


def test_once_revealed_the_phone_shows_what_the_projector_shows_as_text_and_a_table(
    device, cast, bank
):
    # Anonymous, with two answers to the remote questionnaire: too few to show.
    assessment = anonymous_with_two_remote_answers(cast, "2")
    workshop = make_workshop(cast, assessment)
    phone = device()
    join_anonymously(phone, workshop.code)
    other = participants_service.join(workshop, role="officer", sector="public", layer="strategic")
    workshop = step(workshop, "next", "open", "show_remote")
    voting_service.vote(workshop.code, other.pk, workshop.current_id, {"internal": "3"})
    phone.get_by_label("2 – Performs adequately").check(timeout=POLL)
    phone.get_by_role("button", name="Vote").click()
    expect(phone.locator("[data-vote-message]")).to_have_text(re.compile("^Your vote is in"))
    step(workshop, "close", "reveal")

    presenter = device(PROJECTOR)
    sign_in(presenter, cast.facilitator.email)
    presenter.goto(workshop.get_absolute_url() + "present/")
    projected = presenter.locator(".lsp-present-chart")
    expect(projected).to_be_visible()

    results = phone.get_by_role("region", name="How the room voted")
    expect(results).to_be_visible(timeout=POLL)
    expect(results).to_contain_text(
        "Against our own plans (internal). In the room: 2 answers; "
        "most chose 2 – Performs adequately and 3 – Performs well."
    )
    expect(results).to_contain_text(
        "In the remote questionnaire: fewer than 3 answers, not shown to keep the "
        "assessment anonymous."
    )
    table = results.get_by_role("table")
    rows = table.get_by_role("row")
    for label, count in (("2 – Performs adequately", "1 (50%)"), ("1 – Performs poorly", "0")):
        row = table.get_by_role("row", name=re.compile("^" + re.escape(label)))
        expect(row.get_by_role("cell")).to_have_text([re.compile("^" + re.escape(count))])
    # Never more than the projector: the same figures, and no remote column on either.
    shown = rows.all_inner_texts()
    assert shown == projected.get_by_role("row").all_inner_texts()
    no_axe_violations(phone, "phone, results revealed")
    screenshot(phone, "phone-results-revealed")
    # The same without JavaScript: "Check for the next question" loads the page.
    phone.get_by_role("link", name="Check for the next question").click()
    expect(rows).to_have_text(shown)
    no_axe_violations(phone, "phone, results revealed, loaded afresh")


HEADINGS = """() => [...document.querySelectorAll("h1, h2, h3, h4, h5, h6, [role=heading]")]
  .filter((h) => h.checkVisibility() || h.closest(".govuk-visually-hidden"))
  .map((h) => ({level: Number(h.getAttribute("aria-level") || h.tagName.slice(1)),
                text: h.textContent.trim().slice(0, 60)}))"""


def headings_in_order(page, where: str) -> None:
    """The page starts at one h1 and no heading skips a level below the one before."""
    found = page.evaluate(HEADINGS)
    assert found and found[0]["level"] == 1, f"{where}: headings start {found[:1]}"
    assert [h["level"] for h in found].count(1) == 1, f"{where}: {found}"
    for before, after in zip(found, found[1:], strict=False):
        assert after["level"] <= before["level"] + 1, f"{where}: {before} then {after}"


def test_the_projector_says_each_change_once_never_a_vote_and_its_headings_are_in_order(
    device, cast, bank
):
    assessment = make_assessment(cast, anonymous=True)
    respond(
        Invitation.objects.create(assessment=assessment, person=cast.person),
        {"1.1:internal": "2"},
        submitted=True,
    )
    workshop = make_workshop(cast, assessment)
    presenter = device(PROJECTOR)
    sign_in(presenter, cast.facilitator.email)
    presenter.goto(workshop.get_absolute_url() + "present/")
    expect(presenter.get_by_text("0 joined so far")).to_be_visible()
    headings_in_order(presenter, "waiting to start")
    voters = [
        participants_service.join(workshop, role="officer", sector=sector, layer="executive")
        for sector in ("public", "third")
    ]
    workshop = step(workshop, "next")
    item = workshop.current.item
    expect(presenter.get_by_text("Voting opens soon.", exact=True)).to_be_visible(timeout=POLL)
    headings_in_order(presenter, "an item shown")
    forget_said(presenter)

    workshop = step(workshop, "open")
    expect(presenter.get_by_text("0 of 2 have voted")).to_be_visible(timeout=POLL)
    workshop = step(workshop, "timer", seconds=120)
    deadline = closes_at(workshop)
    expect(presenter.get_by_text(re.compile(r"Voting closes in \d:\d\d"))).to_be_visible(
        timeout=POLL
    )
    for voter, value in zip(voters, ["3", "4"], strict=True):
        voting_service.vote(workshop.code, voter.pk, workshop.current_id, {"internal": value})
        presenter.wait_for_timeout(QUIET)
    expect(presenter.get_by_text("2 of 2 have voted")).to_be_visible()
    headings_in_order(presenter, "voting")
    no_axe_violations(presenter, "presenter, voting")
    assert said(presenter) == [f"Voting is open on {item.key}", f"Voting closes at {deadline}"]

    workshop = step(workshop, "close")
    expect(presenter.get_by_text("Voting closed:")).to_be_visible(timeout=POLL)
    workshop = step(workshop, "reveal")
    expect(presenter.get_by_role("table")).to_be_visible(timeout=POLL)
    workshop = step(workshop, "show_remote")
    expect(presenter.get_by_text("fewer than 3 answers")).to_be_visible(timeout=POLL)
    workshop_service.record_consensus(workshop.current, {"agreed_internal": 3, "rationale": "3"})
    expect(presenter.get_by_text("Agreed: 3 against our own plans")).to_be_visible(timeout=POLL)
    headings_in_order(presenter, "results revealed")
    no_axe_violations(presenter, "presenter, results revealed")
    step(workshop, "finish")
    expect(presenter.get_by_role("heading", name="Thank you")).to_be_visible(timeout=POLL)
    headings_in_order(presenter, "finished")
    presenter.wait_for_timeout(QUIET)
    assert said(presenter) == [
        f"Voting is open on {item.key}",
        f"Voting closes at {deadline}",
        "Voting has closed",
        "The results are on the screen",
        "The workshop has finished",
    ]

    # Signed out, the message stands where the question was, as the page's heading.
    presenter.context.clear_cookies()
    expect(presenter.get_by_role("alert")).to_contain_text("You have been signed out", timeout=POLL)
    headings_in_order(presenter, "signed out")
    no_axe_violations(presenter, "presenter, signed out")


def test_voting_opened_with_a_countdown_at_once_is_said_in_the_order_it_happened(
    device, cast, bank
):
    workshop = make_workshop(cast, make_assessment(cast))
    phone = device()
    join_as(phone, workshop.code)
    workshop = step(workshop, "next")
    item = workshop.current.item
    expect(phone.get_by_text("Voting on this question opens soon")).to_be_visible(timeout=POLL)
    forget_said(phone)

    # Both before the phone's next poll: it hears them together, voting open first.
    workshop = step(workshop, "open")
    workshop = step(workshop, "timer", seconds=120)
    expect(phone.get_by_role("button", name="Vote")).to_be_visible(timeout=POLL)
    phone.wait_for_timeout(QUIET)
    assert said(phone) == [f"Voting is open on {item.key}. Voting closes at {closes_at(workshop)}"]
