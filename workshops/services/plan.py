"""Improvement plans: gathering priorities, changing actions safely (history kept,
conflicting edits refused), agreeing the plan and withdrawing from it.

Draft actions proposed from the results are in services.draft_actions; reminders
to owners of actions falling due in services.action_reminders.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from questions.models import Item, Section
from workshops import audit
from workshops.models import (
    Action,
    ActionChange,
    AgendaItem,
    Answer,
    Assessment,
    ImprovementPlan,
    Priority,
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


# --- Priorities ----------------------------------------------------------------------------------


def gather_priorities(plan: ImprovementPlan, *, by=None) -> int:
    """Candidate priorities from the Looking forward answers and workshops' areas for
    improvement. Gathering again adds only what is new. Returns how many were added."""
    assessment = plan.assessment
    answers = (
        Answer.objects.filter(
            respondent__assessment=assessment,
            item__section__is_element=False,
            item__parent=None,
            item__kind=Item.Kind.OPEN,
        )
        .exclude(text="")
        .values_list("pk", "text")
    )
    candidates = [
        (f"lf-{pk}", text.strip(), Priority.Source.LOOKING_FORWARD)
        for pk, text in answers
        if text.strip()
    ]
    agreed = AgendaItem.objects.filter(workshop__assessment=assessment).exclude(improvements="")
    candidates += [
        (f"ws-{a.pk}", f"{a.item.key}: {a.improvements.strip()}", Priority.Source.WORKSHOP)
        for a in agreed.select_related("item")
    ]
    seen = set(plan.priorities.values_list("source_key", flat=True))
    new = [c for c in candidates if c[0] not in seen]
    last = max(plan.priorities.values_list("rank", flat=True), default=0)
    # ignore_conflicts: gathering twice at once still adds each candidate once.
    Priority.objects.bulk_create(
        [
            Priority(plan=plan, source_key=key, text=text, source=source, rank=last + n)
            for n, (key, text, source) in enumerate(new, 1)
        ],
        ignore_conflicts=True,
    )
    if new:
        audit.record(
            "plan.priorities_gathered",
            by=by,
            partnership=assessment.partnership,
            target=f"Plan of “{assessment}”",
            data={"plan": plan.pk, "added": len(new)},
        )
    return len(new)


def add_priority(plan: ImprovementPlan, text: str, *, by=None) -> Priority:
    """A priority the coordinator writes in, last in rank; the same text sent twice is one."""
    last = max(plan.priorities.values_list("rank", flat=True), default=0)
    priority, created = Priority.objects.get_or_create(
        plan=plan, text=text, defaults={"source": Priority.Source.COORDINATOR, "rank": last + 1}
    )
    if created:
        audit.record(
            "priority.added",
            by=by,
            partnership=plan.assessment.partnership,
            target=f"Priority “{priority.text}”",
            data={"priority": priority.text, "id": priority.pk, "rank": priority.rank},
        )
    return priority


def set_votes(priority: Priority, votes: int, *, by=None) -> None:
    """Record the dots a priority got in the board's dot vote."""
    if not 0 <= votes <= 1000:
        raise PlanError("Enter the number of dots as a whole number from 0 to 1000.")
    if Priority.objects.filter(pk=priority.pk).exclude(votes=votes).update(votes=votes):
        audit.record(
            "priority.votes_set",
            by=by,
            partnership=priority.plan.assessment.partnership,
            target=f"Priority “{priority.text}”",
            data={
                "priority": priority.text,
                "id": priority.pk,
                "votes": votes,
                "was": priority.votes,
            },
        )


def drop_priority(priority: Priority, *, by=None) -> None:
    """Take a priority off the list; it is kept, so gathering again does not bring it back."""
    if Priority.objects.filter(pk=priority.pk, dropped=False).update(dropped=True):
        audit.record(
            "priority.dropped",
            by=by,
            partnership=priority.plan.assessment.partnership,
            target=f"Priority “{priority.text}”",
            data={"priority": priority.text, "id": priority.pk},
        )


def order_priorities_by_votes(plan: ImprovementPlan, *, by=None) -> None:
    """Rank by the board's dot vote: most dots first, earlier rank breaking ties."""
    ranked = sorted(plan.priorities.filter(dropped=False), key=lambda p: (-p.votes, p.rank))
    before = [priority.rank for priority in ranked]
    for rank, priority in enumerate(ranked, 1):
        priority.rank = rank
    Priority.objects.bulk_update(ranked, ["rank"])
    if before != [priority.rank for priority in ranked]:
        audit.record(
            "plan.priorities_ranked",
            by=by,
            partnership=plan.assessment.partnership,
            target=f"Plan of “{plan.assessment}”",
            data={"plan": plan.pk, "order": [priority.pk for priority in ranked]},
        )


def move_priority(priority: Priority, step: int, *, by=None) -> None:
    plan_priorities = list(priority.plan.priorities.filter(dropped=False))
    index = next(i for i, p in enumerate(plan_priorities) if p.pk == priority.pk)
    other = index + step
    if 0 <= other < len(plan_priorities):
        plan_priorities[index], plan_priorities[other] = (
            plan_priorities[other],
            plan_priorities[index],
        )
        for rank, p in enumerate(plan_priorities, 1):
            p.rank = rank
        Priority.objects.bulk_update(plan_priorities, ["rank"])
        audit.record(
            "priority.moved",
            by=by,
            partnership=priority.plan.assessment.partnership,
            target=f"Priority “{priority.text}”",
            data={
                "priority": priority.text,
                "id": priority.pk,
                "direction": "up" if step < 0 else "down",
                "rank": other + 1,
            },
        )


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
        raise PlanError("Only a proposed or rejected action can be accepted or rejected.")
    status = Action.Status.NOT_STARTED if accept else Action.Status.REJECTED
    return update_action(
        action.pk,
        {"status": status},
        action.revision,
        user,
        by=by,
        audit_as="action.accepted" if accept else "action.rejected",
    )


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
