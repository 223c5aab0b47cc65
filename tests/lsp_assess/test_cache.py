"""The database cache (CACHE_BACKEND=database): guess counters every app server shares
where there is no Redis."""

from __future__ import annotations

import time

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from tests.workshops.conftest import workshop  # noqa: F401 - a fixture
from tests.workshops.test_workshop_concurrency import run_together

DATABASE_CACHE = {"BACKEND": "lsp_assess.cache.DatabaseCache", "LOCATION": "lsp_assess_cache"}


@pytest.fixture
def database_cache(settings, db):
    settings.CACHES = {"default": DATABASE_CACHE}
    call_command("createcachetable")
    return caches["default"]


def stored_keys() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM lsp_assess_cache")
        return cursor.fetchone()[0]


def test_wrong_workshop_codes_are_counted_in_the_database(
    client,
    workshop,  # noqa: F811
    database_cache,
    settings,
):
    settings.GUESSES_ALLOWED = 3
    for guess in ["AAAAAAAA", "BBBBBBBB", "CCCCCCCC"]:
        assert client.post(reverse("join"), {"code": guess}).status_code == 200
    response = client.post(reverse("join"), {"code": "DDDDDDDD"})
    assert response.status_code == 429
    assert "Wait 1 second before trying another code" in response.content.decode()
    # The one network's count and its wait, in the table every server reads.
    assert stored_keys() == 2
    assert client.post(reverse("join"), {"code": workshop.code}).status_code == 302


def test_it_counts_up_and_down_and_never_revives_an_expired_count(database_cache):
    assert database_cache.add("guesses", 0, timeout=60)
    assert database_cache.incr("guesses") == 1
    assert database_cache.incr("guesses", 5) == 6
    assert database_cache.decr("guesses") == 5
    assert database_cache.get("guesses") == 5
    with pytest.raises(ValueError, match="not found"):
        database_cache.incr("never-set")
    database_cache.set("gone", 3, timeout=1)
    time.sleep(1.5)
    with pytest.raises(ValueError, match="not found"):
        database_cache.incr("gone")
    assert database_cache.get("gone") is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are only meaningful on PostgreSQL"
)
def test_guesses_counted_on_many_connections_at_once_all_count(settings):
    settings.CACHES = {"default": DATABASE_CACHE}
    call_command("createcachetable")
    try:
        cache = caches["default"]
        cache.add("guesses", 0, timeout=60)

        def guess_five_times() -> None:
            for _ in range(5):
                caches["default"].incr("guesses")

        results = run_together([guess_five_times] * 20)

        assert [r for r in results if r is not None] == []
        assert cache.get("guesses") == 100
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE lsp_assess_cache")
