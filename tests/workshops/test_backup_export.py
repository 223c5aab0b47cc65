"""Exporting a partnership: the export_partnership command and
workshops/services/backup_export.py behind it."""

from __future__ import annotations

import json
from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.builders import make_assessment, make_workshop, respond
from tests.workshops.backup_helpers import (
    empty_cache,  # noqa: F401 - a fixture
    export_to,
    rich,  # noqa: F401 - a fixture
)
from workshops.models import Action, Invitation, Membership, Priority, ProgressNote
from workshops.services import backup, backup_export, priorities
from workshops.services import plan as plan_service


def test_the_export_holds_nothing_of_another_partnership(cast, rich, bank, tmp_path):  # noqa: F811
    westmoor = cast.other
    theirs = make_assessment(cast, title="Westmoor review", partnership=westmoor)
    their_invitation = Invitation.objects.create(assessment=theirs, person=cast.other_person)
    respond(their_invitation, {"1.1:internal": "2", "1.1:note": "Westmoor evidence"})
    make_workshop(cast, theirs, title="Westmoor board", facilitator=cast.outsider)
    priorities.add_priority(plan_service.plan_for(theirs), "Westmoor priority")
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


def test_export_to_standard_output_writes_the_file_there_and_the_summary_apart(cast, rich):  # noqa: F811
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


def test_the_export_is_written_as_it_is_read(cast, rich, monkeypatch):  # noqa: F811
    """Rows go to the file chunk by chunk while later chunks are still being read, and the
    file streamed that way is whole and checks out."""
    monkeypatch.setattr(backup_export, "EXPORT_CHUNK", 5)

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
        counts = backup_export.write_backup(cast.partnership, out)
    answers = counts["workshops.answer"]
    assert answers > 10  # several chunks of answers
    # Some rows were written before the last query ran: nothing waited for the whole.
    assert out.at[len(out.at) // 2] < len(queries.captured_queries)
    data = backup.read_backup(out.getvalue().encode())  # whole, and its checksum holds
    assert sum(1 for r in data["payload"]["objects"] if r["model"] == "workshops.answer") == answers
