"""The presenter view reads from the back of a room: on a 1280 × 720 projector
every piece of text is at least 32px and has a contrast of at least 7:1 against
what is behind it (WCAG 2.2 1.4.6, Contrast (Enhanced)), in every state the
room sees, before and after the results are revealed.

Why 32px: the usual rule for slides is type of 24 point at the least on a slide
540 points high (PowerPoint's 7.5 inches, at 4:3 or 16:9). The same share of a
720-pixel picture is 24 / 540 × 720 = 32 pixels, and a projector shows the page
at whatever size the slide would be.

The contrast is worked out in the browser from the computed colours: the text's
colour, laid over the nearest backgrounds behind it down to the white page,
compared by WCAG's relative luminance formula. Text over an image, or inside
something made partly transparent, cannot be worked out that way and fails.
"""

from __future__ import annotations

import re

import pytest
from django.test import RequestFactory
from playwright.sync_api import expect

from lsp_assess.views import service_unavailable
from tests.browser.conftest import screenshot, sign_in
from tests.builders import make_assessment, make_workshop, respond
from workshops.models import Invitation, Workshop
from workshops.services import participants as participants_service
from workshops.services import voting as voting_service
from workshops.services import workshop as workshop_service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROJECTOR = {"width": 1280, "height": 720}
SMALLEST_TEXT_PX = 32
LEAST_CONTRAST = 7.0
POLL = 4_000

TEXTS = """() => {
  const rgba = (colour) => {
    const parts = colour.match(/rgba?\\(([^)]*)\\)/);
    if (!parts) return null;
    const [r, g, b, a = 1] = parts[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [r, g, b, a];
  };
  const over = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3]));
  const luminance = (rgb) => {
    const [r, g, b] = rgb.map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const contrast = (a, b) => {
    const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (light + 0.05) / (dark + 0.05);
  };
  const found = [];
  const texts = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (texts.nextNode()) {
    const text = texts.currentNode;
    const words = text.textContent.trim().replace(/\\s+/g, " ");
    const element = text.parentElement;
    if (!words || element.closest(".govuk-visually-hidden")) continue;
    if (!element.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
    // The backgrounds behind the text, nearest first, down to the white page.
    const layers = [];
    let unreadable = "";
    for (let e = element; e; e = e.parentElement) {
      const style = getComputedStyle(e);
      if (style.backgroundImage !== "none") unreadable = "text over an image";
      if (parseFloat(style.opacity) < 1) unreadable = "text in a see-through box";
      const colour = rgba(style.backgroundColor);
      if (colour && colour[3] > 0) layers.push(colour);
    }
    let behind = [255, 255, 255];
    for (const layer of layers.reverse()) behind = over(layer, behind);
    const style = getComputedStyle(element);
    const colour = over(rgba(style.color), behind);
    found.push({
      words,
      where: `<${element.tagName.toLowerCase()} class="${element.className}">`,
      colour: style.color,
      background: `rgb(${behind.map(Math.round).join(", ")})`,
      contrast: Math.round(contrast(colour, behind) * 100) / 100,
      size: parseFloat(style.fontSize),
      unreadable,
    });
  }
  return found;
}"""


def check_readable(page, state: str) -> list[dict]:
    """Every text on the presenter page is large and dark enough; return what was read."""
    page.wait_for_load_state("load")
    texts = page.evaluate(TEXTS)
    assert texts, f"no text on the presenter page ({state})"
    for text in texts:
        described = f"{state}: “{text['words'][:60]}” in {text['where']}"
        assert not text["unreadable"], f"{described} is {text['unreadable']}"
        assert text["contrast"] >= LEAST_CONTRAST, (
            f"{described} has contrast {text['contrast']}:1, {text['colour']} on "
            f"{text['background']}; at least {LEAST_CONTRAST}:1 is needed"
        )
        assert text["size"] >= SMALLEST_TEXT_PX, (
            f"{described} is {text['size']}px; a projector needs {SMALLEST_TEXT_PX}px at least"
        )
    return texts


def words(texts: list[dict]) -> str:
    return " ".join(text["words"] for text in texts)


def test_the_presenter_view_is_large_and_high_contrast_before_and_after_the_reveal(
    new_page, cast, bank
):
    # Anonymous, so the remote questionnaire's few answers are withheld: that
    # sentence is on the projector too.
    assessment = make_assessment(cast, title="Board check", anonymous=True)
    respond(
        Invitation.objects.create(assessment=assessment, person=cast.person),
        {"1.1:internal": "2"},
        submitted=True,
    )
    workshop = make_workshop(cast, assessment)
    presenter = new_page(PROJECTOR)
    sign_in(presenter, cast.facilitator.email)
    presenter.goto(workshop.get_absolute_url() + "present/")

    expect(presenter.get_by_text("0 joined so far")).to_be_visible()
    lobby = check_readable(presenter, "lobby")
    assert workshop.display_code in words(lobby)
    assert "Full screen" in words(lobby)  # the button is shown where full screen works

    voters = [
        participants_service.join(workshop, role="officer", sector=sector, layer="executive")
        for sector in ("public", "third")
    ]
    workshop_service.change(workshop.pk, "next")
    workshop_service.change(workshop.pk, "open")
    workshop_service.change(workshop.pk, "timer", seconds=120)
    entry = Workshop.objects.get(pk=workshop.pk).current
    for voter, value in zip(voters, ["3", "4"], strict=True):
        voting_service.vote(workshop.code, voter.pk, entry.pk, {"internal": value})
    expect(presenter.get_by_text("2 of 2 have voted")).to_be_visible(timeout=POLL)
    expect(presenter.get_by_text(re.compile(r"Voting closes in \d:\d\d"))).to_be_visible()
    voting = check_readable(presenter, "voting")
    assert entry.item.text in words(voting)
    screenshot(presenter, "presenter-projector-voting")

    workshop_service.change(workshop.pk, "close")
    workshop_service.change(workshop.pk, "reveal")
    workshop_service.change(workshop.pk, "show_remote")
    workshop_service.record_consensus(
        entry, {"agreed_internal": 3, "rationale": "The room leaned to 3"}
    )
    expect(presenter.get_by_text("Agreed: 3 against our own plans")).to_be_visible(timeout=POLL)
    expect(presenter.locator(".lsp-tally table")).to_have_count(1)
    revealed = check_readable(presenter, "results revealed")
    shown = words(revealed)
    assert "3 – Performs well" in shown and "1 (50%)" in shown
    assert "not shown to keep the assessment anonymous" in shown
    screenshot(presenter, "presenter-projector-revealed")

    workshop_service.change(workshop.pk, "finish")
    expect(presenter.get_by_role("heading", name="Thank you")).to_be_visible(timeout=POLL)
    check_readable(presenter, "finished")


def test_the_presenter_says_when_it_has_lost_the_server_and_catches_up_within_3_s(
    new_page, cast, bank
):
    workshop = make_workshop(cast, make_assessment(cast, title="Board check"))
    presenter = new_page(PROJECTOR)
    sign_in(presenter, cast.facilitator.email)
    presenter.goto(workshop.get_absolute_url() + "present/")
    expect(presenter.get_by_text("0 joined so far")).to_be_visible()
    outage = {"on": True}
    page_503 = service_unavailable(RequestFactory().get("/")).content

    def polls(route):
        if outage["on"]:
            route.fulfill(status=503, body=page_503, content_type="text/html")
        else:
            route.continue_()

    presenter.route("**/present/live/", polls)
    lost = presenter.locator("[data-connection-lost]")
    expect(lost).to_contain_text("Connection to the server lost — retrying", timeout=POLL)
    expect(lost).to_contain_text("The problem is on our side")
    workshop_service.change(workshop.pk, "next")
    presenter.wait_for_timeout(6_000)  # long enough for the retries to slow to their slowest
    # The warning reads from the back of the room, like everything else on the projector.
    assert "Connection to the server lost" in words(check_readable(presenter, "connection lost"))
    screenshot(presenter, "presenter-connection-lost")

    outage["on"] = False
    item = Workshop.objects.get(pk=workshop.pk).current.item
    expect(presenter.get_by_role("heading", name=item.text)).to_be_visible(timeout=3_500)
    expect(lost).to_be_hidden()
