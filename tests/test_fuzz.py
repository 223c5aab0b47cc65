"""Bad input: every form and every POST endpoint of the site, fuzzed.

For each URL in ``tests.worlds.URLS`` that takes a POST, Hypothesis posts
bodies made of the field names the site's own forms use (read from the pages,
or listed by hand where only a script or a button posts), with hostile values:
control characters, very long text, numbers that are not, impossible dates,
several values for one field, and the other partnership's ids. The CSV imports
get random files.

Whatever is sent, the site must not fail (no 500), and what it refuses (a 4xx,
an error message, or the form shown again with its error summary) must leave
the database exactly as it was. ``FUZZ_EXAMPLES`` raises the number of
examples per URL for a longer run; examples are derandomised so CI repeats.
"""

from __future__ import annotations

import copy
import os
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz_input import (
    Fields,
    csv_files,
    form_bodies,
    plausible_rows,
    values_for,
    world_values,
)
from tests.fuzz_tables import QUERIES, changed_tables, crossed, fingerprint, tenant_objects
from tests.workshops.live_helpers import joined
from tests.worlds import (
    ADMIN,
    ENTRANCE,
    FACILITATE,
    INVITEE,
    LINK,
    LOGOUT,
    MANAGE,
    MEMBER,
    PHONE,
    PUBLIC,
    RESULTS,
    SIGNED_IN,
    STAFF,
    URLS,
    World,
    built_worlds,
)
from workshops.models import Action, User, Workshop, WorkshopError
from workshops.services import workshop as workshop_service
from workshops.services.import_invitees import INVITEE_COLUMNS
from workshops.services.import_responses import RESPONSE_COLUMNS
from workshops.services.questionnaire import outline

# Examples per URL that reads fields; URLs that read none (pages that answer a
# POST as a GET, buttons that act on the URL alone) get a fifth as many.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))


WHO = {
    PUBLIC: "anonymous",
    LINK: "anonymous",
    INVITEE: "anonymous",
    PHONE: "anonymous",
    ENTRANCE: "anonymous",
    SIGNED_IN: "coordinator",
    LOGOUT: "coordinator",
    MEMBER: "coordinator",
    MANAGE: "coordinator",
    RESULTS: "coordinator",
    FACILITATE: "facilitator",
    ADMIN: "staff",
    STAFF: "staff",
}


# Pages a phone only reaches once it has joined the workshop.
JOINED = {
    "workshop-room",
    "workshop-room-live",
    "workshop-vote",
    "workshop-dots-vote",
    "workshop-ideas-send",
}


# The PDFs answer a POST as a GET and read no field; each takes seconds to draw,
# and the permission matrix already posts to them as everyone.
NOT_FUZZED = {"questionnaire-pdf", "plan-pdf"}


@dataclass(frozen=True)
class Target:
    name: str
    who: str
    url: Callable[[World], str]
    label: str = ""

    def __str__(self) -> str:
        return f"{self.label or self.name}-{self.who}"


def _targets() -> list[Target]:
    targets = []
    for name, row in sorted(URLS.items()):
        if row.post == 405 or name in NOT_FUZZED:
            continue
        targets.append(Target(name, WHO[row.access], row.url))
        if name in JOINED:
            targets.append(Target(name, "phone", row.url))
        if row.access == LINK:
            # The world's link has submitted its answers; this one has not started.
            url = lambda w, row=row: row.url(unanswered(w))  # noqa: E731
            targets.append(Target(name, "anonymous", url, label=f"{name}-unanswered"))
    # The plan's buttons share one URL pattern; only "priority" reads a field.
    targets.append(
        Target(
            "plan-change",
            "coordinator",
            lambda w: reverse("plan-change", args=[w.partnership.pk, w.assessment.pk, "priority"]),
            label="plan-change-priority",
        )
    )
    return targets


def unanswered(world: World) -> World:
    """The world as seen through the link of the person who has not answered yet."""
    invitation = world.paper_person.invitations.get(assessment=world.assessment)
    invitation.token = world.paper_token  # only its hash is stored
    return replace(world, invitation=invitation)


TARGETS = _targets()


# Buttons whose value the view reads by hand, and every value it takes: any other
# value, or none, must be refused with a message and change nothing.
ONE_OF: dict[str, tuple[str, set[str]]] = {
    "workshop-control": ("action", set(Workshop.ALLOWED)),
    "agenda-change": ("change", {"up", "down", "remove"}),
    "priority-change": ("change", {"up", "down", "drop", "votes"}),
    "plan-action-decide": ("decision", {"accept", "reject"}),
    "workshop-waiting": ("decision", {"admit", "turn_away"}),
    "workshop-ideas": ("step", {"approve", "heading", "outcome", "priority", "draft"}),
    "workshop-idea": ("step", {"approve", "hide", "show", "merge", "group", "priority", "draft"}),
    "local-question-add": ("kind", {"rating", "yes_no", "open"}),
}


# Fields posted by scripts or by buttons on pages the world does not show
# (a draft action to decide, a vote while voting is open), as the views read them.
BY_HAND: dict[str, dict[str, set[str]]] = {
    **{name: {field: values} for name, (field, values) in ONE_OF.items()},
    "workshop-control": {"action": set(Workshop.ALLOWED), "version": set(), "seconds": {"60"}},
    "priority-change": {"change": ONE_OF["priority-change"][1], "votes": {"3"}},
    "invitation-revoke-choose": {"invitation": set()},
    "workshop-vote": {
        "item": set(),
        "internal": {"1", "3", "dont_know"},
        "external": {"2"},
        "answer": {"yes", "no", "dont_know"},
    },
    "workshop-dots-vote": {"vote": set(), "order": set(), "move": {"up:1", "down:1"}},
    "workshop-ideas-send": {
        "collection": set(),
        "text": {"An idea", ""},
        "token": {"abc"},
        "save": set(),
        "delete": set(),
    },
    "workshop-ideas": {
        "step": ONE_OF["workshop-ideas"][1],
        "shown": {"1:1"},
        "heading": {"A"},
        "group": set(),
    },
    "workshop-idea": {
        "step": ONE_OF["workshop-idea"][1],
        "revision": {"1"},
        "into": set(),
        "group": set(),
    },
    "invitees-import": {"file": set()},
    "responses-import": {"file": set()},
}


# The answers a questionnaire page holds are saved one by one by its script.
SAVED_FROM = {"questionnaire-save": "questionnaire-section", "paper-save": "paper-section"}


IMPORTS = {"invitees-import": INVITEE_COLUMNS, "responses-import": RESPONSE_COLUMNS}


# What the pages' forms post: field names and the values they offer, by action path.


class _FormReader(HTMLParser):
    def __init__(self, page: str, found: dict[str, Fields]):
        super().__init__()
        self.page, self.found = page, found
        self.action: str | None = None
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs) -> None:
        attrs = dict(attrs)
        if tag == "form":
            posts = (attrs.get("method") or "get").lower() == "post"
            action = urlsplit(urljoin(self.page, attrs.get("action") or "")).path
            self.action = action if posts else None
        elif self.action is None:
            return
        elif tag in ("input", "select", "textarea", "button") and attrs.get("name"):
            name = attrs["name"]
            if name == "csrfmiddlewaretoken":  # the test client does not check it
                return
            values = self.found[self.action].setdefault(name, set())
            if tag == "select":
                self.select = name
            elif attrs.get("value") is not None:
                values.add(attrs["value"])
        elif tag == "option" and self.select and attrs.get("value") is not None:
            self.found[self.action][self.select].add(attrs["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.action = None
        elif tag == "select":
            self.select = None


def _read_forms(client: Client, url: str, found: dict[str, Fields]) -> None:
    response = client.get(url)
    if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
        _FormReader(url, found).feed(response.content.decode())


def read_site_forms(mine: World, users) -> dict[str, Fields]:
    """Every POST form the world's pages show to the people who use them."""
    found: dict[str, Fields] = defaultdict(dict)
    sections = [entry.section.number for entry in outline(mine.assessment)]
    people = {
        "anonymous": Client(),
        "coordinator": Client(),
        "facilitator": Client(),
    }
    people["coordinator"].force_login(users["coordinator"])
    people["facilitator"].force_login(users["facilitator"])
    # The pages holding forms all take a POST themselves (and answer it as a GET).
    pages: list[tuple[str, str]] = []
    for name, row in URLS.items():
        who = WHO[row.access]
        if row.get == 200 and row.post != 405 and who in people and name not in NOT_FUZZED:
            pages.append((who, row.url(unanswered(mine))))
    token, person = unanswered(mine).token, mine.paper_person.pk
    partnership, assessment = mine.partnership.pk, mine.assessment.pk
    for number in sections:
        pages.append(("anonymous", reverse("questionnaire-section", args=[token, number])))
        paper = reverse("paper-section", args=[partnership, assessment, person, number])
        pages.append(("coordinator", paper))
    for who, url in pages:
        _read_forms(people[who], url, found)
    for save, section in SAVED_FROM.items():
        prefix = URLS[section].url(unanswered(mine)).rstrip("/").rsplit("/", 1)[0]
        save_path = URLS[save].url(unanswered(mine))
        for path, fields in list(found.items()):
            if path.startswith(prefix):
                for field, values in fields.items():
                    found[save_path].setdefault(field, set()).update(values)
    return found


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with built_worlds(django_db_blocker) as (mine, theirs, users):
        with django_db_blocker.unblock(), transaction.atomic():
            # Reading the pages must not leave anything behind (a respondent's resume point).
            forms = read_site_forms(mine, users)
            transaction.set_rollback(True)
        yield mine, theirs, users, forms


# One request, and what it did to the database.


REFUSALS = {400, 403, 404, 405, 409, 410, 429}


# Python's own words, which must never be what a person is told.
PYTHON_WORDS = ("out of range", "invalid literal", "Exceeds the limit", "Traceback")


def post(client: Client, url: str, pairs, *, multipart: bool, upload=None, json=False):
    headers = {"Accept": "application/json"} if json else {}
    if not multipart and upload is None:
        body = urlencode(pairs)
        return client.post(
            url, body, content_type="application/x-www-form-urlencoded", headers=headers
        )
    data: dict[str, list] = defaultdict(list)
    for name, value in pairs:
        data[name].append(value)
    if upload is not None:
        data["file"] = [SimpleUploadedFile(upload[0], upload[1])]
    return client.post(url, dict(data), headers=headers)


def refused(response) -> bool:
    """Whether the site said no: a refusal status, an error or "nothing done" message,
    or the form shown again with its error summary.

    Anything else was taken, and may have changed what it says it changed. Some
    endpoints act whatever the body holds, and rightly: an empty consensus form
    records "nothing agreed", and erasing a person, removing a member, withdrawing
    a link, deleting a workshop action, reminding, the plan's buttons, submitting
    a questionnaire and signing out read no field at all. They confirm with a
    success message (or go on to the next page), so they are taken; their own
    tests check what they store. Buttons read by hand are held to their values
    (``ONE_OF``), and nothing may touch the other partnership (``crossed``).
    """
    if response.status_code in REFUSALS:
        return True
    levels = {m.level for m in get_messages(response.wsgi_request)}
    if levels & {messages.ERROR, messages.WARNING, messages.INFO}:
        return True
    html = response.get("Content-Type", "").startswith("text/html")
    return response.status_code == 200 and html and b"There is a problem" in response.content


def _open_voting(workshop: Workshop) -> None:
    """Move the room on to the next item that takes a vote, and open voting on it."""
    for _ in range(workshop.agenda.count()):
        try:
            workshop_service.change(workshop.pk, "next")
            workshop_service.change(workshop.pk, "open")
            return
        except WorkshopError:
            continue


def visitor(target: Target, mine: World, users) -> Client:
    if target.who == "phone":
        _open_voting(mine.workshop)
        return joined(mine.workshop)
    if target.name == "plan-action-decide":
        # A draft from the results, waiting for the coordinator's decision.
        Action.objects.filter(pk=mine.action.pk).update(status=Action.Status.PROPOSED)
    client = Client()
    if target.who != "anonymous":
        client.force_login(users[target.who])
    return client


def fields_of(target: Target, forms: dict[str, Fields], mine: World, theirs: World) -> Fields:
    # The pages were read through the link of the person who has not answered.
    page = target.url(unanswered(mine))
    fields: Fields = {name: set(values) for name, values in forms.get(page, {}).items()}
    for name, values in BY_HAND.get(target.name, {}).items():
        fields.setdefault(name, set()).update(values)
    workshop = Workshop.objects.get(pk=mine.workshop.pk)  # as the room has moved on
    if "version" in fields:
        fields["version"].add(str(workshop.version))
    if "item" in fields:
        fields["item"].add(str(workshop.current_id))
    if "code" in fields:
        fields["code"] |= {mine.code, theirs.code}
    if "email" in fields:  # accounts that exist, in either partnership or in none
        fields["email"] |= set(User.objects.values_list("email", flat=True))
    return fields


@pytest.mark.parametrize("target", TARGETS, ids=str)
def test_no_input_breaks_a_page_or_is_half_stored(target: Target, db, world):
    mine, theirs, users, forms = world
    url = target.url(mine)
    client = visitor(target, mine, users)
    fields = fields_of(target, forms, mine, theirs)
    ids = world_values(mine, theirs)
    foreign = tenant_objects(theirs)
    signed_in = copy.deepcopy(client.cookies)
    columns = IMPORTS.get(target.name)
    reads_fields = bool(fields) or columns is not None
    hostile_cells = values_for(set(columns or ()), ids)
    uploads = st.none()
    if columns:  # mostly a file; now and then none, or text where the file should be
        files = csv_files(columns, plausible_rows(mine), hostile_cells)
        uploads = st.sampled_from([True, True, True, False]).flatmap(
            lambda given: files if given else st.none()
        )

    @settings(
        max_examples=EXAMPLES if reads_fields else max(1, EXAMPLES // 5),
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        pairs=form_bodies(fields, ids),
        multipart=st.booleans(),
        upload=uploads,
        json=st.booleans(),
    )
    def post_once(pairs, multipart, upload, json):
        client.cookies = copy.deepcopy(signed_in)
        cache.clear()  # guess counters: one example's wrong codes must not refuse the next
        with transaction.atomic():
            before = fingerprint()
            response = post(client, url, pairs, multipart=multipart, upload=upload, json=json)
            assert response.status_code < 500
            after = fingerprint()
            said_no = refused(response)
            assert crossed(before, after, foreign) == [], "another partnership's rows involved"
            if target.name in ONE_OF:
                field, allowed = ONE_OF[target.name]
                given = [value for name, value in pairs if name == field]
                # Django reads the last of several values.
                assert said_no or (given and given[-1] in allowed), "taken, yet not offered"
            if said_no:
                assert changed_tables(before, after) == [], "refused, yet stored"
                text = response.content.decode(errors="replace")
                assert not [w for w in PYTHON_WORDS if w in text], text[:2000]
            elif response.status_code == 302 and response["Location"].startswith("/"):
                # What was stored must not break the page it is shown on.
                assert client.get(response["Location"]).status_code < 500
            transaction.set_rollback(True)

    post_once()


# Links: what a page reads from its address, shared or tampered with.


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_no_query_string_breaks_a_page(name: str, db, world):
    mine, theirs, users, _ = world
    url = URLS[name].url(mine)
    client = Client()
    client.force_login(users[WHO[URLS[name].access]])
    ids = world_values(mine, theirs)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(pairs=form_bodies(QUERIES[name], ids))
    def get_once(pairs):
        with transaction.atomic():
            before = fingerprint()
            response = client.get(f"{url}?{urlencode(pairs)}")
            assert response.status_code < 500
            text = response.content.decode(errors="replace")
            assert not [w for w in PYTHON_WORDS if w in text], text[:2000]
            assert changed_tables(before, fingerprint()) == [], "a page read stored something"
            transaction.set_rollback(True)

    get_once()


# The fuzzing above is only as good as the fields it finds: the site's forms are read.


def test_the_fields_of_the_sites_forms_are_found(db, world):
    mine, theirs, _, forms = world
    expected = {
        "person-create": {"name", "email", "organisation", "role", "layer"},
        "assessment-create": {"title", "scope", "sections", "opens_on_0", "closes_on_2"},
        "plan-action": {"revision", "title", "due_on_0", "due_on_1", "due_on_2", "status"},
        "workshop-consensus": {f"c{mine.agenda.pk}-rationale", f"c{mine.agenda.pk}-investigate"},
        "workshop-action-add": {"description", "owner", "due_on_0"},
        "workshop-join": {"who", "role", "sector", "layer", "attempt"},
        "questionnaire-save": {"1.1:internal", "1.1:note", "3.5:na", "8.1", "previous"},
        "paper-save": {"1.1:internal", "8.1"},
        "invitees-import": {"file"},
        "member-invite": {"email", "role"},
        "member-invitation": {"full_name", "password1", "password2"},
        "local-question-add": {"text", "kind", "section"},
    }
    for name, names in expected.items():
        found = forms.get(URLS[name].url(unanswered(mine)), {})
        assert names <= set(found), (name, sorted(found))
    # And the values they offer: the partnership's own organisations, never the other's.
    owners = forms[URLS["workshop-action-add"].url(mine)]["owner"]
    assert str(mine.organisation.pk) in owners
    assert str(theirs.organisation.pk) not in owners
