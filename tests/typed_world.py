"""The shared world (tests/worlds.py) after people have typed markup, template syntax and
spreadsheet formulas into every free-text field, through the real forms, questionnaire
link, workshop screens and CSV imports (tests/test_injection.py reads it all back)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from tests.worlds import World, built_worlds
from workshops.models import (
    Action,
    AgendaItem,
    Assessment,
    Invitation,
    Organisation,
    Partnership,
    Person,
    User,
    Workshop,
)

HYPERLINK = '=HYPERLINK("http://evil.example","x")'


CMD = "+1+cmd|' /C calc'!A0"


SUM = "-2+3"


AT = "@SUM(A1)"


MARKUP = (
    '<script>alert("x")</script><img src=x onerror=alert(1)> {{ settings.SECRET_KEY }} '
    "{% debug %} {{ 7|add:1 }} \"quoted\" & 'single' javascript:alert(1)"
)


# Names are shorter (150 characters), so they get the core of it.
SHORT = '<script>alert("x")</script> {{ 7|add:1 }} {% debug %} "quoted" & \'single\''


def typed(start: str, what: str, rest: str = MARKUP) -> str:
    """What someone might type: a spreadsheet formula first, then markup and template syntax."""
    return f"{start} {what} {rest}"


TYPED = {
    "partnership": typed(HYPERLINK, "partnership"),
    "area": typed(CMD, "area"),
    "organisation": typed(AT, "organisation"),
    "person": typed(SUM, "person", SHORT),
    "imported_person": typed(HYPERLINK, "imported person", SHORT),
    "earlier": typed(HYPERLINK, "earlier"),
    "title": typed(CMD, "assessment"),
    "note": typed(HYPERLINK, "evidence note"),
    "open_answer": typed(CMD, "open answer"),
    "looking_forward": typed(SUM, "looking forward"),
    "imported_answer": typed(AT, "imported answer"),
    # Organisations of imported respondents, who rate 1.1 high and low: a gap between groups.
    "high": typed(HYPERLINK, "imported"),
    "low": typed(AT, "other imported"),
    "workshop": typed(AT, "workshop"),
    "rationale": typed(HYPERLINK, "rationale"),
    "strengths": typed(CMD, "strengths"),
    "improvements": typed(SUM, "improvements"),
    "evidence": typed(AT, "evidence"),
    "workshop_action": typed(HYPERLINK, "workshop action"),
    "priority": typed(CMD, "priority"),
    "draft_title": typed(SUM, "draft title"),
    "action_title": typed(AT, "action title"),
    "description": typed(HYPERLINK, "description"),
    "success": typed(CMD, "success measure"),
    "support_partners": typed(SUM, "support from partners"),
    "support_elsewhere": typed(AT, "support from elsewhere"),
    "progress": typed(HYPERLINK, "progress"),
}


@dataclass
class Typed:
    """The shared world's partnership after people have typed into every field, and where to
    find it."""

    world: World  # the shared world it was typed into
    users: dict[str, User]  # by role, as built_worlds gives them
    assessment: Assessment
    earlier: Assessment
    organisation: Organisation
    person: Person
    imported_person: Person
    token: str  # the person's link: their answers are submitted
    draft_token: str  # the imported person's link: the same texts, not yet submitted
    workshop: Workshop
    entry: AgendaItem
    action: Action
    phone: Client
    emails: list

    @property
    def partnership(self) -> Partnership:
        return self.world.partnership

    def user(self, role: str) -> User:
        return self.users[role]

    def args(self, *more) -> list:
        return [self.partnership.pk, self.assessment.pk, *more]

    def workshop_args(self, *more) -> list:
        return self.args(self.workshop.pk, *more)


def post(client: Client, url: str, data: dict | None = None, status: int = 302):
    response = client.post(url, data or {})
    problems = re.findall(r'govuk-error-message"[^>]*>(.*?)</p', response.content.decode(), re.S)
    assert response.status_code == status, problems or response.content.decode()[:3000]
    return response


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def dates(name: str, day) -> dict:
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}


def csv_file(header: str, rows: list[list[str]]) -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header.split(","))
    writer.writerows(rows)
    return SimpleUploadedFile("file.csv", buffer.getvalue().encode(), content_type="text/csv")


def _partnership(partnership: Partnership, coordinator: Client) -> tuple[Organisation, Person]:
    p = partnership.pk
    data = {"name": TYPED["partnership"], "area": TYPED["area"], "authority_type": "district"}
    post(coordinator, reverse("partnership-edit", args=[p]), data)
    data = {"name": TYPED["organisation"], "sector": "public"}
    post(coordinator, reverse("organisation-create", args=[p]), data)
    organisation = partnership.organisations.get(name=TYPED["organisation"])
    data = {
        "name": TYPED["person"],
        "email": "typed@eastvale.example.org",
        "organisation": organisation.pk,
        "role": "officer",
        "layer": "operational",
    }
    post(coordinator, reverse("person-create", args=[p]), data)
    return organisation, partnership.people.get(name=TYPED["person"])


def _earlier_answers(earlier: Assessment, coordinator: Client) -> None:
    header = "respondent,role,sector,layer,organisation,item,basis,answer"
    rows = [
        [f"r{n}", "officer", "public", "operational", "Council", "1.1", "", "2"] for n in range(3)
    ]
    ids = [earlier.partnership_id, earlier.pk]
    post(coordinator, reverse("responses-import", args=ids), {"file": csv_file(header, rows)})


def _assessment(partnership: Partnership, coordinator: Client, title: str, opens: int, closes: int):
    # Two parts (an element and Looking forward) keep the PDFs quick to render.
    data = {
        "title": title,
        "scope": "elements",
        "sections": [1, 8],
        "basis": "internal",
        **dates("opens_on", timezone.localdate() + timedelta(days=opens)),
        **dates("closes_on", timezone.localdate() + timedelta(days=closes)),
    }
    post(coordinator, reverse("assessment-create", args=[partnership.pk]), data)
    return partnership.assessments.get(title=title)


def _answers(assessment: Assessment, person: Person, coordinator: Client) -> tuple[str, str]:
    """The person's answers through their link, and answers imported from files."""
    ids = [assessment.partnership_id, assessment.pk]
    post(coordinator, reverse("assessment-invite", args=ids), {"people": [person.pk]})
    token = _link_in_last_email()
    answers = {
        "1.1:internal": "3",
        "1.1:note": TYPED["note"],
        "1.2.1": TYPED["open_answer"],
        "8.1": TYPED["looking_forward"],
    }
    saved = post(Client(), reverse("questionnaire-save", args=[token]), answers, status=200)
    assert json.loads(saved.content)["saved"] == 4
    post(Client(), reverse("questionnaire-review", args=[token]))

    # Three respondents in each of two organisations, alike in every other way: a gap
    # between the organisations, and the widest on 1.1, so reports name them.
    header = "respondent,role,sector,layer,organisation,item,basis,answer"
    rows = [[f"=high-{n}", "officer", "public", "operational", TYPED["high"]] for n in range(3)]
    rows += [[f"@low-{n}", "officer", "public", "operational", TYPED["low"]] for n in range(3)]
    rows = [row + ["1.1", "internal", "4" if n < 3 else "1"] for n, row in enumerate(rows)]
    rows.append(rows[0][:5] + ["1.2.1", "", TYPED["imported_answer"]])
    upload = {"file": csv_file(header, rows)}
    post(coordinator, reverse("responses-import", args=ids), upload)

    header = "name,email,organisation,role,layer"
    row = [TYPED["imported_person"], "imported@eastvale.example.org", TYPED["organisation"]]
    upload = {"file": csv_file(header, [[*row, "officer", "operational"]])}
    post(coordinator, reverse("invitees-import", args=ids), upload)
    # A submitted link shows nothing more, so the pages are read through a draft.
    drafter = Person.objects.create(
        partnership=assessment.partnership,
        organisation=person.organisation,
        name="Draft Partner",
        role=Person.Role.OFFICER,
        layer=Person.Layer.OPERATIONAL,
    )
    draft = Invitation.objects.create(assessment=assessment, person=drafter).token
    post(Client(), reverse("questionnaire-save", args=[draft]), answers, status=200)
    return token, draft


def _link_in_last_email() -> str:
    """The personal link the last email carries: only emails hold links."""
    return re.search(r"/a/([A-Za-z0-9_-]+)/", mail.outbox[-1].body)[1]


def _workshop(
    users: dict[str, User], assessment: Assessment, person: Person, organisation: Organisation
):
    """A workshop run on its screens: the person votes on a phone, the room agrees, an action."""
    facilitator = signed_in(users["facilitator"])
    data = {
        "title": TYPED["workshop"],
        "kind": "board",
        **dates("held_on", timezone.localdate()),
        "facilitator": users["facilitator"].pk,
    }
    ids = [assessment.partnership_id, assessment.pk]
    post(facilitator, reverse("workshop-create", args=ids), data)
    workshop = assessment.workshops.get()
    ids = [*ids, workshop.pk]
    phone = Client()
    post(phone, reverse("workshop-join", args=[workshop.code]), {"who": person.pk})

    def control(*actions: str) -> None:
        for action in actions:
            workshop.refresh_from_db()
            data = {"action": action, "version": workshop.version}
            post(facilitator, reverse("workshop-control", args=ids), data)

    control("next", "open")
    workshop.refresh_from_db()
    entry = workshop.current
    vote = {"item": entry.pk, "internal": "4"}
    post(phone, reverse("workshop-vote", args=[workshop.code]), vote)
    control("close", "reveal")
    prefix = f"c{entry.pk}-"
    agreed = {prefix + name: TYPED[name] for name in ("rationale", "strengths", "improvements")}
    agreed |= {f"{prefix}evidence": TYPED["evidence"], f"{prefix}agreed_internal": "3"}
    post(facilitator, reverse("workshop-consensus", args=[*ids, entry.pk]), agreed)
    action = {"description": TYPED["workshop_action"], "owner": organisation.pk}
    post(facilitator, reverse("workshop-action-add", args=[*ids, entry.pk]), action)
    workshop.refresh_from_db()
    return workshop, entry, phone


def _plan(assessment: Assessment, person: Person, organisation: Organisation, coordinator):
    ids = [assessment.partnership_id, assessment.pk]
    post(coordinator, reverse("plan-change", args=[*ids, "priority"]), {"text": TYPED["priority"]})
    post(coordinator, reverse("plan-change", args=[*ids, "gather"]))
    drafted = assessment.actions.get(source=Action.Source.WORKSHOP)
    post(
        coordinator, reverse("plan-action-decide", args=[*ids, drafted.pk]), {"decision": "accept"}
    )
    data = {
        "revision": 0,
        "title": TYPED["draft_title"],
        "description": TYPED["description"],
        "owner": organisation.pk,
        "owner_person": person.pk,
        **dates("due_on", timezone.localdate() + timedelta(days=3)),
        "success_measure": TYPED["success"],
        "support_partners": TYPED["support_partners"],
        "support_elsewhere": TYPED["support_elsewhere"],
        "status": "in_progress",
    }
    post(coordinator, reverse("plan-action-new", args=ids), data)
    action = assessment.actions.get(title=TYPED["draft_title"])
    # Renamed, so the action's history shows typed text on both sides of a change.
    data |= {"revision": action.revision, "title": TYPED["action_title"]}
    post(coordinator, reverse("plan-action", args=[*ids, action.pk]), data)
    progress = {"text": TYPED["progress"]}
    post(coordinator, reverse("plan-action-progress", args=[*ids, action.pk]), progress)
    action.refresh_from_db()
    return action


@contextmanager
def typed_world(django_db_blocker) -> Iterator[Typed]:
    """The shared world with everything typed in once, in a transaction rolled back at the
    end (a module's tests run inside it, each in a savepoint of its own)."""
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        override_settings(PASSWORD_HASHERS=fast),
        built_worlds(django_db_blocker) as (mine, _, users),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        del mail.outbox[:]
        coordinator = signed_in(users["coordinator"])
        organisation, person = _partnership(mine.partnership, coordinator)
        earlier = _assessment(mine.partnership, coordinator, TYPED["earlier"], -400, -380)
        _earlier_answers(earlier, coordinator)
        assessment = _assessment(mine.partnership, coordinator, TYPED["title"], -1, 14)
        token, draft_token = _answers(assessment, person, coordinator)
        workshop, entry, phone = _workshop(users, assessment, person, organisation)
        action = _plan(assessment, person, organisation, coordinator)
        yield Typed(
            world=mine,
            users=users,
            assessment=assessment,
            earlier=earlier,
            organisation=organisation,
            person=person,
            imported_person=mine.partnership.people.get(name=TYPED["imported_person"]),
            token=token,
            draft_token=draft_token,
            workshop=workshop,
            entry=entry,
            action=action,
            phone=phone,
            emails=list(mail.outbox),
        )
        transaction.set_rollback(True)
    cache.clear()
