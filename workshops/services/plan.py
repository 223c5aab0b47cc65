"""Improvement plans: changing actions safely (history kept, conflicting edits
refused), agreeing the plan and withdrawing from it.

The board's priorities and their dot votes are in services.priorities; draft
actions proposed from the results in services.draft_actions; reminders to owners
of actions falling due in services.action_reminders.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from questions.models import Section
from workshops import audit
from workshops.models import (
    Action,
    ActionChange,
    Assessment,
    ImprovementPlan,
    ProgressNote,
)


class PlanError(Exception):
    """A change the plan cannot take; the message is for the person who asked."""


class ConflictError(PlanError):
    """Someone else saved the action first; ``changes`` lists what they changed."""

    def __init__(self, changes: list[ActionChange]):
        self.changes = changes
        who = ", ".join(
            f"{change.user.get_full_name() or change.user.email if change.user else 'someone'}"
            f" at {timezone.localtime(change.at):%H:%M}"
            for change in changes
        )
        fields = sorted({label for change in changes for label in change.changes})
        super().__init__(
            f"This action was changed by {who} after you opened it, so your changes were not "
            f"saved. They changed: {', '.join(fields)}. Check their changes below, then make "
            "yours again."
        )


def plan_for(assessment: Assessment) -> ImprovementPlan:
    plan, _ = ImprovementPlan.objects.get_or_create(assessment=assessment)
    return plan


# --- Changing actions ----------------------------------------------------------------------------

TRACKED = [
    "title",
    "description",
    "owner",
    "owner_person",
    "due_on",
    "success_measure",
    "support_partners",
    "support_elsewhere",
    "status",
]


def _shown(action: Action, name: str) -> str:
    value = getattr(action, name)
    if name == "status":
        return action.get_status_display()
    if value is None or value == "":
        return "–"
    if isinstance(value, datetime.date):
        return f"{value:%-d %B %Y}"
    return str(value)


# Which elements and questions an action addresses count as changes like any field.
RELATED = {"sections": "Elements it addresses", "items": "Questions it addresses"}


def _listed(objects) -> str:
    """Elements by number, questions by key, in the bank's order: as the plan shows them."""
    ordered = sorted(objects, key=lambda o: o.number if isinstance(o, Section) else o.position)
    return ", ".join(str(o.number) if isinstance(o, Section) else o.key for o in ordered) or "–"


def update_action(
    action_id: int,
    values: dict,
    expected_revision: int,
    user,
    *,
    by=None,
    audit_as: str = "action.changed",
) -> Action:
    """Save changes made to the revision the person saw; refuse if someone saved first.

    ``audit_as`` is the audit log's code for the change, for callers that are one
    kind of change (accepting a draft)."""
    with transaction.atomic():
        action = Action.objects.select_for_update().get(pk=action_id)
        if action.revision != expected_revision:
            raise ConflictError(
                list(action.changes.filter(revision__gt=expected_revision).select_related("user"))
            )
        changes = {}
        for name in TRACKED:
            if name not in values:
                continue
            before = _shown(action, name)
            setattr(action, name, values[name])
            after = _shown(action, name)
            if before != after:
                changes[str(Action._meta.get_field(name).verbose_name).capitalize()] = [
                    before,
                    after,
                ]
        for name, label in RELATED.items():
            if name not in values:
                continue
            related = getattr(action, name)
            before, after = _listed(related.all()), _listed(values[name])
            if before != after:
                related.set(values[name])
                changes[label] = [before, after]
        if not changes:
            return action
        action.revision += 1
        action.save()
        ActionChange.objects.create(
            action=action, revision=action.revision, changes=changes, user=user
        )
        audit.record(
            audit_as,
            by=by,
            partnership=action.assessment.partnership,
            target=f"Action “{action}”",
            data={
                "action": str(action),
                "id": action.pk,
                "revision": action.revision,
                "changes": changes,
            },
        )
    return action


def decide(action: Action, accept: bool, user, *, by=None) -> Action:
    """Accept a proposed action into the plan, or reject it."""
    if action.status not in (Action.Status.PROPOSED, Action.Status.REJECTED):
        raise PlanError(
            f"“{action}” is {action.get_status_display().lower()}, not a draft: only a "
            "proposed or rejected action can be accepted or rejected. Nothing was changed."
        )
    status = Action.Status.NOT_STARTED if accept else Action.Status.REJECTED
    return update_action(
        action.pk,
        {"status": status},
        action.revision,
        user,
        by=by,
        audit_as="action.accepted" if accept else "action.rejected",
    )


def decide_many(actions: list[Action], accept: bool, user, *, by=None) -> list[Action]:
    """Accept or reject several drafts at once: all of them, or none if one cannot be
    (someone else accepted it meanwhile), so the page never half-does what it said.
    Each is audited as deciding it alone would be."""
    if not actions:
        raise PlanError("Select the draft actions to accept or reject.")
    with transaction.atomic():
        # As they are now, not as the page saw them: one decided meanwhile is named.
        current = Action.objects.select_for_update().in_bulk([action.pk for action in actions])
        return [decide(current[action.pk], accept, user, by=by) for action in actions]


def add_progress(action: Action, text: str, user, *, by=None) -> ProgressNote:
    if not action.is_in_plan:
        raise PlanError("Progress is recorded on actions in the plan. Accept the action first.")
    with transaction.atomic():
        Action.objects.select_for_update().filter(pk=action.pk).first()
        # A resent form records the note once.
        recent = timezone.now() - datetime.timedelta(minutes=10)
        existing = action.progress.filter(text=text, user=user, at__gte=recent).first()
        if existing:
            return existing
        note = ProgressNote.objects.create(action=action, text=text, user=user)
        audit.record(
            "action.progress_added",
            by=by,
            partnership=action.assessment.partnership,
            target=f"Action “{action}”",
            data={"action": str(action), "id": action.pk, "note": note.pk},
        )
        return note


@transaction.atomic
def agree_plan(
    plan: ImprovementPlan, user, expected_version: int | None = None, *, by=None
) -> ImprovementPlan:
    """Record the board agreeing the plan as it stands, dated: a new version, or the
    version a withdrawal opened since the last agreement.

    ``expected_version`` is the version the person's page offered to agree; if the plan
    moved on since (a second click, another coordinator), nothing is recorded.
    """
    plan = ImprovementPlan.objects.select_for_update().get(pk=plan.pk)
    if expected_version is not None and expected_version != plan.next_version:
        if plan.is_agreed and expected_version == plan.version:
            when = timezone.localtime(plan.agreed_at)
            raise PlanError(
                f"The plan was already agreed as version {plan.version} on "
                f"{when:%-d %B %Y at %H:%M}. Nothing was recorded."
            )
        raise PlanError(
            "The plan changed since your page was loaded. Nothing was recorded: check it "
            "below and record the agreement again."
        )
    actions = plan.assessment.actions.in_plan()
    if not actions.exists():
        raise PlanError("Accept at least one action before the board agrees the plan.")
    plan.version = plan.next_version
    plan.agreed_at = timezone.now()
    plan.agreed_by = user
    plan.save()
    actions.filter(agreed_in__isnull=True).update(agreed_in=plan.version)
    audit.record(
        "plan.agreed",
        by=by,
        partnership=plan.assessment.partnership,
        target=f"Plan of “{plan.assessment}”",
        data={
            "plan": plan.pk,
            "version": plan.version,
            "actions": list(actions.values_list("pk", flat=True)),
        },
    )
    return plan


def remove_draft(action: Action, *, by=None) -> None:
    """Delete a draft nobody has accepted (a workshop's second thought). Anything in the
    plan stays, with its history: a coordinator withdraws it instead."""
    with transaction.atomic():
        action = Action.objects.select_for_update().get(pk=action.pk)
        if action.status != Action.Status.PROPOSED or action.agreed_in is not None:
            raise PlanError(
                f"“{action}” is in the plan, so it cannot be removed here. A coordinator can "
                "withdraw it from the plan, with a reason."
            )
        audit.record(
            "action.removed",
            by=by,
            partnership=action.assessment.partnership,
            target=f"Action “{action}”",
            data={"action": str(action), "id": action.pk, "description": action.description},
        )
        action.delete()


def withdraw_action(action: Action, reason: str, user, *, by=None) -> Action:
    """Take an action out of the plan for good, with the reason in its history.

    An action the board agreed opens the plan's next version: the plan no longer says
    what the board agreed, so it must not claim to.
    """
    reason = reason.strip()
    if not reason:
        raise PlanError("Say why the action is withdrawn.")
    with transaction.atomic():
        action = Action.objects.select_for_update().get(pk=action.pk)
        if not action.is_in_plan:
            raise PlanError(f"“{action}” is not in the plan, so there is nothing to withdraw.")
        before = action.get_status_display()
        action.status = Action.Status.WITHDRAWN
        action.withdrawn_reason = reason
        action.revision += 1
        action.save()
        ActionChange.objects.create(
            action=action,
            revision=action.revision,
            changes={
                "Status": [before, action.get_status_display()],
                "Reason withdrawn": ["–", reason],
            },
            user=user,
        )
        if action.agreed_in is not None:
            plan = ImprovementPlan.objects.select_for_update().get(assessment=action.assessment_id)
            if plan.is_agreed:
                plan.version += 1
                plan.agreed_at = plan.agreed_by = None
                plan.save()
        audit.record(
            "action.withdrawn",
            by=by,
            partnership=action.assessment.partnership,
            target=f"Action “{action}”",
            data={"action": str(action), "id": action.pk, "reason": reason},
        )
    return action
