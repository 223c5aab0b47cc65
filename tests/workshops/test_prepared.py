"""Statements prepared once per connection (services.prepared), and votes that still count
when a connection pooler loses them."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from tests.workshops.workshop_helpers import anonymous, cast_vote, go
from workshops.models import Answer
from workshops.services import prepared

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's prepared statements"
)

UPSERT = (
    "INSERT INTO scratch (key, value) VALUES (%s, %s) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)


@pytest.fixture
def scratch(transactional_db):
    # Votes run outside a transaction, where statements are prepared; so do these tests.
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE scratch (key int PRIMARY KEY, value text)")
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE scratch")
        cursor.execute("DEALLOCATE ALL")
    prepared._held.pop(connection.connection, None)


def held_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements WHERE name LIKE 'lsp_%%'")
        return [name for (name,) in cursor.fetchall()]


def scratch_rows() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT key, value FROM scratch ORDER BY key")
        return cursor.fetchall()


def test_a_statement_is_prepared_once_and_then_only_executed(scratch):
    for key, value in [(1, "a"), (2, "b"), (1, "c")]:
        assert prepared.execute(UPSERT, ["int", "text"], [key, value]) == 1
    assert scratch_rows() == [(1, "c"), (2, "b")]
    assert len(held_statements()) == 1


def test_a_statement_another_process_prepared_on_this_connection_is_used(scratch, monkeypatch):
    # Behind a pooler a server connection may come with the statement already prepared.
    prepared.execute(UPSERT, ["int", "text"], [1, "a"])
    monkeypatch.setattr(prepared, "_held", type(prepared._held)())
    assert prepared.execute(UPSERT, ["int", "text"], [2, "b"]) == 1
    assert scratch_rows() == [(1, "a"), (2, "b")]
    assert len(held_statements()) == 1


def test_inside_a_transaction_nothing_is_prepared(scratch):
    with transaction.atomic():
        assert prepared.execute(UPSERT, ["int", "text"], [1, "a"]) == 1
    assert scratch_rows() == [(1, "a")]
    assert held_statements() == []


@pytest.mark.django_db(transaction=True)
def test_a_vote_whose_statement_the_pooler_lost_is_stored_and_later_votes_too(
    workshop, monkeypatch
):
    # A pooler in transaction mode hands each statement to any server connection: one
    # that never saw the PREPARE says the statement does not exist. The vote is stored
    # all the same, and this process stops preparing.
    monkeypatch.setattr(prepared, "_pooled", False)
    workshop = go(workshop, "next", "open")
    respondent = anonymous(workshop)
    cast_vote(workshop, respondent, "2")
    assert len(held_statements()) == 1
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # what the next server connection would hold
    cast_vote(workshop, respondent, "3")
    assert Answer.objects.get(respondent=respondent).rating == 3
    assert prepared._pooled
    cast_vote(workshop, respondent, "4")
    assert Answer.objects.get(respondent=respondent).rating == 4
    assert held_statements() == []
