"""Voting in a live workshop (services.voting): one answer per participant, item and basis,
stored only while voting is open."""

from __future__ import annotations

from contextlib import contextmanager

import psycopg2
import pytest
from django.db import connection

from questions.models import Item
from tests.builders import make_assessment, make_workshop
from tests.workshops.workshop_helpers import anonymous, cast_vote, go
from workshops.models import Answer, Workshop, WorkshopError
from workshops.services import participants, voting

State = Workshop.State


def test_a_vote_is_an_answer_and_voting_again_changes_that_one_answer(workshop):
    workshop = go(workshop, "next", "open")
    respondent = anonymous(workshop)
    cast_vote(workshop, respondent, "2")
    cast_vote(workshop, respondent, "4")
    cast_vote(workshop, respondent, "4")
    answers = Answer.objects.filter(respondent=respondent)
    assert [(a.item.key, a.basis, a.rating) for a in answers] == [("1.1", "internal", 4)]


def test_dont_know_and_yes_no_votes(cast, workshop):
    workshop = go(workshop, "next", "open")
    respondent = anonymous(workshop)
    cast_vote(workshop, respondent, "dont_know")
    assert Answer.objects.get(respondent=respondent).choice == "dont_know"
    yes_no = workshop.agenda.filter(item__kind=Item.Kind.YES_NO).first()
    workshop = go(workshop, "close")
    while workshop.current_id != yes_no.pk:
        workshop = go(workshop, "next")
    workshop = go(workshop, "open")
    assert voting.vote_slots(workshop, yes_no.item) == [""]
    cast_vote(workshop, respondent, "no")
    assert Answer.objects.get(respondent=respondent, item=yes_no.item).choice == "no"


def test_both_bases_are_voted_on_separately(cast, bank):
    workshop = make_workshop(cast, make_assessment(cast, basis="both"))
    workshop = go(workshop, "next", "open")
    respondent = anonymous(workshop)
    cast_vote(workshop, respondent, "3", external="1")
    stored = {a.basis: a.rating for a in Answer.objects.filter(respondent=respondent)}
    assert stored == {"internal": 3, "external": 1}


def test_a_vote_on_one_basis_of_two_is_stored_and_says_which_basis_is_missing(cast, bank):
    workshop = make_workshop(cast, make_assessment(cast, basis="both"))
    workshop = go(workshop, "next", "open")
    respondent = anonymous(workshop)
    stored = voting.vote(workshop.code, respondent.pk, workshop.current_id, {"external": "2"})
    assert stored == voting.StoredVote(rated=("external",), unrated=("internal",))
    assert stored.message == (
        "You rated ‘Against other LSPs’ only; ‘Against our own plans’ is not rated yet. "
        "Your vote for ‘Against other LSPs’ is in, and you can add the other until voting closes."
    )
    assert [a.basis for a in Answer.objects.filter(respondent=respondent)] == ["external"]
    # Rating the other later completes the vote: the first rating is kept, not asked again.
    stored = voting.vote(workshop.code, respondent.pk, workshop.current_id, {"internal": "4"})
    assert stored == voting.StoredVote(rated=("internal", "external"), unrated=())
    assert stored.message == "Your vote is in. You can change it until voting closes."


def test_a_whole_vote_on_either_kind_of_question_says_it_is_in(cast, workshop):
    workshop = go(workshop, "next", "open")
    respondent = anonymous(workshop)
    assert cast_vote(workshop, respondent, "3").unrated == ()
    assert voting.StoredVote.of([""], {"": "yes"}).message.startswith("Your vote is in.")


@pytest.mark.parametrize(
    "value, message", [("7", "options shown"), ("na", "options shown"), ("", "Choose an answer")]
)
def test_bad_votes_are_refused_with_a_message_and_store_nothing(workshop, value, message):
    workshop = go(workshop, "next", "open")
    respondent = anonymous(workshop)
    with pytest.raises(WorkshopError, match=message):
        cast_vote(workshop, respondent, value)
    assert not Answer.objects.filter(respondent=respondent).exists()


def test_a_vote_after_closing_or_for_another_item_is_refused_and_not_stored(workshop):
    workshop = go(workshop, "next", "open")
    respondent = anonymous(workshop)
    first = workshop.current_id
    voting.snapshot(workshop.code)  # the phone's process has seen voting open
    Workshop.objects.filter(pk=workshop.pk).update(state=State.CLOSED)  # closed elsewhere
    # The close reached the database first: the vote is refused there.
    with pytest.raises(WorkshopError, match="closed, so your vote was not counted"):
        voting.vote(workshop.code, respondent.pk, first, {"internal": "3"})
    workshop = go(workshop, "next", "open")
    with pytest.raises(WorkshopError, match="Voting on that item has closed"):
        voting.vote(workshop.code, respondent.pk, first, {"internal": "3"})
    assert not Answer.objects.filter(respondent=respondent).exists()


@contextmanager
def participant_removed_as_their_vote_is_stored():
    """A trigger that deletes the voter's participant row just before their answer
    goes in: a removal landing between the vote's check and its insert, which the
    row locks otherwise keep from happening."""
    if connection.vendor == "postgresql":
        create = [
            """CREATE FUNCTION remove_voter() RETURNS trigger AS $$
               BEGIN DELETE FROM workshops_respondent WHERE id = NEW.respondent_id; RETURN NEW; END
               $$ LANGUAGE plpgsql""",
            """CREATE TRIGGER remove_voter BEFORE INSERT ON workshops_answer
               FOR EACH ROW EXECUTE FUNCTION remove_voter()""",
        ]
        drop = ["DROP TRIGGER remove_voter ON workshops_answer", "DROP FUNCTION remove_voter()"]
    else:
        create = [
            """CREATE TRIGGER remove_voter BEFORE INSERT ON workshops_answer
               BEGIN DELETE FROM workshops_respondent WHERE id = NEW.respondent_id; END"""
        ]
        drop = ["DROP TRIGGER remove_voter"]
    with connection.cursor() as cursor:
        for sql in create:
            cursor.execute(sql)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for sql in drop:
                cursor.execute(sql)


@pytest.mark.django_db(transaction=True)
def test_a_participant_removed_as_their_vote_is_stored_is_told_they_are_no_longer_in(workshop):
    workshop = go(workshop, "next", "open")
    respondent = anonymous(workshop)
    with (
        participant_removed_as_their_vote_is_stored(),
        pytest.raises(participants.NotJoined, match="no longer in this workshop"),
    ):
        cast_vote(workshop, respondent, "3")
    assert not Answer.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the server drops a network connection"
)
def test_a_vote_after_the_server_dropped_the_connection_is_stored(workshop):
    # A vote runs without the health check's round trip first: a connection the server
    # has dropped (a restart, a failover) is replaced, and the vote still stored.
    workshop = go(workshop, "next", "open")
    respondent = anonymous(workshop)
    cast_vote(workshop, respondent, "2")
    workshop.refresh_from_db()
    dropped = connection.connection.info.backend_pid
    with psycopg2.connect(**connection.get_connection_params()) as other:
        other.cursor().execute("SELECT pg_terminate_backend(%s)", [dropped])
    stored = voting.vote(workshop.code, respondent.pk, workshop.current_id, {"internal": "4"})
    assert stored.rated == ("internal",)
    assert Answer.objects.get(respondent=respondent).rating == 4
    assert connection.connection.info.backend_pid != dropped
