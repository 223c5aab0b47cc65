"""The shared cache (Redis) going away: the site works on and the health check says so.

A throwaway Redis server is started on another port for each test and stopped mid-test;
the machine's own Redis is never touched.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse

from tests.builders import PASSWORD, make_workshop

pytestmark = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="needs redis-server to start one of its own"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ThrowawayRedis:
    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the throwaway Redis did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def redis_cache(settings) -> Iterator[ThrowawayRedis]:
    server = ThrowawayRedis()
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "lsp_assess.cache.RedisCache",  # as settings.py configures Redis
            "LOCATION": f"redis://127.0.0.1:{server.port}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    yield server
    server.stop()


def test_with_redis_gone_joining_links_and_autosave_still_work(
    redis_cache, cast, assessment, invitation
):
    workshop = make_workshop(cast, assessment)
    client = Client(raise_request_exception=False)
    # With Redis up, a wrong code is counted as usual.
    assert client.get(reverse("workshop-join", args=["ZZZZZZZZ"])).status_code == 404
    assert client.get("/healthz").json()["cache"] == "ok"

    redis_cache.stop()

    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json() == {"status": "degraded", "database": "ok", "cache": "unavailable"}
    # Joining by code.
    phone = Client(raise_request_exception=False)
    join = reverse("workshop-join", args=[workshop.code])
    assert phone.get(join).status_code == 200
    response = phone.post(
        join, {"who": "anonymous", "role": "officer", "sector": "public", "layer": "strategic"}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert workshop.participants.count() == 1
    # A wrong code is still a plain "not found", not a server error.
    assert phone.get(reverse("workshop-join", args=["ZZZZZZZZ"])).status_code == 404
    # The personal link, and autosave through it.
    partner = Client(raise_request_exception=False)
    assert partner.get(reverse("questionnaire", args=[invitation.token])).status_code == 200
    saved = partner.post(
        reverse("questionnaire-save", args=[invitation.token]),
        {"1.1:internal": "3"},
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert saved.status_code == 200, saved.content.decode()[:500]
    assert invitation.respondent.answers.get(item__key="1.1").rating == 3


def test_with_redis_gone_a_second_factor_code_gets_a_clear_message_not_an_error(redis_cache, cast):
    # The check that a code has not been used before lives in the shared cache: while
    # it is unreachable, codes are refused plainly, never taken without that check.
    from tests.workshops.accounts.second_factor import give_totp, totp_now

    secret = give_totp(cast.coordinator)
    client = Client()
    response = client.post(
        reverse("login"), {"login": cast.coordinator.email, "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    redis_cache.stop()
    response = client.post(reverse("mfa_authenticate"), {"code": totp_now(secret)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Codes cannot be checked just now" in page
    assert "_auth_user_id" not in client.session


def test_with_redis_gone_people_still_sign_in_and_ask_for_a_reset(redis_cache, cast, mailoutbox):
    # Sign-in's guess counts are in the database (django-axes); the cache's rate
    # limits let everyone through while it is away, as the guess counters do.
    redis_cache.stop()
    client = Client()
    response = client.post(reverse("login"), {"login": cast.executive.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(cast.partnership.get_absolute_url()).status_code == 200
    response = Client().post(reverse("account_reset_password"), {"email": cast.executive.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
