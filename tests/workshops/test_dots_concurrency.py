"""A phone's dots racing itself and the facilitator, on PostgreSQL with real transactions."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.builders import make_workshop
from tests.workshops.test_workshop_concurrency import run_together
from tests.workshops.workshop_helpers import anonymous, go
from workshops.models import DotAllocation, Workshop, WorkshopError
from workshops.services import dots
from workshops.services import workshop as services

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are only meaningful on PostgreSQL"
    ),
]


@pytest.fixture
def room(cast, assessment) -> tuple[Workshop, dots.DotVote]:
    workshop = make_workshop(cast, assessment)
    vote = dots.put_to_room(workshop, title="Priorities", priorities=[], typed=["A", "B", "C"])
    go(workshop, "open")
    return Workshop.objects.get(pk=workshop.pk), vote


def test_the_same_dots_sent_many_times_at_once_store_one_allocation(room):
    workshop, vote = room
    phone = anonymous(workshop)
    first = vote.candidates.first().pk
    results = run_together([lambda: dots.allocate(workshop, phone.pk, vote.pk, {first: 1})] * 8)
    assert not [r for r in results if isinstance(r, Exception)]
    assert DotAllocation.objects.count() == 1
    assert [t.points for t in dots.totals(vote)][0] == 1


def test_dots_racing_the_close_are_stored_before_it_or_refused(room):
    workshop, vote = room
    phones = [anonymous(workshop) for _ in range(6)]
    first = vote.candidates.first().pk
    jobs = [(lambda p=p: dots.allocate(workshop, p.pk, vote.pk, {first: 1})) for p in phones]
    jobs.insert(3, lambda: services.change(workshop.pk, "close"))
    results = run_together(jobs)
    refused = [r for r in results if isinstance(r, WorkshopError)]
    assert not [r for r in results if isinstance(r, Exception) and r not in refused]
    # Every phone either counted or was told it did not: none in between.
    assert DotAllocation.objects.count() + len(refused) == len(phones)
    assert dots.totals(vote)[0].points == DotAllocation.objects.count()
