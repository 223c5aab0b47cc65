"""Voting in a live workshop: what a ballot offers, the snapshot phones are answered
from, and storing a vote in one statement that checks voting is still open.

A vote takes a shared lock on the workshop's row (and the participant's): any number
of votes run side by side, while closing, removing a participant or moving them to
another phone waits for the votes already under way and refuses the ones after it.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass

from django.db import IntegrityError, InterfaceError, OperationalError, connection
from django.db.models import QuerySet
from django.utils import timezone

from questions.models import Item
from workshops.models import AgendaItem, Answer, Basis, Respondent, Workshop, WorkshopError
from workshops.services import changes, prepared
from workshops.services.participants import NotJoined

State = Workshop.State


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
# shows at the next poll: its stamp in the shared cache (services.changes) no
# longer matches the snapshot's. Should the stamp be missing, it shows within
# SNAPSHOT_SECONDS plus one poll, inside the two seconds promised. The stamp is a
# round trip to the cache, dearer than the rest of a 304 on a busy machine, so a
# process looks at most every STAMP_SECONDS (a change shows that much later at most).
SNAPSHOT_SECONDS = 0.5
STAMP_SECONDS = 0.02
_snapshots: dict[str, Snapshot] = {}
_stamp_read: dict[str, float] = {}  # when this process last read each workshop's stamp


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
    stamp: str | None = None  # the workshop's change stamp when this was read

    @property
    def timer_expired(self) -> bool:
        return Workshop.timer_ran_out(self.state, self.voting_closes_at)


def snapshot(code: str, *, fresh: bool = False, stamped: bool = True) -> Snapshot | None:
    """The workshop with this code as phones see it, at most SNAPSHOT_SECONDS old and,
    when ``stamped``, read since its last announced change. A vote passes
    ``stamped=False``: its statement checks the workshop itself."""
    now = time.monotonic()
    kept = _snapshots.get(code)
    if kept is not None and not fresh and now - kept.taken < SNAPSHOT_SECONDS:
        if not stamped or now - _stamp_read.get(code, 0.0) < STAMP_SECONDS:
            return kept
        stamp = changes.stamp(code)
        _stamp_read[code] = now
        if stamp == kept.stamp:
            return kept
    else:
        stamp = changes.stamp(code)
        _stamp_read[code] = now
    # The stamp is read before the workshop: a change committed in between is in
    # what is read, and its newer stamp makes the next look read again.
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
            _stamp_read.pop(old, None)
    _snapshots[code] = Snapshot(
        pk=workshop.pk,
        version=workshop.version,
        state=workshop.state,
        voting_closes_at=workshop.voting_closes_at,
        current_id=workshop.current_id,
        item_id=item.pk if item else None,
        ballots=ballots,
        taken=now,
        stamp=stamp,
    )
    return _snapshots[code]


def forget(code: str) -> None:
    """Drop this process's snapshot after a change, so this process sees it at once."""
    _snapshots.pop(code, None)


# The workshop's columns naming what the room is on, besides the agenda's current item.
PUT_TO_ROOM = ("dots_id", "ideas_id")


def locked_if_open(workshop_id: int, participant_id: int, *, on: str, target_id: int) -> bool:
    """Within the caller's transaction: whether voting (or collecting) is open on what
    the workshop's ``on`` column names, holding key-share locks on the workshop and
    participant rows to the end, as a vote does (see ``_upsert_if_voting``); NotJoined
    when the participant is no longer in the workshop."""
    if on not in PUT_TO_ROOM:
        raise ValueError(on)
    workshop, participant = Workshop._meta.db_table, Respondent._meta.db_table
    lock = "FOR KEY SHARE" if connection.vendor == "postgresql" else ""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT 1 FROM {workshop} WHERE id = %s AND state = %s AND {on} = %s
                AND (voting_closes_at IS NULL OR voting_closes_at > %s) {lock}""",  # noqa: S608 - names only
            [workshop_id, State.VOTING, target_id, now],
        )
        if cursor.fetchone() is None:
            return False
        cursor.execute(
            f"SELECT 1 FROM {participant} WHERE id = %s AND workshop_id = %s {lock}",  # noqa: S608
            [participant_id, workshop_id],
        )
        if cursor.fetchone() is None:
            raise NotJoined
    return True


def _upsert_if_voting(workshop_id: int, agenda_item_id: int, rows: list[tuple]) -> int:
    """Store the answers only if voting is open on this item and the voter is still a
    participant of this workshop; returns how many were stored.

    One statement, prepared once per connection, so a vote costs one round trip like any upsert. The
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
              AND dots_id IS NULL AND ideas_id IS NULL
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
    params, types = [now], ["timestamptz"]
    for row in rows:
        params.extend(row)
        types += ["bigint", "bigint", "varchar", "smallint", "varchar"]
    params += [workshop_id, State.VOTING, agenda_item_id, now, rows[0][0], workshop_id]
    types += ["bigint", "varchar", "bigint", "timestamptz", "bigint", "bigint"]
    return _at_once(sql, types, params)


def _at_once(sql: str, types: list[str], params: list) -> int:
    """Run a vote's statement without the connection's health check before it: a round
    trip that took a third of a vote's time (bench/README.md). A connection the server
    has dropped (a restart, a failover) is replaced and the statement sent once more,
    as the health check would have done: an upsert of the same values, sent twice,
    stores what it stores once. Returns the rows stored."""
    # Django checks a reused connection before a request's first query unless this says
    # it has been checked; the second try below stands in for the check.
    connection.health_check_done = True
    try:
        return prepared.execute(sql, types, params)
    except (OperationalError, InterfaceError):
        if connection.in_atomic_block or connection.is_usable():
            raise
    connection.close()
    return prepared.execute(sql, types, params)  # on a new connection


@dataclass(frozen=True)
class StoredVote:
    """Which bases of a ballot a participant's vote rates and which it leaves empty. A vote
    on one basis of two is kept, and the phone says which part is still missing."""

    rated: tuple[str, ...]
    unrated: tuple[str, ...]

    @classmethod
    def of(cls, slots: list[str], given: set[str] | dict[str, str]) -> StoredVote:
        return cls(
            tuple(basis for basis in slots if basis in given),
            tuple(basis for basis in slots if basis not in given),
        )

    @property
    def message(self) -> str:
        """What the phone says once the vote is stored."""
        if not self.unrated:
            return "Your vote is in. You can change it until voting closes."
        rated = " and ".join(f"‘{Basis(basis).short}’" for basis in self.rated)
        unrated = " and ".join(f"‘{Basis(basis).short}’" for basis in self.unrated)
        return (
            f"You rated {rated} only; {unrated} is not rated yet. Your vote for {rated} is in, "
            "and you can add the other until voting closes."
        )


def vote(code: str, respondent_id: int, agenda_item_id: int, values: dict[str, str]) -> StoredVote:
    """Store a participant's vote on the current item; returns which bases it now rates.

    Voting again replaces the earlier vote: one answer per participant, item
    and basis, kept by the database's unique constraint. A basis left empty
    keeps the rating an earlier vote gave it.
    """
    current = snapshot(code, stamped=False)
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
    try:
        stored = _upsert_if_voting(current.pk, agenda_item_id, rows)
    except IntegrityError:
        # The answer's foreign key to its participant, the one constraint this statement
        # can break (ON CONFLICT answers the unique one): the participant's row went
        # between the statement's check and its commit. Its key-share lock (and SQLite's
        # one writer at a time) rule that out; should a database let it through, the
        # voter is told they are out, not shown a server error.
        raise NotJoined from None
    if not stored:
        # Only now, off the path of every vote that counts: which check said no.
        if not Respondent.objects.filter(pk=respondent_id, workshop_id=current.pk).exists():
            raise NotJoined
        raise WorkshopError("Voting on this item has closed, so your vote was not counted.")
    given = {row[2] for row in rows}
    if len(given) < len(current.ballots):
        # Only a vote that leaves a basis empty looks: an earlier vote may have rated it.
        given |= set(
            Answer.objects.filter(respondent_id=respondent_id, item_id=current.item_id).values_list(
                "basis", flat=True
            )
        )
    return StoredVote.of(list(current.ballots), given)


def my_votes(respondent_id: int, item: Item) -> dict[str, str]:
    return {
        answer.basis: answer.value
        for answer in Answer.objects.filter(respondent_id=respondent_id, item=item)
    }


def votes(agenda_item: AgendaItem) -> QuerySet[Answer]:
    """The answers the room has given on this agenda item."""
    return Answer.objects.filter(
        respondent__workshop_id=agenda_item.workshop_id, item_id=agenda_item.item_id
    )
