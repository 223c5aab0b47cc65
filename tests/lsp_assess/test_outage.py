"""Database outages: a plain 503 page, a health check for load balancers, and
recovery without restarting the app server."""

from __future__ import annotations

import json
import os
import secrets
import selectors
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path
from django.utils.html import escape

from lsp_assess import urls as site_urls
from questions.models import Item
from tests.builders import make_user
from tests.lsp_assess.test_settings import PRODUCTION, manage

OUTAGE_HEADING = "Sorry, the service is unavailable"
OUTAGE_TEXT = "Try again in a few minutes."
# Answers are stored as each is saved (on change with JavaScript, per page
# without), so the page promises only what was already saved.
SAVED_TEXT = "Your saved answers are safe."
ERROR_HEADING = "Sorry, there is a problem with the service"


def assert_outage_page(status: int, retry_after: str | None, body: str) -> None:
    assert status == 503
    assert retry_after == "120"
    assert OUTAGE_HEADING in body
    assert OUTAGE_TEXT in body
    assert SAVED_TEXT in body
    assert "Traceback" not in body
    assert "OperationalError" not in body
    assert "/static/css/lsp.css" in body


# A view and a middleware that lose the database, to drive the real middleware
# and handler500 through the test client. The real outage is further down.


def lost_database_view(request: HttpRequest) -> HttpResponse:
    raise OperationalError("server closed the connection unexpectedly")


def broken_view(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug, not an outage")


urlpatterns = [
    path("lost-database/", lost_database_view),
    path("broken/", broken_view),
    *site_urls.urlpatterns,
]
handler500 = site_urls.handler500


class LostDatabaseMiddleware:
    """Stands for a middleware whose own query fails, such as a session store."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raise OperationalError("could not connect to server: Connection refused")


class BrokenMiddleware(LostDatabaseMiddleware):
    def __call__(self, request: HttpRequest) -> HttpResponse:
        raise RuntimeError("a bug, not an outage")


# /healthz with the database up, on whichever database the suite runs.


@pytest.mark.django_db
def test_healthz_says_ok_with_one_query_and_no_cookie_even_for_a_signed_in_user(
    client, django_assert_num_queries
):
    client.force_login(make_user("probe@example.org"))
    with django_assert_num_queries(1) as queries:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-store" in response["Cache-Control"]
    assert queries.captured_queries[0]["sql"] == "SELECT 1"
    assert not response.cookies


@pytest.mark.django_db
def test_healthz_refuses_writes(client):
    response = client.post("/healthz")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def test_in_production_healthz_answers_plain_http_while_pages_redirect_to_https(tmp_path):
    script = (
        "from django.test import Client; c = Client(); "
        "print(c.get('/healthz').status_code, c.get('/questions/').status_code)"
    )
    env = {
        **PRODUCTION,
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.sqlite3'}",
    }
    result = manage("shell", "--no-imports", "-c", script, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200", "301"]


# The middleware and handler500, through the test client.


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_a_view_that_loses_the_database_gives_the_503_page_without_another_query(
    django_assert_num_queries,
):
    client = Client(raise_request_exception=False)
    # Signed in: a page that asked for request.user would query the session and user.
    client.force_login(make_user("someone@example.org"))
    with django_assert_num_queries(0):
        response = client.get("/lost-database/?part=2")
    # Handled by the middleware: never an uncaught error for handler500 to catch.
    assert response.exc_info is None
    body = response.content.decode()
    assert_outage_page(response.status_code, response.get("Retry-After"), body)
    assert "no-store" in response["Cache-Control"]
    # A strict Content Security Policy allows no inline styles or scripts: the retrying is
    # a static file.
    assert "style=" not in body
    assert body.count("<script") == body.count('<script type="module" src="/static/') == 1
    # The way back: the page the person was on, which the script also retries by itself.
    assert 'href="/lost-database/?part=2"' in body
    assert 'data-health-url="/healthz"' in body


@pytest.mark.urls(__name__)
def test_a_503_is_one_line_in_the_log(caplog):
    with caplog.at_level("ERROR"):
        Client(raise_request_exception=False).get("/lost-database/")
    records = [r for r in caplog.records if r.levelname == "ERROR"]
    assert [r.getMessage() for r in records] == [
        "Database unavailable for GET /lost-database/: server closed the connection unexpectedly"
    ]
    assert records[0].exc_info is None


@pytest.mark.urls(__name__)
def test_after_a_failed_form_the_way_back_is_the_page_it_was_sent_from():
    client = Client(raise_request_exception=False, HTTP_HOST="testserver")
    response = client.post("/lost-database/", HTTP_REFERER="http://testserver/questions/?x=1")
    assert 'href="/questions/?x=1"' in response.content.decode()
    # Never another site's address, whatever the Referer says.
    response = client.post("/lost-database/", HTTP_REFERER="https://evil.example/phish")
    body = response.content.decode()
    assert "evil.example" not in body and 'href="/"' in body


def test_healthz_says_degraded_not_down_when_only_the_cache_is_gone(client, db, settings):
    # A cache server nobody listens on: connection refused at once.
    settings.CACHES = {
        "default": {
            "BACKEND": "lsp_assess.cache.RedisCache",  # as settings.py configures Redis
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 200  # keep the server in the load balancer's pool
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "unavailable"}


@pytest.mark.urls(__name__)
def test_any_other_error_in_a_view_is_still_the_500_page():
    response = Client(raise_request_exception=False).get("/broken/")
    assert response.status_code == 500
    body = response.content.decode()
    assert ERROR_HEADING in body
    assert OUTAGE_HEADING not in body
    assert "Retry-After" not in response
    assert "style=" not in body
    assert "/static/govuk/govuk-frontend.min.css" in body


def test_losing_the_database_in_a_middleware_gives_the_503_page(settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.LostDatabaseMiddleware"]
    response = Client(raise_request_exception=False).get("/questions/")
    assert_outage_page(response.status_code, response.get("Retry-After"), response.content.decode())


def test_another_error_in_a_middleware_gives_the_normal_500_page(settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.BrokenMiddleware"]
    response = Client(raise_request_exception=False).get("/questions/")
    assert response.status_code == 500
    assert ERROR_HEADING in response.content.decode()
    assert OUTAGE_HEADING not in response.content.decode()
    assert "Retry-After" not in response


# The real outage: an app server whose database connection runs through a
# proxy that the test cuts and restores.


class DatabaseProxy:
    """Forwards TCP connections from a local port to the database server.

    ``stop`` closes the listener and every forwarded connection, which is what
    the app server sees when the database goes away; ``start`` again listens on
    the same port.
    """

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.port = 0
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        # create_server sets SO_REUSEADDR, so the port can be taken again at once.
        listener = socket.create_server(("127.0.0.1", self.port))
        self.port = listener.getsockname()[1]
        self._stopping.clear()
        self._thread = threading.Thread(target=self._forward, args=(listener,), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            assert not self._thread.is_alive(), "the database proxy did not stop"
            self._thread = None

    def _forward(self, listener: socket.socket) -> None:
        selector = selectors.DefaultSelector()
        selector.register(listener, selectors.EVENT_READ)
        peers: dict[socket.socket, socket.socket] = {}
        try:
            while not self._stopping.is_set():
                for key, _ in selector.select(timeout=0.05):
                    sock = key.fileobj
                    if sock is listener:
                        client, _ = listener.accept()
                        try:
                            server = socket.create_connection(self.upstream, timeout=5)
                        except OSError:
                            client.close()
                            continue
                        client.settimeout(5)
                        peers[client], peers[server] = server, client
                        selector.register(client, selectors.EVENT_READ)
                        selector.register(server, selectors.EVENT_READ)
                        continue
                    try:
                        data = sock.recv(65536)
                        if data:
                            peers[sock].sendall(data)
                            continue
                    except OSError:
                        pass
                    for end in (sock, peers[sock]):
                        selector.unregister(end)
                        end.close()
                        del peers[end]
        finally:
            for end in peers:
                end.close()
            listener.close()
            selector.close()


@dataclass
class AppServer:
    process: subprocess.Popen
    port: int
    log: Path

    def get(self, path: str) -> tuple[int, str | None, str]:
        """Status, Retry-After and body of a GET, whatever the status."""
        url = f"http://127.0.0.1:{self.port}{path}"
        try:
            # The URL is this test's own app server on the loopback address.
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
                return response.status, response.headers["Retry-After"], response.read().decode()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.headers["Retry-After"], error.read().decode()

    def get_until(self, path: str, status: int, seconds: float = 10) -> tuple[int, str]:
        deadline = time.monotonic() + seconds
        while True:
            code, _, body = self.get(path)
            if code == status or time.monotonic() > deadline:
                return code, body
            time.sleep(0.2)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def database_proxy() -> Iterator[DatabaseProxy]:
    db = connection.settings_dict
    proxy = DatabaseProxy((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)))
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.stop()


@pytest.fixture
def app_server(transactional_db, database_proxy, tmp_path) -> Iterator[AppServer]:
    """One gunicorn sync worker, so one persistent connection is reused across requests."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    database_url = (
        f"postgres://{credentials}@127.0.0.1:{database_proxy.port}/{quote(db['NAME'])}"
        "?connect_timeout=5"
    )
    inherited = {"DJANGO_SETTINGS_MODULE", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "REDIS_URL"}
    env = {
        **{k: v for k, v in os.environ.items() if k not in inherited},
        "DJANGO_SETTINGS_MODULE": "lsp_assess.settings",
        # The production error path: handler500 and no technical pages.
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        # Persistent connections are what must recover.
        "CONN_MAX_AGE": "600",
    }
    port = free_port()
    log = tmp_path / "server.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "lsp_assess.wsgi",
                f"--bind=127.0.0.1:{port}",
                "--workers=1",
                "--timeout=30",
                "--graceful-timeout=2",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = AppServer(process, port, log)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, f"the app server exited:\n{server.output()}"
            assert time.monotonic() < deadline, f"the app server did not start:\n{server.output()}"
            try:
                server.get("/healthz")
                break
            except OSError:
                time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the outage cuts a network connection to PostgreSQL; SQLite has none to lose",
)
def test_a_database_outage_gives_the_503_page_and_the_app_recovers_by_itself(
    bank, database_proxy, app_server
):
    question = Item.objects.filter(bank=bank, parent=None).order_by("position").first()
    shown = escape(f"{question.key} {question.text}")

    status, _, body = app_server.get("/questions/")
    assert status == 200, app_server.output()
    assert shown in body
    status, _, body = app_server.get("/healthz")
    assert (status, json.loads(body)) == (200, {"status": "ok", "database": "ok", "cache": "ok"})

    database_proxy.stop()

    assert_outage_page(*app_server.get("/questions/"))
    status, _, body = app_server.get("/healthz")
    assert (status, json.loads(body)) == (
        503,
        {"status": "unavailable", "database": "unavailable", "cache": "ok"},
    )
    # Each 503 is one line in the log, with the cause, not a traceback per request.
    log = app_server.output()
    assert "Database unavailable for GET /questions/" in log
    assert "Traceback" not in log

    database_proxy.start()

    status, body = app_server.get_until("/questions/", 200)
    assert status == 200, app_server.output()
    assert shown in body
    assert OUTAGE_HEADING not in body
    status, _, body = app_server.get("/healthz")
    assert (status, json.loads(body)) == (200, {"status": "ok", "database": "ok", "cache": "ok"})
    assert app_server.process.poll() is None, "the app server was restarted"
