"""Playwright driving the system's Chromium against pytest-django's live server.

Playwright's own browser download is not available, so the tests use the
distribution's Chromium through ``executable_path``. Without one they skip
with a reason locally, but fail under CI, where a browser must be present.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.builders import PASSWORD

CANDIDATES = ["chromium", "chromium-browser", "google-chrome"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def find_chromium() -> str | None:
    explicit = os.environ.get("CHROMIUM_PATH")
    if explicit:
        return explicit if Path(explicit).exists() else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def browser():
    executable = find_chromium()
    if executable is None:
        message = "No Chromium found (install Debian's chromium package or set CHROMIUM_PATH)."
        if os.environ.get("CI"):
            pytest.fail(message + " Browser tests must run under CI.")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread, but the ORM
    # calls the tests make themselves (fixtures, assertions) are synchronous.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def new_page(browser, live_server):
    """Open a page in a fresh browser context (its own cookies) at a viewport size.

    ``axe``: the page's Content Security Policy is bypassed, only so that the axe
    checker may be injected. ``init_script`` runs in every page before its own."""
    contexts = []

    def open_page(viewport=DESKTOP, *, axe: bool = False, init_script: str | None = None):
        context = browser.new_context(viewport=viewport, base_url=live_server.url, bypass_csp=axe)
        if init_script:
            context.add_init_script(init_script)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page, email: str) -> None:
    """Sign in through the login page, as a person would."""
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    # Until the sign-in page has gone, the next goto could cancel the sign-in on its way.
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
