"""Settings are exercised in fresh interpreters: they are read once, at import."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

ROOT = settings.BASE_DIR
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "lsp_assess.settings_production",
    "SECRET_KEY": "k7#Qp2vX9!mZr4Lw8&Nc3Yt6Hb1Jf5Gd0Se-As+Df=Gh*Jk@Lz",
    "ALLOWED_HOSTS": "lsp.example.org",
    "DATABASE_URL": "sqlite:////tmp/lsp-assess-deploy-check.sqlite3",
    "REDIS_URL": "redis://127.0.0.1:6379/1",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    inherited = {"DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {k: v for k, v in os.environ.items() if k not in inherited}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_production_configuration_passes_check_deploy_with_no_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    # The one silenced check is django-ratelimit's "not officially supported"
    # note about Django's own Redis cache backend.
    assert "System check identified no issues (1 silenced)." in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = manage("check", **env)
    assert result.returncode != 0
    assert "The environment variable SECRET_KEY is required" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = manage("check", **{**PRODUCTION, "SECRET_KEY": "short"})
    assert result.returncode != 0
    assert "SECRET_KEY must be at least 50 characters" in result.stderr


def test_production_refuses_to_start_without_a_shared_cache():
    env = {k: v for k, v in PRODUCTION.items() if k != "REDIS_URL"}
    result = manage("check", **{**env, "REDIS_URL": ""})
    assert result.returncode != 0
    assert "Production needs a cache every app server shares" in result.stderr
    result = manage("check", **{**env, "CACHE_BACKEND": "memory"})
    assert "Production needs a cache every app server shares" in result.stderr


def test_production_may_share_the_cache_through_the_database_instead_of_redis():
    env = {k: v for k, v in PRODUCTION.items() if k != "REDIS_URL"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", CACHE_BACKEND="database", **env)
    assert result.returncode == 0, result.stderr
    # No "not a shared cache" or "not atomic" error to silence: the increment is atomic.
    assert "System check identified no issues (1 silenced)." in result.stdout


def test_an_unknown_cache_backend_stops_start_up():
    result = manage("check", CACHE_BACKEND="memcached")
    assert result.returncode != 0
    assert "CACHE_BACKEND='memcached' is not one of: redis, database, memory" in result.stderr
    result = manage("check", CACHE_BACKEND="redis", REDIS_URL="")
    assert "CACHE_BACKEND=redis needs REDIS_URL" in result.stderr


def test_plain_http_for_local_use_turns_off_exactly_the_https_settings():
    local = {**PRODUCTION, "ALLOWED_HOSTS": "127.0.0.1,localhost", "LOCAL_PLAIN_HTTP": "true"}
    result = manage("check", "--deploy", **local)
    assert result.returncode == 0, result.stderr
    warned = set(re.findall(r"\(security\.(W\d+)\)", result.stderr + result.stdout))
    # HSTS, SSL redirect, Secure session cookie, Secure CSRF cookie: nothing else.
    assert warned == {"W004", "W008", "W012", "W016"}


def test_plain_http_is_refused_for_any_host_but_this_machine():
    result = manage("check", **{**PRODUCTION, "LOCAL_PLAIN_HTTP": "true"})
    assert result.returncode != 0
    assert "LOCAL_PLAIN_HTTP is for this machine only" in result.stderr


def test_debug_off_without_a_secret_key_stops_with_a_clear_message():
    result = manage("check", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_a_malformed_setting_stops_start_up():
    result = manage("check", DEBUG="ture")
    assert result.returncode != 0
    assert "DEBUG='ture' is not a boolean" in result.stderr


def test_a_bad_database_url_stops_start_up():
    result = manage("check", DATABASE_URL="nosuchdb://somewhere/x")
    assert result.returncode != 0
    assert "DATABASE_URL is not a usable database URL" in result.stderr


def test_database_connections_are_persistent_with_health_checks():
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


@pytest.mark.skipif(not os.environ.get("CI"), reason="CI runs the suite on PostgreSQL")
def test_ci_runs_on_postgresql(db):
    assert connection.vendor == "postgresql"
