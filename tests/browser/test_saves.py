"""Saved means saved, in a real browser: two tabs on one link, a slow reply, a tab
closed straight after typing, and a connection that drops."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.builders import respond
from workshops.models import Answer, EvidenceNote

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHANGED_ELSEWHERE = (
    "This answer was changed in another window or device. It now shows what is saved."
)


def part_one(invitation) -> str:
    return f"/a/{invitation.token}/part/1/"


def rating(page, value: str):
    group = page.get_by_role("group", name=re.compile("Internal"))
    return group.first.locator(f'[name="1.1:internal"][value="{value}"]')


def stored(invitation) -> dict[str, str]:
    answers = Answer.objects.filter(respondent__invitation=invitation).select_related("item")
    notes = EvidenceNote.objects.filter(respondent__invitation=invitation).select_related("item")
    return {a.item.key: a.value for a in answers} | {f"{n.item.key}:note": n.text for n in notes}


def eventually(check, seconds: float = 5.0) -> None:
    """The database, polled: a save sent as a page closes is answered after it has gone."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "not stored in time"
        time.sleep(0.1)


def test_two_tabs_on_one_link_never_undo_each_other(new_page, invitation):
    respond(invitation, {"1.1:internal": "1"})
    tab_a, tab_b = new_page(), new_page()
    tab_a.goto(part_one(invitation))
    tab_b.goto(part_one(invitation))

    rating(tab_b, "4").check()
    expect(tab_b.locator('[data-saved-for="1.1"]')).to_contain_text("Saved at")
    tab_b.locator('[name="1.1:note"]').fill("Board minutes, March.")
    tab_b.locator('[name="1.1:note"]').blur()
    tab_b.locator('[name="1.2.1"]').fill("Housing.")
    tab_b.locator('[name="1.2.1"]').blur()
    expect(tab_b.locator('[data-saved-for="1.2.1"]')).to_contain_text("Saved at")
    expect(tab_b.locator('[data-saved-for="1.1"]')).to_contain_text("Saved at")

    # Tab A still shows 1. Changing it is refused, and A then shows what B stored.
    rating(tab_a, "2").check()
    expect(tab_a.locator('[data-saved-for="1.1"]')).to_have_text(CHANGED_ELSEWHERE)
    expect(rating(tab_a, "4")).to_be_checked()
    # A's whole out-of-date page, saved, clears nothing it did not touch.
    tab_a.get_by_role("button", name="Save and continue").click()
    expect(tab_a.get_by_role("heading", level=1)).not_to_have_text(re.compile("long-term goals"))
    assert stored(invitation) == {
        "1.1": "4",
        "1.1:note": "Board minutes, March.",
        "1.2.1": "Housing.",
    }


def test_a_slow_first_save_never_overtakes_the_latest_answer(new_page, invitation):
    page = new_page()
    held = []
    page.route("**/save/", lambda route: held.append(route) if not held else route.continue_())
    page.goto(part_one(invitation))
    rating(page, "2").check()
    rating(page, "3").check()
    page.wait_for_timeout(1500)  # the first save is still on its way
    assert len(held) == 1  # the second waits for it: never two for one answer
    expect(page.locator('[data-saved-for="1.1"]')).not_to_contain_text("Saved at")
    held[0].continue_()
    expect(page.locator('[data-saved-for="1.1"]')).to_contain_text("Saved at")
    assert stored(invitation) == {"1.1": "3"}


@pytest.mark.parametrize("leave", ["close", "reload"])
def test_text_typed_just_before_the_page_goes_is_saved(new_page, invitation, leave):
    page = new_page(PHONE)
    page.goto(part_one(invitation))
    page.locator('[name="1.2.1"]').click()
    page.keyboard.type("Skills and worklessness.")
    if leave == "close":
        page.close()
    else:
        page.reload()
    eventually(lambda: stored(invitation) == {"1.2.1": "Skills and worklessness."})


def test_an_answer_given_offline_is_saved_when_the_connection_returns(new_page, invitation):
    page = new_page(PHONE)
    page.goto(part_one(invitation))
    page.context.set_offline(True)
    rating(page, "3").check()
    expect(page.locator('[data-saved-for="1.1"]')).to_contain_text("Not saved yet")
    # Leaving by the parts list is stopped, with a warning and a way to leave anyway.
    page.get_by_role("link", name=re.compile("Looking forward")).click()
    warning = page.locator(".lsp-unsaved")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Some answers on this page are not saved yet")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("long-term goals"))
    assert stored(invitation) == {}

    page.context.set_offline(False)
    expect(page.locator('[data-saved-for="1.1"]')).to_contain_text("Saved at")
    assert stored(invitation) == {"1.1": "3"}


# What a screen reader hears of saving: every change of a live region's words is said.
COUNT_ANNOUNCEMENTS = """
window.announced = [];
new MutationObserver((changes) => {
  const regions = new Set();
  for (const change of changes) {
    const node = change.target.nodeType === Node.ELEMENT_NODE
      ? change.target : change.target.parentElement;
    const region = node?.closest("[role=status], [role=alert], [aria-live]");
    if (region && region.getAttribute("aria-live") !== "off") regions.add(region);
  }
  for (const region of regions) {
    const words = region.textContent.trim();
    if (words) window.announced.push(words);
  }
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


def said_once_quiet(page, count: int) -> None:
    """Wait for the count of announcements, then long enough for any more to come."""
    page.wait_for_function("n => window.announced.length >= n", arg=count)
    page.wait_for_timeout(2000)


def test_saving_is_announced_once_for_each_pause_not_at_every_arrow_key(new_page, invitation):
    page = new_page()
    page.add_init_script(COUNT_ANNOUNCEMENTS)
    page.goto(part_one(invitation))
    page.locator('[name="1.1:internal"]').first.focus()
    page.keyboard.press("Space")
    for _ in range(3):  # through the scale, as a keyboard user looks at each rating
        page.wait_for_timeout(150)
        page.keyboard.press("ArrowDown")
    eventually(lambda: stored(invitation) == {"1.1": "4"})
    said_once_quiet(page, 1)
    first = page.evaluate("window.announced")
    assert len(first) == 1, first
    assert "saved at" in first[0]

    page.locator('[name="1.1.1:internal"]').first.focus()
    page.keyboard.press("Space")
    for _ in range(2):
        page.wait_for_timeout(150)
        page.keyboard.press("ArrowDown")
    eventually(lambda: stored(invitation).get("1.1.1") == "3")
    said_once_quiet(page, 2)
    assert len(page.evaluate("window.announced")) == 2, page.evaluate("window.announced")


def test_the_progress_shown_follows_the_answers_saved_as_they_are_given(new_page, invitation):
    page = new_page()
    page.goto(part_one(invitation))
    progress = page.locator("#progress")
    part = (
        page.get_by_role("navigation", name="Parts of the questionnaire")
        .get_by_role("listitem")
        .first
    )
    expect(progress).to_contain_text("You have given 0 of")
    expect(part).to_contain_text("0 of")
    page.locator('[name="1.2.1"]').fill("Housing.")
    page.locator('[name="1.2.1"]').blur()
    expect(progress).to_contain_text("You have given 1 of")
    expect(progress.locator("progress")).to_have_attribute("value", "1")
    expect(part).to_contain_text("1 of")
    # A comment is not an answer: it does not count.
    page.locator('[name="1.1:note"]').fill("Minutes.")
    page.locator('[name="1.1:note"]').blur()
    expect(page.locator('[data-saved-for="1.1"]')).to_contain_text("Saved at")
    expect(progress).to_contain_text("You have given 1 of")
    # Clearing an answer counts down, to none.
    page.locator('[name="1.2.1"]').fill("")
    page.locator('[name="1.2.1"]').blur()
    expect(progress).to_contain_text("You have given 0 of")
    expect(part).to_contain_text("0 of")
    rating(page, "3").check()
    expect(progress).to_contain_text("You have given 1 of")
    expect(part).to_contain_text("1 of")
    assert stored(invitation) == {"1.1": "3", "1.1:note": "Minutes."}


def test_marking_a_written_answer_not_applicable_never_drops_the_text_unseen(new_page, invitation):
    # The page without JavaScript refuses an answer that is both written and "not
    # applicable"; saving as the box is ticked must do the same, not store "not
    # applicable" and throw away the text the page still shows.
    page = new_page()
    page.goto(f"/a/{invitation.token}/part/3/")
    box = page.locator('[name="3.5"]')
    box.fill("Through the theme groups.")
    box.blur()
    eventually(lambda: stored(invitation).get("3.5") == "Through the theme groups.")

    page.locator('[name="3.5:na"]').check()
    saved = page.locator('[data-saved-for="3.5"]')
    expect(saved).to_contain_text("Either answer the question or mark it not applicable")
    expect(box).to_have_value("Through the theme groups.")
    time.sleep(0.5)  # a wrong save would have landed by now
    assert stored(invitation).get("3.5") == "Through the theme groups."

    # Clearing the text first, then ticking the box, stores "not applicable".
    page.locator('[name="3.5:na"]').uncheck()
    box.fill("")
    page.locator('[name="3.5:na"]').check()
    eventually(lambda: stored(invitation).get("3.5") == "na")
