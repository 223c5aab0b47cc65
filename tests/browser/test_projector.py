"""The presenter fits one 16:9 projector picture in every state the room sees.

A projector cannot scroll: whatever is below the fold is never seen. So at
1920 × 1080 and at 1280 × 720 the page is no taller and no wider than the
screen, and each thing the room needs (the join details, the question, the
chart with its captions, what was agreed) lies wholly inside it. The chart's
labels are read from the back of the room (at least 28px at 1080p); the QR
code is large while people join and small once the first item is shown.

The densest item is used: the longest question that allows "not applicable"
(six answers), rated on both bases, with the remote questionnaire beside the
room's votes.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from questions.models import Item
from tests.browser.conftest import screenshot, sign_in
from tests.builders import make_assessment, make_person, make_workshop, respond
from workshops.models import Invitation, Workshop
from workshops.services import participants as participants_service
from workshops.services import voting as voting_service
from workshops.services import workshop as workshop_service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = [{"width": 1920, "height": 1080}, {"width": 1280, "height": 720}]
POLL = 4_000
LEAST_LABEL_PX_AT_1080 = 28

MEASURE = """(selectors) => {
  const box = (element) => {
    const r = element.getBoundingClientRect();
    return {top: r.top, left: r.left, bottom: r.bottom, right: r.right, height: r.height};
  };
  const found = {};
  for (const [name, selector] of Object.entries(selectors)) {
    found[name] = [...document.querySelectorAll(selector)].map(box);
  }
  const page = document.documentElement;
  return {
    width: window.innerWidth,
    height: window.innerHeight,
    scrollWidth: page.scrollWidth,
    scrollHeight: page.scrollHeight,
    found,
  };
}"""

LABEL_SIZES = """() => [...document.querySelectorAll(
  ".lsp-present-chart th, .lsp-present-chart td, .lsp-present-chart figcaption"
)].filter((e) => e.textContent.trim()).map((e) => parseFloat(getComputedStyle(e).fontSize))"""

# What the room must see, by state; each must be present and wholly on screen.
ALWAYS = {"QR code": ".lsp-present__qr", "join code": ".lsp-present__code"}
ITEM = {**ALWAYS, "question": ".lsp-present__title", "key": ".lsp-present__caption"}
CHART = {
    **ITEM,
    "chart": ".lsp-present-chart",
    "chart caption": ".lsp-present-chart figcaption",
    "basis captions": ".lsp-present-chart thead th",
    "answers": ".lsp-present-chart tbody tr",
}


def fits(page, state: str, wanted: dict[str, str]) -> dict:
    """At each projector size, nothing scrolls and every wanted element is on screen."""
    measured = {}
    for screen in SCREENS:
        page.set_viewport_size(screen)
        size = f"{screen['width']}×{screen['height']}"
        seen = page.evaluate(MEASURE, wanted)
        where = f"{state} at {size}"
        screenshot(page, f"projector-{state.replace(' ', '-')}-{size}")
        assert seen["scrollHeight"] <= seen["height"], (
            f"{where}: the page is {seen['scrollHeight']}px tall, so the room must scroll"
        )
        assert seen["scrollWidth"] <= seen["width"], (
            f"{where}: the page is {seen['scrollWidth']}px wide"
        )
        for name, boxes in seen["found"].items():
            assert boxes, f"{where}: no {name} on the screen"
            for box in boxes:
                assert box["top"] >= 0 and box["left"] >= 0, f"{where}: {name} starts off screen"
                assert box["bottom"] <= seen["height"], (
                    f"{where}: {name} ends at {box['bottom']:.0f}px, below the fold"
                )
                assert box["right"] <= seen["width"], f"{where}: {name} runs off the right"
        measured[size] = seen
    page.set_viewport_size(SCREENS[0])
    return measured


def qr_share(measured: dict, size: str) -> float:
    seen = measured[size]
    return seen["found"]["QR code"][0]["height"] / seen["height"]


def dense_item(assessment) -> Item:
    """The longest rated question that also allows "not applicable"."""
    rated = assessment.items.filter(kind=Item.Kind.RATING, na_allowed=True)
    return max(rated, key=lambda item: len(item.text))


def only_on_the_agenda(workshop: Workshop, item: Item) -> None:
    workshop_service.add_to_agenda(workshop, [item])
    for entry in workshop.agenda.exclude(item=item):
        workshop_service.remove_from_agenda(entry)


def test_every_presenter_state_fits_a_projector_without_scrolling(new_page, cast, bank):
    assessment = make_assessment(cast, title="Board check", basis="both")
    item = dense_item(assessment)
    # Two people answered the questionnaire before the day: the remote figures.
    for person in (cast.person, make_person(cast, "Sam Okafor", sector="third")):
        respond(
            Invitation.objects.create(assessment=assessment, person=person),
            {f"{item.key}:internal": "2", f"{item.key}:external": "na"},
            submitted=True,
        )
    workshop = make_workshop(cast, assessment, title="Eastvale LSP board self-assessment day")
    only_on_the_agenda(workshop, item)
    presenter = new_page(SCREENS[0])
    sign_in(presenter, cast.facilitator.email)
    presenter.goto(workshop.get_absolute_url() + "present/")

    voters = [
        participants_service.join(workshop, role="officer", sector=sector, layer="executive")
        for sector in ("public", "third", "public", "private")
    ]
    expect(presenter.get_by_text("joined so far")).to_be_visible()
    lobby = fits(presenter, "joining", {**ALWAYS, "title": ".lsp-present__title"})
    for size in lobby:
        assert qr_share(lobby, size) >= 0.4, f"the QR code is small while people join ({size})"

    workshop_service.change(workshop.pk, "next")
    expect(presenter.get_by_role("heading", name=item.text)).to_be_visible(timeout=POLL)
    shown = fits(presenter, "item shown", ITEM)
    for size in shown:
        assert qr_share(shown, size) <= 0.2, f"the QR code is still large ({size})"

    workshop_service.change(workshop.pk, "open")
    expect(presenter.get_by_text("0 of 4 have voted")).to_be_visible(timeout=POLL)
    fits(presenter, "voting", {**ITEM, "count": ".lsp-present__count"})

    workshop_service.change(workshop.pk, "timer", seconds=120)
    expect(presenter.get_by_text(re.compile(r"Voting closes in \d:\d\d"))).to_be_visible(
        timeout=POLL
    )
    entry = Workshop.objects.get(pk=workshop.pk).current
    votes = [("1", "2"), ("2", "2"), ("2", "3"), ("4", "dont_know")]
    for voter, (internal, external) in zip(voters, votes, strict=True):
        voting_service.vote(
            workshop.code, voter.pk, entry.pk, {"internal": internal, "external": external}
        )
    expect(presenter.get_by_text("4 of 4 have voted")).to_be_visible(timeout=POLL)
    fits(presenter, "voting with a countdown", {**ITEM, "countdown": "[data-deadline]"})

    workshop_service.change(workshop.pk, "close")
    expect(presenter.get_by_text("Voting closed")).to_be_visible(timeout=POLL)
    fits(presenter, "closed", ITEM)

    workshop_service.change(workshop.pk, "reveal")
    chart = presenter.locator(".lsp-present-chart")
    expect(chart.locator("tbody tr")).to_have_count(6, timeout=POLL)
    revealed = fits(presenter, "revealed on two bases", CHART)
    assert len(revealed["1920×1080"]["found"]["basis captions"]) == 2

    workshop_service.change(workshop.pk, "show_remote")
    expect(chart.get_by_role("columnheader", name="Remote")).to_have_count(2, timeout=POLL)
    remote = fits(presenter, "revealed beside the remote questionnaire", CHART)
    # Two bases, each over its room and remote columns: six column captions.
    assert len(remote["1280×720"]["found"]["basis captions"]) == 6
    internal = chart.get_by_role("row", name=re.compile("^2 – Performs adequately"))
    expect(internal.get_by_role("cell")).to_have_text(
        [
            re.compile(r"^2 \(50%\)"),
            re.compile(r"^2 \(100%\)"),
            re.compile(r"^2 \(50%\)"),
            re.compile(r"^0 \(0%\)"),
        ]
    )

    workshop_service.record_consensus(
        entry,
        {"agreed_internal": 2, "agreed_external": 2, "investigate": True, "rationale": "Split"},
    )
    agreed_line = "Agreed: 2 against our own plans; 2 against other LSPs; to investigate"
    expect(presenter.get_by_text(agreed_line)).to_be_visible(timeout=POLL)
    agreed = fits(presenter, "agreed", {**CHART, "agreed": ".lsp-present__agreed"})
    for size, seen in agreed.items():
        agreed_box, chart_box = seen["found"]["agreed"][0], seen["found"]["chart"][0]
        assert agreed_box["height"] >= 0.05 * seen["height"], f"the agreed line is small ({size})"
        assert agreed_box["top"] >= chart_box["top"], "what was agreed follows the votes"

    presenter.set_viewport_size(SCREENS[0])
    sizes = presenter.evaluate(LABEL_SIZES)
    assert sizes and min(sizes) >= LEAST_LABEL_PX_AT_1080, (
        f"the chart's text is {min(sizes)}px at 1080p; the back of the room needs "
        f"{LEAST_LABEL_PX_AT_1080}px"
    )
    # Each caption belongs to its chart: inside the figure, not between two charts.
    assert presenter.evaluate(
        """() => [...document.querySelectorAll(".lsp-present-chart figcaption")].every(
          (caption) => caption.parentElement.matches("figure.lsp-present-chart"))"""
    )

    workshop_service.change(workshop.pk, "finish")
    expect(presenter.get_by_role("heading", name="Thank you")).to_be_visible(timeout=POLL)
    finished = fits(presenter, "finished", {**ALWAYS, "title": ".lsp-present__title"})
    for size in finished:
        assert qr_share(finished, size) <= 0.2, f"the QR code is large after the meeting ({size})"


def test_one_basis_with_what_was_agreed_fits_a_projector(new_page, cast, bank):
    assessment = make_assessment(cast, title="Board check")
    item = dense_item(assessment)
    workshop = make_workshop(cast, assessment)
    only_on_the_agenda(workshop, item)
    voters = [participants_service.join(workshop, role="officer") for _ in range(3)]
    workshop_service.change(workshop.pk, "next")
    workshop_service.change(workshop.pk, "open")
    entry = Workshop.objects.get(pk=workshop.pk).current
    for voter, value in zip(voters, ["3", "3", "na"], strict=True):
        voting_service.vote(workshop.code, voter.pk, entry.pk, {"internal": value})
    workshop_service.change(workshop.pk, "close")
    workshop_service.change(workshop.pk, "reveal")
    workshop_service.record_consensus(entry, {"agreed_internal": 3, "rationale": "Most said 3"})

    presenter = new_page(SCREENS[0])
    sign_in(presenter, cast.facilitator.email)
    presenter.goto(workshop.get_absolute_url() + "present/")
    expect(presenter.get_by_text("Agreed: 3 against our own plans")).to_be_visible()
    fits(presenter, "agreed on one basis", {**CHART, "agreed": ".lsp-present__agreed"})
    expect(presenter.locator(".lsp-present-chart thead th")).to_have_text(["Against our own plans"])
