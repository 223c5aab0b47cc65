"""Ideas racing themselves, the close and the participant's removal, on PostgreSQL with
real transactions."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.builders import make_workshop
from tests.workshops.test_workshop_concurrency import run_together
from tests.workshops.workshop_helpers import anonymous, go
from workshops.models import Idea, IdeaCollection, Workshop, WorkshopError
from workshops.services import ideas, participants
from workshops.services import workshop as services

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are only meaningful on PostgreSQL"
    ),
]


@pytest.fixture
def room(cast, assessment) -> tuple[Workshop, IdeaCollection]:
    workshop = make_workshop(cast, assessment)
    collection = ideas.put_to_room(workshop, prompt="What would most improve our meetings?")
    go(workshop, "open")
    return Workshop.objects.get(pk=workshop.pk), collection


def test_the_same_idea_sent_many_times_at_once_is_stored_once(room):
    workshop, collection = room
    phone = anonymous(workshop)
    send = lambda: ideas.send(workshop, phone.pk, collection.pk, "Shorter papers", "tok")  # noqa: E731
    results = run_together([send] * 8)
    assert not [r for r in results if isinstance(r, Exception)]
    assert Idea.objects.count() == 1
    assert sum(new for _, new in results) == 1


def test_ideas_racing_the_close_are_stored_before_it_or_refused(room):
    workshop, collection = room
    phones = [anonymous(workshop) for _ in range(6)]
    jobs = [
        (lambda p=p: ideas.send(workshop, p.pk, collection.pk, f"Idea {p.pk}", f"t{p.pk}"))
        for p in phones
    ]
    jobs.insert(3, lambda: services.change(workshop.pk, "close"))
    results = run_together(jobs)
    refused = [r for r in results if isinstance(r, WorkshopError)]
    assert not [r for r in results if isinstance(r, Exception) and r not in refused]
    # Every phone either was stored or was told it was not: none in between.
    assert Idea.objects.count() + len(refused) == len(phones)
    # After the close, none is taken.
    with pytest.raises(WorkshopError, match="Collecting ideas has closed"):
        ideas.send(workshop, phones[0].pk, collection.pk, "Late", "late")


def test_a_participant_removed_while_sending_leaves_no_idea_behind(room):
    workshop, collection = room
    phone = anonymous(workshop)
    ideas.send(workshop, phone.pk, collection.pk, "First", "t0")
    jobs = [
        (lambda n=n: ideas.send(workshop, phone.pk, collection.pk, f"Idea {n}", f"t{n + 1}"))
        for n in range(5)
    ]
    jobs.insert(2, lambda: participants.remove_participant(workshop, phone.pk))
    results = run_together(jobs)
    refused = [r for r in results if isinstance(r, WorkshopError)]
    assert not [r for r in results if isinstance(r, Exception) and r not in refused]
    assert not Idea.objects.exists()  # what was stored before the removal went with them
    with pytest.raises(participants.NotJoined):
        ideas.send(workshop, phone.pk, collection.pk, "After", "after")
