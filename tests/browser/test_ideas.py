"""Ideas from phones, in real browsers: the facilitator's laptop, the projector and three
phones; phones send ideas, the console moderates them (hides one, merges two, groups and
approves), the projector shows only what was approved, and an idea becomes a priority."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.console import in_place, open_room
from tests.browser.test_accessibility import describe, violations
from tests.browser.test_workshop import POLL, control
from tests.builders import make_workshop
from workshops.models import Idea
from workshops.services.plan import plan_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROMPT = "What one thing would most improve our board meetings?"
# What each phone sends: the first sends two.
SENT = [
    ["Shorter board papers", "Rude words about the chair"],
    ["Board papers are too long"],
    ["Start meetings on time"],
]


def no_axe_violations(page, where: str, size: str = "phone") -> None:
    found = violations(page)
    assert not found, describe(where, size, found)


def row(console, text: str):
    """The console's row of the idea with these words."""
    return console.locator("tr", has=console.locator(f".lsp-ideas__idea:text-is('{text}')"))


def test_ideas_from_phones_are_moderated_before_the_room_sees_them(new_page, cast, assessment):
    workshop = make_workshop(cast, assessment)
    console, presenter, phones = open_room(new_page, cast, workshop, len(SENT), axe=True)

    # The facilitator types a prompt and asks the room.
    console.get_by_role("link", name="Ask the room for ideas").click()
    console.get_by_label("What the room is asked").fill(PROMPT)
    console.get_by_role("button", name="Ask the room for ideas").click()
    expect(console.get_by_text("is on the room's phones")).to_be_visible()
    control(console, "Open voting")
    for phone in phones:
        expect(phone.get_by_role("heading", name=PROMPT)).to_be_visible(timeout=POLL)
        expect(phone.get_by_label("Your idea", exact=True)).to_be_visible(timeout=POLL)
    first = phones[0]
    no_axe_violations(first, "the idea form")

    # Too long: refused with the error summary linking to the field; nothing stored.
    first.get_by_label("Your idea", exact=True).fill("x" * 281)
    first.get_by_role("button", name="Send idea").click()
    summary = first.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Your idea must be 280 characters or fewer.")
    summary.get_by_role("link").click()
    expect(first.get_by_label("Your idea", exact=True)).to_be_focused()
    assert not Idea.objects.exists()
    no_axe_violations(first, "the idea form with an error")

    for phone, ideas in zip(phones, SENT, strict=True):
        for text in ideas:
            phone.get_by_label("Your idea", exact=True).fill(text)
            phone.get_by_role("button", name="Send idea").click()
            expect(phone.get_by_text("Your idea is in.")).to_be_visible()
    expect(first.get_by_role("heading", name="Your ideas (2)")).to_be_visible()
    no_axe_violations(first, "the phone's own ideas")

    # The console shows them as they arrive; the projector shows none of them.
    for ideas in SENT:
        for text in ideas:
            expect(row(console, text)).to_be_visible(timeout=POLL)
    expect(presenter.get_by_text("4 ideas")).to_be_visible(timeout=POLL)
    for ideas in SENT:
        for text in ideas:
            expect(presenter.get_by_text(text)).to_have_count(0)

    # Moderation: hide one, merge two, put one under a heading, approve what is shown.
    in_place(
        console, row(console, "Rude words about the chair").get_by_role("button", name="Hide").click
    )
    too_long = row(console, "Board papers are too long")
    too_long.get_by_label("Merge into").select_option(label="Shorter board papers")
    in_place(console, too_long.get_by_role("button", name="Merge").click)
    expect(row(console, "Board papers are too long")).to_contain_text("Merged into")
    console.get_by_label("New heading to group ideas under").fill("Papers")
    in_place(console, console.get_by_role("button", name="Add heading").click)
    shorter = row(console, "Shorter board papers")
    shorter.get_by_label("Heading").select_option(label="Papers")
    in_place(console, shorter.get_by_role("button", name="Put under heading").click)
    in_place(console, console.get_by_role("button", name="Approve all shown").click)
    expect(console.get_by_text("2 ideas approved for the screen.")).to_be_visible()
    no_axe_violations(console, "the console's ideas", "desktop")

    control(console, "Close voting")
    for phone in phones:
        expect(phone.get_by_text("Collecting ideas has closed.")).to_be_visible(timeout=POLL)
    control(console, "Reveal results")
    expect(presenter.get_by_role("heading", name="Papers")).to_be_visible(timeout=POLL)
    shown = presenter.locator(".lsp-present-ideas li")
    expect(shown).to_have_text(["Shorter board papers 2 people", "Start meetings on time"])
    expect(presenter.get_by_text("Rude words about the chair")).to_have_count(0)
    expect(presenter.get_by_text("Board papers are too long")).to_have_count(0)

    # One approved idea becomes a priority on the plan, in one step.
    press = row(console, "Shorter board papers").get_by_role("button", name="Make a priority")
    in_place(console, press.click)
    expect(console.get_by_text("“Shorter board papers” is a priority on the plan.")).to_be_visible()
    plan = plan_for(assessment)
    assert list(plan.priorities.values_list("text", flat=True)) == ["Shorter board papers"]
    console.goto(reverse("plan", args=[cast.partnership.pk, assessment.pk]))
    expect(console.locator("#priorities")).to_contain_text("Shorter board papers")
