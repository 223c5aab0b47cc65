"""Every page reflows (WCAG 2.2 1.4.10): at 320 CSS pixels wide, and at 200% zoom.

A 1280-pixel screen zoomed to 200% lays pages out in 640 CSS pixels, so the
second width is how the browser sees that zoom. At either width the page must
not scroll sideways and nothing may be cut off. Wide data tables may scroll
inside their own region, which WCAG allows for content that needs two
dimensions; such a region must then be reachable by keyboard to scroll it.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.builders import make_assessment, make_user
from tests.workshops.network_shapes import clusters
from tests.worlds import INVITEE, LINK, PHONE, PUBLIC, STAFF, URLS, build_world
from workshops.services import workshop as workshop_service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 320, "height": 640}  # 1.4.10's 320 CSS pixels
ZOOMED = {"width": 640, "height": 450}  # a 1280 × 900 screen at 200% zoom

# Pages that are not HTML for people to read, or not ours: files, images, the
# poll fragments (checked inside their pages) and Django's own admin. The PDF's
# waiting page hands over to a download once the file is made.
NOT_PAGES = {
    "healthz",
    "favicon",
    "questionnaire-pdf",
    "plan-pdf",
    "plan-pdf-status",
    "summary-pdf",
    "summary-link-pdf",
    "summary-code-pdf",
    "results-export",
    "results-7s",
    "results-heat-map",
    "results-trends",
    "results-network-map",
    "workshop-qr",
    "workshop-chart",
    "workshop-console-live",
    "workshop-present-live",
    "workshop-room-live",
    "admin:index",
}

OVERFLOWS = """() => {
  const width = window.innerWidth;
  const found = [];
  const name = (e) => {
    const text = (e.innerText || e.alt || e.value || "").trim().replace(/\\s+/g, " ");
    const classes = typeof e.className === "string" && e.className.trim()
      ? "." + e.className.trim().split(/\\s+/).join(".") : "";
    return `<${e.tagName.toLowerCase()}${classes}> "${text.slice(0, 50)}"`;
  };
  const root = document.documentElement;
  if (root.scrollWidth > width) {
    found.push(`the page scrolls sideways: ${root.scrollWidth}px wide in a ${width}px window`);
  }
  // Off-screen by design until focused, or hidden from sight for screen readers.
  const ignored = ".govuk-visually-hidden, .govuk-skip-link, .govuk-visually-hidden-focusable";
  // Inside a table region, content may scroll; the region itself must fit.
  const skip = (e) => e.closest(ignored) || e.parentElement?.closest(".lsp-table-scroll");
  const outside = (box) => box.width > 0 && (box.right > width + 1 || box.left < -1);
  for (const e of document.body.querySelectorAll("*")) {
    if (skip(e) || !e.checkVisibility({visibilityProperty: true})) continue;
    const box = e.getBoundingClientRect();
    // Name the outermost element that sticks out, not each of its children.
    if (outside(box) && !outside(e.parentElement.getBoundingClientRect())) {
      found.push(`${name(e)} runs from ${Math.round(box.left)} to ${Math.round(box.right)}px`);
    }
    if (["INPUT", "TEXTAREA", "SELECT", "svg"].includes(e.tagName)) continue;
    const style = getComputedStyle(e);
    const clips = (v) => v === "hidden" || v === "clip";
    if ((clips(style.overflowX) && e.scrollWidth > e.clientWidth + 1) ||
        (clips(style.overflowY) && e.scrollHeight > e.clientHeight + 1)) {
      found.push(`${name(e)} cuts off its content`);
    }
    const scrolls = (v) => v === "auto" || v === "scroll";
    if (scrolls(style.overflowX) && e.scrollWidth > e.clientWidth + 1) {
      if (!e.classList.contains("lsp-table-scroll")) {
        found.push(`${name(e)} scrolls sideways but is not a table region`);
      } else if (e.tabIndex !== 0) {
        found.push(`${name(e)} scrolls sideways but cannot be reached by keyboard`);
      }
    }
  }
  // A long word can run out of a box that itself fits.
  const words = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (words.nextNode()) {
    const text = words.currentNode;
    if (!text.textContent.trim() || skip(text.parentElement)) continue;
    if (!text.parentElement.checkVisibility({visibilityProperty: true})) continue;
    const range = document.createRange();
    range.selectNodeContents(text);
    const box = range.getBoundingClientRect();
    if (outside(box)) {
      found.push(`the words "${text.textContent.trim().slice(0, 50)}" in ${name(text.parentElement)}
        run to ${Math.round(box.right)}px`);
    }
  }
  return found;
}"""


def overflows(page) -> list[str]:
    # Let fonts and images settle: a late image can widen a page.
    page.wait_for_load_state("load")
    return page.evaluate(OVERFLOWS)


def pages_of(world) -> dict[str, list[str]]:
    """The GET pages of the site, by who opens them: coordinator, support staff, anonymous
    (public pages, personal links and invitations), phone."""
    by_visitor: dict[str, list[str]] = {
        "coordinator": [],
        "staff": [],
        "anonymous": [],
        "phone": [],
    }
    for name, row in URLS.items():
        if name in NOT_PAGES or row.get not in (200, 302):
            continue
        if row.access == PHONE:
            by_visitor["phone"].append(row.url(world))
        elif row.access in (PUBLIC, LINK, INVITEE):
            by_visitor["anonymous"].append(row.url(world))
        elif row.access == STAFF:
            by_visitor["staff"].append(row.url(world))
        else:
            by_visitor["coordinator"].append(row.url(world))
    by_visitor["coordinator"].append(reverse("home"))  # the signed-in home page
    return by_visitor


def check(page, url: str, viewport: dict, failures: list[str]) -> None:
    response = page.goto(url)
    assert response is not None and response.ok, f"{url} answered {response and response.status}"
    assert page.locator("h1").count() >= 1, f"{url} shows no heading"
    for problem in overflows(page):
        failures.append(f"{url} at {viewport['width']}px: {problem}")


@pytest.mark.parametrize("viewport", [NARROW, ZOOMED], ids=["320px", "200%-zoom"])
def test_every_page_reflows_without_sideways_scrolling(new_page, cast, bank, viewport):
    world = build_world(cast, cast.partnership, cast.coordinator, "Eastvale")
    urls = pages_of(world)
    failures: list[str] = []

    coordinator = new_page(viewport)
    sign_in(coordinator, cast.coordinator.email)
    for url in urls["coordinator"]:
        check(coordinator, url, viewport, failures)
    # Forms as they look after a mistake, with the error summary and messages.
    # (partnership-edit: the partnership form coordinators reach; support staff set them up.)
    for name in ("partnership-edit", "person-create", "assessment-create", "plan-action-new"):
        coordinator.goto(URLS[name].url(world))
        if name == "partnership-edit":  # filled in already: a required field left empty
            coordinator.locator("input[name=name]").fill("")
        coordinator.get_by_role("button").filter(has_not_text="Sign out").last.click()
        expect(coordinator.get_by_text("There is a problem").first).to_be_visible()
        for problem in overflows(coordinator):
            failures.append(f"{name} with errors at {viewport['width']}px: {problem}")

    staff = make_user("support@lsp-assess.example.org", "Support")
    staff.is_staff = True
    staff.save()
    support = new_page(viewport)
    sign_in(support, staff.email)
    for url in urls["staff"]:
        check(support, url, viewport, failures)

    visitor = new_page(viewport)
    for url in urls["anonymous"]:
        check(visitor, url, viewport, failures)

    # A phone joins through the join pages, then sees the room as results are
    # revealed, and again while voting on the next item.
    phone = new_page(viewport)
    check(phone, reverse("join"), viewport, failures)
    for url in urls["phone"]:
        check(phone, url, viewport, failures)
    phone.goto(reverse("workshop-join", args=[world.code]))
    phone.get_by_label("Stay anonymous").check()
    phone.get_by_label("Your role", exact=True).select_option(label="Officer")
    phone.get_by_label("Your sector").select_option(label="Public sector")
    phone.get_by_label("Your part of the partnership").select_option(label="Executive")
    phone.get_by_role("button", name="Join the workshop").click()
    expect(phone.get_by_text("Voting on this question has closed")).to_be_visible()
    for problem in overflows(phone):
        failures.append(f"the phone's room, results revealed, at {viewport['width']}px: {problem}")

    workshop_service.change(world.workshop.pk, "next")
    workshop_service.change(world.workshop.pk, "open")
    phone.reload()
    expect(phone.get_by_role("button", name="Vote")).to_be_visible()
    for name in ("workshop", "workshop-present"):
        check(coordinator, URLS[name].url(world), viewport, failures)
    for problem in overflows(phone):
        failures.append(f"the phone's room, voting, at {viewport['width']}px: {problem}")

    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("viewport", [NARROW, ZOOMED], ids=["320px", "200%-zoom"])
def test_the_network_page_with_its_map_and_table_reflows(new_page, cast, bank, viewport):
    assessment = make_assessment(cast)
    clusters(assessment)
    page = new_page(viewport)
    sign_in(page, cast.executive.email)
    failures: list[str] = []

    check(
        page,
        reverse("results-network", args=[cast.partnership.pk, assessment.pk]),
        viewport,
        failures,
    )

    expect(page.get_by_role("region", name="Organisations in the network")).to_be_visible()
    assert failures == []
