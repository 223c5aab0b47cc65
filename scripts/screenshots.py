"""Take the user guide's screenshots from a fresh demo database.

``make screenshots`` runs this. It builds a new SQLite database in a temporary
folder the way ``make run`` does (migrate, load_question_bank, seed_demo), adds
the answers a demonstration needs through the application's own services,
serves it with ``runserver`` on a free port, and drives Debian's Chromium
through Playwright as the demo users: the coordinator, a partner on a phone,
the facilitator (console and projector) and the executive. The pictures go to
``docs/guide/images/``; the developer's ``db.sqlite3`` is never touched.

The same pictures come out of every run, apart from dates and times: the
answers are drawn from fixed seeds, the workshop has a fixed code, and the
browser reaches the server under one fixed address, which is what the
projector shows.

``SHOTS`` lists every picture. ``tests/test_guide.py`` checks that it matches
the images folder and that the guide links each image, so a picture can
neither go stale nor be left behind unnoticed.
"""

from __future__ import annotations

import io
import os
import random
import re
import shutil
import signal
import socket
import subprocess  # noqa: S404 - runs manage.py runserver, nothing from outside
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

    from questions.models import Item
    from workshops.forms.questionnaire import Slot
    from workshops.models import Person

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "guide" / "images"

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# Every picture the guide uses, in the order they are taken, and the screen it is taken on.
SHOTS = {
    "coordinator-partnership": DESKTOP,
    "coordinator-new-assessment": DESKTOP,
    "coordinator-invite": DESKTOP,
    "partner-questionnaire-start": PHONE,
    "partner-questionnaire-answering": PHONE,
    "partner-questionnaire-check": PHONE,
    "coordinator-dashboard": DESKTOP,
    "coordinator-who-answered": DESKTOP,
    "partner-join-code": PHONE,
    "partner-join-who": PHONE,
    "partner-vote": PHONE,
    "facilitator-console-voting": DESKTOP,
    "facilitator-presenter-voting": DESKTOP,
    "facilitator-presenter-revealed": DESKTOP,
    "facilitator-console-agreed": DESKTOP,
    "partner-ideas": PHONE,
    "facilitator-console-ideas": DESKTOP,
    "facilitator-presenter-ideas": DESKTOP,
    "partner-dots": PHONE,
    "facilitator-presenter-dots": DESKTOP,
    "coordinator-audit-log": DESKTOP,
    "coordinator-members": DESKTOP,
    "account-sign-in": DESKTOP,
    "account-two-factor": DESKTOP,
    "account-devices": DESKTOP,
    "coordinator-plan-drafts": DESKTOP,
    "executive-results": DESKTOP,
    "executive-where-views-differ": DESKTOP,
    "executive-plan": DESKTOP,
    "executive-plan-pdf": DESKTOP,
    "coordinator-summary-preview": DESKTOP,
    "partner-summary": PHONE,
    "executive-network": DESKTOP,
    "partner-network": PHONE,
}

# The browser reaches the local server under this name (Chromium maps it to
# 127.0.0.1 and the chosen port), so the projector's join address is the same
# every run, and looks like a real installation's.
HOST = "lsp-assess.example.org"
WORKSHOP_CODE = "EAST7K4P"

# Every wait is bounded.
STEP_MS = 30_000  # one page load or one control to appear
POLL_MS = 8_000  # screens poll every second; a change shows within two
PDF_MS = 120_000  # the plan rendered as a PDF, on a busy machine
SERVER_START_S = 60
SETTLE_S = 10  # a picture is taken once two screenshots in a row agree

DISTRICT = "Eastvale Local Strategic Partnership"
ASSESSMENT = "Autumn self-assessment"
COORDINATOR = "coordinator@eastvale.example.org"
FACILITATOR = "facilitator@eastvale.example.org"
EXECUTIVE = "executive@eastvale.example.org"
PARTNER = "Helen Marsh"  # participant@eastvale.example.org: answers on her phone

# --- The demonstration's answers -----------------------------------------------------------------

# Mean rating of each element before anyone's leaning: element 7 falls in the
# "concern" band, so the plan proposes strengthening it.
ELEMENT_MEAN = {1: 3.0, 2: 2.8, 3: 2.7, 4: 2.9, 5: 2.5, 6: 2.6, 7: 2.0}
EXTERNAL_SHIFT = -0.3  # partners rate themselves lower against other LSPs
LAYER_LEANING = {"strategic": 0.15, "executive": 0.0, "operational": -0.15}
# Rating questions where the board and the people who deliver see things
# differently (against the partnership's own plans): points added for the
# strategic layer and taken off for the operational one.
SPLIT = {"2.3": 1.0, "7.3": 0.8}
# Yes/no questions, and who gives the answer that calls for investigation.
TRIGGERED = {
    "1.1.3": {
        "Priya Shah",
        "Cllr Margaret Hughes",
        "David Okafor",
        "Ch Supt Alan Reid",
        "Group Manager Sue Patel",
        "Amina Yusuf",
        "Gareth Lloyd",
        "Mark Collins",
    },
    "5.3.2": {"Priya Shah", "Ch Supt Alan Reid", "Group Manager Sue Patel"},
    "7.4.1": {
        "David Okafor",
        "Group Manager Sue Patel",
        "Lucy Grant",
        "Gareth Lloyd",
        "Mark Collins",
    },
}
# Questions many cannot answer.
UNSURE = {"6.5", "7.7"}

# Who has answered the questionnaire: finished, or started and not finished.
FINISHED = [
    "Priya Shah",
    "Cllr Margaret Hughes",
    "David Okafor",
    "Ch Supt Alan Reid",
    "Group Manager Sue Patel",
    "Tom Brennan",
    "Lucy Grant",
    "Amina Yusuf",
    "Gareth Lloyd",
    "Mark Collins",
]
STARTED = {"Cllr John Barker": 2}  # name: parts answered

LOOKING_FORWARD = {
    "Priya Shah": "Refresh the sustainable community strategy with an up-to-date evidence base",
    "Cllr Margaret Hughes": "Agree a shared performance framework that every partner reports to",
    "Ch Supt Alan Reid": "Share community safety and health data through one information hub",
    "Group Manager Sue Patel": "Report performance in a form operational groups can act on",
    "Tom Brennan": "Bring businesses into theme groups, not only the board",
    "Lucy Grant": "Give theme leads a voice in setting the board's agenda",
    "Amina Yusuf": "Fund the voluntary sector's part in joint commissioning",
    "Gareth Lloyd": "Plan housing, health and care together for the new estates",
}

# The workshop: who joins besides the partner's phone, and how the room votes on
# the first item, (internal, external) for each participant in joining order.
WORKSHOP_PEOPLE = [
    "Cllr Margaret Hughes",
    "Ch Supt Alan Reid",
    "Tom Brennan",
    "Cllr John Barker",
    "Priya Shah",
    "David Okafor",
]
WORKSHOP_ANONYMOUS = {"role": "theme_lead", "sector": "third", "layer": "operational"}
ROOM_VOTES = [
    ("3", "2"),
    ("4", "3"),
    ("2", "2"),
    ("3", "3"),
    ("3", "2"),
    ("2", "dont_know"),
    ("3", "2"),
]
PHONE_VOTE = ("3 – Performs well", "2 – Performs adequately")

# The action the facilitator drafts in the workshop.
WORKSHOP_ACTION = "Update the evidence base with health and police data"
# Drafts the coordinator accepts, by title (the first draft of that title), and
# then gives an owner organisation, an owner, a due date (days from today) and a status.
ACCEPTED = {
    "Strengthen shared systems": ("Northshire County Council", "Mark Collins", 120, "not_started"),
    "Find out why: 7.4.1": ("Eastvale District Council", "Priya Shah", 60, "in_progress"),
    "Find out why: 1.1.3": ("Eastvale District Council", "David Okafor", 90, "not_started"),
    WORKSHOP_ACTION: ("NHS Northshire Primary Care Trust", "Helen Marsh", 90, "in_progress"),
}
# The board's dot vote on the gathered priorities, in the order they were gathered.
DOTS = [5, 3, 7, 2, 4, 1, 6, 0, 2]
# The room's ideas for its meetings, one from each of the others' phones: the facilitator
# hides the one not meant for the screen, merges the duplicate and approves the rest.
IDEAS_PROMPT = "What one thing would most improve our board meetings?"
ROOM_IDEAS = [
    "Shorter board papers, with a one-page summary",
    "Hear from a community group at each meeting",
    "Board papers are far too long",
    "Start on time and finish on time",
    "The chair talks too much",
    "Send the papers a week ahead",
    "Meet in the villages as well as the town hall",
]
PHONE_IDEA = "Fewer items on each agenda, each with a decision to make"
HIDDEN_IDEA = "The chair talks too much"
DUPLICATE_IDEA = ("Board papers are far too long", "Shorter board papers, with a one-page summary")
# The priorities the facilitator puts to the room's phones, and how each phone places its
# three dots, at most two on one: the others' through the service, the partner's on her phone.
ROOM_QUESTION = "Where should the board start?"
DOT_CANDIDATES = [
    "Homes young families can afford",
    "Mental health support in schools",
    "Buses for the rural villages",
    "One evidence base for every partner",
]
ROOM_DOTS = [
    {0: 2, 1: 1},
    {1: 2, 3: 1},
    {0: 1, 2: 1, 3: 1},
    {0: 2, 2: 1},
    {1: 1, 3: 2},
    {0: 1, 1: 1, 2: 1},
    {1: 2, 2: 1},
]
PHONE_DOTS = {0: 1, 1: 2}
# How many rows of the long tables the pictures show.
AUDIT_SHOWN = 9


@dataclass
class Demo:
    """What the browser journeys need to know about the prepared data."""

    partnership_id: int
    assessment_id: int
    workshop_id: int
    partner_token: str
    people: dict[str, int] = field(default_factory=dict)


# --- The database ------------------------------------------------------------------------------


def configure(database: Path) -> None:
    """Point this process, and the server it starts, at the new database."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "lsp_assess.settings",
            "DATABASE_URL": f"sqlite:///{database}",
            "DEBUG": "true",
            "ALLOWED_HOSTS": f"{HOST},127.0.0.1,localhost",
            # Invitations go nowhere, whatever the developer's mail settings.
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            # As `make run` has them: PDFs rendered by the request, rate limits counted
            # in the server's memory.
            "PDF_WORKER": "false",
            "CACHE_BACKEND": "memory",
            # As `make run` has it: two-factor sign-in optional, so the demo accounts
            # sign in with the password alone.
            "MFA_REQUIRED_ROLES": "none",
            # The ORM is called between Playwright's steps, in Playwright's thread.
            "DJANGO_ALLOW_ASYNC_UNSAFE": "true",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def build_database() -> None:
    """What ``make run`` does before serving: migrate, load the questions, seed the demo."""
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_question_bank")
    call_command("seed_demo")
    # The server and this process both write; with a write-ahead log readers never block.
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=WAL")


def _rating(rng: random.Random, mean: float) -> str:
    return str(min(4, max(1, round(mean + rng.uniform(-0.6, 0.6)))))


def answers_of(person: Person, items: list[Item], bases: list[str]) -> dict[Slot, str]:
    """One person's answers, drawn from a seed of their own name."""
    from questions.models import Item
    from workshops.forms.questionnaire import Slot

    rng = random.Random(f"lsp-demo:{person.name}")  # noqa: S311 - demonstration data
    layer = person.layer
    values = {}
    for item in items:
        if item.kind == Item.Kind.RATING:
            element = item.section.number
            side = {"strategic": 1, "executive": 0, "operational": -1}[layer]
            for basis in bases:
                if item.key in UNSURE and rng.random() < 0.4:
                    values[Slot(item, basis)] = "dont_know"
                    continue
                mean = ELEMENT_MEAN[element] + LAYER_LEANING[layer]
                mean += SPLIT.get(item.key, 0) * side if basis == "internal" else 0
                mean += EXTERNAL_SHIFT if basis == "external" else 0
                values[Slot(item, basis)] = _rating(rng, mean)
        elif item.kind == Item.Kind.YES_NO:
            trigger = item.investigate_when or "no"
            other = "yes" if trigger == "no" else "no"
            values[Slot(item)] = trigger if person.name in TRIGGERED.get(item.key, ()) else other
        elif item.key == "8.1" and person.name in LOOKING_FORWARD:
            values[Slot(item)] = LOOKING_FORWARD[person.name]
    return values


def prepare_demo() -> Demo:
    """The questionnaire answers and the fixed workshop code the pictures need."""
    from workshops.models import Partnership, Workshop
    from workshops.services import answer_saving, questionnaire

    district = Partnership.objects.get(name=DISTRICT)
    assessment = district.assessments.get(title=ASSESSMENT)
    workshop = assessment.workshops.get()
    # The code is random when a workshop is set up; a fixed one keeps the
    # projector's code and QR code the same picture every run.
    Workshop.objects.filter(pk=workshop.pk).update(code=WORKSHOP_CODE)

    items = list(assessment.items.select_related("section").order_by("position"))
    invitations = {
        i.person.name: i for i in assessment.invitations.select_related("person", "assessment")
    }
    for name in [*FINISHED, *STARTED]:
        invitation = invitations[name]
        values = answers_of(invitation.person, items, assessment.bases)
        if name in STARTED:
            values = {s: v for s, v in values.items() if s.item.section.number <= STARTED[name]}
        respondent = questionnaire.respondent_for_invitation(invitation, "online")
        answer_saving.save_values(respondent, values)
        if name in FINISHED:
            questionnaire.submit(respondent)
    return Demo(
        partnership_id=district.pk,
        assessment_id=assessment.pk,
        workshop_id=workshop.pk,
        partner_token=invitations[PARTNER].issue_link(),
        people={p.name: p.pk for p in district.people.all()},
    )


# --- The server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int, log: Path) -> subprocess.Popen:
    command = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    with log.open("wb") as output:
        return subprocess.Popen(  # noqa: S603 - our own manage.py
            command,
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            process_group=0,  # its own process group, stopped as one
        )


def wait_until_up(port: int, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"The server stopped at start-up:\n{log.read_text()[-2000:]}")
        try:
            url = f"http://127.0.0.1:{port}/healthz"
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - local
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"The server did not answer within {SERVER_START_S} s.")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


# --- Taking pictures -----------------------------------------------------------------------------


class Camera:
    """Opens devices (browser contexts) and takes each named picture once."""

    def __init__(self, browser: Browser, folder: Path):
        self.browser = browser
        self.folder = folder
        self.taken: list[str] = []

    def device(self, viewport: dict, *, phone: bool = False) -> Page:
        context = self.browser.new_context(
            viewport=viewport,
            base_url=f"http://{HOST}",
            locale="en-GB",
            timezone_id="Europe/London",
            is_mobile=phone,
            has_touch=phone,
            accept_downloads=True,
        )
        context.set_default_timeout(STEP_MS)
        return context.new_page()

    def shoot(
        self,
        page: Page,
        name: str,
        *,
        whole: bool = False,
        top: Locator | None = None,
        bottom: Locator | None = None,
        through: Locator | None = None,
        ink: bool = False,
    ) -> None:
        """Save a picture of what the screen shows once it has stopped changing.

        ``whole``: the page from its top to the footer. ``top`` with ``bottom``
        or ``through``: the full width of the page from the top of ``top`` (or
        of the page) to the top of ``bottom`` or the bottom of ``through``.
        ``ink``: wait for something to be drawn (the PDF viewer starts blank).
        """
        if name not in SHOTS or name in self.taken:
            raise RuntimeError(f"{name} is not in SHOTS, or was taken twice")
        if page.viewport_size != SHOTS[name]:
            raise RuntimeError(f"{name} is listed for a {SHOTS[name]} screen")
        page.wait_for_function(
            "() => Array.from(document.images).every(i => i.complete)", timeout=STEP_MS
        )
        # No hover or focus ring left behind by the last click.
        page.mouse.move(0, 0)
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        options = {"animations": "disabled", "caret": "hide"}
        if whole and not page.locator("footer").count():
            options["full_page"] = True
        elif whole or top or bottom or through:
            start = max(0, _edges(top)[0] - 16) if top else 0
            if through:
                end = _edges(through)[1] + 16
            else:
                end = _edges(bottom or page.locator("footer"))[0]
            width = page.viewport_size["width"]
            options["full_page"] = True
            options["clip"] = {"x": 0, "y": start, "width": width, "height": end - start}
        previous = None
        deadline = time.monotonic() + SETTLE_S
        while True:
            picture = page.screenshot(**options)
            if picture == previous and not (ink and _blank(picture)):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name}: the screen was still changing after {SETTLE_S} s")
            previous = picture
            page.wait_for_timeout(1000 if ink else 500)
        (self.folder / f"{name}.png").write_bytes(picture)
        self.taken.append(name)
        print(f"  {name}")


def _edges(locator: Locator) -> tuple[float, float]:
    """Where an element starts and ends, from the top of the page."""
    return locator.evaluate(
        "e => [e.getBoundingClientRect().top + scrollY, e.getBoundingClientRect().bottom + scrollY]"
    )


def _blank(picture: bytes) -> bool:
    from PIL import Image

    with Image.open(io.BytesIO(picture)) as image:
        return image.getcolors(maxcolors=4) is not None


def sign_in(page: Page, email: str) -> None:
    from workshops.demo import DEMO_PASSWORD

    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("heading", name="Your partnerships").wait_for()


def click(page: Page, role: str, name: str) -> None:
    """Press a button or follow a link and wait for the page it leads to."""
    with page.expect_navigation():
        page.get_by_role(role, name=name, exact=True).click()


def banner(page: Page, text: str) -> None:
    """Wait for the message that confirms a change: a banner, or on the console the
    words it says beside the part the change was about."""
    page.locator(".govuk-notification-banner, .lsp-console__message").filter(
        has_text=text
    ).first.wait_for()


def date_fields(page: Page, group: str, day: date) -> None:
    fieldset = page.get_by_role("group", name=group)
    fieldset.get_by_label("Day").fill(str(day.day))
    fieldset.get_by_label("Month").fill(str(day.month))
    fieldset.get_by_label("Year").fill(str(day.year))


# --- The journeys --------------------------------------------------------------------------------


def coordinator_sets_up(camera: Camera, demo: Demo) -> None:
    from django.utils import timezone

    page = camera.device(DESKTOP)
    sign_in(page, COORDINATOR)
    click(page, "link", DISTRICT)
    camera.shoot(page, "coordinator-partnership")

    click(page, "button", "Set up an assessment")
    today = timezone.localdate()
    page.get_by_label("Title").fill("Spring board check-in")
    page.get_by_label("Top-level questions only").check()
    page.get_by_label("Internal: against the LSP's own plans and goals").check()
    date_fields(page, "Opens on", today + timedelta(days=35))
    date_fields(page, "Closes on", today + timedelta(days=56))
    camera.shoot(page, "coordinator-new-assessment", whole=True)
    click(page, "button", "Create assessment")
    banner(page, "is set up")

    click(page, "button", "Invite people")
    for name in ["Cllr Margaret Hughes", "Helen Marsh", "Ch Supt Alan Reid", "Tom Brennan"]:
        page.get_by_label(name, exact=False).check()
    camera.shoot(page, "coordinator-invite", whole=True)
    click(page, "button", "Send invitations")
    banner(page, "invited")
    page.context.close()


def partner_answers(camera: Camera, demo: Demo) -> None:
    page = camera.device(PHONE, phone=True)
    page.goto(f"/a/{demo.partner_token}/")
    camera.shoot(page, "partner-questionnaire-start", whole=True)

    click(page, "button", "Start now")
    question = page.locator('[data-item="1.1"]')
    question.get_by_role("group", name="Internal: against the LSP's own plans").get_by_label(
        "3 – Performs well"
    ).check()
    question.get_by_role("group", name="External: against the performance").get_by_label(
        "2 – Performs adequately"
    ).check()
    question.get_by_label("Comment or evidence (optional)").fill(
        "The strategy was written before the new housing growth was agreed."
    )
    question.get_by_label("Comment or evidence (optional)").blur()
    saved = question.locator(".lsp-saved")
    saved.filter(has_text="Saved at").wait_for()
    # The screen ends just below "Saved", with both ratings and the comment above it.
    page.evaluate(
        "e => scrollTo(0, e.getBoundingClientRect().bottom + scrollY - innerHeight + 24)",
        saved.element_handle(),
    )
    camera.shoot(page, "partner-questionnaire-answering")

    click(page, "link", "Check and submit your answers")
    camera.shoot(page, "partner-questionnaire-check", whole=True)
    page.context.close()


def coordinator_follows_progress(camera: Camera, demo: Demo) -> None:
    page = camera.device(DESKTOP)
    sign_in(page, COORDINATOR)
    page.goto(f"/partnerships/{demo.partnership_id}/assessments/{demo.assessment_id}/")
    camera.shoot(
        page,
        "coordinator-dashboard",
        bottom=page.get_by_role("heading", name="Completion by element"),
    )
    camera.shoot(
        page, "coordinator-who-answered", top=page.get_by_role("heading", name="Who has answered")
    )
    page.context.close()


def workshop_runs(camera: Camera, demo: Demo) -> None:
    from workshops.models import Person, Workshop
    from workshops.services import participants, voting

    workshop = Workshop.objects.get(pk=demo.workshop_id)
    console = camera.device(DESKTOP)
    sign_in(console, FACILITATOR)
    console.goto(workshop.get_absolute_url())
    presenter = camera.device(DESKTOP)
    sign_in(presenter, FACILITATOR)
    presenter.goto(workshop.get_absolute_url() + "present/")

    phone = camera.device(PHONE, phone=True)
    phone.goto("/w/")
    phone.get_by_label("Workshop code").fill("east-7k4p")
    camera.shoot(phone, "partner-join-code")
    click(phone, "button", "Continue")
    phone.get_by_label(f"{PARTNER}, NHS Northshire Primary Care Trust").check()
    camera.shoot(phone, "partner-join-who", whole=True)
    click(phone, "button", "Join the workshop")
    phone.get_by_role("heading", name="You have joined").wait_for()

    others = [
        participants.join(workshop, person=Person.objects.get(pk=demo.people[name]))
        for name in WORKSHOP_PEOPLE
    ]
    others.append(participants.join(workshop, **WORKSHOP_ANONYMOUS, attempt="demo-anonymous-1"))
    joined = len(others) + 1
    presenter.get_by_text(f"{joined} joined so far").wait_for(timeout=POLL_MS)

    click(console, "button", "Start with the first item")
    click(console, "button", "Open voting")
    workshop.refresh_from_db()
    for respondent, (internal, external) in zip(others, ROOM_VOTES, strict=True):
        voting.vote(
            workshop.code,
            respondent.pk,
            workshop.current_id,
            {"internal": internal, "external": external},
        )
    phone.get_by_role("group", name="Against our own plans").get_by_label(PHONE_VOTE[0]).check(
        timeout=POLL_MS
    )
    phone.get_by_role("group", name="Against other LSPs").get_by_label(PHONE_VOTE[1]).check()
    phone.get_by_role("button", name="Vote").click()
    phone.get_by_text("Your vote is in").wait_for()
    camera.shoot(phone, "partner-vote", whole=True)

    console.get_by_text(f"{joined} of {joined}").first.wait_for(timeout=POLL_MS)
    camera.shoot(console, "facilitator-console-voting")
    presenter.get_by_text(f"{joined} of {joined} have voted").wait_for(timeout=POLL_MS)
    camera.shoot(presenter, "facilitator-presenter-voting")

    click(console, "button", "Close voting")
    click(console, "button", "Reveal results")
    presenter.locator(".lsp-tally table").first.wait_for(timeout=POLL_MS)
    camera.shoot(presenter, "facilitator-presenter-revealed", whole=True)

    console.get_by_label("Agreed rating against our own plans (internal)").select_option("3")
    console.get_by_label("Agreed rating against other LSPs (external)").select_option("2")
    console.get_by_label("Why the board agreed this").fill(
        "Most of the room said 3 against our own plans; the strategy predates the housing growth."
    )
    console.get_by_label("Strengths").fill("Partners recognise their own priorities in it.")
    console.get_by_label("Areas for improvement").fill(
        "Refresh the story of place with the new housing and health evidence"
    )
    click(console, "button", "Record what was agreed")
    banner(console, "is recorded")
    console.get_by_label("Action").fill(WORKSHOP_ACTION)
    console.get_by_label("Owner organisation").select_option(
        label="NHS Northshire Primary Care Trust"
    )
    due = workshop.held_on + timedelta(days=90)
    date_fields(console, "Due by", due)
    click(console, "button", "Add action")
    banner(console, "Action added")
    presenter.get_by_text("Agreed: 3 against our own plans").wait_for(timeout=POLL_MS)
    camera.shoot(
        console,
        "facilitator-console-agreed",
        through=console.get_by_role("button", name="Add action"),
    )
    room_sends_ideas(camera, workshop, others, console, presenter, phone)
    room_votes_on_priorities(camera, workshop, others, console, presenter, phone)
    for page in (console, presenter, phone):
        page.context.close()


def idea_row(console: Page, text: str) -> Locator:
    return console.locator("tr", has=console.locator(f".lsp-ideas__idea:text-is('{text}')"))


def room_sends_ideas(camera, workshop, others, console, presenter, phone) -> None:
    """The facilitator asks the room for ideas, moderates them and shows the approved ones."""
    from workshops.services import ideas

    click(console, "link", "Ask the room for ideas")
    console.get_by_label("What the room is asked").fill(IDEAS_PROMPT)
    click(console, "button", "Ask the room for ideas")
    banner(console, "is on the room's phones")
    click(console, "button", "Open voting")
    workshop.refresh_from_db()
    for n, (respondent, text) in enumerate(zip(others, ROOM_IDEAS, strict=True)):
        ideas.send(workshop, respondent.pk, workshop.ideas_id, text, f"demo-idea-{n}")
    phone.get_by_label("Your idea", exact=True).fill(PHONE_IDEA, timeout=POLL_MS)
    phone.get_by_role("button", name="Send idea").click()
    phone.get_by_text("Your idea is in.").wait_for()
    camera.shoot(phone, "partner-ideas", whole=True)

    idea_row(console, PHONE_IDEA).wait_for(timeout=POLL_MS)
    idea_row(console, HIDDEN_IDEA).get_by_role("button", name="Hide").click()
    console.get_by_text(f"“{HIDDEN_IDEA}” is hidden from the room.").wait_for()
    duplicate, into = DUPLICATE_IDEA
    idea_row(console, duplicate).get_by_label("Merge into").select_option(label=into)
    idea_row(console, duplicate).get_by_role("button", name="Merge").click()
    idea_row(console, duplicate).filter(has_text="Merged into").wait_for()
    camera.shoot(
        console,
        "facilitator-console-ideas",
        through=console.get_by_role("button", name="Add heading"),
    )
    console.get_by_role("button", name="Approve all shown").click()
    console.get_by_text("approved for the screen.").wait_for()
    click(console, "button", "Close voting")
    click(console, "button", "Reveal results")
    presenter.locator(".lsp-present-ideas li").first.wait_for(timeout=POLL_MS)
    camera.shoot(presenter, "facilitator-presenter-ideas", whole=True)


def room_votes_on_priorities(camera, workshop, others, console, presenter, phone) -> None:
    """The facilitator puts typed priorities to the room; the phones place their dots."""
    from workshops.services import dots

    click(console, "link", "Put priorities to the room")
    console.get_by_label("What the room is asked").fill(ROOM_QUESTION)
    console.get_by_label("Other priorities to vote on (optional)").fill("\n".join(DOT_CANDIDATES))
    console.get_by_label("Most dots a phone may put on one priority").fill("2")
    click(console, "button", "Put to the room")
    banner(console, "is on the room's phones")
    click(console, "button", "Open voting")
    workshop.refresh_from_db()
    vote = workshop.dots
    candidates = [c.pk for c in vote.candidates.order_by("position")]
    for respondent, placed in zip(others, ROOM_DOTS, strict=True):
        given = {candidates[n]: count for n, count in placed.items()}
        dots.allocate(workshop, respondent.pk, vote.pk, given)
    for n, count in PHONE_DOTS.items():
        phone.get_by_label(DOT_CANDIDATES[n], exact=True).fill(str(count), timeout=POLL_MS)
    camera.shoot(phone, "partner-dots", whole=True)
    phone.get_by_role("button", name="Send my dots").click()
    phone.get_by_text("Your 3 dots are in.").wait_for()
    click(console, "button", "Close voting")
    click(console, "button", "Reveal results")
    presenter.locator(".lsp-dot-totals").first.wait_for(timeout=POLL_MS)
    camera.shoot(presenter, "facilitator-presenter-dots", whole=True)


def coordinator_reads_the_audit_log(camera: Camera, demo: Demo) -> None:
    page = camera.device(DESKTOP)
    sign_in(page, COORDINATOR)
    page.goto(f"/partnerships/{demo.partnership_id}/audit/")
    table = page.get_by_role("table")
    rows = table.get_by_role("row")
    if rows.count() > AUDIT_SHOWN + 1:
        camera.shoot(page, "coordinator-audit-log", bottom=rows.nth(AUDIT_SHOWN + 1))
    else:
        camera.shoot(page, "coordinator-audit-log", through=table)
    page.context.close()


def coordinator_looks_after_accounts(camera: Camera, demo: Demo) -> None:
    """The members page, and a coordinator's own account: signing in, setting up an
    authenticator app, and the devices they are signed in on."""
    page = camera.device(DESKTOP)
    page.goto("/accounts/login/")
    camera.shoot(page, "account-sign-in", whole=True)
    sign_in(page, COORDINATOR)
    page.goto(f"/partnerships/{demo.partnership_id}/members/")
    camera.shoot(page, "coordinator-members", whole=True)
    page.goto("/accounts/2fa/")
    click(page, "button", "Set up an authenticator app")
    # Changing how one signs in asks for the password again first.
    from workshops.demo import DEMO_PASSWORD

    page.get_by_label("Password").fill(DEMO_PASSWORD)
    click(page, "button", "Continue")
    page.get_by_role("heading", name="Set up an authenticator app").wait_for()
    camera.shoot(page, "account-two-factor", whole=True)
    page.goto("/accounts/sessions/")
    camera.shoot(page, "account-devices", whole=True)
    page.context.close()


def coordinator_builds_the_plan(camera: Camera, demo: Demo) -> None:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from workshops.models import Action, Organisation, Person
    from workshops.services import plan as plan_services

    page = camera.device(DESKTOP)
    sign_in(page, COORDINATOR)
    page.goto(f"/partnerships/{demo.partnership_id}/assessments/{demo.assessment_id}/plan/")
    click(page, "button", "Propose draft actions from the results")
    banner(page, "proposed from the results")
    elements = page.locator("[data-draft-group]")
    camera.shoot(
        page,
        "coordinator-plan-drafts",
        top=page.get_by_role("heading", name="Proposed actions"),
        bottom=elements.nth(1),
    )
    # Accepted together: ticked (the weaker drafts behind "Show more" opened first),
    # then "Accept selected", which the page does in place.
    announced = page.locator("[data-live-announce]")
    for more in page.locator("#drafts details summary").all():
        more.click()
    for title in ACCEPTED:
        page.get_by_label(title, exact=True).first.check()
    page.get_by_role("button", name="Accept selected").first.click()
    announced.filter(has_text="Accepted").wait_for()
    # The rest are near-duplicates of the accepted ones: one gap seen by role and by layer.
    while elements.count():
        heading = elements.first.locator("h3").inner_text()
        elements.first.get_by_role("button", name=re.compile("^Reject all")).click()
        page.locator("h3", has_text=heading).wait_for(state="detached")

    click(page, "button", "Gather priorities from Looking forward answers and workshops")
    banner(page, "candidate priorit")
    for n, dots in enumerate(DOTS, 1):
        field = page.get_by_label(f"Dots for priority {n}", exact=True)
        if not field.count():
            break
        field.fill(str(dots))
    page.get_by_role("button", name="Save dots", exact=True).click()
    announced.filter(has_text="Dots saved").wait_for()
    click(page, "button", "Rank by the dot vote")

    # Owners and dates, as the coordinator would give them on each action's page.
    coordinator = get_user_model().objects.get(email=COORDINATOR)
    actions = Action.objects.filter(assessment_id=demo.assessment_id)
    today = timezone.localdate()
    for title, (organisation, person, days, status) in ACCEPTED.items():
        action = actions.filter(title=title, status="not_started").first() or actions.get(
            description=title
        )
        values = {
            "owner": Organisation.objects.get(
                partnership_id=demo.partnership_id, name=organisation
            ),
            "owner_person": Person.objects.get(pk=demo.people[person]),
            "due_on": today + timedelta(days=days),
            "status": status,
        }
        plan_services.update_action(action.pk, values, action.revision, coordinator)
    with page.expect_navigation():
        page.get_by_role(
            "button", name=re.compile("^Record that the board agreed this plan")
        ).click()
    banner(page, "of the plan agreed")
    page.context.close()


def executive_reads(camera: Camera, demo: Demo, downloads: Path) -> None:
    page = camera.device(DESKTOP)
    sign_in(page, EXECUTIVE)
    click(page, "link", DISTRICT)
    click(page, "link", f"Results of {ASSESSMENT}")
    camera.shoot(
        page,
        "executive-results",
        bottom=page.get_by_role("heading", name="Soft (transformational)"),
    )
    camera.shoot(
        page,
        "executive-where-views-differ",
        top=page.locator("#differ"),
        bottom=page.locator("#investigate"),
    )
    page.goto(f"/partnerships/{demo.partnership_id}/assessments/{demo.assessment_id}/plan/")
    camera.shoot(page, "executive-plan", whole=True)

    with page.expect_download(timeout=PDF_MS) as download:
        page.get_by_role("link", name="Download the improvement plan (PDF)").click(timeout=PDF_MS)
    pdf = downloads / download.value.suggested_filename
    download.value.save_as(pdf)
    viewer = camera.device(DESKTOP)
    # Chromium's own PDF viewer, open at the page with the 7S chart.
    viewer.goto(pdf.as_uri() + "#page=4&zoom=80")
    camera.shoot(viewer, "executive-plan-pdf", ink=True)
    page.context.close()
    viewer.context.close()


def partner_reads_the_summary(camera: Camera, demo: Demo) -> None:
    """The coordinator previews and publishes the summary; the partner reads it from her link."""
    page = camera.device(DESKTOP)
    sign_in(page, COORDINATOR)
    page.goto(f"/partnerships/{demo.partnership_id}/assessments/{demo.assessment_id}/summary/")
    camera.shoot(
        page,
        "coordinator-summary-preview",
        bottom=page.get_by_role("region", name="Element scores"),
    )
    click(page, "button", "Publish the summary")
    banner(page, "published")
    page.context.close()

    phone = camera.device(PHONE, phone=True)
    phone.goto(f"/a/{demo.partner_token}/summary/")
    camera.shoot(
        phone,
        "partner-summary",
        bottom=phone.get_by_role("region", name="Element scores"),
    )
    phone.context.close()


def executive_reads_the_network(camera: Camera, demo: Demo) -> None:
    """The demo's people answer the network section (with a review a year earlier to
    compare against), and the executive reads the network page. Last, so that no other
    picture shows the network."""
    from workshops.demo_network import seed_network
    from workshops.models import Partnership

    seed_network(Partnership.objects.get(pk=demo.partnership_id))
    page = camera.device(DESKTOP)
    sign_in(page, EXECUTIVE)
    click(page, "link", DISTRICT)
    click(page, "link", f"Results of {ASSESSMENT}")
    click(page, "link", "see the partnership network")
    camera.shoot(page, "executive-network", bottom=page.locator("#network-organisations"))
    page.context.close()


def partner_answers_the_network(camera: Camera, demo: Demo) -> None:
    """The partner, who has not submitted yet, answers the network section on a phone once
    it is on (executive_reads_the_network turns it on)."""
    page = camera.device(PHONE, phone=True)
    page.goto(f"/a/{demo.partner_token}/network/")
    first = page.locator(".lsp-network__partner").first
    first.get_by_label("Monthly").check()
    first.locator("input[name^='rely-'][value='3']").check()
    first.locator("input[name^='contrib-'][value='4']").check()
    saved = first.locator(".lsp-saved")
    saved.filter(has_text="Saved").wait_for()
    # From the first sector's heading to "Saved": one organisation's three answers.
    camera.shoot(page, "partner-network", top=page.locator(".lsp-network h2").first, through=saved)
    page.context.close()


def take_pictures(chromium: str, port: int, demo: Demo, folder: Path, downloads: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--hide-scrollbars",
                f"--host-resolver-rules=MAP {HOST} 127.0.0.1:{port}",
            ],
        )
        try:
            camera = Camera(browser, folder)
            coordinator_sets_up(camera, demo)
            partner_answers(camera, demo)
            coordinator_follows_progress(camera, demo)
            workshop_runs(camera, demo)
            coordinator_reads_the_audit_log(camera, demo)
            coordinator_looks_after_accounts(camera, demo)
            coordinator_builds_the_plan(camera, demo)
            executive_reads(camera, demo, downloads)
            partner_reads_the_summary(camera, demo)
            executive_reads_the_network(camera, demo)
            partner_answers_the_network(camera, demo)
        finally:
            browser.close()
    missing = [name for name in SHOTS if name not in camera.taken]
    if missing:
        raise RuntimeError(f"Not taken: {', '.join(missing)}")


# --- Publishing ----------------------------------------------------------------------------------


def publish(folder: Path) -> int:
    """Replace the guide's images with the new ones, made small; returns the total bytes."""
    from PIL import Image

    IMAGES.mkdir(parents=True, exist_ok=True)
    for old in IMAGES.glob("*.png"):
        if old.stem not in SHOTS:
            old.unlink()
            print(f"  removed {old.name}: no longer taken")
    total = 0
    for name in SHOTS:
        with Image.open(folder / f"{name}.png") as picture:
            # Screens of flat colour lose nothing visible in a 256-colour palette,
            # and the files shrink by more than half.
            small = picture.convert("RGB").quantize(256, dither=Image.Dither.NONE)
            buffer = io.BytesIO()
            small.save(buffer, format="PNG", optimize=True)
        (IMAGES / f"{name}.png").write_bytes(buffer.getvalue())
        total += len(buffer.getvalue())
    return total


def main() -> int:
    chromium = shutil.which("chromium")
    if chromium is None:
        print("No chromium on the PATH: apt-get install chromium", file=sys.stderr)
        return 1
    # Stopped from outside, still stop the server and remove the temporary folder.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with tempfile.TemporaryDirectory(prefix="lsp-screenshots-") as work:
        work = Path(work)
        configure(work / "demo.sqlite3")
        print("Building a fresh demo database…")
        build_database()
        demo = prepare_demo()
        port = free_port()
        log = work / "server.log"
        server = start_server(port, log)
        try:
            wait_until_up(port, server, log)
            print(f"Taking pictures (server on port {port})…")
            shots, downloads = work / "shots", work / "downloads"
            shots.mkdir()
            downloads.mkdir()
            take_pictures(chromium, port, demo, shots, downloads)
        except Exception:
            print(f"Server log (last lines):\n{log.read_text()[-3000:]}", file=sys.stderr)
            raise
        finally:
            stop_server(server)
        total = publish(shots)
    print(f"{len(SHOTS)} pictures in {IMAGES.relative_to(ROOT)}, {total / 1024:.0f} KiB in all.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
