"""Backup and restore of a partnership: the export_partnership and import_partnership commands
and workshops/services/backup.py behind them."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import stat
from datetime import timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from questions.models import Item, Section
from tests.conftest import PASSWORD, make_assessment, make_person, make_workshop, respond
from tests.workshops import test_results
from workshops.access import get_invitation_by_token
from workshops.models import (
    Action,
    AuditEvent,
    EvidenceNote,
    Invitation,
    Membership,
    Partnership,
    Priority,
    ProgressNote,
    User,
    Workshop,
)
from workshops.models.assessment import hash_token
from workshops.reporting.plan_pdf import render_plan_pdf
from workshops.services import backup
from workshops.services import participants as participants_service
from workshops.services import plan as plan_service
from workshops.services import voting as voting_service
from workshops.services import workshop as workshop_service
from workshops.services.results import build


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def go(workshop: Workshop, *actions: str) -> Workshop:
    for action in actions:
        workshop = workshop_service.change(workshop.pk, action)
    return Workshop.objects.select_related("current__item").get(pk=workshop.pk)


def vote(workshop: Workshop, respondent, **values: str) -> None:
    voting_service.vote(workshop.code, respondent.pk, workshop.current_id, values)


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
        participants_service.join(workshop, person=people[1]),
        participants_service.join(workshop, role="officer", sector="public", layer="operational"),
        participants_service.join(workshop, role="executive", sector="third", layer="executive"),
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
    plan_service.propose_drafts(assessment, cast.coordinator)
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


# --- The round trip -------------------------------------------------------------------------


def test_a_partnership_exported_deleted_and_imported_gives_the_same_results_and_plan(
    client, cast, rich, tmp_path
):
    eastvale = cast.partnership
    results_before = plain(build(rich, settings.MIN_GROUP_SIZE))
    earlier = eastvale.assessments.get(title="Spring 2025")
    earlier_before = plain(build(earlier, settings.MIN_GROUP_SIZE))
    page_before = results_page(client, rich)
    pdf_before = pdf_pages(rich)
    # What is compared holds the answers, the room's agreed ratings and the plan.
    assert "A shared data hub" in page_before and "Board away day" in page_before
    assert "Refresh the community strategy" in "".join(pdf_before)
    path = tmp_path / "eastvale.json"

    output = export_to(path, eastvale)

    assert f"Exported Eastvale LSP to {path}" in output and "password hashes" in output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # it holds password hashes
    exported = json.loads(path.read_text())
    assert exported["format"] == "lsp-assess-partnership" and exported["version"] == 1
    counts_before = row_counts()
    delete_partnership(eastvale)
    # An account that is not in the target installation is created from the file.
    User.objects.filter(email="participant@eastvale.example.org").delete()
    cache.clear()

    output = import_from(path)

    restored = Partnership.objects.get(name="Eastvale LSP")
    assert restored.pk != eastvale.pk
    assert f"Imported Eastvale LSP as partnership {restored.pk}." in output
    assert "6 people" in output and "2 assessments" in output and "1 workshop" in output
    assert "created (participant@eastvale.example.org)" in output
    assert "Not carried over" in output and "Greater Vale County LSP" in output
    assert restored.county_partnership is None
    assert row_counts() == counts_before
    assessment = restored.assessments.get(title="Autumn 2025 review")
    assert plain(build(assessment, settings.MIN_GROUP_SIZE)) == results_before
    earlier = restored.assessments.get(title="Spring 2025")
    assert plain(build(earlier, settings.MIN_GROUP_SIZE)) == earlier_before
    assert results_page(client, assessment) == page_before
    assert pdf_pages(assessment) == pdf_before
    # Every row is back as it was, times of creation and change included.
    again = backup.export_partnership(restored)
    assert renumbered(again["payload"]) == renumbered(exported["payload"])
    users = {u["email"]: u for u in exported["payload"]["users"]}
    users_again = {u["email"]: u for u in again["payload"]["users"]}
    # The account made from the file is as it was, down to when it joined and last signed in.
    created = "participant@eastvale.example.org"
    assert users_again[created] == users[created] and users[created]["date_joined"]
    # Accounts already here are this installation's own: only their sign-ins moved on.
    for email in users:
        assert {**users_again[email], "last_login": None} == {**users[email], "last_login": None}


def test_the_restored_partnership_works_as_before(client, cast, rich, tmp_path):
    path = tmp_path / "eastvale.json"
    workshop = rich.workshops.get()
    code, current = workshop.code, workshop.current.item.key
    # The link in Ann's email: the file holds only its hash, and it still opens after a restore.
    token = rich.invitations.get(person__name="Ann Board").issue_link()
    export_to(path, cast.partnership)
    assert token not in path.read_text() and hash_token(token) in path.read_text()
    delete_partnership(cast.partnership)
    User.objects.filter(email="participant@eastvale.example.org").delete()

    import_from(path)

    restored = Partnership.objects.get(name="Eastvale LSP")
    # The recreated account signs in with its old password and keeps its role.
    participant = User.objects.get(email="participant@eastvale.example.org")
    assert participant.full_name == "Participant" and not participant.is_staff
    response = client.post(
        reverse("login"),
        {"login": "participant@eastvale.example.org", "password": PASSWORD},
        follow=True,
    )
    assert response.status_code == 200
    assert "Your partnerships" in response.content.decode()
    assert "Eastvale LSP" in response.content.decode()
    assert restored.membership_for(participant).role == Membership.Role.PARTICIPANT
    # Invitation links and the workshop code still work, now for the new rows.
    invitation = get_invitation_by_token(token)
    assert client.get(reverse("questionnaire", args=[token])).status_code == 200
    assert invitation.person.name == "Ann Board"
    assert invitation.assessment.partnership == restored
    assert invitation.respondent.answers.count() == 4
    workshop = Workshop.objects.get(code=code)
    assert workshop.assessment.partnership == restored
    assert workshop.current.workshop == workshop and workshop.current.item.key == current
    assert workshop.agenda.filter(agreed_at__isnull=False).count() == 2
    assert workshop.participants.filter(person__name="Ann Board").count() == 1
    # The plan's actions keep their links to questions, sections, owners and history.
    action = restored.assessments.get(title="Autumn 2025 review").actions.get(
        title="Refresh the community strategy"
    )
    assert sorted(action.items.values_list("key", flat=True)) == ["1.1", "2.1"]
    assert sorted(action.sections.values_list("number", flat=True)) == [1, 2]
    assert (action.owner.name, action.owner_person.name) == (
        "Eastvale District Council",
        "Ben Exec",
    )
    assert action.owner.partnership == restored and action.owner_person.partnership == restored
    assert [c.revision for c in action.changes.all()] == [4, 3, 2]
    assert [n.text for n in action.progress.all()] == [
        "Consultation closed",
        "Draft shared with partners",
    ]
    assert action.progress.first().user.email == "coordinator@eastvale.example.org"
    plan = action.assessment.plan
    assert (plan.version, plan.agreed_by.email) == (1, "coordinator@eastvale.example.org")
    assert [p.text for p in plan.priorities.filter(dropped=False)] == [
        "A single performance framework",
        "Joint commissioning with health",
    ]
    note = EvidenceNote.objects.get(respondent__assessment__partnership=restored, item__key="1.1")
    assert note.text == "Board minutes, March"


# --- Importing beside the original ------------------------------------------------------------


def test_importing_while_the_original_is_still_here_is_refused_whole(cast, rich, tmp_path):
    # A restored partnership keeps its invitation links and workshop codes (they have gone
    # out by email and on paper), so a second copy in the same installation cannot have them.
    path = tmp_path / "eastvale.json"
    export_to(path, cast.partnership)
    before = row_counts()

    with pytest.raises(CommandError) as refused:
        import_from(path)

    message = str(refused.value)
    assert "personal link tokens in the file are already in use here, by Eastvale LSP" in message
    assert "Nothing was imported" in message
    assert row_counts() == before
    assert Partnership.objects.filter(name="Eastvale LSP").count() == 1


def test_a_workshop_code_in_use_is_refused_too(cast, rich, tmp_path):
    path = tmp_path / "eastvale.json"
    export_to(path, cast.partnership)
    code = rich.workshops.get().code
    rich.invitations.all().delete()  # only the code clashes now
    before = row_counts()

    with pytest.raises(CommandError, match="workshop codes in the file are already in use here"):
        import_from(path)

    assert row_counts() == before
    assert Workshop.objects.get(code=code).assessment == rich


# --- Bad files --------------------------------------------------------------------------------


@pytest.fixture
def exported(cast, rich, tmp_path):
    """The file of the rich partnership, in an installation it has since been deleted from."""
    path = tmp_path / "eastvale.json"
    export_to(path, cast.partnership)
    delete_partnership(cast.partnership)
    return path


def resigned(data: dict) -> str:
    """A file changed on purpose and given a matching checksum, as a faulty exporter might."""
    data["checksum"] = backup.checksum(data["payload"])
    return json.dumps(data)


def truncated(text: str) -> str:
    return text[: len(text) // 2]


def one_byte_changed(text: str) -> str:
    assert text.count("Board minutes, March") == 1
    return text.replace("Board minutes, March", "Board minutes, Marcx")


def unknown_bank(text: str) -> str:
    data = json.loads(text)
    for about in data["payload"]["banks"].values():
        about["checksum"] = "f" * 64
    return resigned(data)


def dangling_reference(text: str) -> str:
    # Late in the file, so rows before it have been inserted when it is found.
    data = json.loads(text)
    action = next(r for r in data["payload"]["objects"] if r["fields"].get("owner_person"))
    action["fields"]["owner_person"] = 999999
    return resigned(data)


def duplicate_answer(text: str) -> str:
    data = json.loads(text)
    objects = data["payload"]["objects"]
    answer = next(r for r in objects if r["model"] == "workshops.answer")
    objects.append({**answer, "pk": 999999})
    return resigned(data)


def another_format(text: str) -> str:
    return json.dumps({"format": "something-else", "version": 1, "payload": {}})


def newer_version(text: str) -> str:
    data = json.loads(text)
    data["version"] = 2
    return json.dumps(data)


@pytest.mark.parametrize(
    "damage, message",
    [
        (truncated, "The file ends too early: it was cut short"),
        (one_byte_changed, "altered or damaged since it was exported"),
        (unknown_bank, r"needs question bank version 1, “Working better together\?"),
        (dangling_reference, r"action \d+ refers to person 999999 \(owner_person\), which is not"),
        (duplicate_answer, "The file clashes with what is already stored here"),
        (another_format, "The file is not a partnership backup"),
        (newer_version, "backup format version 2; this installation reads version 1"),
    ],
)
def test_a_bad_file_is_refused_with_a_reason_and_nothing_is_stored(
    exported, damage, message, tmp_path
):
    bad = tmp_path / "bad.json"
    bad.write_text(damage(exported.read_text()))
    before = row_counts()

    with pytest.raises(CommandError) as refused:
        import_from(bad)

    assert f"{bad} was not imported: " in str(refused.value)
    assert re.search(message, str(refused.value))
    assert row_counts() == before
    assert not Partnership.objects.filter(name="Eastvale LSP").exists()
    # The untouched file still imports.
    import_from(exported)
    assert Partnership.objects.filter(name="Eastvale LSP").count() == 1


# --- What the file holds -------------------------------------------------------------------------


def test_the_export_holds_nothing_of_another_partnership(cast, rich, bank, tmp_path):
    westmoor = cast.other
    theirs = make_assessment(cast, title="Westmoor review", partnership=westmoor)
    their_invitation = Invitation.objects.create(assessment=theirs, person=cast.other_person)
    respond(their_invitation, {"1.1:internal": "2", "1.1:note": "Westmoor evidence"})
    make_workshop(cast, theirs, title="Westmoor board", facilitator=cast.outsider)
    plan_service.add_priority(plan_service.plan_for(theirs), "Westmoor priority")
    path = tmp_path / "eastvale.json"

    export_to(path, cast.partnership)

    text = path.read_text()
    for theirs_only in ["Westmoor", "Olu Ade", "coordinator@westmoor.example.org"]:
        assert theirs_only not in text
    objects = json.loads(text)["payload"]["objects"]
    ours = {
        "workshops.person": set(cast.partnership.people.values_list("pk", flat=True)),
        "workshops.assessment": set(cast.partnership.assessments.values_list("pk", flat=True)),
        "workshops.invitation": set(
            Invitation.objects.filter(assessment__partnership=cast.partnership).values_list(
                "pk", flat=True
            )
        ),
        "workshops.priority": set(
            Priority.objects.filter(plan__assessment__partnership=cast.partnership).values_list(
                "pk", flat=True
            )
        ),
    }
    for model, pks in ours.items():
        assert {r["pk"] for r in objects if r["model"] == model} == pks
    emails = {u["email"] for u in json.loads(text)["payload"]["users"]}
    assert emails == {
        f"{role}@eastvale.example.org" for role in Membership.Role.values
    }  # members, creators and authors of changes: all Eastvale's own


def test_every_workshops_model_is_in_backups_or_left_out_on_purpose(db):
    # A model added later must be added to backup.EXPORTED (or, if it belongs to the
    # installation rather than a partnership, to backup.EXCLUDED with the reason).
    exported = {label for label, _ in backup.EXPORTED}
    for model in apps.get_app_config("workshops").get_models():
        label = model._meta.label
        assert label in exported or label in backup.EXCLUDED, f"{label} is not in backups"
    assert len(exported) == len(backup.EXPORTED)
    for label, path in backup.EXPORTED:
        model = apps.get_model(label)
        assert not model._base_manager.filter(**{path: 0}).exists()  # a lookup that works


def test_the_commands_say_what_is_wrong_with_their_arguments(db, tmp_path):
    with pytest.raises(CommandError, match="There is no partnership 999"):
        call_command("export_partnership", "999", stdout=StringIO())
    with pytest.raises(CommandError, match="cannot be read"):
        import_from(tmp_path / "missing.json")
    empty = tmp_path / "empty.json"
    empty.write_text("")
    with pytest.raises(CommandError, match="The file is empty"):
        import_from(empty)


def test_export_to_standard_output_writes_the_file_there_and_the_summary_apart(cast, rich):
    out, err = StringIO(), StringIO()
    call_command("export_partnership", str(cast.partnership.pk), stdout=out, stderr=err)

    data = backup.read_backup(out.getvalue().encode())
    assert data["payload"]["partnership"]["name"] == "Eastvale LSP"
    assert "Exported Eastvale LSP to standard output" in err.getvalue()
    assert "Exported" not in out.getvalue()
    assert Action.objects.filter(assessment=rich).count() == sum(
        1 for r in data["payload"]["objects"] if r["model"] == "workshops.action"
    )
    assert ProgressNote.objects.filter(action__assessment=rich).count() == 2


def test_the_export_is_written_as_it_is_read(cast, rich, monkeypatch):
    """Rows go to the file chunk by chunk while later chunks are still being read, and the
    file streamed that way is whole and checks out."""
    monkeypatch.setattr(backup, "EXPORT_CHUNK", 5)

    class Recording(StringIO):
        """Notes how many queries had run when each piece of the objects was written."""

        def __init__(self, queries):
            super().__init__()
            self.queries = queries
            self.at: list[int] = []

        def write(self, text):
            self.at.append(len(self.queries.captured_queries))
            return super().write(text)

    with CaptureQueriesContext(connection) as queries:
        out = Recording(queries)
        counts = backup.write_backup(cast.partnership, out)
    answers = counts["workshops.answer"]
    assert answers > 10  # several chunks of answers
    # Some rows were written before the last query ran: nothing waited for the whole.
    assert out.at[len(out.at) // 2] < len(queries.captured_queries)
    data = backup.read_backup(out.getvalue().encode())  # whole, and its checksum holds
    assert sum(1 for r in data["payload"]["objects"] if r["model"] == "workshops.answer") == answers
