"""A whole workshop day in real browsers: the facilitator's laptop, the projector and eight
phones take a rated question, ideas moderated before the projector shows them, and a dot
vote that orders the plan's priorities, one of them from an idea; the board
agrees the plan, the coordinator publishes the summary, and partners read it from their
personal link and from the workshop's code, on the page and in its PDF."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import PHONE
from tests.browser.console import console_and_projector, in_place
from tests.browser.phones import join_anonymously, join_as
from tests.browser.test_dots import put_to_the_room
from tests.browser.test_ideas import row
from tests.browser.test_workshop import POLL, control
from tests.builders import make_workshop
from tests.builders import respond as respond_online
from workshops.models import Action, Invitation
from workshops.services import summary
from workshops.services.plan import agree_plan, plan_for
from workshops.services.priorities import add_priority

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONES = 8
# Each phone's rating of 1.1 against the LSP's own plans: five 3s, two 2s, one 4.
RATINGS = ["3", "3", "2", "4", "3", "2", "3", "3"]
LABELS = {"2": "2 – Performs adequately", "3": "3 – Performs well", "4": "4 – Performs excellently"}
# Each phone's idea for the board's meetings: one is hidden, one merged into the first.
PROMPT = "What one thing would most improve our board meetings?"
IDEAS = [
    "Shorter board papers",
    "Board papers are too long",
    "Start meetings on time",
    "Rude words about the chair",
    "Hear from a community group at each meeting",
    "Send papers a week ahead",
    "Fewer items on each agenda",
    "Rotate where the board meets",
]
SHOWN = [
    "Shorter board papers 2 people",
    "Start meetings on time",
    "Hear from a community group at each meeting",
    "Send papers a week ahead",
    "Fewer items on each agenda",
    "Rotate where the board meets",
]
# Each phone's three dots, at most two on one priority.
DOTS = [
    {"Youth services": 2, "Mental health": 1},
    {"Youth services": 1, "Transport": 2},
    {"Mental health": 2, "Shorter board papers": 1},
    {"Youth services": 2, "Shorter board papers": 1},
    {"Youth services": 1, "Mental health": 1, "Transport": 1},
    {"Youth services": 2, "Shorter board papers": 1},
    {"Mental health": 2, "Youth services": 1},
    {"Shorter board papers": 2, "Mental health": 1},
]
TOTALS = [
    "Youth services 9",
    "Mental health 7",
    "Shorter board papers 5",
    "Transport 3",
    "Housing 0",
]
CANDIDATES = ("Housing", "Transport", "Youth services", "Shorter board papers", "Mental health")
ACTION = "Bring the youth services review to the board"
RATIONALE = "Most of the room said 3; the strategy predates the housing growth."


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_a_workshop_day_from_phones_to_the_published_summary(new_page, cast, assessment):
    plan = plan_for(assessment)
    for text in ("Housing", "Transport", "Youth services"):
        add_priority(plan, text)
    invitation = Invitation.objects.create(assessment=assessment, person=cast.person)
    respond_online(invitation, {"1.1:internal": "3"}, submitted=True)
    workshop = make_workshop(cast, assessment, expected=PHONES)

    console, presenter = console_and_projector(new_page, cast.facilitator.email, workshop)

    # Priya Shah joins by name on her phone; seven others join anonymously.
    phones = [new_page(PHONE)]
    join_as(phones[0], workshop.code)
    for _ in range(PHONES - 1):
        phone = new_page(PHONE)
        join_anonymously(phone, workshop.code)
        phones.append(phone)
    expect(presenter.get_by_text(f"{PHONES} joined so far")).to_be_visible(timeout=POLL)

    # A rated question: every phone votes, the room's count is revealed and agreed.
    control(console, "Start with the first item")
    control(console, "Open voting")
    for phone, rating in zip(phones, RATINGS, strict=True):
        phone.get_by_role("group", name="Against our own plans").get_by_label(LABELS[rating]).check(
            timeout=POLL
        )
        phone.get_by_role("button", name="Vote").click()
        expect(phone.get_by_text("Your vote is in")).to_be_visible()
    expect(presenter.get_by_text(f"{PHONES} of {PHONES} have voted")).to_be_visible(timeout=POLL)
    control(console, "Close voting")
    control(console, "Reveal results")
    for screen in (presenter, phones[0]):
        threes = screen.locator(".lsp-present-chart tbody tr", has_text="3 – Performs well")
        expect(threes.locator("td").first).to_have_text(re.compile(r"^5 \(6[23]%\)"), timeout=POLL)
    console.get_by_label("Agreed rating against our own plans (internal)").select_option("3")
    console.get_by_label("Why the board agreed this").fill(RATIONALE)
    in_place(console, console.get_by_role("button", name="Record what was agreed").click)
    expect(presenter.get_by_text("Agreed: 3 against our own plans")).to_be_visible(timeout=POLL)

    # Ideas: each phone sends one. The projector shows none until the facilitator has
    # hidden one, merged two and approved the rest; then one becomes a priority.
    console.get_by_role("link", name="Ask the room for ideas").click()
    console.get_by_label("What the room is asked").fill(PROMPT)
    console.get_by_role("button", name="Ask the room for ideas").click()
    expect(console.get_by_text("is on the room's phones")).to_be_visible()
    control(console, "Open voting")
    for phone, text in zip(phones, IDEAS, strict=True):
        phone.get_by_label("Your idea", exact=True).fill(text, timeout=POLL)
        phone.get_by_role("button", name="Send idea").click()
        expect(phone.get_by_text("Your idea is in.")).to_be_visible()
    for text in IDEAS:
        expect(row(console, text)).to_be_visible(timeout=POLL)
    expect(presenter.get_by_text(f"{PHONES} ideas")).to_be_visible(timeout=POLL)
    assert not any(text in presenter.content() for text in IDEAS)
    hidden = row(console, "Rude words about the chair").get_by_role("button", name="Hide")
    in_place(console, hidden.click)
    duplicate = row(console, "Board papers are too long")
    duplicate.get_by_label("Merge into").select_option(label="Shorter board papers")
    in_place(console, duplicate.get_by_role("button", name="Merge").click)
    in_place(console, console.get_by_role("button", name="Approve all shown").click)
    expect(console.get_by_text(f"{len(SHOWN)} ideas approved for the screen.")).to_be_visible()
    control(console, "Close voting")
    control(console, "Reveal results")
    expect(presenter.locator(".lsp-present-ideas li")).to_have_text(SHOWN, timeout=POLL)
    assert "Rude words about the chair" not in presenter.content()
    made = row(console, "Shorter board papers").get_by_role("button", name="Make a priority")
    in_place(console, made.click)
    expect(console.get_by_text("“Shorter board papers” is a priority on the plan.")).to_be_visible()

    # A dot vote on the plan's priorities, and one typed, orders the plan.
    put_to_the_room(console)
    control(console, "Open voting")
    for phone, dots in zip(phones, DOTS, strict=True):
        ballot = phone.get_by_role("group", name="Where should we start?: place your dots")
        expect(ballot).to_be_visible(timeout=POLL)
        for text in CANDIDATES:
            ballot.get_by_label(text).fill(str(dots.get(text, 0)))
        phone.get_by_role("button", name="Send my dots").click()
        expect(phone.get_by_text("Your 3 dots are in.")).to_be_visible()
    expect(presenter.get_by_text(f"{PHONES} of {PHONES} have voted")).to_be_visible(timeout=POLL)
    control(console, "Close voting")
    control(console, "Reveal results")
    expect(presenter.locator(".lsp-dot-totals tbody tr")).to_have_text(TOTALS, timeout=POLL)
    in_place(console, console.get_by_role("button", name="Put the totals on the plan").click)
    expect(console.get_by_text("are on the plan and order its priorities")).to_be_visible()

    # The board agrees the plan, with an action it owns; the coordinator publishes the summary.
    Action.objects.create(
        assessment=assessment,
        title=ACTION,
        owner=cast.council,
        owner_person=cast.person,
        status=Action.Status.NOT_STARTED,
    )
    agree_plan(plan_for(assessment), cast.coordinator)
    summary.publish(assessment, by=cast.coordinator)
    order = [total.rsplit(" ", 1)[0] for total in TOTALS]

    # Priya reads it from her personal link, and downloads its PDF.
    reader = phones[0]
    reader.goto(reverse("questionnaire", args=[invitation.token]))
    reader.get_by_role("link", name="Read the summary of results").click()
    expect(
        reader.get_by_role("heading", name=f"Summary of results: {assessment.title}")
    ).to_be_visible()
    priorities = reader.locator("#priorities ol li")
    expect(priorities).to_have_text(order)
    expect(reader.get_by_text(RATIONALE)).to_be_visible()
    with reader.expect_download() as download_info:
        reader.get_by_role("link", name="Download the summary as a PDF").click()
    text = text_of(Path(download_info.value.path()).read_bytes())
    assert "Version 1 of the improvement plan, agreed by the board" in text
    assert [text.index(priority) for priority in order] == sorted(
        text.index(priority) for priority in order
    )
    assert RATIONALE in text
    assert f"{ACTION} Priya Shah, Eastvale District Council" in text

    # An anonymous participant opens the workshop's code again: the phone is taken to its
    # room, which links the summary.
    other = phones[-1]
    other.goto(reverse("workshop-join", args=[workshop.code]))
    other.get_by_role("link", name="Read the summary of results").click()
    expect(other.locator("#priorities ol li")).to_have_text(order)
    expect(other.get_by_text(RATIONALE)).to_be_visible()
