"""Priorities voted from phones, in real browsers: the facilitator's laptop, the projector
and three phones run a dot vote to a reveal, and the totals order the plan's priorities."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, sign_in
from tests.browser.console import in_place, open_room
from tests.browser.phones import join_anonymously
from tests.browser.test_accessibility import describe, violations
from tests.browser.test_workshop import POLL, control
from tests.builders import make_workshop
from workshops.models import DotAllocation
from workshops.services.plan import plan_for
from workshops.services.priorities import add_priority

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each phone's dots (3 each, at most 2 on one priority). Totals: Youth services 4,
# Mental health 3, Transport 2, Housing 0.
DOTS = [
    {"Youth services": 2, "Mental health": 1},
    {"Youth services": 2, "Transport": 1},
    {"Mental health": 2, "Transport": 1},
]


def no_axe_violations(page, where: str) -> None:
    found = violations(page)
    assert not found, describe(where, "phone", found)


def put_to_the_room(console) -> None:
    """The plan's priorities, and "Mental health" typed, put to the room: up to 2 dots on one."""
    console.get_by_role("link", name="Put priorities to the room").click()
    console.get_by_label("What the room is asked").fill("Where should we start?")
    console.get_by_label("Other priorities to vote on (optional)").fill("Mental health")
    console.get_by_label("Most dots a phone may put on one priority").fill("2")
    console.get_by_role("button", name="Put to the room").click()
    expect(console.get_by_text("is on the room's phones")).to_be_visible()


def test_a_dot_vote_from_phones_orders_the_plans_priorities(new_page, cast, assessment):
    plan = plan_for(assessment)
    for text in ("Housing", "Transport", "Youth services"):
        add_priority(plan, text)
    workshop = make_workshop(cast, assessment)

    console, presenter, phones = open_room(new_page, cast, workshop, len(DOTS))

    # The facilitator puts the plan's priorities, and one typed, to the room.
    put_to_the_room(console)
    for phone in phones:
        expect(phone.get_by_role("heading", name="Where should we start?")).to_be_visible(
            timeout=POLL
        )
    expect(presenter.get_by_role("heading", name="Where should we start?")).to_be_visible(
        timeout=POLL
    )

    control(console, "Open voting")
    first = phones[0]
    ballot = first.get_by_role("group", name="Where should we start?: place your dots")
    expect(ballot).to_be_visible(timeout=POLL)
    no_axe_violations(first, "the dot ballot")

    # Too many dots: refused with the error summary, and nothing stored.
    for text in ("Housing", "Transport", "Youth services", "Mental health"):
        first.get_by_label(text).fill("1")
    first.get_by_role("button", name="Send my dots").click()
    expect(first.get_by_text("There is a problem")).to_be_visible()
    expect(first.locator(".govuk-error-summary")).to_contain_text("You placed 4 dots but have 3")
    assert not DotAllocation.objects.exists()
    no_axe_violations(first, "the dot ballot with an error")

    for phone, dots in zip(phones, DOTS, strict=True):
        for text in ("Housing", "Transport", "Youth services", "Mental health"):
            phone.get_by_label(text).fill(str(dots.get(text, 0)))
        phone.get_by_role("button", name="Send my dots").click()
        expect(phone.get_by_text("Your 3 dots are in.")).to_be_visible()
    # The first phone sends again: it still counts once.
    first.get_by_role("button", name="Change my dots").click()
    expect(first.get_by_text("Your 3 dots are in.")).to_be_visible()
    expect(presenter.get_by_text("3 of 3 have voted")).to_be_visible(timeout=POLL)
    expect(presenter.locator(".lsp-dot-totals")).to_have_count(0)

    control(console, "Close voting")
    for phone in phones:
        expect(phone.get_by_text("Voting on these priorities has closed")).to_be_visible(
            timeout=POLL
        )
    control(console, "Reveal results")
    totals = presenter.locator(".lsp-dot-totals tbody tr")
    expect(totals).to_have_text(
        ["Youth services 4", "Mental health 3", "Transport 2", "Housing 0"], timeout=POLL
    )
    expect(first.locator(".lsp-dot-totals")).to_be_visible(timeout=POLL)
    no_axe_violations(first, "the phone's totals")

    in_place(console, console.get_by_role("button", name="Put the totals on the plan").click)
    expect(console.get_by_text("are on the plan and order its priorities")).to_be_visible()
    console.get_by_role("link", name="See the plan's priorities").click()
    rows = console.locator("#priorities tbody tr")
    expect(rows.locator("td:nth-child(2)")).to_have_text(
        [
            "Youth services (Added by the coordinator)",
            "Mental health (Workshop)",
            "Transport (Added by the coordinator)",
            "Housing (Added by the coordinator)",
        ]
    )


def test_a_phone_orders_a_ranking_with_the_keyboard_alone(new_page, cast, assessment):
    plan = plan_for(assessment)
    for text in ("Housing", "Transport", "Youth services"):
        add_priority(plan, text)
    workshop = make_workshop(cast, assessment)
    console = new_page(DESKTOP)
    sign_in(console, cast.facilitator.email)
    console.goto(workshop.get_absolute_url())

    phone = new_page(PHONE, axe=True)
    join_anonymously(phone, workshop.code)

    console.get_by_role("link", name="Put priorities to the room").click()
    console.get_by_label("Ranking (each phone puts them in order)").check()
    console.get_by_role("button", name="Put to the room").click()
    control(console, "Open voting")

    ranking = phone.get_by_role("group", name="Which priorities matter most?: put them in order")
    expect(ranking).to_be_visible(timeout=POLL)
    no_axe_violations(phone, "the ranking")
    # Youth services to the top, by keyboard: focus its Move up button and press Enter twice.
    for _ in range(2):
        phone.get_by_role("button", name=re.compile(r"^Move up\W+Youth services")).focus()
        phone.keyboard.press("Enter")
        expect(phone.get_by_text("Your order is in.")).to_be_visible()
        # The page comes back at the priority moved, so the keyboard carries on from there.
        expect(phone.locator(".lsp-ranking > li", has_text="Youth services")).to_be_focused()
    items = phone.locator(".lsp-ranking > li .lsp-ranking__text")
    expect(items).to_have_text(["Youth services", "Housing", "Transport"])
    no_axe_violations(phone, "the ranking once moved")

    control(console, "Close voting")
    control(console, "Reveal results")
    totals = phone.locator(".lsp-dot-totals tbody tr")
    expect(totals).to_have_text(["Youth services 2", "Housing 1", "Transport 0"], timeout=POLL)
