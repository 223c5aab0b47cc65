"""The audit log: coordinators' and facilitators' changes, who made them and when."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from tests.builders import PASSWORD, make_user, make_workshop, respond
from workshops import audit
from workshops.models import Action, AuditEvent
from workshops.services import workshop as workshop_service
from workshops.views.partnership import AUDIT_PAGE_SIZE


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
