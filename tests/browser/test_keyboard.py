"""Live workshops with the keyboard alone: a phone joins, votes and changes its
vote; a facilitator runs an item from opening the vote to the agreed rating.

Nothing is clicked or filled in: Tab, Shift+Tab, Space, Enter and the arrow
keys move and choose, and text is typed into the field that has focus. After
every key the focus must be on screen and show its indicator (tests.browser.keyboard).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, screenshot
from tests.browser.console import in_place
from tests.browser.keyboard import (
    arrow_to,
    button,
    focused,
    labelled,
    press,
    sign_in_by_keyboard,
    submit,
    tab_to,
)
from tests.builders import make_person, make_workshop
from workshops.models import Action, Answer, Respondent, Workshop
from workshops.services import participants as participants_service
from workshops.services import voting as voting_service
from workshops.services import workshop as workshop_service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POLL = 4_000  # phones and the console poll every second


def is_radio(name: str):
    return lambda f: f["type"] == "radio" and f["name"] == name


def join_by_keyboard(page, code: str, who: str) -> None:
    """Type the code from the screen, then choose who you are from the radios."""
    page.goto("/w/")
    tab_to(page, labelled("Workshop code"))
    page.keyboard.type(code.lower())
    submit(page)  # Enter in the field sends the form
    expect(page.get_by_role("heading", level=1)).to_contain_text("Join Board away day")
    tab_to(page, is_radio("who"))
    press(page, "Space")  # the first choice; the arrow keys move the choice on
    arrow_to(page, labelled(who))


def choose(page, field: str, option: str) -> None:
    """Tab to a select and step through its options with the arrow keys."""
    tab_to(page, labelled(field))
    arrow_to(page, lambda f: f["option"] == option)


def vote_by_keyboard(page, value: str, send: str) -> None:
    """Choose a rating in the ballot with the arrow keys and send it."""
    now = focused(page)
    if now.get("type") != "radio":
        now = tab_to(page, is_radio("internal"), back=now.get("text") == send)
    if not now["checked"]:
        press(page, "Space")
    arrow_to(page, lambda f: f["value"] == value)
    tab_to(page, button(send))
    with page.expect_response(lambda r: r.url.endswith("/vote/")) as sent:
        page.keyboard.press("Enter")
    assert sent.value.ok
    expect(page.get_by_text("Your vote is in")).to_be_visible()
    # The button stays where the keyboard left it, ready to change the vote.
    assert focused(page)["problem"] is None
    assert focused(page)["text"] == "Change my vote"


def test_partners_join_vote_and_change_their_vote_by_keyboard_on_phones(new_page, cast, assessment):
    make_person(cast, "Sam Okafor", role="board_member", layer="strategic", sector="third")
    workshop = make_workshop(cast, assessment)

    named = new_page(PHONE)
    join_by_keyboard(named, workshop.display_code, "Priya Shah, Eastvale District Council")
    tab_to(named, button("Join the workshop"))
    submit(named)
    expect(named.get_by_role("heading", name="You have joined")).to_be_visible()

    anonymous = new_page(PHONE)
    join_by_keyboard(anonymous, workshop.display_code, "Stay anonymous")
    choose(anonymous, "Your role", "Officer")
    choose(anonymous, "Your sector", "Public sector")
    choose(anonymous, "Your part of the partnership", "Executive")
    tab_to(anonymous, button("Join the workshop"))
    submit(anonymous)
    expect(anonymous.get_by_role("heading", name="You have joined")).to_be_visible()

    # The facilitator opens the first item; the phones see the ballot without a reload.
    workshop_service.change(workshop.pk, "next")
    workshop_service.change(workshop.pk, "open")
    entry = Workshop.objects.get(pk=workshop.pk).current
    for phone in (named, anonymous):
        expect(phone.get_by_role("button", name="Vote")).to_be_visible(timeout=POLL)

    vote_by_keyboard(named, "3", "Vote")
    screenshot(named, "keyboard-phone-voted")
    vote_by_keyboard(anonymous, "dont_know", "Vote")
    # Shift+Tab from "Change my vote" goes back to the chosen rating, and on.
    vote_by_keyboard(named, "4", "Change my vote")

    priya = Respondent.objects.get(workshop=workshop, person=cast.person)
    stranger = Respondent.objects.get(workshop=workshop, person=None)
    assert (stranger.role, stranger.sector, stranger.layer) == ("officer", "public", "executive")
    votes = {
        who: Answer.objects.get(respondent=who, item=entry.item, basis="internal").value
        for who in (priya, stranger)
    }
    assert votes == {priya: "4", stranger: "dont_know"}


def run(page, control: str, *, back: bool = False) -> None:
    """Tab to one of the console's workshop controls and press it."""
    tab_to(page, button(control), back=back)
    send(page)
    expect(page.get_by_text("There is a problem")).to_have_count(0)


def send(console) -> None:
    """Press Enter on the console, which updates it in place."""
    in_place(console, lambda: console.keyboard.press("Enter"))


def test_a_facilitator_runs_an_item_to_an_agreed_rating_by_keyboard(new_page, cast, assessment):
    workshop = make_workshop(cast, assessment)
    first, second = workshop.agenda.select_related("item")[:2]
    voters = [
        participants_service.join(workshop, person=cast.person),
        participants_service.join(workshop, role="officer", sector="public", layer="executive"),
    ]

    console = new_page(DESKTOP)
    sign_in_by_keyboard(console, cast.facilitator.email)
    console.goto(workshop.get_absolute_url())
    run(console, "Start with the first item")
    expect(console.locator(".lsp-status")).to_contain_text(first.item.text)
    run(console, "Open voting")

    # The facilitator waits on "Close voting" while the votes come in: the live
    # panel is redrawn around the keyboard's focus and must leave it in place.
    tab_to(console, button("Close voting"))
    for voter, value in zip(voters, ["3", "4"], strict=True):
        voting_service.vote(workshop.code, voter.pk, first.pk, {"internal": value})
    expect(console.locator(".lsp-status")).to_contain_text("2 of 2 voted", timeout=POLL)
    kept = focused(console)
    assert kept["problem"] is None and kept["text"] == "Close voting", kept
    send(console)
    expect(console.locator(".lsp-status")).to_contain_text("Voting closed")
    run(console, "Reveal results")
    expect(console.locator(".lsp-tally")).to_contain_text("3 – Performs well")

    choose(console, "Agreed rating against our own plans (internal)", "3 – Performs well")
    tab_to(console, labelled("Why the board agreed this"))
    console.keyboard.type("Most of the room said 3; the strategy is shared but not yet used")
    tab_to(console, button("Record what was agreed"))
    send(console)
    expect(
        console.get_by_text(f"What the room agreed on {first.item.key} is recorded")
    ).to_be_visible()
    screenshot(console, "keyboard-console-agreed")

    # An action for the plan, then past the button that would remove it.
    tab_to(console, labelled("Action"))
    console.keyboard.type("Show partners how the strategy shapes their plans")
    tab_to(console, button("Add action"))
    send(console)
    expect(console.get_by_text("Action added to")).to_be_visible()
    tab_to(console, lambda f: f["tag"] == "BUTTON" and f["text"].startswith("Remove"))
    run(console, "Next item", back=True)
    expect(console.locator(".lsp-status")).to_contain_text(second.item.text)

    workshop.refresh_from_db()
    assert (workshop.state, workshop.current_id) == (Workshop.State.READY, second.pk)
    first.refresh_from_db()
    assert first.agreed_internal == 3
    assert first.rationale.startswith("Most of the room said 3")
    assert first.agreed_at is not None
    stored = Answer.objects.filter(item=first.item, respondent__workshop=workshop)
    assert sorted(answer.value for answer in stored) == ["3", "4"]
    action = Action.objects.get()
    assert (action.item, action.workshop) == (first.item, workshop)
    assert action.description == "Show partners how the strategy shapes their plans"
