"""`make run-prod`: the production configuration starts on gunicorn with PostgreSQL and
serves pages, static files, a sign-in and a plan PDF made by the worker."""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

import psycopg2
import pytest
from django.conf import settings
from django.db import connection
from psycopg2 import sql

from tests.lsp_assess.test_outage import free_port

ROOT = settings.BASE_DIR
SCRIPT = ROOT / "scripts" / "run_prod.sh"
DEMO_PASSWORD = "working-better-together"
# Migrating, collecting static files and loading the demo data from nothing, on a busy machine.
START_SECONDS = 300
PDF_SECONDS = 120

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="run-prod runs on PostgreSQL; CI runs this test (its suite is on PostgreSQL)",
)


def test_make_run_prod_runs_the_script():
    dry_run = subprocess.run(
        # Under `make test` this make is nested: keep it from printing its directory.
        ["make", "--no-print-directory", "-n", "run-prod"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert dry_run.returncode == 0, dry_run.stderr
    assert dry_run.stdout.strip().splitlines()[-1] == "scripts/run_prod.sh"


@dataclass
class Site:
    port: int
    log: Path
    opener: urllib.request.OpenerDirector

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def get(self, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
        # Always http://127.0.0.1: this test's own server.
        request = urllib.request.Request(self.url(path), headers=headers or {})  # noqa: S310
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, dict(error.headers), error.read()

    def post(self, path: str, data: dict) -> tuple[int, str, str]:
        body = urlencode(data).encode()
        request = urllib.request.Request(self.url(path), data=body)  # noqa: S310
        with self.opener.open(request, timeout=30) as response:
            return response.status, response.url, response.read().decode()

    def output(self) -> str:
        # All of it: what the server said as it started (the secret key it made) comes
        # before every migration applied, however many there are.
        return self.log.read_text(errors="replace")


def server_connection():
    db = connection.settings_dict
    return psycopg2.connect(
        dbname="postgres",
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        host=db["HOST"] or None,
        port=db["PORT"] or None,
    )


def drop_database(name: str) -> None:
    server = server_connection()
    server.autocommit = True
    try:
        with server.cursor() as cursor:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
    finally:
        server.close()


def database_exists(name: str) -> bool:
    server = server_connection()
    try:
        with server.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return cursor.fetchone() is not None
    finally:
        server.close()


@pytest.fixture
def site(django_db_setup, tmp_path) -> Iterator[Site]:
    db = connection.settings_dict
    # Named after this run's test database, so two runs on one server never meet.
    name = f"{db['NAME']}_run_prod"
    drop_database(name)  # left over from an interrupted run: start from nothing
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    ours = {
        "DJANGO_SETTINGS_MODULE", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "REDIS_URL",
        "CACHE_BACKEND", "PDF_WORKER", "LOCAL_PLAIN_HTTP", "STATIC_ROOT", "SITE_URL",
        "SECRET_KEY_FILE",
    }  # fmt: skip
    env = {
        **{k: v for k, v in os.environ.items() if k not in ours},
        "PORT": str(free_port()),
        "DATABASE_URL": f"postgres://{credentials}@{host}:{port}/{quote(name)}",
        "STATIC_ROOT": str(tmp_path / "static"),
        "SECRET_KEY_FILE": str(tmp_path / "secret-key"),
        "WEB_CONCURRENCY": "2",
    }
    log = tmp_path / "run-prod.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            ["bash", str(SCRIPT)],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: gunicorn, its workers, the worker
        )
    site = Site(
        int(env["PORT"]), log, urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    )
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            assert process.poll() is None, f"run-prod exited:\n{site.output()}"
            assert time.monotonic() < deadline, f"run-prod did not start:\n{site.output()}"
            try:
                if site.get("/healthz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        assert database_exists(name)
        yield site
    finally:
        stop(process)
        drop_database(name)
    # Stopped cleanly: gunicorn shut down, and the worker finished and said so.
    assert process.returncode == 0, site.output()
    assert "Shutting down: Master" in site.output()
    assert re.search(r"\d+ PDF\(s\) rendered, 0 failed\.", site.output())


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to the whole group, as Ctrl+C or a service manager would; SIGKILL if it hangs."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except ProcessLookupError:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        pytest.fail("run-prod did not stop within 30 s of SIGTERM")


def link(html: str, pattern: str) -> str:
    found = re.search(f'href="({pattern})"', html)
    assert found, f"no link like {pattern}"
    return found.group(1)


@on_postgresql
def test_the_production_configuration_serves_pages_static_files_sign_in_and_pdfs(site):
    status, _, body = site.get("/healthz")
    assert (status, json.loads(body)) == (200, {"status": "ok", "database": "ok", "cache": "ok"})
    assert "No SECRET_KEY set: made one in" in site.output()

    status, headers, body = site.get("/")
    home = body.decode()
    assert status == 200 and "Sign in" in home
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    # collectstatic's manifest: hashed names, served by WhiteNoise for a year.
    stylesheet = link(home, r"/static/css/lsp\.[0-9a-f]{12}\.css")
    status, headers, css = site.get(stylesheet)
    assert status == 200 and headers["Content-Type"].startswith("text/css")
    assert "immutable" in headers["Cache-Control"] and b".lsp-header" in css

    status, headers, body = site.get("/accounts/login/")
    assert status == 200
    # Plain HTTP on this machine only (LOCAL_PLAIN_HTTP): cookies a browser keeps over http://.
    assert "Secure" not in headers["Set-Cookie"] and "HttpOnly" in headers["Set-Cookie"]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body.decode()).group(1)
    status, landed, home = site.post(
        "/accounts/login/",
        {
            "csrfmiddlewaretoken": token,
            "login": "executive@eastvale.example.org",
            "password": DEMO_PASSWORD,
        },
    )
    assert status == 200 and landed == site.url("/")
    assert "Sign out" in home and "Eastvale Local Strategic Partnership" in home

    # An executive downloads the improvement plan: the worker renders it, not gunicorn.
    partnership = link(home, r"/partnerships/\d+/")
    plan = link(site.get(partnership)[2].decode(), r"/partnerships/\d+/assessments/\d+/plan/")
    download = link(site.get(plan)[2].decode(), r"/partnerships/[^\"]+/improvement-plan\.pdf")
    status, headers, body = site.get(download)
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "Your PDF is being prepared" in body.decode()
    waiting = link(body.decode(), r"/partnerships/[^\"]+/improvement-plan-pdf/\?job=\d+")
    deadline = time.monotonic() + PDF_SECONDS
    while (state := json.loads(site.get(waiting, {"Accept": "application/json"})[2])["state"]) == (
        "pending"
    ):
        assert time.monotonic() < deadline, f"the PDF was not made:\n{site.output()}"
        time.sleep(1)
    assert state == "done", site.output()
    status, headers, body = site.get(download)
    assert status == 200 and headers["Content-Type"] == "application/pdf"
    assert body.startswith(b"%PDF")
    assert "Rendered Improvement plan PDF of" in site.output()


GUNICORN_LIMITS = ("--limit-request-line", "--limit-request-fields", "--limit-request-field_size")


def gunicorn_limits(text: str) -> dict[str, int]:
    return {flag: int(n) for flag, n in re.findall(r"(--limit-request-[a-z_]+)[ =](\d+)", text)}


def test_gunicorn_limits_requests_as_the_application_does_in_the_script_and_the_docs():
    script = gunicorn_limits(SCRIPT.read_text())
    docs = gunicorn_limits((ROOT / "docs" / "deploy.md").read_text())
    assert set(script) == set(GUNICORN_LIMITS) and docs == script
    # The longest query string Django accepts (DATA_UPLOAD_MAX_NUMBER_FIELDS fields "f=&")
    # reaches Django, which answers it with its own 400 page rather than gunicorn's.
    longest_query = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS * len("f=&") + len("GET /?")
    assert longest_query < script["--limit-request-line"] <= 8190  # gunicorn's own maximum
    assert script["--limit-request-field_size"] == 8190  # nginx's 8 KB header buffers
    # Bodies are not gunicorn's to limit: Django keeps form data to DATA_UPLOAD_MAX_MEMORY_SIZE
    # and writes files past FILE_UPLOAD_MAX_MEMORY_SIZE to disk, below nginx's 6 MB.
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 6 * 1024 * 1024
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def test_run_prod_loads_the_demo_accounts_and_says_so():
    script = SCRIPT.read_text()
    assert '"$PY" manage.py seed_demo --demo-site' in script
    assert "demo accounts" in script.split("seed_demo --demo-site")[0].rsplit("\n", 3)[-2]


def test_without_a_secret_key_one_is_made_once_and_kept_across_restarts(tmp_path):
    """A new key at each start would sign every phone out, and let an anonymous phone
    join again as someone new: the key is made once, readable by its owner only."""
    key_file = tmp_path / "secret-key"
    env = {"PATH": os.environ["PATH"], "SECRET_KEY_FILE": str(key_file)}
    snippet = 'source scripts/secret_key.sh && printf "%s" "$SECRET_KEY"'
    starts = [
        subprocess.run(
            ["bash", "-c", snippet], cwd=ROOT, env=env, capture_output=True, text=True, check=True
        ).stdout.splitlines()
        for _ in range(2)
    ]
    first_key, second_key = starts[0][-1], starts[1][-1]
    assert len(first_key) >= 50 and first_key == second_key
    assert "made one in" in starts[0][0] and "using the one kept in" in starts[1][0]
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    # A key given in the environment wins, and no file is made for it.
    other = tmp_path / "unused"
    given = subprocess.run(
        ["bash", "-c", snippet],
        cwd=ROOT,
        env={**env, "SECRET_KEY": "k" * 60, "SECRET_KEY_FILE": str(other)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert given.stdout == "k" * 60 and not other.exists()
