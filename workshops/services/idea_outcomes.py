"""What a room's approved ideas become: the open question's recorded outcome, a priority
on the plan or a draft action (each in one step, once), and candidates for a dot vote.

Only ideas the room may see (approved, neither hidden nor merged) ever go anywhere.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from workshops import audit
from workshops.models import Action, AgendaItem, Idea, IdeaCollection, Priority, Workshop
from workshops.services.ideas import IdeasError, approved_by_heading
from workshops.services.plan import plan_for
from workshops.services.priorities import record_added
from workshops.services.workshop import record_consensus


def outcome_blocks(collection: IdeaCollection) -> list[tuple[list[str], list[str]]]:
    """The approved ideas as lines of text, by heading: (the heading's line, if it has
    one; a line for each idea)."""
    blocks = []
    for heading in approved_by_heading(collection):
        ideas = []
        for idea in heading.ideas:
            also = f" ({idea.sources} people)" if idea.sources > 1 else ""
            ideas.append(f"- {idea.text}{also}")
        blocks.append(([f"{heading.heading}:"] if heading.heading else [], ideas))
    return blocks


def with_ideas(recorded: str, blocks: list[tuple[list[str], list[str]]]) -> str:
    """What the question has recorded, with the ideas it does not hold yet added at the
    end: words typed on the console stay, and an idea recorded before is not repeated
    (recording again after approving more adds just those, under their heading)."""
    held = {line.strip() for line in recorded.splitlines()}
    added = []
    for heading, ideas in blocks:
        new = [line for line in ideas if line not in held]
        if new:
            added.append("\n".join(heading + new))
    return "\n\n".join(part for part in [recorded.strip(), *added] if part)


def record_outcome(collection: IdeaCollection, *, by=None) -> AgendaItem:
    """The approved ideas, by heading, join the open question's areas for improvement:
    what the console records for it, and the plan gathers priorities from."""
    if collection.agenda_item_id is None:
        raise IdeasError("These ideas are not for a question on the agenda.")
    blocks = outcome_blocks(collection)
    if not blocks:
        raise IdeasError("Approve some ideas first: only approved ideas are recorded.")
    agenda_item = collection.agenda_item
    text = with_ideas(agenda_item.improvements, blocks)
    record_consensus(agenda_item, {"improvements": text}, by=by)
    collection.recorded_at = timezone.now()
    collection.save(update_fields=["recorded_at"])
    return agenda_item


def _chosen(collection: IdeaCollection, idea_id=None, group_id=None) -> tuple[str, str]:
    """The text (and source key) of an approved idea, or of a heading's approved ideas."""
    if group_id:
        group = collection.groups.filter(pk=group_id).first()
        ideas = (
            []
            if group is None
            else [i for i in collection.ideas.all() if i.group_id == group.pk and i.shown_to_room]
        )
        if not ideas:
            raise IdeasError("That heading has no approved ideas.")
        return f"{group.heading}: " + "; ".join(i.text for i in ideas), f"ig-{group.pk}"
    idea = collection.ideas.filter(pk=idea_id).first()
    if idea is None or not idea.shown_to_room:
        raise IdeasError("Only an approved idea can go on the plan.")
    return idea.text, f"idea-{idea.pk}"


def to_priority(collection: IdeaCollection, idea_id=None, group_id=None, *, by=None) -> Priority:
    """An approved idea (or a heading's) becomes a priority on the plan, once."""
    text, key = _chosen(collection, idea_id, group_id)
    workshop = collection.workshop
    with transaction.atomic():
        plan = plan_for(workshop.assessment)
        last = max(plan.priorities.values_list("rank", flat=True), default=0)
        priority, created = Priority.objects.get_or_create(
            plan=plan,
            source_key=key,
            defaults={"text": text, "source": Priority.Source.WORKSHOP, "rank": last + 1},
        )
        if created:
            record_added(priority, by=by)
    return priority


def to_draft_action(
    collection: IdeaCollection, user, idea_id=None, group_id=None, *, by=None
) -> Action:
    """An approved idea (or a heading's) becomes a draft action, proposed for the plan."""
    text, key = _chosen(collection, idea_id, group_id)
    workshop = collection.workshop
    agenda_item = collection.agenda_item
    action, created = Action.objects.get_or_create(
        assessment=workshop.assessment,
        source_key=key,
        defaults={
            "title": text[:200],
            "description": text,
            "source": Action.Source.WORKSHOP,
            "workshop": workshop,
            "item": agenda_item.item if agenda_item else None,
            "created_by": user,
        },
    )
    if created:
        if agenda_item:
            action.items.add(agenda_item.item)
        audit.record(
            "plan.drafts_proposed",
            by=by,
            partnership=workshop.assessment.partnership,
            target=f"Plan of “{workshop.assessment}”",
            data={"added": 1, "actions": [action.pk]},
        )
    return action


def candidates_for_dots(workshop: Workshop) -> list[str]:
    """The approved ideas of the workshop's collections, to put to a dot vote."""
    ideas = Idea.objects.filter(
        collection__workshop=workshop, approved=True, hidden=False, merged_into=None
    ).order_by("collection__created_at", "created_at", "pk")
    seen, texts = set(), []
    for text in ideas.values_list("text", flat=True):
        if text.casefold() not in seen:
            seen.add(text.casefold())
            texts.append(text)
    return texts
