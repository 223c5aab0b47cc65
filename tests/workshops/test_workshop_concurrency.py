"""Votes and facilitator clicks racing each other, on PostgreSQL with real transactions.

SQLite serialises every write, so these races only mean something on
PostgreSQL, which is what CI runs.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection, connections, transaction

from tests.builders import make_workshop
from workshops.models import Answer, Respondent, Workshop, WorkshopError
from workshops.services import participants as participants_service
from workshops.services import voting as voting_service
from workshops.services import workshop as services

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are only meaningful on PostgreSQL"
    ),
]


def run_together(jobs: list[Callable[[], object]]) -> list[object]:
    """Start every job at the same moment, each on its own connection; return results or errors."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def run(index: int, job) -> None:
        try:
            barrier.wait()
            results[index] = job()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each job raised
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n, job)) for n, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def cast_vote(workshop: Workshop, respondent_id: int, value: str) -> voting_service.StoredVote:
    return voting_service.vote(
        workshop.code, respondent_id, workshop.current_id, {"internal": value}
    )


@pytest.fixture
def voting(cast, assessment):
    workshop = make_workshop(cast, assessment)
    services.change(workshop.pk, "next")
    services.change(workshop.pk, "open")
    workshop.refresh_from_db()
    return workshop


def join_many(workshop: Workshop, count: int):
    return [
        participants_service.join(workshop, role="officer", sector="public", layer="strategic")
        for _ in range(count)
    ]


def test_parallel_votes_store_exactly_one_answer_each_equal_to_the_last(voting):
    participants = join_many(voting, 24)
    rounds = 4
    plans = {p.pk: [random.choice("1234") for _ in range(rounds)] for p in participants}  # noqa: S311

    def voter(respondent_id: int):
        def job():
            for value in plans[respondent_id]:
                cast_vote(voting, respondent_id, value)
            return "ok"

        return job

    results = run_together([voter(p.pk) for p in participants])
    assert results == ["ok"] * len(participants)
    stored = list(
        Answer.objects.filter(item=voting.current.item).values_list("respondent", "rating")
    )
    assert len(stored) == len(participants)  # no duplicates, none lost
    assert dict(stored) == {pk: int(values[-1]) for pk, values in plans.items()}


def test_a_close_racing_votes_keeps_every_acknowledged_vote_and_no_refused_one(voting):
    participants = join_many(voting, 30)
    acks: list[int] = []  # votes acknowledged this round (list.append is thread-safe)

    def stored() -> dict[int, int]:
        return dict(
            Answer.objects.filter(item=voting.current.item).values_list("respondent", "rating")
        )

    def voter(respondent_id: int):
        def job():
            acknowledged = None
            for value in itertools.islice(itertools.cycle("1234"), 5000):
                try:
                    cast_vote(voting, respondent_id, value)
                except WorkshopError:
                    break  # closed: stop voting
                acknowledged = int(value)
                acks.append(1)
            return acknowledged

        return job

    def closer():
        # Close in the thick of it, once the room has cast a couple of votes each.
        deadline = time.monotonic() + 30
        while len(acks) < 2 * len(participants) and time.monotonic() < deadline:
            time.sleep(0.001)
        services.change(voting.pk, "close")
        return stored()  # what the room has the moment the close is committed

    acknowledged: dict[int, int] = {}
    for round_ in range(4):  # the race is timing-dependent: run it a few times
        if round_:
            services.change(voting.pk, "open")  # reopen; earlier votes stand
        acks.clear()
        results = run_together([closer] + [voter(p.pk) for p in participants])
        acknowledged.update({p.pk: r for p, r in zip(participants, results[1:], strict=True) if r})
        # Nothing lands after the close: votes under way finished first, later ones
        # were refused and stored nothing.
        assert results[0] == stored() == acknowledged, f"round {round_}"


def test_a_vote_waits_for_a_close_under_way_and_is_then_refused(voting):
    voter = join_many(voting, 1)[0]
    locked, release, outcome = threading.Event(), threading.Event(), {}

    def close_slowly():
        try:
            with transaction.atomic():
                workshop = Workshop.objects.select_for_update().get(pk=voting.pk)
                locked.set()
                release.wait(10)
                workshop.state = Workshop.State.CLOSED
                workshop.save(update_fields=["state"])
        finally:
            connections.close_all()

    def vote():
        try:
            cast_vote(voting, voter.pk, "3")
            outcome["stored"] = True
        except WorkshopError as exc:
            outcome["refused"] = str(exc)
        finally:
            connections.close_all()

    closer = threading.Thread(target=close_slowly)
    closer.start()
    assert locked.wait(10)
    voting_thread = threading.Thread(target=vote)
    voting_thread.start()
    voting_thread.join(0.5)
    assert voting_thread.is_alive(), "the vote did not wait for the close under way"
    release.set()
    closer.join(10)
    voting_thread.join(10)
    assert outcome == {"refused": "Voting on this item has closed, so your vote was not counted."}
    assert not Answer.objects.exists()


def test_two_tabs_clicking_next_at_once_move_on_one_item(voting):
    services.change(voting.pk, "close")
    seen = Workshop.objects.get(pk=voting.pk).version
    results = run_together([lambda: services.change(voting.pk, "next", seen)] * 6)
    moved = [r for r in results if isinstance(r, Workshop)]
    refused = [r for r in results if isinstance(r, WorkshopError)]
    assert len(moved) == 1 and len(refused) == 5
    workshop = Workshop.objects.get(pk=voting.pk)
    assert workshop.current.position == 2
    assert workshop.version == seen + 1


def test_time_added_as_voting_closes_is_added_before_or_refused_after_never_left_behind(voting):
    services.change(voting.pk, "timer", seconds=60)
    results = run_together(
        [lambda: services.change(voting.pk, "close")]
        + [lambda: services.change(voting.pk, "add_time") for _ in range(5)]
    )
    voting.refresh_from_db()
    assert (voting.state, voting.voting_closes_at) == (Workshop.State.CLOSED, None)
    refused = [r for r in results if isinstance(r, WorkshopError)]
    assert all("cannot add time now" in str(r) for r in refused), results
    assert len(refused) + len([r for r in results if isinstance(r, Workshop)]) == 6, results


def test_two_phones_claiming_one_name_at_once_make_one_participant_and_the_rest_are_told(
    cast, assessment
):
    workshop = make_workshop(cast, assessment)
    results = run_together(
        [
            lambda n=n: participants_service.join_phone(
                workshop, f"192.0.2.{n}", person=cast.person
            )
            for n in range(5)
        ]
    )
    joined = [r for r in results if isinstance(r, Respondent)]
    told = [r for r in results if isinstance(r, participants_service.NameTaken)]
    assert len(joined) == 1 and len(told) == 4, results
    assert list(Respondent.objects.filter(workshop=workshop)) == joined


def test_admitting_a_phone_while_the_old_one_votes_keeps_one_answer_on_the_new_phone(cast, voting):
    old = participants_service.join(voting, person=cast.person)
    waiting = participants_service.ask_to_join(voting, "192.0.2.9", person=cast.person)
    stop = threading.Event()
    outcomes: list[object] = []

    def keep_voting() -> None:
        for value in itertools.cycle("1234"):
            if stop.is_set():
                return
            try:
                cast_vote(voting, old.pk, value)
                outcomes.append("counted")
            except WorkshopError as exc:
                outcomes.append(exc)
                return
            finally:
                connections.close_all()

    voter = threading.Thread(target=keep_voting)
    voter.start()
    time.sleep(0.2)
    participants_service.admit(voting, waiting.pk)
    time.sleep(0.2)
    stop.set()
    voter.join(10)
    assert isinstance(outcomes[-1], participants_service.NotJoined), outcomes[-3:]
    moved = Respondent.objects.get(workshop=voting)
    assert moved.pk != old.pk and moved.person == cast.person
    assert Answer.objects.filter(respondent=moved).count() == 1  # the last counted vote
    assert not Answer.objects.exclude(respondent=moved).exists()
