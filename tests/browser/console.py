"""Pressing the facilitator's console: its forms send in place, without a page load.

While a press is on its way the console's working area is marked busy
(aria-busy); the console is up to date once the mark is gone.
"""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import expect


def in_place(page, press: Callable[[], object]) -> None:
    """Press something on the console and wait until the console has updated in place."""
    press()
    expect(page.locator("[data-console][aria-busy=true]")).to_have_count(0)
