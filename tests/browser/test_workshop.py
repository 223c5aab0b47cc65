"""A live workshop in real browsers: a facilitator's laptop, the projector and five phones.

Each runs in its own browser context (its own cookies), as separate devices
would. Screens change by polling alone: nobody reloads a page after joining.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, screenshot, sign_in
from tests.browser.console import in_place
from tests.builders import make_person, make_workshop
from workshops.models import Action, AgendaItem, Answer, Respondent, Workshop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What each phone votes on the three items; the second phone changes its mind on item 2.
VOTES = [
    ["3", "3", "2", "4", "3"],
    ["2", "1", "2", "2", "dont_know"],
    ["4", "3", "3", "4", "4"],
]
CHANGED = (1, 1, "3")  # item index, phone index, new vote
LABELS = {
    "1": "1 – Performs poorly",
    "2": "2 – Performs adequately",
    "3": "3 – Performs well",
    "4": "4 – Performs excellently",
    "dont_know": "Don't know",
}
POLL = 4_000  # a change must show within 2 s; allow for a slow CI machine


def control(page, name: str) -> None:
    in_place(page, lambda: page.get_by_role("button", name=name, exact=True).click())
    expect(page.get_by_text("There is a problem")).to_have_count(0)


def test_a_board_workshop_runs_three_items_to_an_agreed_rating(new_page, cast, assessment):
    make_person(cast, "Sam Okafor", role="board_member", layer="strategic", sector="third")

    # The facilitator sets the workshop up from the partnership page.
    console = new_page(DESKTOP)
    sign_in(console, cast.facilitator.email)
    console.goto(cast.partnership.get_absolute_url())
    console.get_by_role("link", name=f"Set up a workshop for {assessment.title}").click()
    console.get_by_label("Title").fill("Board away day")
    console.get_by_label("Board (strategic)").check()
    console.get_by_label("Day").fill("4")
    console.get_by_label("Month").fill("12")
    console.get_by_label("Year").fill("2026")
    console.get_by_role("button", name="Set up workshop").click()
    expect(console.get_by_text("Board away day is set up")).to_be_visible()
    workshop = Workshop.objects.get()
    agenda = list(workshop.agenda.select_related("item")[:3])

    # The projector shows how to join.
    presenter = new_page(DESKTOP)
    sign_in(presenter, cast.facilitator.email)
    presenter.goto(console.url.split("?")[0] + "present/")
    expect(presenter.locator(".lsp-present__code")).to_have_text(workshop.display_code)
    expect(presenter.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    expect(presenter.get_by_text("0 joined so far")).to_be_visible()

    # Five phones join with the code read off the screen: two by name, three anonymously.
    code = presenter.locator(".lsp-present__code").inner_text()
    phones = []
    for n in range(5):
        phone = new_page(PHONE)
        phone.goto("/w/")
        phone.get_by_label("Workshop code").fill(code.lower())
        phone.get_by_role("button", name="Continue").click()
        if n == 0:
            phone.get_by_label("Priya Shah, Eastvale District Council").check()
        elif n == 1:
            phone.get_by_label("Sam Okafor, Eastvale Council for Voluntary Service").check()
        else:
            phone.get_by_label("Stay anonymous").check()
            phone.get_by_label("Your role", exact=True).select_option(label="Officer")
            phone.get_by_label("Your sector").select_option(label="Public sector")
            phone.get_by_label("Your part of the partnership").select_option(label="Executive")
        phone.get_by_role("button", name="Join the workshop").click()
        expect(phone.get_by_role("heading", name="You have joined")).to_be_visible()
        phones.append(phone)
    expect(presenter.get_by_text("5 joined so far")).to_be_visible(timeout=POLL)

    for index, entry in enumerate(agenda):
        text = entry.item.text
        control(console, "Start with the first item" if index == 0 else "Next item")
        for phone in phones:
            expect(phone.get_by_role("heading", name=text)).to_be_visible(timeout=POLL)
            expect(phone.get_by_text("Voting on this question opens soon")).to_be_visible()
        expect(presenter.get_by_role("heading", name=text)).to_be_visible(timeout=POLL)

        control(console, "Open voting")
        for phone, value in zip(phones, VOTES[index], strict=True):
            phone.get_by_label(LABELS[value]).check(timeout=POLL)
            phone.get_by_role("button", name="Vote").click()
            expect(phone.get_by_text("Your vote is in")).to_be_visible()
        if index == CHANGED[0]:
            phone = phones[CHANGED[1]]
            phone.get_by_label(LABELS[CHANGED[2]]).check()
            phone.get_by_role("button", name="Change my vote").click()
            expect(phone.get_by_text("Your vote is in")).to_be_visible()
        expect(presenter.get_by_text("5 of 5 have voted")).to_be_visible(timeout=POLL)
        # Nothing of the distribution is on the projector before it is revealed.
        expect(presenter.locator(".lsp-tally")).to_have_count(0)
        if index == 0:
            screenshot(presenter, "workshop-presenter-voting")
            screenshot(phones[0], "workshop-phone-voting")

        control(console, "Close voting")
        for phone in phones:
            expect(phone.get_by_text("Voting on this question has closed")).to_be_visible(
                timeout=POLL
            )
        control(console, "Reveal results")
        final = list(VOTES[index])
        if index == CHANGED[0]:
            final[CHANGED[1]] = CHANGED[2]
        table = presenter.locator(".lsp-tally table").first
        expect(table).to_be_visible(timeout=POLL)
        for value, label in LABELS.items():
            row = table.get_by_role("row", name=re.compile("^" + re.escape(label)))
            expect(row.get_by_role("cell").first).to_have_text(
                re.compile(rf"^{final.count(value)} ")
            )
        if index == 0:
            screenshot(presenter, "workshop-presenter-revealed")

        # The board agrees a rating and the facilitator records it with the reasons.
        agreed = max(set(v for v in final if v.isdigit()), key=final.count)
        console.get_by_label("Agreed rating against our own plans (internal)").select_option(
            value=agreed
        )
        console.get_by_label("Why the board agreed this").fill(f"Most of the room said {agreed}")
        console.get_by_label("Strengths").fill("A clear, shared strategy")
        console.get_by_role("button", name="Record what was agreed").click()
        expect(console.get_by_text(f"agreed on {entry.item.key} is recorded")).to_be_visible()
        expect(presenter.get_by_text(f"Agreed: {agreed} against our own plans")).to_be_visible(
            timeout=POLL
        )
        if index == 2:
            console.get_by_label("Action").fill("Refresh the community strategy with partners")
            console.get_by_label("Owner organisation").select_option(
                label="Eastvale District Council"
            )
            console.get_by_role("button", name="Add action").click()
            expect(console.get_by_text("Action added to")).to_be_visible()
            screenshot(console, "workshop-console")

    console.get_by_role("link", name="Finish the workshop").click()
    console.get_by_role("button", name="Yes, finish the workshop").click()
    expect(console.get_by_text("Board away day has finished")).to_be_visible()
    for phone in phones:
        expect(phone.get_by_role("heading", name="The workshop has finished")).to_be_visible(
            timeout=POLL
        )
    expect(presenter.get_by_role("heading", name="Thank you")).to_be_visible(timeout=POLL)

    # What the database holds is what the room did.
    participants = list(Respondent.objects.filter(workshop=workshop).order_by("pk"))
    assert len(participants) == 5 and {p.channel for p in participants} == {"workshop"}
    assert participants[0].person == cast.person
    assert [p.sector for p in participants] == ["public", "third", "public", "public", "public"]
    for index, entry in enumerate(agenda):
        final = list(VOTES[index])
        if index == CHANGED[0]:
            final[CHANGED[1]] = CHANGED[2]
        stored = [
            Answer.objects.get(respondent=p, item=entry.item, basis="internal").value
            for p in participants
        ]
        assert stored == final
    agreed = AgendaItem.objects.filter(workshop=workshop, agreed_at__isnull=False)
    assert agreed.count() == 3
    assert all(a.rationale.startswith("Most of the room said") for a in agreed)
    action = Action.objects.get()
    assert (action.item, action.owner, action.workshop) == (agenda[2].item, cast.council, workshop)


def join_as(phone, code: str, name: str) -> None:
    phone.goto(f"/w/{code}/join/")
    phone.get_by_label(name).check()
    phone.get_by_role("button", name="Join the workshop").click()


def test_a_phone_asking_for_a_taken_name_gets_in_once_the_facilitator_approves(
    new_page, cast, assessment
):
    workshop = make_workshop(cast, assessment)
    console = new_page(DESKTOP)
    sign_in(console, cast.facilitator.email)
    console.goto(workshop.get_absolute_url())
    expect(console.get_by_text("0 of 1 expected have joined")).to_be_visible()

    first = new_page(PHONE)
    join_as(first, workshop.code, "Priya Shah, Eastvale District Council")
    expect(first.get_by_role("heading", name="You have joined")).to_be_visible()
    expect(console.get_by_text("1 of 1 expected has joined")).to_be_visible(timeout=POLL)

    # A second phone picks the same name: a choice, not her place.
    second = new_page(PHONE)
    join_as(second, workshop.code, "Priya Shah, Eastvale District Council")
    expect(
        second.get_by_text("Someone has already joined as Priya Shah on another device")
    ).to_be_visible()
    expect(second.get_by_role("link", name="Join anonymously")).to_be_visible()
    second.get_by_role("button", name="Ask the facilitator to let you in as Priya Shah").click()
    expect(second.get_by_role("heading", name="Waiting to be let in")).to_be_visible()

    # The console hears of it without a reload, and the facilitator lets the phone in.
    expect(console.get_by_text("1 phone waiting to be let in")).to_be_visible(timeout=POLL)
    expect(console.get_by_text("who has already joined on another phone")).to_be_visible()
    in_place(console, lambda: console.get_by_role("button", name=re.compile("^Admit")).click())
    expect(console.get_by_text("Priya Shah is now on the phone you let in")).to_be_visible()

    # The waiting phone moves on by itself; the first phone's votes are refused.
    expect(second.get_by_role("heading", name="You have joined")).to_be_visible(timeout=POLL + 3000)
    control(console, "Start with the first item")
    control(console, "Open voting")
    for phone in (first, second):
        phone.get_by_label(LABELS["3"]).check(timeout=POLL)
        phone.get_by_role("button", name="Vote").click()
    expect(second.get_by_text("Your vote is in")).to_be_visible()
    expect(first.get_by_text("You are no longer in this workshop")).to_be_visible()
    participant = Respondent.objects.get(workshop=workshop)
    assert participant.person == cast.person
    assert [a.value for a in Answer.objects.filter(respondent=participant)] == ["3"]
