"""The board's priorities for the improvement plan: candidates gathered from the
Looking forward answers and the workshops' areas for improvement, or written in by a
coordinator; the dots each got in the board's dot vote, and their ranking.

The actions that follow from them, and agreeing the plan, are in services.plan.
"""

from __future__ import annotations

from django.db import transaction

from questions.models import Item
from workshops import audit
from workshops.models import AgendaItem, Answer, ImprovementPlan, Priority
from workshops.services.plan import PlanError


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
        record_added(priority, by=by)
    return priority


def record_added(priority: Priority, *, by=None) -> None:
    """Log a priority new to the plan, however it came."""
    audit.record(
        "priority.added",
        by=by,
        partnership=priority.plan.assessment.partnership,
        target=f"Priority “{priority.text}”",
        data={"priority": priority.text, "id": priority.pk, "rank": priority.rank},
    )


MOST_DOTS = 1000


def set_votes(priority: Priority, votes: int, *, by=None) -> None:
    """Record the dots a priority got in the board's dot vote."""
    set_all_votes(priority.plan, {priority.pk: votes}, by=by)


def set_all_votes(plan: ImprovementPlan, votes: dict[int, int], *, by=None) -> int:
    """Record the dots each priority got, as one change: every count is checked before
    any is saved, and a bad one saves none, naming the row as the page numbers it.
    ``votes`` maps priority ids to dots; priorities it leaves out keep theirs.
    Returns how many priorities' dots changed."""
    with transaction.atomic():
        priorities = {p.pk: p for p in plan.priorities.select_for_update()}
        shown = [p.pk for p in sorted(priorities.values(), key=lambda p: p.rank) if not p.dropped]
        unknown = [pk for pk in votes if pk not in priorities]
        if unknown:
            raise PlanError(
                "A priority on your page is no longer in this plan. No dots were saved: "
                "check the list below and save them again."
            )
        for pk, count in votes.items():
            if not 0 <= count <= MOST_DOTS:
                priority = priorities[pk]
                row = f"Priority {shown.index(pk) + 1}" if pk in shown else "A dropped priority"
                raise PlanError(
                    f"{row} (“{priority.text}”): enter the number of dots as a whole number "
                    f"from 0 to {MOST_DOTS}. No dots were saved."
                )
        changed = [priorities[pk] for pk, count in votes.items() if priorities[pk].votes != count]
        for priority in changed:
            was, priority.votes = priority.votes, votes[priority.pk]
            audit.record(
                "priority.votes_set",
                by=by,
                partnership=plan.assessment.partnership,
                target=f"Priority “{priority.text}”",
                data={
                    "priority": priority.text,
                    "id": priority.pk,
                    "votes": priority.votes,
                    "was": was,
                },
            )
        Priority.objects.bulk_update(changed, ["votes"])
    return len(changed)


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
