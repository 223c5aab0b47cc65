"""Pressing the facilitator's console: its forms send in place, without a page load.

While a press is on its way the console's working area is marked busy
(aria-busy); the console is up to date once the mark is gone.
"""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, sign_in
from tests.browser.phones import join_anonymously


def in_place(page, press: Callable[[], object]) -> None:
    """Press something on the console and wait until the console has updated in place."""
    press()
    expect(page.locator("[data-console][aria-busy=true]")).to_have_count(0)


def console_and_projector(new_page, email: str, workshop, *, axe: bool = False) -> tuple:
    """The facilitator signed in on a laptop at the console and on the projector's computer
    at the presenter view: (console, presenter)."""
    console = new_page(DESKTOP, axe=axe)
    sign_in(console, email)
    console.goto(workshop.get_absolute_url())
    presenter = new_page(DESKTOP)
    sign_in(presenter, email)
    presenter.goto(workshop.get_absolute_url() + "present/")
    return console, presenter


def open_room(new_page, cast, workshop, phones: int, *, axe: bool = False) -> tuple:
    """The console and the projector, and phones that have joined anonymously (checked
    for accessibility): (console, presenter, [phones])."""
    console, presenter = console_and_projector(new_page, cast.facilitator.email, workshop, axe=axe)
    joined = []
    for _ in range(phones):
        phone = new_page(PHONE, axe=True)
        join_anonymously(phone, workshop.code)
        joined.append(phone)
    return console, presenter, joined
