"""Guessing codes and links: the guesser is slowed down, nobody else is locked out."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from tests.builders import make_workshop
from workshops import throttle
from workshops.models import Respondent

WRONG_LINK = "x" * 43


@pytest.fixture
def workshop(cast, assessment):
    return make_workshop(cast, assessment)


@pytest.fixture
def clock(monkeypatch):
    """The throttle's clock, moved on by hand: nobody waits in a test."""
    now = [1_000_000.0]
    monkeypatch.setattr(throttle, "_now", lambda: now[0])
    return now


def wrong_code(client, n: int, **extra):
    return client.post(reverse("join"), {"code": f"AAAA{n:04d}".replace("0", "A")}, **extra)


def test_twenty_wrong_codes_then_the_right_one_from_the_same_network_get_in(client, workshop):
    for n in range(20):
        assert wrong_code(client, n).status_code in (200, 429)
    response = client.post(reverse("join"), {"code": workshop.display_code})
    assert response.status_code == 302
    assert response["Location"] == reverse("workshop-join", args=[workshop.code])
    form = client.get(response["Location"])
    assert form.status_code == 200 and "Join the workshop" in form.content.decode()
    # A phone sent straight to the join page by the QR code gets in too.
    assert client.get(reverse("workshop-join", args=[workshop.code])).status_code == 200


def test_thirty_bad_links_then_a_right_link_opens_it(client, invitation):
    for _ in range(30):
        assert client.get(reverse("questionnaire", args=[WRONG_LINK])).status_code in (404, 429)
    response = client.get(reverse("questionnaire", args=[invitation.token]))
    assert response.status_code == 200
    assert invitation.assessment.title in response.content.decode()


def test_the_guesser_is_told_to_wait_and_the_wait_grows(client, workshop, clock, settings):
    settings.GUESSES_ALLOWED = 3
    for n in range(3):
        response = wrong_code(client, n)
        assert response.status_code == 200
        assert "No workshop has that code" in response.content.decode()
    waits = []
    for n in range(3, 8):
        response = wrong_code(client, n)
        assert response.status_code == 429
        seconds = int(response["Retry-After"])
        assert f"Wait {seconds} second" in response.content.decode()
        waits.append(seconds)
        # Guessing on during the wait is refused and does not make it longer.
        again = wrong_code(client, 100 + n)
        assert again.status_code == 429 and int(again["Retry-After"]) <= seconds
        clock[0] += seconds
    assert waits == [1, 2, 4, 8, 16]
    # ...and the right code still works in the middle of a wait.
    assert client.post(reverse("join"), {"code": workshop.code}).status_code == 302


def test_the_wait_stops_growing_at_the_cap(client, workshop, clock, settings):
    settings.GUESSES_ALLOWED = 0
    settings.GUESS_WAIT_MAX_SECONDS = 60
    for n in range(12):
        response = wrong_code(client, n)
        clock[0] += int(response["Retry-After"])
    assert int(response["Retry-After"]) == 60
    for n in range(20):
        assert int(wrong_code(client, 50 + n)["Retry-After"]) <= 60


def test_a_guessed_link_is_told_to_wait_too(client, invitation, clock, settings):
    settings.GUESSES_ALLOWED = 1
    assert client.get(reverse("questionnaire", args=[WRONG_LINK])).status_code == 404
    response = client.get(reverse("questionnaire", args=[WRONG_LINK]))
    assert response.status_code == 429 and response["Retry-After"] == "1"
    assert "Wait 1 second before trying another link" in response.content.decode()
    assert invitation.assessment.title not in response.content.decode()
    response = client.post(reverse("questionnaire-save", args=[WRONG_LINK]), {})
    assert response.status_code == 429
    assert not Respondent.objects.exists()
    assert client.get(reverse("questionnaire", args=[invitation.token])).status_code == 200


def test_ipv6_addresses_in_one_64_share_a_count_and_other_64s_do_not(client, workshop, settings):
    settings.GUESSES_ALLOWED = 2
    first, same_64, other_64 = "2001:db8:1:2::1", "2001:db8:1:2:ffff:1:2:3", "2001:db8:1:3::1"
    assert wrong_code(client, 1, REMOTE_ADDR=first).status_code == 200
    assert wrong_code(client, 2, REMOTE_ADDR=same_64).status_code == 200
    assert wrong_code(client, 3, REMOTE_ADDR=first).status_code == 429
    assert wrong_code(client, 4, REMOTE_ADDR=same_64).status_code == 429
    assert wrong_code(client, 5, REMOTE_ADDR=other_64).status_code == 200
    # IPv4 addresses are counted one by one.
    assert wrong_code(client, 6, REMOTE_ADDR="192.0.2.1").status_code == 200
    assert wrong_code(client, 7, REMOTE_ADDR="192.0.2.2").status_code == 200


def test_the_counters_fail_open_and_say_so_once_when_the_cache_is_down(
    client, workshop, settings, caplog
):
    # A Redis nobody listens on: every cache call fails.
    settings.CACHES = {
        "default": {
            "BACKEND": "lsp_assess.cache.RedisCache",  # as settings.py configures Redis
            "LOCATION": "redis://127.0.0.1:9/0",
        }
    }
    settings.GUESSES_ALLOWED = 1
    throttle.reset_warning()
    with caplog.at_level(logging.WARNING, logger="workshops.throttle"):
        for n in range(5):
            response = wrong_code(client, n)
            assert response.status_code == 200
            assert "No workshop has that code" in response.content.decode()
        assert client.post(reverse("join"), {"code": workshop.code}).status_code == 302
    warnings = [r for r in caplog.records if r.name == "workshops.throttle"]
    assert len(warnings) == 1 and "cache" in warnings[0].getMessage()
