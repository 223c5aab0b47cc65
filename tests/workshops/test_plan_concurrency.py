"""Two coordinators working on one plan at once, on PostgreSQL with real transactions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from tests.builders import make_user
from tests.workshops.test_workshop_concurrency import run_together
from workshops.models import Action, ActionChange, AuditEvent, Membership, ProgressNote, Target
from workshops.services import plan as services
from workshops.services import targets

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are only meaningful on PostgreSQL"
    ),
]


@pytest.fixture
def second_coordinator(cast):
    user = make_user("deputy@eastvale.example.org", "Deputy Coordinator")
    Membership.objects.create(partnership=cast.partnership, user=user, role="coordinator")
    return user


def test_two_coordinators_saving_one_action_at_once_keep_one_change_and_hear_of_it(
    cast, assessment, second_coordinator
):
    action = Action.objects.create(assessment=assessment, title="Refresh the plan", revision=0)
    editors = [cast.coordinator, second_coordinator] * 3
    results = run_together(
        [
            lambda user=user, n=n: services.update_action(
                action.pk, {"title": f"Title from save {n}"}, 0, user
            )
            for n, user in enumerate(editors)
        ]
    )
    saved = [r for r in results if isinstance(r, Action)]
    refused = [r for r in results if isinstance(r, services.ConflictError)]
    assert len(saved) == 1 and len(refused) == 5, results
    action.refresh_from_db()
    assert action.revision == 1 and action.title == saved[0].title
    change = ActionChange.objects.get(action=action)
    # Every refused save is told who saved first and what they changed.
    for conflict in refused:
        assert str(change.user) in str(conflict) and "They changed: Title" in str(conflict)


def test_a_progress_note_sent_from_two_tabs_at_once_is_kept_once(cast, assessment):
    action = Action.objects.create(
        assessment=assessment, title="Refresh the plan", status=Action.Status.IN_PROGRESS
    )
    results = run_together(
        [lambda: services.add_progress(action, "Draft circulated", cast.coordinator)] * 4
    )
    assert len({note.pk for note in results}) == 1, results
    assert ProgressNote.objects.filter(action=action).count() == 1


def test_two_agree_clicks_at_once_record_one_version(cast, assessment, second_coordinator):
    Action.objects.create(
        assessment=assessment, title="Refresh the plan", status=Action.Status.NOT_STARTED
    )
    plan = services.plan_for(assessment)
    results = run_together(
        [
            lambda user=user: services.agree_plan(plan, user, expected_version=1)
            for user in [cast.coordinator, second_coordinator] * 2
        ]
    )
    agreed = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, services.PlanError)]
    assert len(agreed) == 1 and len(refused) == 3, results
    plan.refresh_from_db()
    assert plan.version == 1


def test_a_target_sent_from_two_tabs_at_once_is_stored_and_logged_once(cast, assessment):
    plan = services.plan_for(assessment)
    element = assessment.bank.sections.get(number=1)

    def send():
        target = Target(plan=plan, section=element, basis="internal", kind="mean", value="3.2")
        return targets.set_target(target, by=cast.coordinator)

    results = run_together([send] * 4)
    assert len({target.pk for target in results}) == 1, results
    (stored,) = Target.objects.filter(plan=plan)
    assert stored.value == Decimal("3.2")
    assert AuditEvent.objects.filter(action="target.set").count() == 1
