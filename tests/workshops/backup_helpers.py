"""The partnership the backup tests export and import, and how they compare it before and
after: results and the plan PDF without ids, rows per model, and the commands run on a file."""

from __future__ import annotations

import dataclasses
import io
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.management import call_command
from django.db import models
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from questions.models import Item, Section
from tests.conftest import make_assessment, make_person, make_workshop, respond
from tests.workshops import test_results
from workshops.models import AuditEvent, Invitation, Partnership, User, Workshop
from workshops.reporting.plan_pdf import render_plan_pdf
from workshops.services import backup, draft_actions
from workshops.services import plan as plan_service
from workshops.services import workshop as workshop_service


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def go(workshop: Workshop, *actions: str) -> Workshop:
    for action in actions:
        workshop = workshop_service.change(workshop.pk, action)
    return Workshop.objects.select_related("current__item").get(pk=workshop.pk)


def vote(workshop: Workshop, respondent, **values: str) -> None:
    workshop_service.vote(workshop.code, respondent.pk, workshop.current_id, values)


@pytest.fixture
def rich(cast, bank):
    """Eastvale with everything a partnership holds: people, two assessments (the earlier
    one for trends), answers with evidence, a workshop with votes and agreed ratings, and a
    plan with priorities, accepted actions, their history and progress."""
    county = Partnership.objects.create(
        name="Greater Vale County LSP", area="Greater Vale", authority_type="county"
    )
    Partnership.objects.filter(pk=cast.partnership.pk).update(county_partnership=county)
    cast.person.user = cast.coordinator
    cast.person.save()
    people = [cast.person] + [
        make_person(cast, name, f"{name.split()[0].lower()}@eastvale.example.org", **who)
        for name, who in [
            ("Ann Board", {"role": "chair", "layer": "strategic", "sector": "private"}),
            ("Ben Exec", {"role": "executive", "layer": "executive", "sector": "third"}),
            ("Cal Lead", {"role": "theme_lead", "layer": "operational"}),
            ("Dee Member", {"role": "board_member", "layer": "strategic", "sector": "third"}),
        ]
    ]

    earlier = make_assessment(cast, title="Spring 2025", opens=-400, closes=-380)
    for value in ["2", "2", "3"]:
        test_results.respond(earlier, **{"1_1": value, "2_1": "1"})

    assessment = make_assessment(cast, title="Autumn 2025 review", basis="both")
    answers = [
        {"1.1:internal": "4", "1.1:external": "3", "1.1:note": "Board minutes, March"},
        {"1.1:internal": "2", "1.1:external": "dont_know", "1.1.2": "no", "2.1:internal": "1"},
        {"1.1:internal": "3", "1.1.2": "yes", "1.2.1": "A shared data hub", "2.1:internal": "2"},
        {"1.1:internal": "1", "1.1.2": "no", "2.1:internal": "3", "2.1:note": "See the audit"},
        {"1.1:internal": "3", "1.1:external": "2"},
    ]
    for person, values in zip(people, answers, strict=True):
        invitation = Invitation.objects.create(
            assessment=assessment, person=person, sent_at=timezone.now()
        )
        respond(invitation, values, submitted=person.name != "Dee Member")
    revoked = make_person(cast, "Eve Gone", "eve@eastvale.example.org")
    Invitation.objects.create(assessment=assessment, person=revoked, revoked_at=timezone.now())

    workshop = make_workshop(cast, assessment)
    voters = [
        workshop_service.join(workshop, person=people[1]),
        workshop_service.join(workshop, role="officer", sector="public", layer="operational"),
        workshop_service.join(workshop, role="executive", sector="third", layer="executive"),
    ]
    workshop = go(workshop, "next", "open")  # 1.1, rated on both bases
    for voter, values in zip(voters, [("4", "3"), ("3", "2"), ("2", "1")], strict=True):
        vote(workshop, voter, internal=values[0], external=values[1])
    workshop = go(workshop, "close", "reveal")
    entry = workshop.current
    workshop_service.record_consensus(
        entry,
        {"agreed_internal": 3, "agreed_external": 2, "rationale": "Plans are current"},
    )
    workshop_service.add_action(
        entry,
        cast.facilitator,
        description="Publish the partnership's plan",
        owner=cast.council,
        due_on=timezone.localdate() + timedelta(days=30),
    )
    workshop = go(workshop, "next", "open")  # 1.2
    for voter, value in zip(voters, ["1", "2", "dont_know"], strict=True):
        vote(workshop, voter, internal=value, external="2")
    workshop = go(workshop, "close")
    workshop_service.record_consensus(
        workshop.current, {"agreed_internal": 2, "investigate": True, "improvements": "Gaps"}
    )
    go(workshop, "next")  # left on an item, so Workshop.current is set

    plan = plan_service.plan_for(assessment)
    first = plan_service.add_priority(plan, "Joint commissioning with health")
    second = plan_service.add_priority(plan, "A single performance framework")
    plan_service.add_priority(plan, "Dropped idea")
    plan_service.set_votes(first, 4)
    plan_service.set_votes(second, 7)
    plan_service.drop_priority(plan.priorities.get(text="Dropped idea"))
    plan_service.order_priorities_by_votes(plan)
    draft_actions.propose_drafts(assessment, cast.coordinator)
    plan_service.decide(assessment.actions.get(source="workshop"), True, cast.facilitator)
    proposed = list(assessment.actions.filter(status="proposed").order_by("pk"))
    assert len(proposed) >= 2
    accepted = plan_service.decide(proposed[0], True, cast.coordinator)
    plan_service.decide(proposed[1], False, cast.coordinator)
    accepted = plan_service.update_action(
        accepted.pk,
        {
            "title": "Refresh the community strategy",
            "owner": cast.council,
            "owner_person": people[2],
            "due_on": timezone.localdate() + timedelta(days=60),
            "items": list(assessment.items.filter(key__in=["1.1", "2.1"])),
            "sections": list(Section.objects.filter(bank=bank, number__in=[1, 2])),
        },
        accepted.revision,
        cast.coordinator,
    )
    accepted = plan_service.update_action(
        accepted.pk, {"status": "in_progress"}, accepted.revision, cast.executive
    )
    plan_service.add_progress(accepted, "Draft shared with partners", cast.executive)
    plan_service.add_progress(accepted, "Consultation closed", cast.coordinator)
    plan_service.agree_plan(plan, cast.coordinator)

    for user, summary in [(cast.coordinator, "Version 1 of the plan agreed."), (None, "Import")]:
        AuditEvent.objects.create(
            partnership=cast.partnership,
            user=user,
            actor=f"{user.full_name} ({user.email})" if user else "A removed account",
            summary=summary,
            path=f"/partnerships/{cast.partnership.pk}/",
        )
    return assessment


# --- How results and the plan PDF look, without ids ------------------------------------------


def plain(value):
    """Results as labels and numbers: items by key, sections by number, no database ids."""
    if isinstance(value, Item):
        return ("item", value.key)
    if isinstance(value, Section):
        return ("section", value.number)
    if isinstance(value, models.Model):
        return (value._meta.label, str(value))
    if dataclasses.is_dataclass(value):
        return tuple((f.name, plain(getattr(value, f.name))) for f in dataclasses.fields(value))
    if isinstance(value, dict):
        return tuple(sorted((repr(plain(k)), plain(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(plain(v) for v in value)
    return value


def results_page(client, assessment) -> str:
    """The results page as an executive sees it, with ids in addresses taken out."""
    client.force_login(User.objects.get(email="executive@eastvale.example.org"))
    response = client.get(reverse("results", args=[assessment.partnership_id, assessment.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return re.sub(r"/\d+/", "/N/", html)


def pdf_pages(assessment) -> list[str]:
    pdf = render_plan_pdf(assessment)  # rendered now, never an earlier copy
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def row_counts() -> dict[str, int]:
    """Rows of every workshops model and every many-to-many table, and the question bank."""
    counts = {}
    for model in apps.get_app_config("workshops").get_models(include_auto_created=True):
        counts[model._meta.label] = model._base_manager.count()
    counts["questions.Item"] = Item.objects.count()
    return counts


def renumbered(payload: dict) -> list:
    """The rows of a backup with each id replaced by its place among its model's rows,
    so two exports of the same content compare equal wherever they were stored."""
    exported = {apps.get_model(label) for label, _ in backup.EXPORTED}
    place: dict[tuple[str, int], int] = {}
    for row in payload["objects"]:
        place[(row["model"], row["pk"])] = sum(1 for m, _ in place if m == row["model"])
    rows = []
    for row in payload["objects"]:
        model = apps.get_model(row["model"])
        fields = dict(row["fields"])
        for name, value in fields.items():
            target = model._meta.get_field(name).related_model
            if target in exported and value is not None:
                fields[name] = place[(target._meta.label_lower, value)]
        rows.append((row["model"], place[(row["model"], row["pk"])], fields))
    return rows


def export_to(path, partnership: Partnership) -> str:
    out, err = StringIO(), StringIO()
    call_command(
        "export_partnership", str(partnership.pk), output=str(path), stdout=out, stderr=err
    )
    return out.getvalue()


def import_from(path) -> str:
    out = StringIO()
    call_command("import_partnership", str(path), stdout=out)
    return out.getvalue()


def delete_partnership(partnership: Partnership) -> None:
    """Delete the partnership and all it holds. People and organisations are protected
    while answers and invitations refer to them, so assessments go first."""
    partnership.assessments.all().delete()
    partnership.people.all().delete()
    partnership.organisations.all().delete()
    partnership.delete()
    for model, path in backup.EXPORTED:
        lookup = {"pk" if path == "pk" else f"{path}_id": partnership.pk}
        assert not apps.get_model(model)._base_manager.filter(**lookup).exists()
