"""axe-core over every page of the site, at desktop and phone sizes: no WCAG 2.2 A or AA
violation anywhere. And what axe's WCAG rules do not see, on every page: all content sits
in a landmark, no two landmarks share a name, and no two buttons or links share a name
while doing different things.

Every row of ``tests.worlds.URLS`` that answers a GET with a page is visited by someone
allowed to use it, then the states that matter: forms showing their errors, every part
of the questionnaire, the workshop screens in the lobby, while voting is open and after
the results are shown (loaded, and updated in place by polling), results with data, the
plan with actions, and the error pages. A test fails on the first violation and names
the page, the size, the rule and the first element that breaks it.

axe-core is vendored into ``tests/browser/vendor/`` by ``scripts/vendor_axe.sh`` and
injected by Playwright; it is never served by the site.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page, expect

from questions.bank_file import read_bank
from questions.loader import load_bank
from questions.models import Item
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.console import in_place
from tests.conftest import make_cast
from tests.workshops.network_shapes import clusters
from tests.workshops.test_results import respond
from tests.worlds import (
    ADMIN,
    ENTRANCE,
    FACILITATE,
    INVITEE,
    LINK,
    LOGOUT,
    MANAGE,
    MEMBER,
    PUBLIC,
    RESULTS,
    SIGNED_IN,
    STAFF,
    URLS,
    World,
    build_world,
)
from tests.worlds import PHONE as PHONE_ACCESS
from workshops.models import Membership, User, Workshop
from workshops.services import workshop as workshop_service
from workshops.services.questionnaire import outline

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA (2.2 added no level A rule to axe).
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    }
}
SIZES = {"desktop": DESKTOP, "phone": PHONE}
POLL = 8_000  # live screens poll every second or two; allow for a slow, busy CI machine

# Rows that answer a GET with something other than a page of their own. Actions that
# only take a POST (405 to a GET) are not pages either.
NOT_PAGES = {
    "healthz": "JSON for load balancers",
    "favicon": "the site's icon",
    "questionnaire-pdf": "a PDF",
    "plan-pdf": "a tagged PDF, checked by the PDF tests",
    "results-7s": "an SVG chart shown on the results page, with a text alternative",
    "results-heat-map": "an SVG chart shown on the results page, with a text alternative",
    "results-trends": "an SVG chart shown on the results page, with a text alternative",
    "results-network-map": "an SVG map shown on the network page, with a text alternative "
    "and a table of the same facts",
    "results-export": "a spreadsheet or CSV download",
    # Unpublished in the world: the PDFs send back to the page, the charts are not there.
    "summary-pdf": "a tagged PDF, checked by the summary's tests",
    "summary-link-pdf": "a tagged PDF, checked by the summary's tests",
    "summary-code-pdf": "a tagged PDF, checked by the summary's tests",
    "summary-7s": "an SVG chart shown on the summary page, with a text alternative",
    "summary-link-7s": "an SVG chart shown on the summary page, with a text alternative",
    "summary-code-7s": "an SVG chart shown on the summary page, with a text alternative",
    "workshop-qr": "an SVG QR code shown on the presenter screen",
    "workshop-chart": "an SVG chart shown on the workshop screens",
    "workshop-console-live": "a fragment the console polls for, checked in place",
    "workshop-present-live": "a fragment the presenter polls for, checked in place",
    "workshop-room-live": "a fragment the phone polls for, checked in place",
    # Addresses that answer only within a flow (a provider's answer, a code to
    # confirm, a key to remove): outside it they are an error or nothing; the flows'
    # pages are checked in tests/browser/test_sso.py and test_mfa.py.
    "openid_connect_login": "a provider's page: the world has none (checked in test_sso.py)",
    "openid_connect_callback": "the provider's answer: outside a sign-in, an error page",
    "sso-provider-edit": "a provider's page: the world has none (checked in test_sso.py)",
    "sso-provider-deactivate": "a button's address, for a provider the world does not have",
    "socialaccount_login_error": "an error page with nothing to show outside a sign-in",
    "account_confirm_email": "email confirmation, not used: accounts come from invitations",
    "mfa_deactivate_totp": "turning off an app the world's coordinator has not set up",
    "mfa_view_recovery_codes": "recovery codes the world's coordinator does not have",
    "mfa_download_recovery_codes": "a text file of recovery codes",
}

# Who visits a row needing each kind of access: someone allowed to, with the most on
# the page (members: a coordinator sees every control, a participant the least).
VISITORS = {
    PUBLIC: ["anonymous"],
    SIGNED_IN: ["coordinator"],
    MEMBER: ["coordinator", "participant"],
    MANAGE: ["coordinator"],
    FACILITATE: ["facilitator"],
    RESULTS: ["executive"],
    LINK: ["anonymous"],
    INVITEE: ["anonymous"],
    PHONE_ACCESS: ["phone"],
    ADMIN: ["staff"],
    STAFF: ["staff"],
    ENTRANCE: ["anonymous"],
    LOGOUT: ["coordinator"],
}

# Pages whose form, sent empty, shows an error summary: checked in that state too.
FORMS = [
    "login",
    "partnership-create",
    "partnership-edit",
    "organisation-create",
    "organisation-edit",
    "person-create",
    "person-edit",
    "member-invite",
    "member-invitation",
    "assessment-create",
    "assessment-invite",
    "invitees-import",
    "responses-import",
    "plan-action-new",
    "workshop-create",
    "join",
    "workshop-join",
]


def with_axe(page: Page) -> None:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))


def violations(page: Page) -> list[dict]:
    with_axe(page)
    return page.evaluate(
        "options => axe.run(document, options).then(r => r.violations)", AXE_OPTIONS
    )


def describe(where: str, size: str, found: list[dict]) -> str:
    first = found[0]
    node = first["nodes"][0]
    return (
        f"{where} at {size} size: {first['id']} ({first['impact']}): {first['help']}\n"
        f"  first of {len(first['nodes'])} element(s): {node['target']}\n"
        f"  {node['html']}\n"
        f"  {node.get('failureSummary', '')}\n"
        f"  {first['helpUrl']}\n"
        f"  other rules broken on this page: {[v['id'] for v in found[1:]] or 'none'}"
    )


# What axe's own best-practice rules say of a page's landmarks: everything sits in one
# (the skip link apart), and two landmarks of one kind have different names.
LANDMARK_OPTIONS = {"runOnly": {"type": "rule", "values": ["region", "landmark-unique"]}}

# Buttons and links a screen reader lists by name alone: one name, one destination.
# A link's destination is its address; a button's is the request it sends (its form's
# method, address and fields, the button's own name and value); a button of a script
# does something of its own. The same name for the same destination (a form's "Save"
# at its top and its foot, two links to one page) is one thing, said twice.
SAME_NAMES = """() => {
  const where = (control, n) => {
    if (control.matches("a[href], [role=link][href]")) return "link " + control.href;
    const form = control.form;
    if (!form || control.type === "button" || control.getAttribute("role")) return "own " + n;
    const fields = [...new FormData(form, control)]
      .filter(([name]) => name !== "csrfmiddlewaretoken")
      .map(([name, value]) => name + "=" + value);
    // The attributes, not formAction (the page's address when a button has none) nor
    // form.action (an input named "action" hides it).
    const method = control.getAttribute("formmethod") || form.getAttribute("method") || "get";
    const address = control.getAttribute("formaction") ?? form.getAttribute("action") ?? "";
    const to = new URL(address, document.baseURI).href;
    return [method.toLowerCase(), to, ...fields].join(" ");
  };
  axe.setup(document);
  try {
    const named = new Map();
    const controls = document.querySelectorAll(
      "a[href], button, input[type=submit], input[type=button], [role=button], [role=link]"
    );
    controls.forEach((control, n) => {
      if (!axe.commons.dom.isVisibleToScreenReaders(control)) return;
      const name = axe.commons.text.accessibleText(control).replace(/\\s+/g, " ").trim();
      if (!named.has(name)) named.set(name, new Set());
      named.get(name).add(where(control, n));
    });
    return [...named].filter(([, places]) => places.size > 1).map(([name, places]) =>
      `${places.size} buttons or links named "${name}" do different things`
    );
  } finally {
    axe.teardown();
  }
}"""


# Known problems of pages whose templates are being changed elsewhere, each held to the
# one element found: the page (as check names it), the problem's start, and the element.
# Anything else on those pages still fails. Remove a row once its page is put right.
NOT_YET_IN_LANDMARKS = {
    # The printable questionnaire's on-screen hint ("Print this page", its PDF and the
    # way back) sits before its <main>, in no landmark (templates/workshops/print/).
    "questionnaire-print": ("region: ", "['.q-screen-only']"),
}


def exempt(where: str, problem: str) -> bool:
    known = NOT_YET_IN_LANDMARKS.get(where.split(" (")[0])
    return known is not None and problem.startswith(known[0]) and known[1] in problem


def structure_problems(page: Page) -> list[str]:
    """What a screen reader's lists of landmarks, links and buttons would get wrong."""
    with_axe(page)
    found = page.evaluate(
        "options => axe.run(document, options).then(r => r.violations)", LANDMARK_OPTIONS
    )
    problems = [
        f"{rule['id']}: {rule['help']}: {node['target']} {node['html'][:160]}"
        for rule in found
        for node in rule["nodes"]
    ]
    return problems + page.evaluate(SAME_NAMES)


def check(page: Page, where: str) -> None:
    """Run axe on the page at each size; fail on the first violation, naming it. Then
    check its landmarks and the names of its buttons and links."""
    expect(page.locator("main h1").filter(visible=True).first).to_be_visible()
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        found = violations(page)
        if found:
            pytest.fail(describe(f"{where} [{page.url}]", size, found), pytrace=False)
    page.set_viewport_size(DESKTOP)
    problems = [p for p in structure_problems(page) if not exempt(where, p)]
    if problems:
        pytest.fail(f"{where} [{page.url}]:\n  " + "\n  ".join(problems), pytrace=False)


def test_the_structure_check_tells_two_things_of_one_name_from_one_thing_said_twice(browser):
    """What the check reads, on a page of its own: it fails only on what misleads."""
    context = browser.new_context()
    try:
        page = context.new_page()
        # Addresses in full: a page set as content has no address of its own to start from.
        page.set_content(
            """<header><a href="#top">Home</a></header><main><h1>People</h1>
            <a href="https://x.test/p/1/">Ann</a> <a href="https://x.test/p/1/">Ann</a>
            <form method="post" action="https://x.test/save/"><button>Save</button>
              <button>Save</button></form>
            <form method="post" action="https://x.test/remove/1/"><button>Remove</button></form>
            <form method="post" action="https://x.test/remove/2/"><button>Remove</button></form>
            <section aria-label="Notes"></section><section aria-label="Notes"></section></main>
            <p>Outside</p>"""
        )
        problems = structure_problems(page)
    finally:
        context.close()
    assert sorted(p.split(":")[0] for p in problems) == [
        '2 buttons or links named "Remove" do different things',
        "landmark-unique",
        "region",
    ]


class Visitors:
    """One browser context per visitor, signed in by session cookie, reused for every page.

    The contexts bypass the Content Security Policy only so that Playwright may inject
    axe as an inline script; the policy itself is tested in test_security.py.
    """

    def __init__(self, browser, base_url: str, users: dict[str, User]) -> None:
        self.browser, self.base_url, self.users = browser, base_url, users
        self.pages: dict[str, Page] = {}
        self.contexts: list = []

    def new(self) -> Page:
        """A visitor of their own: a fresh context with no cookies."""
        context = self.browser.new_context(
            viewport=DESKTOP, base_url=self.base_url, bypass_csp=True
        )
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        # The PDF waiting page renders the PDF in the request when no worker runs,
        # which takes a while on a busy machine.
        page.set_default_navigation_timeout(60_000)
        return page

    def __getitem__(self, who: str) -> Page:
        if who not in self.pages:
            page = self.pages[who] = self.new()
            if who in self.users:
                client = Client()
                client.force_login(self.users[who])
                cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
                page.context.add_cookies(
                    [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": self.base_url}]
                )
        return self.pages[who]

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def join_as_phone(page: Page, world: World) -> None:
    """Join the world's workshop from a phone, anonymously, as people do."""
    page.goto(reverse("workshop-join", args=[world.code]))
    page.get_by_label("Stay anonymous").check()
    page.get_by_label("Your role", exact=True).select_option(label="Officer")
    page.get_by_label("Your sector").select_option(label="Public sector")
    page.get_by_label("Your part of the partnership").select_option(label="Executive")
    page.get_by_role("button", name="Join the workshop").click()
    expect(page).to_have_url(
        re.compile(re.escape(reverse("workshop-room", args=[world.code])) + "$")
    )
    expect(page.get_by_text("Voting on this question has closed")).to_be_visible()


def send_empty(page: Page) -> None:
    """POST the page's own URL with nothing but the CSRF token, as an empty form would."""
    with page.expect_navigation():
        page.evaluate(
            """() => {
                const form = document.createElement('form');
                form.method = 'post';
                form.action = location.pathname + location.search;
                const token = document.querySelector('[name=csrfmiddlewaretoken]');
                form.append(token.cloneNode());
                document.body.append(form);
                form.submit();
            }"""
        )


@pytest.fixture
def site(browser, live_server) -> Iterator[tuple[World, Visitors]]:
    """A partnership with one of everything and results worth showing, committed for the
    live server, and a browser context per visitor."""
    load_bank(read_bank(settings.QUESTION_BANK_PATH))
    cast = make_cast()
    world = build_world(cast, cast.partnership, cast.coordinator, "Eastvale")
    # Enough responses for every group to pass the minimum group size and be compared.
    ratings = list(
        world.assessment.items.filter(kind=Item.Kind.RATING).values_list("key", flat=True)
    )
    for n, role in enumerate(["coordinator"] * 3 + ["board_member"] * 3):
        answers = {key.replace(".", "_"): str(1 + (n + i) % 4) for i, key in enumerate(ratings)}
        respond(world.assessment, role=role, sector="public" if n % 2 else "third", **answers)
    staff = User.objects.create_user("support@lsp-assess.example.org", "x", full_name="Support")
    staff.is_staff = True
    staff.save()
    users = {role: cast.user(role) for role in Membership.Role.values} | {"staff": staff}
    visitors = Visitors(browser, live_server.url, users)
    try:
        join_as_phone(visitors["phone"], world)
        yield world, visitors
    finally:
        # Before the database is emptied, or the phones' polling would find nothing.
        visitors.close()


def test_every_page_of_the_site_passes_axe_at_desktop_and_phone_sizes(site):
    world, visitors = site
    assert set(NOT_PAGES) <= set(URLS)  # no reason left for a row that has gone
    pages = sorted(n for n, row in URLS.items() if n not in NOT_PAGES and row.get != 405)
    visited = set()
    for name in pages:
        row = URLS[name]
        for who in VISITORS[row.access]:
            # A phone that has not joined yet is asked who it is; one that has is in the room.
            page = visitors.new() if name == "workshop-join" else visitors[who]
            response = page.goto(row.url(world))
            assert response is not None and response.ok, (name, who, response and response.status)
            assert response.headers["content-type"].startswith("text/html"), name
            check(page, f"{name} ({who})")
            visited.add(name)
    assert visited == set(pages)

    # Signed in, the home page lists your partnerships; its footer leads to the statement.
    page = visitors["coordinator"]
    page.goto(reverse("home"))
    expect(page.get_by_role("link", name="Eastvale LSP")).to_be_visible()
    check(page, "home (coordinator)")
    page.get_by_role("contentinfo").get_by_role("link", name="Accessibility statement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Accessibility statement for LSP Assess"
    )


def test_one_groups_results_and_two_side_by_side_pass_axe(site):
    world, visitors = site
    page = visitors["executive"]
    url = reverse("results", args=[world.partnership.pk, world.assessment.pk])
    page.goto(f"{url}?group=role%3Acoordinators")
    expect(page.get_by_text("These are the answers of coordinators only")).to_be_visible()
    check(page, "results of one group (executive)")
    page.goto(f"{url}?group=role%3Acoordinators&versus=role%3Aboard")
    expect(page.get_by_text("Coordinators and Board members, side by side")).to_be_visible()
    # The first element's questions open, with each group's count of each point of the scale.
    page.locator("#items ~ details summary").first.click()
    caption = "Ratings: how many in each group chose each point of the scale"
    expect(page.get_by_text(caption).first).to_be_visible()
    check(page, "results of two groups side by side (executive)")


def test_the_network_page_with_its_map_and_table_passes_axe(site):
    world, visitors = site
    clusters(world.assessment)
    page = visitors["executive"]
    page.goto(reverse("results-network", args=[world.partnership.pk, world.assessment.pk]))
    expect(page.get_by_role("heading", name="Organisations in the network")).to_be_visible()
    check(page, "the partnership network with its map (executive)")


def test_forms_showing_their_errors_pass_axe(site):
    world, visitors = site
    for name in FORMS:
        row = URLS[name]
        who = VISITORS[row.access][0]
        page = visitors.new() if who in ("anonymous", "phone") else visitors[who]
        page.goto(row.url(world))
        send_empty(page)
        # Visible: the sign-in page also holds a hidden one for a passkey that fails.
        expect(page.locator(".govuk-error-summary:visible")).to_be_visible()
        check(page, f"{name} with errors ({who})")


def test_every_part_of_the_questionnaire_passes_axe(site):
    world, visitors = site
    # Someone who has not answered yet, so every part shows its questions to answer.
    token = world.paper_person.invitations.get(assessment=world.assessment).issue_link()
    page = visitors["anonymous"]
    parts = [part.section.number for part in outline(world.assessment)]
    assert len(parts) >= 8  # a part for each element of the 7S, and more
    for number in parts:
        page.goto(reverse("questionnaire-section", args=[token, number]))
        expect(page.get_by_role("radio").or_(page.get_by_role("textbox")).first).to_be_visible()
        check(page, f"questionnaire part {number}")
    # The world's assessment asks the network section, after the parts.
    page.goto(reverse("questionnaire-network", args=[token]))
    check(page, "questionnaire network section")
    page.goto(reverse("questionnaire-review", args=[token]))
    check(page, "questionnaire review, nothing answered")
    # A link that does not work explains why.
    page.goto(reverse("questionnaire", args=["no-such-link"]))
    check(page, "questionnaire with a broken link")


def control(console: Page, action: str) -> None:
    """Press one of the facilitator's buttons (next, open, close, reveal) on the console."""
    in_place(console, lambda: console.locator(f"#control-{action}").click())
    expect(console.locator(".govuk-error-summary")).to_have_count(0)


def test_workshop_screens_pass_axe_in_every_state(site):
    world, visitors = site
    console, presenter, phone = visitors["facilitator"], visitors.new(), visitors["phone"]
    presenter.context.add_cookies(console.context.cookies())
    workshop_url = reverse(
        "workshop", args=[world.partnership.pk, world.assessment.pk, world.workshop.pk]
    )
    room_url = reverse("workshop-room", args=[world.code])

    # A new workshop waiting to start: how to join, on the projector and the console.
    # (Created while no screen polls: SQLite locks a table read by another thread.)
    phone.goto("about:blank")
    lobby = workshop_service.create_workshop(
        world.assessment,
        world.workshop.facilitator,
        title="Eastvale lobby",
        kind=Workshop.Kind.BOARD,
        held_on=world.workshop.held_on,
        facilitator=world.workshop.facilitator,
    )
    lobby_url = reverse("workshop", args=[world.partnership.pk, world.assessment.pk, lobby.pk])
    presenter.goto(lobby_url + "present/")
    expect(presenter.get_by_text(lobby.display_code)).to_be_visible()
    check(presenter, "workshop presenter, waiting to start")
    console.goto(lobby_url)
    check(console, "workshop console, waiting to start")

    # Results of the first item shown; then, as the facilitator opens voting on the
    # next, the projector and the phone change in place.
    console.goto(workshop_url)
    presenter.goto(workshop_url + "present/")
    phone.goto(room_url)
    for page, screen in ((console, "console"), (presenter, "presenter"), (phone, "phone room")):
        check(page, f"workshop {screen}, results shown")
    control(console, "next")
    control(console, "open")
    check(console, "workshop console, voting open")
    expect(phone.get_by_role("button", name="Vote")).to_be_visible(timeout=POLL)
    check(phone, "phone room, voting opened in place")
    expect(presenter.get_by_text("0 of 2 have voted")).to_be_visible(timeout=POLL)
    check(presenter, "workshop presenter, voting opened in place")

    # The phone votes; the projector counts it in place.
    phone.get_by_role("radio").first.check()
    phone.get_by_role("button", name="Vote").click()
    expect(phone.get_by_text("Your vote is in")).to_be_visible()
    check(phone, "phone room, voted")
    expect(presenter.get_by_text("1 of 2 have voted")).to_be_visible(timeout=POLL)
    check(presenter, "workshop presenter, a vote in")
    presenter.goto(workshop_url + "present/")
    check(presenter, "workshop presenter, voting open, loaded afresh")
    phone.goto(room_url)
    check(phone, "phone room, voted, loaded afresh")

    # Closed, then revealed: in place on the phone and the projector.
    control(console, "close")
    check(console, "workshop console, voting closed")
    expect(phone.get_by_text("Voting on this question has closed")).to_be_visible(timeout=POLL)
    check(phone, "phone room, voting closed in place")
    control(console, "reveal")
    check(console, "workshop console, results revealed")
    expect(presenter.locator(".lsp-tally")).to_be_visible(timeout=POLL)
    check(presenter, "workshop presenter, results revealed in place")
    check(phone, "phone room, results revealed")


def test_error_pages_pass_axe(site):
    world, visitors = site
    for who in ("anonymous", "coordinator"):
        page = visitors[who]
        response = page.goto("/no-such-page/")
        assert response.status == 404
        expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
        check(page, f"404 ({who})")
    page = visitors["participant"]
    response = page.goto(URLS["results"].url(world))
    assert response.status == 403
    check(page, "403 (a participant asking for results)")
    # Pages rendered without a request, shown here as the server would send them.
    for template, heading in (
        ("503.html", "Sorry, the service is unavailable"),
        ("500.html", "Sorry, there is a problem with the service"),
    ):
        page.goto("/")
        page.set_content(render_to_string(template))
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        check(page, template)
