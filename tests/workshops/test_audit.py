"""The audit log: coordinators' and facilitators' changes, who made them and when."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from tests.builders import PASSWORD, make_user, make_workshop, respond
from tests.conftest import make_cast
from workshops import audit
from workshops.models import Action, AuditEvent
from workshops.services import workshop as workshop_service
from workshops.views.partnership import AUDIT_PAGE_SIZE

# As support staff verifying a partnership were logged before there were codes.
VERIFIED = "Partnership verified by support staff."


def _log(client, cast) -> str:
    client.force_login(cast.coordinator)
    response = client.get(reverse("audit-log", args=[cast.partnership.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_changes_to_workshops_plans_and_assessments_are_logged_with_who(
    client, cast, assessment, invitation
):
    workshop = make_workshop(cast, assessment, title="Board away day")
    ids = [cast.partnership.pk, assessment.pk]
    w = [*ids, workshop.pk]

    client.force_login(cast.facilitator)
    client.post(reverse("workshop-control", args=w), {"action": "next", "version": 1})
    client.post(reverse("workshop-control", args=w), {"action": "open", "version": 2})
    Action.objects.create(assessment=assessment, title="Refresh the plan", status="not_started")
    client.force_login(cast.coordinator)
    client.post(reverse("plan-change", args=[*ids, "priority"]), {"text": "Joint commissioning"})
    client.post(reverse("plan-change", args=[*ids, "agree"]), {"version": "1"})
    client.post(reverse("invitation-revoke", args=[*ids, invitation.pk]))

    events = list(AuditEvent.objects.filter(partnership=cast.partnership).order_by("at", "pk"))
    assert [(e.user, e.summary) for e in events] == [
        (cast.facilitator, "Board away day: next (showing an item, voting not open on 1.1)."),
        (cast.facilitator, "Board away day: open (voting open on 1.1)."),
        (cast.coordinator, "Priority “Joint commissioning” added."),
        (cast.coordinator, "Version 1 of the plan agreed."),
        (cast.coordinator, "Priya Shah's link has been withdrawn."),
    ]
    page = _log(client, cast)
    assert "Facilitator (facilitator@eastvale.example.org)" in page
    assert "Version 1 of the plan agreed." in page
    # Newest first.
    assert page.index("Version 1 of the plan agreed.") < page.index("Board away day: open")


def test_refused_and_failed_changes_are_not_logged(client, cast, assessment):
    workshop = make_workshop(cast, assessment)
    w = [cast.partnership.pk, assessment.pk, workshop.pk]
    client.force_login(cast.facilitator)
    # A stale version (someone else moved the workshop on) is refused with a message.
    client.post(reverse("workshop-control", args=w), {"action": "next", "version": 1})
    response = client.post(
        reverse("workshop-control", args=w), {"action": "next", "version": 1}, follow=True
    )
    assert "There is a problem" in response.content.decode()
    # An executive may not change the plan at all.
    client.force_login(cast.executive)
    client.post(reverse("plan-change", args=[cast.partnership.pk, assessment.pk, "agree"]))
    assert AuditEvent.objects.count() == 1


def test_phones_and_partners_answering_are_not_in_the_log(client, cast, assessment, invitation):
    respond(invitation, {"1.1:internal": "3"}, submitted=True)
    workshop = make_workshop(cast, assessment)
    workshop_service.change(workshop.pk, "next")
    client.post(reverse("workshop-join", args=[workshop.code]), {"anonymous": "1"})
    client.post(reverse("questionnaire-save", args=[invitation.token]), {"1.1:internal": "4"})
    assert not AuditEvent.objects.exists()
    assert "Nothing has been changed yet." in _log(client, cast)


def test_the_log_is_paged_and_each_partnership_sees_only_its_own(client, cast):
    for number in range(AUDIT_PAGE_SIZE + 5):
        AuditEvent.objects.create(
            partnership=cast.partnership, actor="Someone", summary=f"Change {number}", path="/"
        )
    AuditEvent.objects.create(
        partnership=cast.other, actor="X", summary="Westmoor change", path="/"
    )
    page = _log(client, cast)
    assert f"Change {AUDIT_PAGE_SIZE + 4}" in page and "Change 0<" not in page
    assert "Page 1 of 2" in page and "Westmoor" not in page
    older = client.get(reverse("audit-log", args=[cast.partnership.pk]) + "?page=2").content
    assert b"Change 0<" in older


def test_the_log_shows_what_happened_to_members_accounts_and_no_one_elses(client, cast):
    # A member signs in through the sign-in page; support staff reset their second factor.
    Client(HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0) Firefox/128.0").post(
        reverse("login"), {"login": cast.participant.email, "password": PASSWORD}
    )
    staff = make_user("support@lsp-assess.example.org", "Support")
    audit.record(
        "account.mfa_reset",
        "Second factor reset by support staff.",
        account=cast.participant,
        by=staff,
    )
    # Someone who is not a member, and another partnership's coordinator and entries.
    audit.record("account.signed_in", "Signed in with a password, stranger.", account=staff)
    Client().post(reverse("login"), {"login": cast.outsider.email, "password": PASSWORD})
    AuditEvent.objects.create(
        partnership=cast.other, actor="Outsider", summary="Westmoor's own change", path="/"
    )

    page = _log(client, cast)
    assert "Account of Participant (participant@eastvale.example.org):" in page
    assert "Signed in with a password, from 127.0.0.1 using Firefox on Windows." in page
    assert "Second factor reset by support staff." in page
    assert page.index("Second factor reset") < page.index("Signed in with a password, from")
    assert "stranger" not in page
    assert "coordinator@westmoor" not in page and "Westmoor's own change" not in page
    # Once they leave, their account's entries leave the partnership's log with them.
    cast.partnership.memberships.filter(user=cast.participant).delete()
    page = _log(client, cast)
    assert "participant@eastvale.example.org" not in page


# --- Recorded by the services, as data ---------------------------------------------------------


def _entries(cast) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(partnership=cast.partnership).order_by("at", "pk"))


def test_each_change_is_recorded_with_a_stable_code_and_the_data_that_changed(
    client, cast, assessment
):
    workshop = make_workshop(cast, assessment, title="Board away day")
    ids = [cast.partnership.pk, assessment.pk]
    first, second = workshop.agenda.order_by("position")[:2]
    draft = Action.objects.create(assessment=assessment, title="Share the data protocol")

    client.force_login(cast.facilitator)
    control = reverse("workshop-control", args=[*ids, workshop.pk])
    client.post(control, {"action": "next", "version": 1})
    client.post(control, {"action": "open", "version": 2})
    client.post(reverse("agenda-change", args=[*ids, workshop.pk, second.pk]), {"change": "up"})
    client.force_login(cast.coordinator)
    client.post(reverse("plan-action-decide", args=[*ids, draft.pk]), {"decision": "accept"})
    client.post(reverse("plan-change", args=[*ids, "agree"]), {"version": "1"})
    membership = cast.partnership.memberships.get(user=cast.participant)
    client.post(
        reverse("member-role", args=[cast.partnership.pk, membership.pk]), {"role": "executive"}
    )

    opened, moved, accepted, agreed, role = _entries(cast)[1:]
    assert (opened.action, opened.user, opened.target) == (
        "workshop.open",
        cast.facilitator,
        "Workshop “Board away day”",
    )
    assert opened.data == {
        **opened.data,
        "id": workshop.pk,
        "state": "voting",
        "item": first.item.key,
        "version": 3,
    }
    assert (moved.action, moved.data["item"], moved.data["direction"]) == (
        "agenda.moved",
        second.item.key,
        "up",
    )
    assert moved.data["position"] == 1
    assert (accepted.action, accepted.target) == (
        "action.accepted",
        "Action “Share the data protocol”",
    )
    assert accepted.data["changes"] == {"Status": ["Proposed", "Not started"]}
    assert (agreed.action, agreed.data["version"], agreed.data["actions"]) == (
        "plan.agreed",
        1,
        [draft.pk],
    )
    assert (role.action, role.user, role.data["role"], role.data["was"]) == (
        "member.role_changed",
        cast.coordinator,
        "executive",
        "participant",
    )
    assert role.data["user"] == cast.participant.pk
    # And the page reads them as the messages did.
    page = _log(client, cast)
    assert f"{second.item.key} moved up the agenda." in page
    assert "Draft action “Share the data protocol” accepted." in page
    assert "Participant is now an executive (was a participant)." in page


def test_rewording_a_success_message_leaves_the_log_as_it_was(
    client, cast, assessment, monkeypatch
):
    from django.contrib import messages

    import workshops.views.plan

    reworded = SimpleNamespace(
        success=lambda request, text: messages.success(request, "All done, thanks."),
        error=messages.error,
    )
    monkeypatch.setattr(workshops.views.plan, "messages", reworded)
    Action.objects.create(assessment=assessment, title="Refresh the plan", status="not_started")
    client.force_login(cast.coordinator)
    response = client.post(
        reverse("plan-change", args=[cast.partnership.pk, assessment.pk, "agree"]),
        {"version": "1"},
        follow=True,
    )

    assert "All done, thanks." in response.content.decode()
    [entry] = _entries(cast)
    assert (entry.action, entry.summary) == ("plan.agreed", "Version 1 of the plan agreed.")
    page = _log(client, cast)
    assert "Version 1 of the plan agreed." in page and "All done" not in page


def test_the_page_says_what_the_registry_says_for_the_entrys_code_and_data(
    client, cast, monkeypatch
):
    AuditEvent.objects.create(
        partnership=cast.partnership,
        action="plan.agreed",
        data={"version": 7},
        actor="Someone",
        summary="Words stored at the time.",
        path="",
    )
    assert "Version 7 of the plan agreed." in _log(client, cast)
    # Rewording the registry rewords every entry of that code; the data stays as it was.
    monkeypatch.setitem(audit.WORDS, "plan.agreed", "The board agreed version {version}.")
    page = _log(client, cast)
    assert "The board agreed version 7." in page and "Words stored" not in page


def test_old_entries_and_entries_the_registry_cannot_word_show_their_stored_words(client, cast):
    for action, data, summary in [
        (audit.FROM_MESSAGE, {}, "Priority “Joint commissioning” moved up."),
        ("plan.agreed", {"agreed": "no version"}, "Version 2 of the plan agreed."),
        ("something.new", {"version": 3}, "A change of a kind the registry has no words for."),
    ]:
        AuditEvent.objects.create(
            partnership=cast.partnership,
            action=action,
            data=data,
            actor="Someone",
            summary=summary,
            path="/",
        )
    page = _log(client, cast)
    assert "Priority “Joint commissioning” moved up." in page
    assert "Version 2 of the plan agreed." in page
    assert "A change of a kind the registry has no words for." in page


def test_the_registrys_words_are_made_from_the_data(db):
    data = {"state": "voting", "item": "1.1", "workshop": "Away day", "role": "executive"}
    assert audit.said("workshop.open", data) == "Away day: open (voting open on 1.1)."
    assert audit.said("workshop.show_remote", {**data, "item": None, "state": "lobby"}) == (
        "Away day: show remote (waiting to start)."
    )
    assert audit.said("member.invited", {**data, "email": "a@b.org", "partnership": "P"}) == (
        "a@b.org is invited to join P as an executive."
    )
    assert audit.said("agenda.added", {"added": 1}) == "1 item added to the agenda."
    assert audit.said("no.such.code", data) is None


def test_the_registrys_counts_are_said_in_the_singular_or_the_plural(db):
    assert audit.said("assessment.invited", {"invited": 2, "emailed": 1}) == (
        "2 invited; 1 email sent."
    )
    assert audit.said("assessment.invited", {"invited": 3, "emailed": 3}) == (
        "3 invited; 3 emails sent."
    )
    assert audit.said("assessment.reminded", {"sent": 1}) == (
        "Reminder sent to 1 person who has not finished."
    )
    assert audit.said("assessment.reminded", {"sent": 4}) == (
        "Reminder sent to 4 people who have not finished."
    )


def test_refused_invalid_and_looked_at_changes_record_nothing(client, cast, assessment):
    workshop = make_workshop(cast, assessment)
    ids = [cast.partnership.pk, assessment.pk]
    client.force_login(cast.coordinator)
    for url, data in [
        (reverse("plan-change", args=[*ids, "priority"]), {"text": ""}),
        (reverse("plan-change", args=[*ids, "agree"]), {"version": "1"}),  # nothing accepted
        (reverse("workshop-control", args=[*ids, workshop.pk]), {"action": "open", "version": 1}),
        (reverse("workshop-control", args=[*ids, workshop.pk]), {"action": "next"}),
        (reverse("person-create", args=[cast.partnership.pk]), {"name": ""}),
        (reverse("assessment-invite", args=ids), {"people": ["nobody"]}),
    ]:
        response = client.post(url, data)
        assert response.status_code in (200, 302, 400), url
    for name, args in [
        ("plan", ids),
        ("workshop", [*ids, workshop.pk]),
        ("person-create", [cast.partnership.pk]),
        ("members", [cast.partnership.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 200
    assert not AuditEvent.objects.exists()


def test_a_change_sent_twice_is_recorded_once(client, cast, assessment, invitation):
    workshop = make_workshop(cast, assessment)
    ids = [cast.partnership.pk, assessment.pk]
    top = workshop.agenda.order_by("position").first()
    client.force_login(cast.coordinator)
    form = {
        "title": "Second workshop",
        "kind": "board",
        "held_on_0": "1",
        "held_on_1": "6",
        "held_on_2": "2026",
        "facilitator": cast.facilitator.pk,
    }
    for _ in range(2):
        client.post(reverse("workshop-create", args=ids), form)
        client.post(reverse("plan-change", args=[*ids, "priority"]), {"text": "Joint working"})
        client.post(reverse("invitation-revoke", args=[*ids, invitation.pk]))
        # Already at the top: moving it up changes nothing, and says nothing in the log.
        client.post(reverse("agenda-change", args=[*ids, workshop.pk, top.pk]), {"change": "up"})
    priority = assessment.plan.priorities.get()
    for _ in range(2):
        client.post(reverse("priority-change", args=[*ids, priority.pk]), {"change": "drop"})

    assert [entry.action for entry in _entries(cast)] == [
        "workshop.created",
        "priority.added",
        "invitation.revoked",
        "priority.dropped",
    ]


# --- Entries from before there were codes ----------------------------------------------------

BEFORE_CODES = ("workshops", "0018_audit_targets_and_data")
WITH_CODES = ("workshops", "0019_audit_codes_for_old_entries")


def _migrate_to(target: tuple[str, str]) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([target])


def test_the_data_migration_gives_old_entries_codes_and_they_keep_their_words(
    transactional_db, client
):
    cast = make_cast()
    _migrate_to(BEFORE_CODES)
    try:
        old = {
            summary: AuditEvent.objects.create(
                partnership=cast.partnership, actor="Someone", summary=summary, path="/"
            )
            for summary in ["Priority “Joint working” moved up.", VERIFIED]
        }
        signed_in = audit.record("account.signed_in", "Signed in.", account=cast.coordinator)
    finally:
        _migrate_to(WITH_CODES)
        # On to the latest migration, which the tests that follow expect.
        _migrate_to(MigrationExecutor(connection).loader.graph.leaf_nodes("workshops")[0])

    codes = {summary: AuditEvent.objects.get(pk=e.pk).action for summary, e in old.items()}
    assert codes == {
        "Priority “Joint working” moved up.": audit.FROM_MESSAGE,
        VERIFIED: "partnership.verified",
    }
    assert AuditEvent.objects.get(pk=signed_in.pk).action == "account.signed_in"
    page = _log(client, cast)
    assert "Priority “Joint working” moved up." in page and VERIFIED in page


def test_a_change_nobody_made_is_not_recorded_and_a_code_needs_what_its_words_need(cast):
    agreed = {"version": 1}
    assert audit.record("plan.agreed", partnership=cast.partnership, data=agreed) is None
    with pytest.raises(ValueError, match="plan.agreed"):
        audit.record("plan.agreed", by=cast.coordinator, partnership=cast.partnership, data={})
    assert not AuditEvent.objects.exists()
    entry = audit.record(
        "plan.agreed", by=cast.coordinator, partnership=cast.partnership, data=agreed
    )
    assert (entry.summary, entry.path) == ("Version 1 of the plan agreed.", "")


def test_finishing_and_reopening_a_workshop_are_logged_with_who_did_each(client, cast, assessment):
    workshop = make_workshop(cast, assessment, title="Board away day")
    control = reverse("workshop-control", args=[cast.partnership.pk, assessment.pk, workshop.pk])
    client.force_login(cast.facilitator)
    client.post(control, {"action": "next", "version": 1})
    client.post(control, {"action": "finish", "version": 2})
    client.force_login(cast.coordinator)
    client.post(control, {"action": "reopen", "version": 3})

    finished, reopened = _entries(cast)[-2:]
    assert (finished.action, finished.user, finished.data["state"]) == (
        "workshop.finish",
        cast.facilitator,
        "finished",
    )
    first = workshop.agenda.first().item.key
    assert (reopened.action, reopened.user, reopened.data["item"]) == (
        "workshop.reopen",
        cast.coordinator,
        first,
    )
    page = _log(client, cast)
    assert f"Board away day: reopen (showing an item, voting not open on {first})." in page
