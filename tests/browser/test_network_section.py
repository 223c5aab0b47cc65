"""The network section in a big partnership: 40 organisations, answered on a phone
320 pixels wide with the keyboard alone, left halfway and found again from the link."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.keyboard import press, submit, tab_to
from tests.browser.test_accessibility import check
from tests.builders import make_assessment, make_organisations
from workshops.models import Invitation, NetworkAnswer
from workshops.models.assessment import Scope

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW_PHONE = {"width": 320, "height": 640}
SIDEWAYS = "document.documentElement.scrollWidth > window.innerWidth"


@pytest.fixture
def big_partnership(cast, bank):
    """The council and 39 other organisations of the three sectors."""
    make_organisations(
        cast.partnership,
        public=[f"Public body {n:02}" for n in range(1, 14)],
        private=[f"Private firm {n:02}" for n in range(1, 14)],
        third=[f"Voluntary group {n:02}" for n in range(1, 14)],
    )
    assessment = make_assessment(cast, scope=Scope.ELEMENTS, sections=(8,), network=True)
    return Invitation.objects.create(assessment=assessment, person=cast.person)


def test_forty_organisations_are_answered_by_keyboard_on_a_narrow_phone_and_resumed(
    browser, live_server, big_partnership
):
    link = f"{live_server.url}/a/{big_partnership.token}/"
    first = browser.new_context(viewport=NARROW_PHONE)
    page = first.new_page()
    page.goto(link + "network/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "How your organisation works with partners"
    )
    assert page.locator("[data-partner]").count() == 39
    assert not page.evaluate(SIDEWAYS), "the page scrolls sideways at 320 pixels"
    # With JavaScript, the ratings wait until the organisations are said to work together.
    expect(page.locator(f"#org-{first_partner(page)}-ratings")).to_be_hidden()

    # The first organisation: "Never" is the first radio; two arrows down is "Monthly",
    # which shows the two ratings, reached by Tab and chosen by arrow.
    tab_to(page, lambda f: f["type"] == "radio" and f["name"].startswith("freq-"))
    press(page, "ArrowDown")
    chosen = press(page, "ArrowDown")
    assert chosen["label"] == "Monthly"
    partner = chosen["name"].removeprefix("freq-")
    rely = tab_to(page, lambda f: f["name"] == f"rely-{partner}")
    assert rely["type"] == "radio"
    page.keyboard.press("Space")
    press(page, "ArrowDown")  # 2
    press(page, "ArrowDown")  # 3
    tab_to(page, lambda f: f["name"] == f"contrib-{partner}")
    page.keyboard.press("Space")
    expect(page.locator(f'[data-saved-for="{partner}"]')).to_contain_text("Saved")

    # The next organisation: moving to "Don't know" keeps its ratings out of the way.
    second = tab_to(
        page, lambda f: f["name"].startswith("freq-") and f["name"] != f"freq-{partner}"
    )
    other = second["name"].removeprefix("freq-")
    for _ in range(4):
        last = press(page, "ArrowDown")
    assert last["label"] == "Don't know this organisation"
    expect(page.locator(f"#org-{other}-ratings")).to_be_hidden()
    expect(page.locator(f'[data-saved-for="{other}"]')).to_contain_text("Saved")
    expect(page.locator('[data-section-answered="network"]').first).to_have_text("2")
    assert not page.evaluate(SIDEWAYS)
    screenshot(page, "network-section-phone")
    first.close()  # the phone's browser is closed halfway through

    stored = {str(a.partner_id): a for a in NetworkAnswer.objects.all()}
    assert (stored[partner].frequency, stored[partner].reliability) == (2, 3)
    assert stored[partner].contribution == 1
    assert stored[other].dont_know

    # Back from the link in a fresh browser: straight to the section, answers in place.
    again = browser.new_context(viewport=NARROW_PHONE)
    page = again.new_page()
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "How your organisation works with partners"
    )
    expect(page.locator(f'[name="freq-{partner}"][value="2"]')).to_be_checked()
    expect(page.locator(f'[name="rely-{partner}"][value="3"]')).to_be_checked()
    expect(page.locator(f'[name="freq-{other}"][value="dk"]')).to_be_checked()
    expect(page.locator(f"#org-{partner}-ratings")).to_be_visible()
    # The rest is skipped: the review lists what was given.
    tab_to(page, lambda f: f["text"] == "Save and continue")
    submit(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Check and submit your answers")
    expect(page.get_by_role("cell", name="Monthly")).to_be_visible()
    assert not page.evaluate(SIDEWAYS)
    again.close()


def first_partner(page) -> str:
    return page.locator("[data-partner]").first.get_attribute("data-partner")


def test_the_network_section_passes_axe_with_and_without_answers(new_page, big_partnership):
    page = new_page(axe=True)
    page.goto(f"/a/{big_partnership.token}/network/")
    check(page, "the network section")
    partner = first_partner(page)
    page.locator(f'[name="freq-{partner}"][value="3"]').check()
    expect(page.locator(f'[data-saved-for="{partner}"]')).to_contain_text("Saved")
    check(page, "the network section, answered")
    # Ratings given with "Never", without the script's help: the page names the problem.
    page.goto(f"/a/{big_partnership.token}/network/")
    page.evaluate(
        "document.querySelectorAll('.lsp-network__ratings--hidden')"
        ".forEach(e => e.classList.remove('lsp-network__ratings--hidden'))"
    )
    other = page.locator("[data-partner]").nth(1).get_attribute("data-partner")
    page.locator(f'[name="rely-{other}"][value="2"]').check()
    page.locator(f'[name="freq-{other}"][value="0"]').evaluate("e => { e.checked = true; }")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Leave out how far you can rely")
    check(page, "the network section with an error")
    page.goto(f"/a/{big_partnership.token}/review/")
    check(page, "the questionnaire review with network answers")
