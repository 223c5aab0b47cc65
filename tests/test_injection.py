"""Whatever people type stays text: in pages, CSV and XLSX exports, PDFs and emails.

Every free-text field of the shared world is filled once for the module
(tests/typed_world.py), through the real forms, questionnaire link, workshop
screens and CSV imports, with markup, template syntax and spreadsheet formulas.
The tests then read back every page, export, PDF and email that shows them:
markup escaped, template syntax shown as typed, no cell a spreadsheet would run,
nothing fetched while rendering a PDF.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.typed_world import (
    SHORT,
    SUM,
    TYPED,
    Typed,
    csv_file,
    dates,
    post,
    signed_in,
    typed,
    typed_world,
)
from workshops.access import get_invitation_by_token
from workshops.models import Answer, EvidenceNote, Person, Respondent
from workshops.reporting.exports import EXPORTS
from workshops.services import action_reminders
from workshops.services import plan as plan_services
from workshops.services import summary as summary_services
from workshops.services.mail import unlinked

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Everything typed in once, in a transaction rolled back after the module's tests
    (each test runs inside it, in a savepoint of its own)."""
    with typed_world(django_db_blocker) as typed:
        yield typed


# --- What was stored ------------------------------------------------------------------------------


def test_the_forms_store_exactly_what_was_typed(db, world):
    partnership = world.partnership
    partnership.refresh_from_db()
    assert (partnership.name, partnership.area) == (TYPED["partnership"], TYPED["area"])
    assert world.organisation.name == TYPED["organisation"]
    assert world.person.name == TYPED["person"]
    assert world.imported_person.name == TYPED["imported_person"]
    assert (world.assessment.title, world.earlier.title) == (TYPED["title"], TYPED["earlier"])
    assert world.workshop.title == TYPED["workshop"]
    online = get_invitation_by_token(world.token).respondent
    assert online.is_submitted and online.organisation == TYPED["organisation"]
    assert Answer.objects.get(respondent=online, item__key="1.2.1").text == TYPED["open_answer"]
    assert EvidenceNote.objects.get(respondent=online).text == TYPED["note"]
    imported = set(
        world.assessment.respondents.filter(channel="import").values_list("organisation")
    )
    assert imported == {(TYPED["high"],), (TYPED["low"],)}
    participant = Respondent.objects.get(workshop=world.workshop)
    assert participant.organisation == TYPED["organisation"]
    world.entry.refresh_from_db()
    for name in ("rationale", "strengths", "improvements", "evidence"):
        assert getattr(world.entry, name) == TYPED[name]
    world.action.refresh_from_db()
    assert (world.action.title, world.action.description) == (
        TYPED["action_title"],
        TYPED["description"],
    )
    assert world.action.success_measure == TYPED["success"]
    assert world.action.support_partners == TYPED["support_partners"]
    assert world.action.support_elsewhere == TYPED["support_elsewhere"]
    assert world.action.progress.get().text == TYPED["progress"]
    priorities = set(plan_services.plan_for(world.assessment).priorities.values_list("text"))
    assert {(TYPED["priority"],), (TYPED["looking_forward"],)} <= priorities
    assert (f"{world.entry.item.key}: {TYPED['improvements']}",) in priorities


# --- Pages ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    who: str  # a role of the cast, "phone" (the joined participant) or "anyone"
    url: Callable[[Typed], str]
    shows: tuple[str, ...]  # keys of TYPED the page shows in full


PAGES = {
    "home": Page("coordinator", lambda w: reverse("home"), ("partnership",)),
    "partnership": Page(
        "coordinator",
        lambda w: reverse("partnership", args=[w.partnership.pk]),
        ("partnership", "area", "title", "earlier", "workshop", "organisation", "person"),
    ),
    "partnership edit form": Page(
        "coordinator",
        lambda w: reverse("partnership-edit", args=[w.partnership.pk]),
        ("partnership", "area"),
    ),
    "person edit form": Page(
        "coordinator",
        lambda w: reverse("person-edit", args=[w.partnership.pk, w.person.pk]),
        ("partnership", "person", "organisation"),
    ),
    "assessment dashboard": Page(
        "coordinator",
        lambda w: reverse("assessment", args=w.args()),
        ("partnership", "title", "person", "imported_person", "organisation"),
    ),
    "results": Page(
        "executive",
        lambda w: reverse("results", args=w.args()),
        ("partnership", "title", "open_answer", "imported_answer", "high", "low", "earlier"),
    ),
    "plan": Page(
        "coordinator",
        lambda w: reverse("plan", args=w.args()),
        ("partnership", "title", "priority", "looking_forward", "improvements", "action_title"),
    ),
    "action": Page(
        "coordinator",
        lambda w: reverse("plan-action", args=w.args(w.action.pk)),
        (
            "title",
            "action_title",
            "draft_title",
            "description",
            "success",
            "support_partners",
            "support_elsewhere",
            "progress",
            "person",
            "organisation",
        ),
    ),
    "workshop console": Page(
        "facilitator",
        lambda w: reverse("workshop", args=w.workshop_args()) + f"?item={w.entry.pk}",
        (
            "partnership",
            "title",
            "workshop",
            "rationale",
            "strengths",
            "improvements",
            "evidence",
            "workshop_action",
            "organisation",
        ),
    ),
    "workshop agenda": Page(
        "facilitator", lambda w: reverse("workshop-agenda", args=w.workshop_args()), ("workshop",)
    ),
    "presenter": Page(
        "facilitator", lambda w: reverse("workshop-present", args=w.workshop_args()), ("workshop",)
    ),
    "phone join": Page(
        "anyone",
        lambda w: reverse("workshop-join", args=[w.workshop.code]),
        ("partnership", "workshop", "person", "imported_person", "organisation"),
    ),
    "phone room": Page(
        "phone", lambda w: reverse("workshop-room", args=[w.workshop.code]), ("workshop",)
    ),
    "questionnaire part": Page(
        "anyone",
        lambda w: reverse("questionnaire-section", args=[w.draft_token, 1]),
        ("partnership", "title", "note", "open_answer"),
    ),
    "questionnaire looking forward": Page(
        "anyone",
        lambda w: reverse("questionnaire-section", args=[w.draft_token, 8]),
        ("looking_forward",),
    ),
    "questionnaire review": Page(
        "anyone",
        lambda w: reverse("questionnaire-review", args=[w.draft_token]),
        ("partnership", "title"),
    ),
    "paper return": Page(
        "coordinator",
        lambda w: reverse("paper-section", args=w.args(w.imported_person.pk, 1)),
        ("partnership", "title", "imported_person"),
    ),
    "audit log": Page(
        "coordinator",
        lambda w: reverse("audit-log", args=[w.partnership.pk]),
        ("partnership", "organisation", "person", "title", "workshop", "action_title"),
    ),
    "printable questionnaire": Page(
        "coordinator",
        lambda w: reverse("questionnaire-print", args=w.args()),
        ("partnership", "title"),
    ),
}


def assert_shown_as_text(html: str, keys) -> None:
    """The typed text is on the page, escaped, exactly as typed; none of it ran."""
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<script>alert" not in html and "<img src=x" not in html
    assert not re.search(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", html, re.I)
    assert settings.SECRET_KEY not in html
    for key in keys:
        assert escape(TYPED[key]) in html, f"{key} is not shown as typed"


@pytest.mark.parametrize("name", PAGES)
def test_every_page_shows_what_people_typed_as_text(db, world, name):
    page = PAGES[name]
    if page.who == "phone":
        client = world.phone
    elif page.who == "anyone":
        client = Client()
    else:
        client = signed_in(world.user(page.who))
    response = client.get(page.url(world))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert_shown_as_text(response.content.decode(), page.shows)


def test_an_import_problem_quotes_the_file_as_text(db, world):
    client = signed_in(world.user("coordinator"))
    people = Person.objects.count()
    row = ["Someone", "someone@eastvale.example.org", TYPED["low"], "officer", "operational"]
    upload = {"file": csv_file("name,email,organisation,role,layer", [row])}
    response = client.post(reverse("invitees-import", args=world.args()), upload)
    assert response.status_code == 200
    html = response.content.decode()
    assert "nothing was imported" in html
    problem = f"Line 2: organisation '{TYPED['low']}' is not in {TYPED['partnership']};"
    assert escape(problem) in html
    assert_shown_as_text(html, ("low", "partnership"))
    assert Person.objects.count() == people


# --- Exports --------------------------------------------------------------------------------------


EXPORT_FILES = [
    f"{what}.{kind}"
    for what, builders in EXPORTS.items()
    for kind in ("csv", "xlsx")
    if kind == "xlsx" or len(builders) == 1
]


# The typed text each file holds (quoted), and by sheet the columns that must stay numbers.
HOLDS = {
    "answers": ("organisation", "open_answer", "imported_answer", "high", "low"),
    "gaps": ("high", "low"),
    "trends": ("earlier",),
    "aggregates": ("high", "low", "earlier"),
}


NUMBERS = {
    "Answers": ("Element",),
    "Items": ("Answers", "Mean", "Median"),
    "Elements": ("Element", "Score"),
    "Where views differ": ("Value", "Gap", "Respondents"),
    "Trends": ("This assessment",),
    "Other partnerships": (),
}


SHEETS = {
    "answers": "Answers",
    "items": "Items",
    "elements": "Elements",
    "gaps": "Where views differ",
    "trends": "Trends",
    "benchmarks": "Other partnerships",
}


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def tables_of(response, kind: str, what: str) -> dict[str, list[list]]:
    """Sheet name -> rows (header first), read as a spreadsheet program would."""
    if kind == "csv":
        return {SHEETS[what]: list(csv.reader(io.StringIO(response.content.decode())))}
    workbook = load_workbook(io.BytesIO(response.content))
    for sheet in workbook:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
    return {sheet.title: [list(row) for row in sheet.values] for sheet in workbook}


@pytest.mark.parametrize("file", EXPORT_FILES)
def test_no_export_hands_a_spreadsheet_a_formula(db, world, file):
    what, kind = file.split(".")
    client = signed_in(world.user("coordinator"))
    response = client.get(reverse("results-export", args=world.args(what, kind)))
    assert response.status_code == 200
    tables = tables_of(response, kind, what)
    texts = [v for rows in tables.values() for row in rows for v in row if isinstance(v, str)]
    for text in texts:
        if kind == "csv" and is_number(text):
            continue  # a plain number, which a spreadsheet reads as one
        assert not text.startswith(FORMULA_START), f"{text!r} would run as a formula"
    for key in HOLDS.get(what, ()):
        assert any(text.startswith("'" + TYPED[key]) for text in texts), f"{key} not in {file}"
    assert settings.SECRET_KEY not in response.content.decode("latin-1")
    for sheet, rows in tables.items():
        header = rows[0]
        for column in NUMBERS[sheet]:
            index = header.index(column)
            values = [row[index] for row in rows[1:] if row[index] not in ("", None)]
            assert values, f"no {column} in {sheet}"
            if kind == "csv":
                assert all(is_number(v) for v in values), column
            else:
                assert all(isinstance(v, int | float) for v in values), column


def test_a_leading_tab_or_carriage_return_is_neutralised_too(db, world):
    # Forms and imports trim what people type; older or hand-made data may not be.
    online = get_invitation_by_token(world.token).respondent
    Answer.objects.filter(respondent=online, item__key="1.2.1").update(text="\t=1+2")
    Respondent.objects.filter(pk=online.pk).update(organisation="\r=3+4")
    client = signed_in(world.user("coordinator"))
    url = reverse("results-export", args=world.args("answers", "csv"))
    rows = list(csv.reader(io.StringIO(client.get(url).content.decode())))
    mine = [row for row in rows if row[-1] == "'\t=1+2"]
    assert mine and mine[0][5] == "'\r=3+4"
    url = reverse("results-export", args=world.args("answers", "xlsx"))
    sheet = load_workbook(io.BytesIO(client.get(url).content))["Answers"]
    assert "'\t=1+2" in [row[-1] for row in sheet.values]


# --- PDFs -----------------------------------------------------------------------------------------


def squeezed(text: str) -> str:
    """Text without whitespace: PDF lines break wherever the layout needs."""
    return re.sub(r"\s+", "", text)


def pdf_text(content: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(content))
    return reader, squeezed("".join(page.extract_text() for page in reader.pages))


def test_the_plan_pdf_prints_what_people_typed_and_fetches_nothing(db, world, fetches, no_network):
    cache.clear()
    client = signed_in(world.user("executive"))
    response = client.get(reverse("plan-pdf", args=world.args()))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader, text = pdf_text(response.content)
    shown = ["partnership", "title", "priority", "looking_forward", "action_title"]
    shown += ["description", "success", "progress", "person", "organisation", "high", "low"]
    for key in shown:
        assert squeezed(TYPED[key]) in text, f"{key} is not printed as typed"
    assert squeezed('<script>alert("x")</script>') in text and "{{7|add:1}}" in text
    assert settings.SECRET_KEY not in text
    assert reader.metadata.title == f"Improvement plan: {TYPED['partnership']}, {TYPED['title']}"
    asked = {url.split(",")[0] for url, _ in fetches}
    assert asked == {f"{settings.SITE_URL}/static/css/report.css", "data:image/svg+xml;base64"}
    assert no_network == []


def test_the_published_summary_shows_what_was_typed_as_text_and_nobodys_answers(
    db, world, fetches, no_network
):
    cache.clear()
    summary_services.publish(world.assessment, by=world.user("coordinator"))
    html = Client().get(reverse("summary-code", args=[world.workshop.code])).content.decode()
    shown = ["partnership", "title", "priority", "action_title", "rationale", "strengths"]
    assert_shown_as_text(html, shown)
    response = Client().get(reverse("summary-code-pdf", args=[world.workshop.code]))
    _, text = pdf_text(response.content)
    for key in shown:
        assert squeezed(TYPED[key]) in text, f"{key} is not printed as typed"
    # What one person wrote is in neither: open answers, Looking forward, evidence notes.
    for key in ["open_answer", "looking_forward", "note", "imported_answer"]:
        assert escape(TYPED[key]) not in html and squeezed(TYPED[key]) not in text, key
    asked = {url.split(",")[0] for url, _ in fetches}
    ours = {f"{settings.SITE_URL}/static/css/{name}.css" for name in ["report", "summary-report"]}
    assert asked <= ours | {"data:image/svg+xml;base64"}
    assert no_network == []


def test_the_paper_questionnaire_pdf_prints_the_names_as_typed_and_fetches_nothing(
    db, world, fetches, no_network
):
    client = signed_in(world.user("coordinator"))
    response = client.get(reverse("questionnaire-pdf", args=world.args()))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader, text = pdf_text(response.content)
    assert squeezed(TYPED["partnership"]) in text and squeezed(TYPED["title"]) in text
    assert settings.SECRET_KEY not in text
    expected = f"{TYPED['title']}: questionnaire – {TYPED['partnership']}"
    assert reader.metadata.title == expected
    assert fetches == [(f"{settings.SITE_URL}/static/css/print.css", "served")]
    assert no_network == []


# --- Emails ---------------------------------------------------------------------------------------


def assert_plain_text(text: str) -> None:
    """Plain-text email: neither escaped for HTML nor run as a template."""
    assert "&lt;" not in text and "&quot;" not in text and "&#x27;" not in text
    assert settings.SECRET_KEY not in text


def test_invitations_carry_the_names_as_typed(db, world):
    to_person = [m for m in world.emails if m.to == ["typed@eastvale.example.org"]]
    assert len(to_person) == 1
    message = to_person[0]
    # As typed, except that what a mail client would make a link of is broken up.
    partnership, title = unlinked(TYPED["partnership"]), unlinked(TYPED["title"])
    assert "http[:]//evil[.]example" in partnership and "javascript[:]alert" in partnership
    assert partnership in message.subject and title in message.subject
    assert f"Dear {unlinked(TYPED['person'])}," in message.body
    assert partnership in message.body and "{{ 7|add:1 }}" in message.body
    assert_plain_text(message.subject + message.body)
    imported = [m for m in world.emails if m.to == ["imported@eastvale.example.org"]]
    assert f"Dear {unlinked(TYPED['imported_person'])}," in imported[0].body


def test_an_action_reminder_carries_the_title_as_typed_on_one_subject_line(db, world):
    client = signed_in(world.user("coordinator"))
    action = world.action
    # A browser never sends a line break in a one-line field, but a hand-made request can.
    data = {
        "revision": action.revision,
        "title": TYPED["action_title"] + "\r\nBcc: everyone@evil.example",
        "description": action.description,
        "owner": action.owner_id,
        "owner_person": action.owner_person_id,
        **dates("due_on", action.due_on),
        "status": action.status,
    }
    post(client, reverse("plan-action", args=world.args(action.pk)), data)
    assert action_reminders.send_action_reminders() == 1
    message = mail.outbox[0]
    assert message.to == ["typed@eastvale.example.org"]
    assert "\n" not in message.subject and "\r" not in message.subject
    assert unlinked(TYPED["action_title"]) in message.subject
    assert unlinked(TYPED["partnership"]) in message.subject
    assert unlinked(TYPED["description"]) in message.body
    assert_plain_text(message.subject + message.body)


def test_a_member_invitation_carries_the_name_as_typed_and_the_new_name_stays_text(db, world):
    client = signed_in(world.user("coordinator"))
    invite = reverse("member-invite", args=[world.partnership.pk])
    post(client, invite, {"email": "joiner@example.org", "role": "participant"})
    message = mail.outbox[-1]
    partnership = unlinked(TYPED["partnership"])
    assert "\n" not in message.subject and partnership in message.subject
    assert partnership in message.body and "{{ 7|add:1 }}" in message.body
    assert_plain_text(message.subject + message.body)
    link = re.search(r"(/invitations/[A-Za-z0-9_-]+/)", message.body)[1]
    page = Client().get(link).content.decode()
    assert_shown_as_text(page, ("partnership",))
    name = typed(SUM, "joiner", SHORT)
    password = "a-long-walk-by-the-river"
    account = {"full_name": name, "password1": password, "password2": password}
    post(Client(), link, account)
    assert (
        world.partnership.memberships.get(user__email="joiner@example.org").user.full_name == name
    )
    members = client.get(reverse("members", args=[world.partnership.pk])).content.decode()
    assert escape(name) in members
    assert "<script>alert" not in members
