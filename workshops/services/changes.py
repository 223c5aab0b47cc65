"""Telling every app server process at once that a live workshop has changed.

Each process keeps a short snapshot of what phones need (services.voting). A change
publishes a fresh stamp for the workshop's code in the shared cache once it is
committed; a process whose snapshot was taken under another stamp reads the
workshop again, so a phone's next poll after "Next" shows the new question
wherever it lands. Without the cache (an outage, an evicted key) the snapshot's
own half second still bounds how long a change takes to show.
"""

from __future__ import annotations

import logging
import secrets

from django.core.cache import cache
from django.db import transaction

log = logging.getLogger(__name__)
# Longer than any workshop runs; a stamp that has gone reads as "no stamp".
STAMP_SECONDS = 24 * 3600


def _key(code: str) -> str:
    return f"workshop-changed:{code}"


def stamp(code: str) -> str | None:
    """The workshop's current stamp, or None when the cache has none or cannot say."""
    try:
        return cache.get(_key(code))
    except Exception as exc:  # noqa: BLE001 - any cache failure falls back to the half second
        log.warning("Workshop change stamps cannot be read: %s", exc)
        return None


def _publish(code: str) -> None:
    try:
        cache.set(_key(code), secrets.token_hex(8), STAMP_SECONDS)
    except Exception as exc:  # noqa: BLE001 - as in stamp()
        log.warning("Workshop change stamps cannot be written: %s", exc)


def announce(code: str) -> None:
    """Say that this workshop changed, once the change is committed (at once outside a
    transaction): a snapshot taken before the commit must not carry the new stamp."""
    transaction.on_commit(lambda: _publish(code))
