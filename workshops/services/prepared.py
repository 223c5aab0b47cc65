"""Statements PostgreSQL plans once per connection, for the live path's busiest writes.

A vote's statement (its checks that voting is open and the voter still in the room,
then the upsert) takes PostgreSQL longer to plan than to run: planned afresh every time
it ran at half the rate of a plain upsert, prepared at the same rate (bench/README.md).
psycopg2 never prepares by itself, so this names the statement after its text, prepares
it the first time each connection runs it, and from then on only executes it.

A connection pooler in transaction mode (pgbouncer) may hand the next statement to a
server connection that never saw the PREPARE: the server says the statement does not
exist, and this process goes back to sending the statement whole, as before. Or to one
that another process prepared it on: the same name is the same text, so it is used.
Inside a transaction nothing is prepared, since a refused PREPARE would end it.
"""

from __future__ import annotations

import hashlib
import re
import weakref
from collections.abc import Sequence

from django.db import DatabaseError, connection

# SQLSTATEs: a statement this connection was thought to hold is not there; or one of the
# same name (so, from its name, of the same text) is there already.
UNDEFINED_STATEMENT, DUPLICATE_STATEMENT = "26000", "42P05"

# The statements each server connection holds, forgotten with the connection.
_held: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_pooled = False  # set once a pooler has lost a statement: prepare nothing more


def execute(sql: str, types: Sequence[str], params: Sequence) -> int:
    """Run ``sql`` (``%s`` placeholders, one for each of ``types``, PostgreSQL's names
    for the parameters' types) with ``params``, and return its row count."""
    global _pooled
    if connection.vendor != "postgresql" or _pooled or connection.in_atomic_block:
        return _plain(sql, params)
    name = "lsp_" + hashlib.sha256(f"{sql}{list(types)}".encode()).hexdigest()[:20]
    with connection.cursor() as cursor:
        held = _held.setdefault(connection.connection, set())
        if name not in held:
            _prepare(cursor, name, sql, types)
            held.add(name)
        try:
            cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(params))})", params)
        except DatabaseError as exc:
            if _sqlstate(exc) != UNDEFINED_STATEMENT:
                raise
            held.discard(name)
            _pooled = True
            return _plain(sql, params)
        return cursor.rowcount


def _prepare(cursor, name: str, sql: str, types: Sequence[str]) -> None:
    numbered = iter(range(1, len(types) + 1))
    body = re.sub("%s", lambda _: f"${next(numbered)}", sql)
    try:
        cursor.execute(f"PREPARE {name} ({', '.join(types)}) AS {body}")
    except DatabaseError as exc:
        if _sqlstate(exc) != DUPLICATE_STATEMENT:
            raise


def _plain(sql: str, params: Sequence) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _sqlstate(exc: Exception) -> str | None:
    return getattr(exc.__cause__, "pgcode", None)
