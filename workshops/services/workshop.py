"""Running a live workshop: the agenda, the state machine, joining, voting and tallies.

Every change to a workshop runs in a transaction holding the workshop's row
lock and checks the version the facilitator's page showed, so two tabs or a
double click cannot skip an item. Votes take a shared lock on the same row
instead: any number of votes run side by side, and closing waits for the
votes already under way and refuses the ones after it.
"""

from __future__ import annotations

import datetime
import time
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.crypto import salted_hmac

from questions.models import Item
from workshops import audit, throttle
from workshops.models import (
    Action,
    AgendaItem,
    Answer,
    Assessment,
    Organisation,
    Person,
    Respondent,
    WaitingPhone,
    Workshop,
    WorkshopError,
)
from workshops.models.assessment import BASIS_SHORT
from workshops.models.workshop import CONSENSUS_FIELDS

State = Workshop.State
MIN_TIMER, MAX_TIMER = 10, 3600


def default_agenda(assessment: Assessment) -> list[Item]:
    """The assessment's top-level rating and yes/no questions, in instrument order."""
    return list(
        assessment.items.filter(parent=None, kind__in=[Item.Kind.RATING, Item.Kind.YES_NO])
        .select_related("section")
        .order_by("position")
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


def _locked(workshop_id: int, expected_version: int | None) -> Workshop:
    workshop = Workshop.objects.select_for_update().get(pk=workshop_id)
    if expected_version is not None and workshop.version != expected_version:
        raise WorkshopError(
            "The workshop changed in another window before this click arrived, so nothing "
            "was done. This page now shows where it is."
        )
    return workshop


def _save(workshop: Workshop, *fields: str) -> Workshop:
    workshop.version += 1
    workshop.save(update_fields=["version", *fields])
    # Forget now and again after commit, so no request in this process keeps
    # a snapshot read in between.
    code = workshop.code
    forget(code)
    transaction.on_commit(lambda: forget(code))
    return workshop


def _go_to(workshop: Workshop, agenda_item_id: int | None) -> None:
    workshop.current_id = agenda_item_id
    workshop.state = State.READY if agenda_item_id else State.FINISHED
    workshop.voting_closes_at = None
    if workshop.state == State.FINISHED:
        # Nobody joins a finished workshop: phones still waiting are told so.
        workshop.waiting_phones.all().delete()


def change(
    workshop_id: int,
    action: str,
    expected_version: int | None = None,
    *,
    seconds: int = 0,
    by=None,
) -> Workshop:
    """Apply one facilitator action. Raises WorkshopError with a message on refusal."""
    if action not in Workshop.ALLOWED:
        raise WorkshopError("That is not something a workshop can do.")
    with transaction.atomic():
        workshop = _locked(workshop_id, expected_version)
        workshop.check_allowed(action)
        order = list(workshop.agenda.values_list("pk", flat=True))
        index = order.index(workshop.current_id) if workshop.current_id in order else -1
        if action == "open":
            item = workshop.current.item
            if item.kind == Item.Kind.OPEN:
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
            if not MIN_TIMER <= seconds <= MAX_TIMER:
                raise WorkshopError(
                    f"Set the timer between {MIN_TIMER} seconds and {MAX_TIMER // 60} minutes."
                )
            workshop.voting_closes_at = timezone.now() + datetime.timedelta(seconds=seconds)
        elif action == "finish":
            _go_to(workshop, None)
        elif action == "show_remote":
            workshop.show_remote = not workshop.show_remote
        _save(workshop, "state", "current", "voting_closes_at", "show_remote")
        audit.record(
            f"workshop.{action}",
            by=by,
            partnership=workshop.assessment.partnership,
            target=f"Workshop “{workshop}”",
            data={
                "workshop": workshop.title,
                "id": workshop.pk,
                "state": workshop.state,
                "item": workshop.current.item.key if workshop.current_id else None,
                "version": workshop.version,
                "seconds": seconds if action == "timer" else None,
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
        _save(workshop, "state", "voting_closes_at")
        return True


# --- The agenda --------------------------------------------------------------


def add_to_agenda(workshop: Workshop, items: list[Item], *, by=None) -> int:
    with transaction.atomic():
        workshop = _locked(workshop.pk, None)
        present = set(workshop.agenda.values_list("item_id", flat=True))
        last = max(workshop.agenda.values_list("position", flat=True), default=0)
        new = [item for item in items if item.pk not in present]
        AgendaItem.objects.bulk_create(
            AgendaItem(workshop=workshop, item=item, position=last + n)
            for n, item in enumerate(new, 1)
        )
        _save(workshop)
        if new:
            audit.record(
                "agenda.added",
                by=by,
                partnership=workshop.assessment.partnership,
                target=f"Agenda of “{workshop}”",
                data={
                    "workshop": workshop.pk,
                    "added": len(new),
                    "items": [item.key for item in new],
                },
            )
    return len(new)


def remove_from_agenda(agenda_item: AgendaItem, *, by=None) -> None:
    with transaction.atomic():
        workshop = _locked(agenda_item.workshop_id, None)
        if workshop.current_id == agenda_item.pk:
            raise WorkshopError("You cannot drop the item the workshop is on. Move on first.")
        if agenda_item.agreed_at or _votes(agenda_item).exists():
            raise WorkshopError(
                f"{agenda_item.item.key} already has votes or an agreed rating, so it stays."
            )
        agenda_item.delete()
        _save(workshop)
        audit.record(
            "agenda.removed",
            by=by,
            partnership=workshop.assessment.partnership,
            target=f"Agenda of “{workshop}”",
            data={"workshop": workshop.pk, "item": agenda_item.item.key},
        )


def move_on_agenda(agenda_item: AgendaItem, step: int, *, by=None) -> None:
    """Swap an item with its neighbour above (step -1) or below (step +1)."""
    with transaction.atomic():
        workshop = _locked(agenda_item.workshop_id, None)
        agenda = list(workshop.agenda.all())
        index = next(i for i, a in enumerate(agenda) if a.pk == agenda_item.pk)
        other = index + step
        if not 0 <= other < len(agenda):
            return
        agenda[index], agenda[other] = agenda[other], agenda[index]
        for position, row in enumerate(agenda, 1):
            row.position = position
        AgendaItem.objects.bulk_update(agenda, ["position"])
        _save(workshop)
        audit.record(
            "agenda.moved",
            by=by,
            partnership=workshop.assessment.partnership,
            target=f"Agenda of “{workshop}”",
            data={
                "workshop": workshop.pk,
                "item": agenda_item.item.key,
                "direction": "up" if step < 0 else "down",
                "position": other + 1,
            },
        )


# --- Participants --------------------------------------------------------------

# Phones one network may have waiting at once: enough for a room, few enough
# that nobody can bury the console in requests.
MAX_WAITING_PER_NETWORK = 20
# How long a network's count of phones joining a workshop is kept: a workshop's day.
JOIN_COUNT_SECONDS = 24 * 3600


class NameTaken(WorkshopError):
    """Someone has already joined as this person, on another phone."""

    def __init__(self, person: Person):
        self.person = person
        super().__init__(f"Someone has already joined as {person.name} on another device.")


class NotJoined(WorkshopError):
    """The phone's participant has gone: removed, or moved to another phone."""

    def __init__(self) -> None:
        super().__init__("You are no longer in this workshop. Join it again.")


def _check_who(workshop: Workshop, person: Person | None) -> None:
    if workshop.state == State.FINISHED:
        raise WorkshopError("This workshop has finished.")
    if person is None:
        return
    if workshop.assessment.anonymous:
        raise WorkshopError("This assessment is anonymous: join without giving your name.")
    if person.partnership_id != workshop.assessment.partnership_id:
        raise WorkshopError("Choose someone from this partnership.")


def join(
    workshop: Workshop,
    *,
    person: Person | None = None,
    role: str = "",
    sector: str = "",
    layer: str = "",
    attempt: str = "",
) -> Respondent:
    """A participant for this workshop. A person is one participant, on one phone:
    joining as someone who has already joined raises NameTaken. An anonymous join
    sent twice (same ``attempt``) is one participant."""
    _check_who(workshop, person)
    assessment = workshop.assessment
    if person is None:
        fields = {
            "assessment": assessment,
            "workshop": workshop,
            "channel": Respondent.Channel.WORKSHOP,
            "role": role,
            "organisation": "",
            "sector": sector,
            "layer": layer,
        }
        if not attempt:
            return Respondent.objects.create(**fields)
        # The respondent reference is unique per assessment, which makes the
        # join attempt idempotent.
        reference = f"workshop-join-{attempt}"
        try:
            with transaction.atomic():
                return Respondent.objects.get_or_create(**fields, reference=reference)[0]
        except IntegrityError:  # the same form, sent twice at once
            return Respondent.objects.get(**fields, reference=reference)
    try:
        # The database's one_participant_per_person decides between two phones
        # claiming one name at once: one creates the participant, the other is told.
        with transaction.atomic():
            return Respondent.objects.create(
                assessment=assessment,
                workshop=workshop,
                person=person,
                channel=Respondent.Channel.WORKSHOP,
                **Respondent.attributes_of(person),
            )
    except IntegrityError:
        raise NameTaken(person) from None


def join_phone(
    workshop: Workshop,
    network: str,
    *,
    person: Person | None = None,
    role: str = "",
    sector: str = "",
    layer: str = "",
    attempt: str = "",
    ask_if_taken: bool = False,
) -> Respondent | WaitingPhone:
    """A phone joining from ``network``: a participant, or a place in the queue to be
    let in once the network has used its allowance of phones.

    Asking for a name someone has already joined as raises NameTaken, unless the
    phone asks to be let in as them (``ask_if_taken``): then it is queued too.
    """
    _check_who(workshop, person)
    if person is None and attempt:
        resent = workshop.participants.filter(reference=f"workshop-join-{attempt}").first()
        if resent is not None:  # the same form again: nothing new to count
            return resent
    who = {"person": person, "role": role, "sector": sector, "layer": layer}
    if person is not None and workshop.participants.filter(person=person).exists():
        if not ask_if_taken:
            raise NameTaken(person)
        return ask_to_join(workshop, network, **who)
    if (
        throttle.count_join(workshop.pk, network, JOIN_COUNT_SECONDS)
        > workshop.phones_per_network()
    ):
        return ask_to_join(workshop, network, **who)
    return join(workshop, attempt=attempt, **who)


def ask_to_join(
    workshop: Workshop,
    network: str,
    *,
    person: Person | None = None,
    role: str = "",
    sector: str = "",
    layer: str = "",
) -> WaitingPhone:
    """Queue a phone for the facilitator to let in (or turn away)."""
    _check_who(workshop, person)
    digest = salted_hmac("workshops.waiting-phone", network).hexdigest()
    queued = workshop.waiting_phones.filter(network=digest, decision=WaitingPhone.Decision.WAITING)
    if queued.count() >= MAX_WAITING_PER_NETWORK:
        raise WorkshopError(
            "Too many phones from this network are waiting to be let in. "
            "Ask the facilitator, then try again."
        )
    return WaitingPhone.objects.create(
        workshop=workshop, network=digest, person=person, role=role, sector=sector, layer=layer
    )


def _move_to_new_phone(participant: Respondent) -> Respondent:
    """The same person, votes and all, under a new id, so the old phone's cookie,
    which names the old id, no longer works anywhere."""
    person = participant.person
    # Free the one-participant-per-person constraint for the new row.
    Respondent.objects.filter(pk=participant.pk).update(person=None)
    moved = Respondent.objects.create(
        assessment_id=participant.assessment_id,
        workshop_id=participant.workshop_id,
        person=person,
        channel=participant.channel,
        role=participant.role,
        organisation=participant.organisation,
        sector=participant.sector,
        layer=participant.layer,
        started_at=participant.started_at,
    )
    Answer.objects.filter(respondent=participant).update(respondent=moved)
    participant.delete()
    return moved


def _waiting(workshop: Workshop, waiting_id: int) -> WaitingPhone:
    waiting = (
        workshop.waiting_phones.select_for_update()
        .filter(pk=waiting_id, decision=WaitingPhone.Decision.WAITING)
        .first()
    )
    if waiting is None:
        raise WorkshopError("That phone is no longer waiting to be let in.")
    return waiting


def admit(workshop: Workshop, waiting_id: int, *, by=None) -> tuple[WaitingPhone, bool]:
    """Let a waiting phone in; returns it and whether it took over someone's place.

    A phone asking to be someone who has joined elsewhere takes their place
    and their votes; their other phone is out from then on.
    """
    with transaction.atomic():
        waiting = _waiting(workshop, waiting_id)
        current = None
        if waiting.person_id:
            current = (
                workshop.participants.select_for_update().filter(person=waiting.person).first()
            )
        if current is not None:
            participant = _move_to_new_phone(current)
        else:
            participant = join(
                workshop,
                person=waiting.person,
                role=waiting.role,
                sector=waiting.sector,
                layer=waiting.layer,
            )
        waiting.decision, waiting.participant = WaitingPhone.Decision.ADMITTED, participant
        waiting.save(update_fields=["decision", "participant"])
        audit.record(
            "phone.took_over" if current is not None else "phone.admitted",
            by=by,
            partnership=workshop.assessment.partnership,
            target=f"Phone waiting for “{workshop}”",
            data={
                "workshop": workshop.pk,
                "phone": waiting.pk,
                "participant": participant.pk,
                "who": waiting.describe(),
                "person": waiting.person.name if waiting.person_id else None,
            },
        )
    return waiting, current is not None


def turn_away(workshop: Workshop, waiting_id: int, *, by=None) -> WaitingPhone:
    with transaction.atomic():
        waiting = _waiting(workshop, waiting_id)
        waiting.decision = WaitingPhone.Decision.TURNED_AWAY
        waiting.save(update_fields=["decision"])
        audit.record(
            "phone.turned_away",
            by=by,
            partnership=workshop.assessment.partnership,
            target=f"Phone waiting for “{workshop}”",
            data={"workshop": workshop.pk, "phone": waiting.pk, "who": waiting.describe()},
        )
    return waiting


def collect(waiting: WaitingPhone) -> Respondent | None:
    """What the facilitator decided, for the waiting phone: its participant once let
    in, None if turned away. Collected once: the row goes."""
    deleted, _ = (
        WaitingPhone.objects.filter(pk=waiting.pk)
        .exclude(decision=WaitingPhone.Decision.WAITING)
        .delete()
    )
    if not deleted or waiting.decision != WaitingPhone.Decision.ADMITTED:
        return None
    return waiting.participant


def remove_participant(workshop: Workshop, participant_id: int, *, by=None) -> tuple[str, int]:
    """Take someone out of the workshop with their votes; returns who and how many votes.

    The row lock waits for votes under way (which hold a key-share lock on it),
    and votes after it find no participant and store nothing.
    """
    with transaction.atomic():
        participant = (
            workshop.participants.select_for_update(of=("self",))
            .select_related("person")
            .filter(pk=participant_id)
            .first()
        )
        if participant is None:
            raise WorkshopError("That participant is no longer in the workshop.")
        votes = participant.answers.count()
        label = describe_participant(participant)
        participant.delete()
        audit.record(
            "participant.removed",
            by=by,
            partnership=workshop.assessment.partnership,
            target=f"Participant of “{workshop}”",
            data={
                "workshop": workshop.title,
                "participant": participant_id,
                "who": label,
                "votes": votes,
            },
        )
    return label, votes


def participants(workshop: Workshop) -> list[Respondent]:
    """Who has joined, for the console: each with ``label`` and ``votes`` counted."""
    joined = list(
        workshop.participants.select_related("person")
        .annotate(votes=Count("answers"))
        .order_by("started_at", "pk")
    )
    for participant in joined:
        participant.label = describe_participant(participant)
    return joined


def waiting_phones(workshop: Workshop) -> list[WaitingPhone]:
    """Phones waiting to be let in, oldest first; ``takes_over`` marks those asking to
    be someone who has already joined on another phone."""
    waiting = list(
        workshop.waiting_phones.filter(decision=WaitingPhone.Decision.WAITING).select_related(
            "person__organisation"
        )
    )
    taken = set(
        workshop.participants.filter(
            person__in=[phone.person_id for phone in waiting if phone.person_id]
        ).values_list("person_id", flat=True)
    )
    for phone in waiting:
        phone.takes_over = phone.person_id in taken
    return waiting


def describe_participant(participant: Respondent) -> str:
    if participant.person_id:
        return f"{participant.person.name}, {participant.organisation}"
    return (
        f"Anonymous: {participant.get_role_display()}, {participant.get_sector_display()}, "
        f"{participant.get_layer_display()}"
    )


# --- Voting ----------------------------------------------------------------------


def vote_slots(workshop: Workshop, item: Item) -> list[str]:
    """The bases a vote on this item is given on ('' for a yes/no question)."""
    if item.kind == Item.Kind.RATING:
        return workshop.assessment.bases
    if item.kind == Item.Kind.YES_NO:
        return [""]
    return []


def vote_options(workshop: Workshop, item: Item) -> list[tuple[str, str]]:
    bank = workshop.assessment.bank
    if item.kind == Item.Kind.RATING:
        options = [(str(value), f"{value} – {label}") for value, label in bank.scale_choices()]
    else:
        options = [(Answer.Choice.YES, "Yes"), (Answer.Choice.NO, "No")]
    options.append((Answer.Choice.DONT_KNOW, bank.dont_know_label or "Don't know"))
    if item.na_allowed:
        options.append((Answer.Choice.NA, "Not applicable"))
    return options


# What phones need to know about a workshop, kept for a moment in each app
# server process. Hundreds of phones poll every second; with this, an
# unchanged workshop answers 304 without touching the database, and a vote
# needs no look-up before its one statement. A change made in another process
# shows within SNAPSHOT_SECONDS plus one poll, inside the two seconds promised.
SNAPSHOT_SECONDS = 0.5
_snapshots: dict[str, Snapshot] = {}


@dataclass(frozen=True)
class Snapshot:
    pk: int
    version: int
    state: str
    voting_closes_at: datetime.datetime | None
    current_id: int | None
    item_id: int | None
    # basis -> allowed values -> (rating, choice) as stored
    ballots: dict[str, dict[str, tuple[int | None, str]]]
    taken: float

    @property
    def timer_expired(self) -> bool:
        return Workshop.timer_ran_out(self.state, self.voting_closes_at)


def snapshot(code: str, *, fresh: bool = False) -> Snapshot | None:
    """The workshop with this code as phones see it, at most SNAPSHOT_SECONDS old."""
    now = time.monotonic()
    kept = _snapshots.get(code)
    if kept is not None and not fresh and now - kept.taken < SNAPSHOT_SECONDS:
        return kept
    workshop = (
        Workshop.objects.select_related("current__item", "assessment__bank")
        .filter(code=code)
        .order_by()
        .first()
    )
    if workshop is None:
        _snapshots.pop(code, None)
        return None
    ballots = {}
    item = workshop.current.item if workshop.current else None
    if item is not None:
        for basis in vote_slots(workshop, item):
            ballots[basis] = {
                value: (int(value), "") if value.isdigit() else (None, value)
                for value, _ in vote_options(workshop, item)
            }
    if len(_snapshots) > 1000:  # workshops that have ended fall out in time
        for old in [c for c, s in _snapshots.items() if now - s.taken > 60]:
            del _snapshots[old]
    _snapshots[code] = Snapshot(
        pk=workshop.pk,
        version=workshop.version,
        state=workshop.state,
        voting_closes_at=workshop.voting_closes_at,
        current_id=workshop.current_id,
        item_id=item.pk if item else None,
        ballots=ballots,
        taken=now,
    )
    return _snapshots[code]


def forget(code: str) -> None:
    """Drop this process's snapshot after a change, so this process sees it at once."""
    _snapshots.pop(code, None)


def _upsert_if_voting(workshop_id: int, agenda_item_id: int, rows: list[tuple]) -> int:
    """Store the answers only if voting is open on this item and the voter is still a
    participant of this workshop; returns how many were stored.

    One statement, so a vote costs one round trip like any upsert. The
    workshop and participant rows are read FOR KEY SHARE: votes do not wait for
    each other, but closing, removing a participant or moving them to another
    phone (FOR UPDATE) waits for the votes already under way, and a vote that
    comes after finds the change and stores nothing. The ORM cannot say this.
    """
    answer, workshop = Answer._meta.db_table, Workshop._meta.db_table
    participant = Respondent._meta.db_table
    lock = "FOR KEY SHARE" if connection.vendor == "postgresql" else ""
    values = ", ".join(["(%s, %s, %s, CAST(%s AS smallint), %s)"] * len(rows))
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    # It starts with INSERT (no WITH) so that every driver reports the row count.
    sql = f"""
        INSERT INTO {answer} (respondent_id, item_id, basis, rating, choice, text, updated_at)
        SELECT v.column1, v.column2, v.column3, v.column4, v.column5, '', %s
        FROM (VALUES {values}) AS v
        WHERE EXISTS (
            SELECT 1 FROM {workshop}
            WHERE id = %s AND state = %s AND current_id = %s
              AND (voting_closes_at IS NULL OR voting_closes_at > %s)
            {lock}
        )
        AND EXISTS (
            SELECT 1 FROM {participant} WHERE id = %s AND workshop_id = %s {lock}
        )
        ON CONFLICT (respondent_id, item_id, basis)
        DO UPDATE SET rating = excluded.rating, choice = excluded.choice,
                      updated_at = excluded.updated_at
    """  # noqa: S608 - only table names are formatted in; every value is a parameter
    params = [now]
    for row in rows:
        params.extend(row)
    params += [workshop_id, State.VOTING, agenda_item_id, now, rows[0][0], workshop_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def vote(code: str, respondent_id: int, agenda_item_id: int, values: dict[str, str]) -> int:
    """Store a participant's vote on the current item; returns how many answers it holds.

    Voting again replaces the earlier vote: one answer per participant, item
    and basis, kept by the database's unique constraint.
    """
    current = snapshot(code)
    if current is not None and current.current_id != agenda_item_id:
        current = snapshot(code, fresh=True)  # perhaps this process has not seen the move yet
    if current is None or current.current_id != agenda_item_id or not current.ballots:
        raise WorkshopError("Voting on that item has closed. The current item is shown now.")
    rows = []
    for basis, allowed in current.ballots.items():
        value = values.get(basis)
        if not value:
            continue
        if value not in allowed:
            raise WorkshopError("Choose one of the options shown.")
        rows.append((respondent_id, current.item_id, basis, *allowed[value]))
    if not rows:
        raise WorkshopError("Choose an answer before voting.")
    if not _upsert_if_voting(current.pk, agenda_item_id, rows):
        # Only now, off the path of every vote that counts: which check said no.
        if not Respondent.objects.filter(pk=respondent_id, workshop_id=current.pk).exists():
            raise NotJoined
        raise WorkshopError("Voting on this item has closed, so your vote was not counted.")
    return len(rows)


def my_votes(respondent_id: int, item: Item) -> dict[str, str]:
    return {
        answer.basis: answer.value
        for answer in Answer.objects.filter(respondent_id=respondent_id, item=item)
    }


# --- Tallies ---------------------------------------------------------------------


def _votes(agenda_item: AgendaItem):
    return Answer.objects.filter(
        respondent__workshop_id=agenda_item.workshop_id, item_id=agenda_item.item_id
    )


def progress(workshop: Workshop) -> tuple[int, int]:
    """How many have joined, and how many of them have voted on the current item."""
    joined = Respondent.objects.filter(workshop=workshop).count()
    voted = 0
    if workshop.current_id:
        voted = _votes(workshop.current).values("respondent").distinct().count()
    return joined, voted


@dataclass
class Row:
    label: str
    count: int
    percent: int


@dataclass
class Distribution:
    basis: str
    label: str
    rows: list[Row]
    total: int
    withheld: bool = False

    @property
    def most_common(self) -> list[str]:
        top = max((row.count for row in self.rows), default=0)
        return [row.label for row in self.rows if top and row.count == top]


@dataclass
class Group:
    key: str  # "room" or "remote"
    title: str
    distributions: list[Distribution]


@dataclass
class Tally:
    room: list[Distribution] = field(default_factory=list)
    remote: list[Distribution] = field(default_factory=list)
    min_group: int = 0

    @property
    def groups(self) -> list[Group]:
        groups = [Group("room", "In the room", self.room)]
        if self.remote:
            groups.append(Group("remote", "In the remote questionnaire", self.remote))
        return groups


# In the room the basis is named too, as the questionnaire named it.
BASIS_LABELS = {basis: f"{label} ({basis})" for basis, label in BASIS_SHORT.items()} | {
    "": "Answer"
}


def _distributions(
    workshop: Workshop, item: Item, answers, *, min_group: int = 0
) -> list[Distribution]:
    counts: dict[str, Counter] = {basis: Counter() for basis in vote_slots(workshop, item)}
    for row in answers.values("basis", "rating", "choice").annotate(n=Count("id")):
        value = str(row["rating"]) if row["rating"] is not None else row["choice"]
        if row["basis"] in counts:
            counts[row["basis"]][value] += row["n"]
    result = []
    for basis, counter in counts.items():
        total = sum(counter.values())
        rows = [
            Row(label, counter[key], round(100 * counter[key] / total) if total else 0)
            for key, label in vote_options(workshop, item)
        ]
        withheld = bool(min_group) and total < min_group
        result.append(
            Distribution(basis, BASIS_LABELS[basis], [] if withheld else rows, total, withheld)
        )
    return result


def tally(workshop: Workshop, agenda_item: AgendaItem | None = None) -> Tally:
    """An item's votes (the current one by default), and what the remote
    questionnaire said beside them.

    Screens call this for the current item only once results are revealed:
    before that no response to a participant or the presenter carries them.
    """
    agenda_item = agenda_item or workshop.current
    if agenda_item is None or agenda_item.item.kind == Item.Kind.OPEN:
        return Tally()
    item = agenda_item.item
    result = Tally(room=_distributions(workshop, item, _votes(agenda_item)))
    if workshop.show_remote:
        assessment = workshop.assessment
        remote = Answer.objects.filter(
            respondent__assessment=assessment, item=item, respondent__submitted_at__isnull=False
        ).exclude(respondent__channel=Respondent.Channel.WORKSHOP)
        # An anonymous assessment never shows a group smaller than the minimum.
        min_group = settings.MIN_GROUP_SIZE if assessment.anonymous else 0
        result.remote = _distributions(workshop, item, remote, min_group=min_group)
        result.min_group = min_group
    return result


# --- What the room agreed --------------------------------------------------------------


def record_consensus(agenda_item: AgendaItem, values: dict, *, by=None) -> AgendaItem:
    with transaction.atomic():
        workshop = _locked(agenda_item.workshop_id, None)
        before = {name: getattr(agenda_item, name) for name in CONSENSUS_FIELDS}
        for name in CONSENSUS_FIELDS:
            setattr(agenda_item, name, values.get(name, getattr(agenda_item, name)))
        agenda_item.agreed_at = timezone.now()
        agenda_item.save(update_fields=[*CONSENSUS_FIELDS, "agreed_at"])
        # The presenter shows the agreed rating, so it counts as a change.
        _save(workshop)
        audit.record(
            "agenda.agreed",
            by=by,
            partnership=workshop.assessment.partnership,
            target=f"Agenda of “{workshop}”",
            data={
                "workshop": workshop.pk,
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
        _locked(agenda_item.workshop_id, None)
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
