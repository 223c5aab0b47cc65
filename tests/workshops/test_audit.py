"""The audit log: coordinators' and facilitators' changes, who made them and when."""

from __future__ import annotations

from django.urls import reverse

from tests.conftest import make_workshop, respond
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
