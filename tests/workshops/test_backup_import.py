"""Restoring a partnership: the import_partnership command and
workshops/services/backup_import.py behind it, from a file export_partnership wrote."""

from __future__ import annotations

import json
import stat

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import CommandError
from django.urls import reverse

from tests.builders import PASSWORD
from tests.workshops.backup_helpers import (
    delete_partnership,
    empty_cache,  # noqa: F401 - a fixture
    export_to,
    import_from,
    pdf_pages,
    plain,
    renumbered,
    results_page,
    rich,  # noqa: F401 - a fixture
    row_counts,
)
from workshops.access import get_invitation_by_token
from workshops.models import EvidenceNote, Membership, Partnership, Target, User, Workshop
from workshops.models.assessment import hash_token
from workshops.services import backup_export
from workshops.services.results import results_for

# --- The round trip -------------------------------------------------------------------------


def test_a_partnership_exported_deleted_and_imported_gives_the_same_results_and_plan(
    client,
    cast,
    rich,  # noqa: F811
    tmp_path,
):
    eastvale = cast.partnership
    results_before = plain(results_for(rich, settings.MIN_GROUP_SIZE))
    earlier = eastvale.assessments.get(title="Spring 2025")
    earlier_before = plain(results_for(earlier, settings.MIN_GROUP_SIZE))
    page_before = results_page(client, rich)
    pdf_before = pdf_pages(rich)
    # What is compared holds the answers, the room's agreed ratings and the plan.
    assert "A shared data hub" in page_before and "Board away day" in page_before
    assert "Refresh the community strategy" in "".join(pdf_before)
    # And the targets: the earlier plan's, met or not on the page; this plan's, in the PDF.
    assert "Of the 2 targets set in the plan of “Spring 2025”" in page_before
    assert "75% answering yes" in " ".join("".join(pdf_before).split())
    targets_before = sorted(map(str, Target.objects.all()))
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
    assert plain(results_for(assessment, settings.MIN_GROUP_SIZE)) == results_before
    earlier = restored.assessments.get(title="Spring 2025")
    assert plain(results_for(earlier, settings.MIN_GROUP_SIZE)) == earlier_before
    assert results_page(client, assessment) == page_before
    assert pdf_pages(assessment) == pdf_before
    assert sorted(map(str, Target.objects.filter(plan__assessment__partnership=restored))) == (
        targets_before
    )
    # Every row is back as it was, times of creation and change included.
    again = backup_export.export_partnership(restored)
    assert renumbered(again["payload"]) == renumbered(exported["payload"])
    users = {u["email"]: u for u in exported["payload"]["users"]}
    users_again = {u["email"]: u for u in again["payload"]["users"]}
    # The account made from the file is as it was, down to when it joined and last signed in.
    created = "participant@eastvale.example.org"
    assert users_again[created] == users[created] and users[created]["date_joined"]
    # Accounts already here are this installation's own: only their sign-ins moved on.
    for email in users:
        assert {**users_again[email], "last_login": None} == {**users[email], "last_login": None}


def test_the_restored_partnership_works_as_before(client, cast, rich, tmp_path):  # noqa: F811
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


def test_importing_while_the_original_is_still_here_is_refused_whole(cast, rich, tmp_path):  # noqa: F811
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


def test_a_workshop_code_in_use_is_refused_too(cast, rich, tmp_path):  # noqa: F811
    path = tmp_path / "eastvale.json"
    export_to(path, cast.partnership)
    code = rich.workshops.get().code
    rich.invitations.all().delete()  # only the code clashes now
    before = row_counts()

    with pytest.raises(CommandError, match="workshop codes in the file are already in use here"):
        import_from(path)

    assert row_counts() == before
    assert Workshop.objects.get(code=code).assessment == rich


def test_the_choice_to_share_with_the_county_comes_back(cast, bank, tmp_path):
    county = Partnership.objects.create(name="Northshire", area="N", authority_type="county")
    Partnership.objects.filter(pk=cast.partnership.pk).update(
        county_partnership=county, share_with_county=True
    )
    path = tmp_path / "eastvale.json"
    export_to(path, cast.partnership)
    exported = json.loads(path.read_text())["payload"]["objects"]
    row = next(o for o in exported if o["model"] == "workshops.partnership")
    assert row["fields"]["share_with_county"] is True
    delete_partnership(cast.partnership)

    import_from(path)

    restored = Partnership.objects.get(name="Eastvale LSP")
    # The choice is kept; the link to a county is not carried (see export_partnership), so
    # nothing is shared until a coordinator links the county again.
    assert restored.share_with_county and restored.county_partnership is None
