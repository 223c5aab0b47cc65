"""Running a live workshop: setting it up, its agenda, the facilitator's moves from
item to item, and what the room agreed.

Every change to a workshop runs in a transaction holding the workshop's row
lock and checks the version the facilitator's page showed, so two tabs or a
double click cannot skip an item. Votes (services.voting) take a shared lock on
the same row instead, so closing waits for the votes already under way.
Joining and the tally are in services.participants and services.tally.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from questions.models import Item
from workshops import audit
from workshops.models import Action, AgendaItem, Assessment, Organisation, Workshop, WorkshopError
from workshops.models.workshop import (
    CONSENSUS_FIELDS,
    COUNTDOWN_ADDED,
    COUNTDOWN_MAX,
    COUNTDOWN_MIN,
)
from workshops.services import changes
from workshops.services.voting import forget, votes

State = Workshop.State
# The countdown's steps: a length sent with them that is not a number is theirs to refuse.
COUNTDOWN_STEPS = {"timer", "add_time"}


def default_agenda(assessment: Assessment) -> list[Item]:
    """The assessment's top-level rating and yes/no questions, in instrument order."""
    return list(
        assessment.items.filter(parent=None, kind__in=[Item.Kind.RATING, Item.Kind.YES_NO])
        .select_related("section")
        .order_by("section__number", "position")  # local questions end their section
    )


@transaction.atomic
def create_workshop(assessment: Assessment, user, *, by=None, **fields) -> Workshop:
    # The same form sent twice (a double click, a retry) sets up one workshop.
    recent = timezone.now() - datetime.timedelta(minutes=10)
    same = assessment.workshops.filter(created_by=user, created_at__gte=recent, **fields)
    if same.exists():
        return same.first()
    items = default_agenda(assessment)
    # Codes are random; on the rare clash, draw again.
    for attempt in range(5):
        try:
            with transaction.atomic():
                workshop = Workshop.objects.create(assessment=assessment, created_by=user, **fields)
            break
        except IntegrityError:
            if attempt == 4:
                raise
    AgendaItem.objects.bulk_create(
        AgendaItem(workshop=workshop, item=item, position=n) for n, item in enumerate(items, 1)
    )
    audit.record(
        "workshop.created",
        by=by,
        partnership=assessment.partnership,
        target=f"Workshop “{workshop}”",
        data={"workshop": workshop.title, "id": workshop.pk, "items": len(items)},
    )
    return workshop


# --- Changing the workshop -------------------------------------------------


def lock_workshop(workshop_id: int, expected_version: int | None) -> Workshop:
    """The workshop, locked for a change to the room (the dot votes' and ideas' services
    use it too); refused when it moved on from the version the person's page showed."""
    workshop = Workshop.objects.select_for_update().get(pk=workshop_id)
    if expected_version is not None and workshop.version != expected_version:
        raise WorkshopError(
            "The workshop changed in another window before this click arrived, so nothing "
            "was done. This page now shows where it is."
        )
    return workshop


def save_workshop(workshop: Workshop, *fields: str) -> Workshop:
    """Store a change to the room as a new version, which every screen fetches."""
    workshop.version += 1
    workshop.save(update_fields=["version", *fields])
    # Forget now and again after commit, so no request in this process keeps
    # a snapshot read in between.
    code = workshop.code
    forget(code)
    transaction.on_commit(lambda: forget(code))
    changes.announce(code)  # and every other process, at its next poll
    return workshop


def _go_to(workshop: Workshop, agenda_item_id: int | None) -> None:
    workshop.current_id = agenda_item_id
    # A dot vote or ideas put to the room end when the room moves.
    workshop.dots = workshop.ideas = None
    workshop.state = State.READY if agenda_item_id else State.FINISHED
    workshop.voting_closes_at = None
    if workshop.state == State.FINISHED:
        # Nobody joins a finished workshop: phones still waiting are told so.
        workshop.waiting_phones.all().delete()


def _reopen(workshop: Workshop) -> None:
    """Take a finished workshop back to its agenda: to the first item the room has
    neither agreed nor skipped, or to the last item when it has dealt with them all."""
    agenda = list(workshop.agenda.values_list("pk", "agreed_at", "skipped"))
    workshop.dots = workshop.ideas = None
    if not agenda:
        workshop.state, workshop.current_id = State.LOBBY, None
        return
    left = [pk for pk, agreed_at, skipped in agenda if agreed_at is None and not skipped]
    workshop.current_id = left[0] if left else agenda[-1][0]
    workshop.state, workshop.voting_closes_at = State.READY, None


def _start_countdown(workshop: Workshop, seconds: int | None) -> None:
    """Voting closes ``seconds`` from now; the console offers the same length next time."""
    if seconds is None or not COUNTDOWN_MIN <= seconds <= COUNTDOWN_MAX:
        raise WorkshopError(
            f"Choose a countdown of {COUNTDOWN_MIN} seconds to {COUNTDOWN_MAX // 60} minutes."
        )
    workshop.voting_closes_at = timezone.now() + datetime.timedelta(seconds=seconds)
    workshop.countdown = seconds


def _add_time(workshop: Workshop) -> None:
    """Move a running countdown's deadline on; phones see it at their next poll."""
    if workshop.voting_closes_at is None:
        raise WorkshopError("There is no countdown running to add time to.")
    now = timezone.now()
    if workshop.timer_expired(now):
        raise WorkshopError("The countdown has already run out: voting is closing.")
    closes = workshop.voting_closes_at + datetime.timedelta(seconds=COUNTDOWN_ADDED)
    if closes > now + datetime.timedelta(seconds=COUNTDOWN_MAX):
        raise WorkshopError(
            f"The countdown cannot run for more than {COUNTDOWN_MAX // 60} minutes from now."
        )
    workshop.voting_closes_at = closes


def change(
    workshop_id: int,
    action: str,
    expected_version: int | None = None,
    *,
    seconds: int | None = 0,
    by=None,
) -> Workshop:
    """Apply one facilitator action. Raises WorkshopError with a message on refusal.

    ``seconds`` is the countdown's length for "timer" (None when what was sent is not a
    number, refused like any length out of range); "add_time" adds COUNTDOWN_ADDED."""
    if action not in Workshop.ALLOWED:
        raise WorkshopError("That is not something a workshop can do.")
    with transaction.atomic():
        workshop = lock_workshop(workshop_id, expected_version)
        workshop.check_allowed(action)
        order = list(workshop.agenda.values_list("pk", flat=True))
        index = order.index(workshop.current_id) if workshop.current_id in order else -1
        if (workshop.dots_id or workshop.ideas_id) and action in ("next", "previous", "skip"):
            # Moving on from a dot vote (or ideas) goes back to the agenda where the room left it.
            _go_to(workshop, workshop.current_id or (order[0] if order else None))
        elif action == "open":
            on_item = not (workshop.dots_id or workshop.ideas_id)
            if on_item and workshop.current.item.kind == Item.Kind.OPEN:
                raise WorkshopError("This is an open question for discussion: there is no vote.")
            workshop.state, workshop.voting_closes_at = State.VOTING, None
        elif action == "close":
            workshop.state, workshop.voting_closes_at = State.CLOSED, None
        elif action == "reveal":
            workshop.state = State.REVEALED
        elif action == "hide":
            workshop.state = State.CLOSED
        elif action in ("next", "skip"):
            if not order:
                raise WorkshopError("The agenda is empty. Add an item first.")
            if action == "skip":
                AgendaItem.objects.filter(pk=workshop.current_id).update(skipped=True)
            _go_to(workshop, order[index + 1] if index + 1 < len(order) else None)
        elif action == "previous":
            if index <= 0:
                raise WorkshopError("This is the first item on the agenda.")
            _go_to(workshop, order[index - 1])
        elif action == "timer":
            _start_countdown(workshop, seconds)
        elif action == "add_time":
            _add_time(workshop)
        elif action == "finish":
            _go_to(workshop, None)
        elif action == "show_remote":
            workshop.show_remote = not workshop.show_remote
        elif action == "reopen":
            _reopen(workshop)
        save_workshop(
            workshop,
            *("state", "current", "dots", "ideas", "voting_closes_at", "countdown", "show_remote"),
        )
        audit.record(
            f"workshop.{action}",
            by=by,
            partnership=workshop.assessment.partnership,
            target=f"Workshop “{workshop}”",
            data={
                "workshop": workshop.title,
                "id": workshop.pk,
                "state": workshop.state,
                "item": workshop.current.item.key
                if workshop.current_id and not (workshop.dots_id or workshop.ideas_id)
                else None,
                "dots": workshop.dots.title if workshop.dots_id else None,
                "ideas": workshop.ideas.prompt if workshop.ideas_id else None,
                "version": workshop.version,
                "seconds": {"timer": seconds, "add_time": COUNTDOWN_ADDED}.get(action),
                "show_remote": workshop.show_remote,
            },
        )
        return workshop


def close_if_timer_expired(workshop_id: int) -> bool:
    """Close voting once the countdown has run out. Polls call this, so no scheduler is needed."""
    with transaction.atomic():
        workshop = Workshop.objects.select_for_update().get(pk=workshop_id)
        if not workshop.timer_expired():
            return False
        workshop.state, workshop.voting_closes_at = State.CLOSED, None
        save_workshop(workshop, "state", "voting_closes_at")
        return True


def _record_on_agenda(workshop: Workshop, change: str, by, data: dict) -> None:
    """Log a change to the agenda or to what the room agreed on one of its items."""
    audit.record(
        f"agenda.{change}",
        by=by,
        partnership=workshop.assessment.partnership,
        target=f"Agenda of “{workshop}”",
        data={"workshop": workshop.pk, **data},
    )


# --- The agenda --------------------------------------------------------------


def add_to_agenda(workshop: Workshop, items: list[Item], *, by=None) -> int:
    with transaction.atomic():
        workshop = lock_workshop(workshop.pk, None)
        present = set(workshop.agenda.values_list("item_id", flat=True))
        last = max(workshop.agenda.values_list("position", flat=True), default=0)
        new = [item for item in items if item.pk not in present]
        AgendaItem.objects.bulk_create(
            AgendaItem(workshop=workshop, item=item, position=last + n)
            for n, item in enumerate(new, 1)
        )
        save_workshop(workshop)
        if new:
            _record_on_agenda(
                workshop,
                "added",
                by,
                {
                    "added": len(new),
                    "items": [item.key for item in new],
                },
            )
    return len(new)


def remove_from_agenda(agenda_item: AgendaItem, *, by=None) -> None:
    with transaction.atomic():
        workshop = lock_workshop(agenda_item.workshop_id, None)
        if workshop.current_id == agenda_item.pk:
            raise WorkshopError("You cannot drop the item the workshop is on. Move on first.")
        if agenda_item.agreed_at or votes(agenda_item).exists():
            raise WorkshopError(
                f"{agenda_item.item.key} already has votes or an agreed rating, so it stays."
            )
        agenda_item.delete()
        save_workshop(workshop)
        _record_on_agenda(
            workshop,
            "removed",
            by,
            {"item": agenda_item.item.key},
        )


def move_on_agenda(agenda_item: AgendaItem, step: int, *, by=None) -> None:
    """Swap an item with its neighbour above (step -1) or below (step +1)."""
    with transaction.atomic():
        workshop = lock_workshop(agenda_item.workshop_id, None)
        agenda = list(workshop.agenda.all())
        index = next(i for i, a in enumerate(agenda) if a.pk == agenda_item.pk)
        other = index + step
        if not 0 <= other < len(agenda):
            return
        agenda[index], agenda[other] = agenda[other], agenda[index]
        for position, row in enumerate(agenda, 1):
            row.position = position
        AgendaItem.objects.bulk_update(agenda, ["position"])
        save_workshop(workshop)
        _record_on_agenda(
            workshop,
            "moved",
            by,
            {
                "item": agenda_item.item.key,
                "direction": "up" if step < 0 else "down",
                "position": other + 1,
            },
        )


# --- What the room agreed --------------------------------------------------------------


def record_consensus(agenda_item: AgendaItem, values: dict, *, by=None) -> AgendaItem:
    with transaction.atomic():
        workshop = lock_workshop(agenda_item.workshop_id, None)
        before = {name: getattr(agenda_item, name) for name in CONSENSUS_FIELDS}
        for name in CONSENSUS_FIELDS:
            setattr(agenda_item, name, values.get(name, getattr(agenda_item, name)))
        agenda_item.agreed_at = timezone.now()
        agenda_item.save(update_fields=[*CONSENSUS_FIELDS, "agreed_at"])
        # The presenter shows the agreed rating, so it counts as a change.
        save_workshop(workshop)
        _record_on_agenda(
            workshop,
            "agreed",
            by,
            {
                "item": agenda_item.item.key,
                "changed": {
                    name: [was, getattr(agenda_item, name)]
                    for name, was in before.items()
                    if getattr(agenda_item, name) != was
                },
            },
        )
    return agenda_item


def add_action(
    agenda_item: AgendaItem,
    user,
    *,
    description: str,
    owner: Organisation | None,
    due_on: datetime.date | None,
    by=None,
) -> Action:
    fields = {
        "assessment_id": agenda_item.workshop.assessment_id,
        "item_id": agenda_item.item_id,
        "workshop_id": agenda_item.workshop_id,
        "description": description,
        "owner": owner,
        "due_on": due_on,
        "source": Action.Source.WORKSHOP,
    }
    with transaction.atomic():
        lock_workshop(agenda_item.workshop_id, None)
        # A double click or a resubmitted form adds the action once.
        recent = timezone.now() - datetime.timedelta(minutes=10)
        existing = Action.objects.filter(created_at__gte=recent, **fields).first()
        if existing:
            return existing
        action = Action.objects.create(created_by=user, **fields)
        audit.record(
            "workshop.action_added",
            by=by,
            partnership=agenda_item.workshop.assessment.partnership,
            target=f"Action “{action}”",
            data={
                "action": action.pk,
                "workshop": agenda_item.workshop_id,
                "item": agenda_item.item.key,
                "description": description,
                "owner": str(owner) if owner else None,
                "due_on": due_on,
            },
        )
        return action
