"""Votes and facilitator clicks racing each other, on PostgreSQL with real transactions.

SQLite serialises every write, so these races only mean something on
PostgreSQL, which is what CI runs.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from tests.conftest import make_workshop
from workshops.models import Answer, Workshop, WorkshopError
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


def loaded(workshop: Workshop) -> Workshop:
    return Workshop.objects.select_related("current__item", "assessment__bank").get(pk=workshop.pk)


@pytest.fixture
def voting(cast, assessment):
    workshop = make_workshop(cast, assessment)
    services.change(workshop.pk, "next")
    services.change(workshop.pk, "open")
    return loaded(workshop)


def join_many(workshop: Workshop, count: int):
    return [
        services.join(workshop, role="officer", sector="public", layer="strategic")
        for _ in range(count)
    ]


def test_parallel_votes_store_exactly_one_answer_each_equal_to_the_last(voting):
    participants = join_many(voting, 24)
    rounds = 4
    plans = {p.pk: [random.choice("1234") for _ in range(rounds)] for p in participants}  # noqa: S311

    def voter(respondent_id: int):
        def job():
            for value in plans[respondent_id]:
                services.vote(loaded(voting), respondent_id, voting.current_id, {"internal": value})
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

    def voter(respondent_id: int):
        def job():
            acknowledged = None
            for value in "123412341234":
                try:
                    services.vote(
                        loaded(voting), respondent_id, voting.current_id, {"internal": value}
                    )
                    acknowledged = int(value)
                except WorkshopError:
                    break
            return acknowledged

        return job

    def stored() -> dict[int, int]:
        return dict(
            Answer.objects.filter(item=voting.current.item).values_list("respondent", "rating")
        )

    def closer():
        services.change(voting.pk, "close")
        return stored()  # what the room has the moment the close is committed

    results = run_together([closer] + [voter(p.pk) for p in participants])
    acknowledged = {p.pk: r for p, r in zip(participants, results[1:], strict=True) if r}
    assert acknowledged, "the close came before any vote; the race did not happen"
    assert stored() == acknowledged
    # Nothing lands after the close: votes under way finished first, later ones were refused.
    assert results[0] == acknowledged


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


def test_the_same_person_joining_on_two_phones_at_once_is_one_participant(cast, assessment):
    workshop = make_workshop(cast, assessment)
    results = run_together([lambda: services.join(workshop, person=cast.person)] * 5)
    assert len({r.pk for r in results}) == 1
