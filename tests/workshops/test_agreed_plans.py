"""Agreed plans stay agreed: an action the board agreed is never deleted, only withdrawn by a
coordinator with a reason, kept in its history, and the plan's version moves on."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.builders import make_workshop
from tests.workshops.test_plan_pdf import text_of
from workshops.models import Action, AuditEvent, ProgressNote
from workshops.reporting.plan_pdf import render_plan_pdf
from workshops.services import plan as services
from workshops.services.workshop import add_action


@pytest.fixture
def agreed(cast, assessment) -> Action:
    """A workshop's action, accepted into the plan with a progress note, and agreed as version 1."""
    workshop = make_workshop(cast, assessment)
    action = add_action(
        workshop.agenda.first(),
        cast.facilitator,
        description="Refresh the SCS",
        owner=None,
        due_on=None,
    )
    action = services.decide(action, accept=True, user=cast.coordinator)
    services.agree_plan(services.plan_for(assessment), cast.coordinator)
    services.add_progress(action, "Started in March", cast.coordinator)
    return Action.objects.get(pk=action.pk)


def delete_url(action: Action) -> str:
    assessment = action.assessment
    return reverse(
        "workshop-action-delete",
        args=[assessment.partnership_id, assessment.pk, action.workshop_id, action.pk],
    )


def withdraw_url(action: Action) -> str:
    assessment = action.assessment
    return reverse(
        "plan-action-withdraw", args=[assessment.partnership_id, assessment.pk, action.pk]
    )


def test_a_facilitator_cannot_delete_an_action_in_the_agreed_plan(client, cast, agreed):
    client.force_login(cast.facilitator)
    response = client.post(delete_url(agreed), follow=True)
    assert "is in the plan" in response.content.decode()
    agreed.refresh_from_db()  # still there, with its progress and history
    assert agreed.status == Action.Status.NOT_STARTED
    assert ProgressNote.objects.filter(action=agreed).count() == 1
    assert agreed.changes.count() == 1  # accepted


def test_the_console_still_removes_a_draft_nobody_has_accepted(client, cast, assessment):
    workshop = make_workshop(cast, assessment)
    draft = add_action(
        workshop.agenda.first(),
        cast.facilitator,
        description="A second thought",
        owner=None,
        due_on=None,
    )
    client.force_login(cast.facilitator)
    client.post(delete_url(draft))
    assert not Action.objects.filter(pk=draft.pk).exists()


def test_a_coordinator_withdraws_an_agreed_action_with_a_reason_and_the_version_moves_on(
    client, cast, agreed
):
    client.force_login(cast.coordinator)
    response = client.post(withdraw_url(agreed), {"reason": "Merged into the SCS refresh"})
    assert response.status_code == 302
    agreed.refresh_from_db()
    assert agreed.status == Action.Status.WITHDRAWN
    assert agreed.withdrawn_reason == "Merged into the SCS refresh"
    change = agreed.changes.first()  # newest first: the withdrawal is in the history
    assert change.changes["Status"] == ["Not started", "Withdrawn"]
    assert change.changes["Reason withdrawn"] == ["–", "Merged into the SCS refresh"]
    assert ProgressNote.objects.filter(action=agreed).count() == 1
    plan = services.plan_for(agreed.assessment)
    assert (plan.version, plan.is_agreed) == (2, False)
    page = client.get(
        reverse("plan", args=[agreed.assessment.partnership_id, agreed.assessment_id])
    )
    text = page.content.decode()
    assert "Version 2, not yet agreed" in text
    assert "Withdrawn" in text and "Merged into the SCS refresh" in text
    assert AuditEvent.objects.filter(summary__contains="withdrawn").exists()
    # The board agrees the amended plan, with an action added since, as version 2, not 3.
    Action.objects.create(
        assessment=agreed.assessment, description="Joint SCS", status=Action.Status.NOT_STARTED
    )
    services.agree_plan(plan, cast.coordinator)
    plan.refresh_from_db()
    assert (plan.version, plan.is_agreed) == (2, True)


def test_a_withdrawal_needs_a_reason_and_changes_nothing_without_one(client, cast, agreed):
    client.force_login(cast.coordinator)
    response = client.post(withdraw_url(agreed), {"reason": "  "})
    assert response.status_code == 400
    assert "Say why the action is withdrawn" in response.content.decode()
    agreed.refresh_from_db()
    assert agreed.status == Action.Status.NOT_STARTED
    assert services.plan_for(agreed.assessment).version == 1


@pytest.mark.parametrize("who", ["facilitator", "executive", "participant"])
def test_only_a_coordinator_may_withdraw(client, cast, agreed, who):
    client.force_login(getattr(cast, who))
    response = client.post(withdraw_url(agreed), {"reason": "Not ours"})
    assert response.status_code == 403
    agreed.refresh_from_db()
    assert agreed.status == Action.Status.NOT_STARTED


def test_an_agreed_action_cannot_be_edited_out_of_the_plan(client, cast, agreed):
    """Setting an agreed action back to proposed or rejected would be a deletion by another name."""
    client.force_login(cast.coordinator)
    url = reverse(
        "plan-action", args=[agreed.assessment.partnership_id, agreed.assessment_id, agreed.pk]
    )
    for status in ("rejected", "proposed", "withdrawn"):
        response = client.post(
            url,
            {
                "title": "Refresh",
                "description": "Refresh the SCS",
                "status": status,
                "revision": agreed.revision,
            },
        )
        assert response.status_code == 400
        agreed.refresh_from_db()
        assert agreed.status == Action.Status.NOT_STARTED


def test_withdrawing_twice_changes_nothing_more(cast, agreed):
    services.withdraw_action(agreed, "Done elsewhere", cast.coordinator)
    with pytest.raises(services.PlanError):
        services.withdraw_action(Action.objects.get(pk=agreed.pk), "Again", cast.coordinator)
    assert services.plan_for(agreed.assessment).version == 2
    assert agreed.changes.count() == 2


def test_a_withdrawn_action_leaves_the_plan_and_its_pdf_but_stays_listed(cast, agreed):
    services.withdraw_action(agreed, "Merged into the SCS refresh", cast.coordinator)
    _, text = text_of(render_plan_pdf(agreed.assessment))
    assert "Withdrawn" in text and "Merged into the SCS refresh" in text
