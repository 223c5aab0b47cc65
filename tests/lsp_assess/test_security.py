"""Security settings that hold on every page: the Content Security Policy, password
hashing, and the limit on guessing passwords."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

from allauth.usersessions.models import UserSession
from axes.models import AccessAttempt, AccessLog
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lsp_assess import settings as project_settings
from tests.builders import PASSWORD, make_user
from tests.test_permissions import TENANT_ROWS, world  # noqa: F401  (the shared world)
from tests.worlds import URLS
from workshops import throttle
from workshops.models import AuditEvent

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+=", re.I)


def test_every_response_carries_a_strict_content_security_policy(client, db):
    policy = client.get(reverse("home"))["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_no_page_needs_inline_script_or_style(client, db, world):  # noqa: F811
    # The policy forbids them, so a page that used one would break in the browser.
    mine, _, users = world
    client.force_login(users["coordinator"])
    pages = [URLS[name].url(mine) for name in TENANT_ROWS if URLS[name].get == 200]
    pages += [reverse("home"), reverse("instrument"), reverse("join")]
    pages += [URLS["questionnaire"].url(mine), URLS["workshop-join"].url(mine)]
    checked = 0
    for url in pages:
        response = client.get(url)
        if not response["Content-Type"].startswith("text/html"):
            continue
        html = response.content.decode()
        assert not INLINE_SCRIPT.search(html), url
        assert not INLINE_STYLE.search(html), url
        assert not EVENT_HANDLER.search(html), url
        checked += 1
    client.logout()
    html = client.get(reverse("login")).content.decode()
    assert not (INLINE_SCRIPT.search(html) or INLINE_STYLE.search(html))
    assert checked > 20


def test_passwords_are_hashed_with_argon2(settings, db):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    user = make_user("new@eastvale.example.org")
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(PASSWORD)


def _sign_in(client, email: str, password: str, address: str = "203.0.113.7"):
    return client.post(
        reverse("login"), {"login": email, "password": password}, REMOTE_ADDR=address
    )


def test_wrong_passwords_lock_that_account_from_that_address(client, db, settings):
    settings.AXES_FAILURE_LIMIT = 5
    make_user("guessed@vale.example.org")
    make_user("neighbour@vale.example.org")
    # Four wrong guesses, varying the case of the address, which buys no more guesses.
    for email in [
        "guessed@vale.example.org",
        "Guessed@vale.example.org",
        "GUESSED@VALE.EXAMPLE.ORG",
    ] * 2:
        response = _sign_in(client, email, "wrong")
        if response.status_code == 429:
            break
        assert "The email address or the password is not right." in response.content.decode()
    assert response.status_code == 429 and email == "Guessed@vale.example.org"  # the fifth
    # Now even the right password is refused from here: guessing on learns nothing.
    response = _sign_in(client, "guessed@vale.example.org", PASSWORD)
    assert response.status_code == 429
    assert "Too many attempts to sign in" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Kept in the database, so every app server sees the same count.
    attempt = AccessAttempt.objects.get(username="guessed@vale.example.org")
    assert attempt.failures_since_start == 6  # the refused right password counts too
    # The lock is on the pair: the owner elsewhere, and another account here, still sign in.
    response = _sign_in(Client(), "guessed@vale.example.org", PASSWORD, "198.51.100.9")
    assert response.status_code == 302
    response = _sign_in(Client(), "neighbour@vale.example.org", PASSWORD)
    assert response.status_code == 302


def test_a_made_up_forwarded_address_buys_no_more_guesses(client, db, settings):
    settings.AXES_FAILURE_LIMIT = 3
    make_user("guessed@vale.example.org")
    statuses = [
        client.post(
            reverse("login"),
            {"login": "guessed@vale.example.org", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"81.2.69.{n + 1}",  # public: a client-written header
        ).status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 429, 429]


def test_behind_trusted_proxies_the_client_is_read_from_the_right_of_the_header(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client wrote the first entry; our proxy appended the address it saw.
    request = rf.get("/", HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.7", REMOTE_ADDR="10.0.0.2")
    assert throttle.client_address(request) == "203.0.113.7"
    settings.TRUSTED_PROXY_COUNT = 0
    assert throttle.client_address(request) == "10.0.0.2"


def test_guessing_at_many_accounts_from_one_address_locks_that_address(client, db, settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 10
    accounts = [make_user(f"member{n}@vale.example.org").email for n in range(6)]
    mine = make_user("sprayer@vale.example.org").email
    # Password spraying: a couple of guesses at each account, never one account's limit.
    statuses = [_sign_in(client, email, "wrong").status_code for email in accounts[:4] * 2]
    assert statuses == [200] * 8
    # Signing in to an account of one's own does not wipe the address's count...
    assert _sign_in(Client(), mine, PASSWORD).status_code == 302
    statuses = [_sign_in(client, accounts[4], "wrong").status_code for _ in range(2)]
    assert statuses == [200, 429]  # the tenth failure from this address
    # ...and now every account is refused from this address, even with its password.
    response = _sign_in(client, accounts[5], PASSWORD)
    assert response.status_code == 429
    assert "Too many attempts to sign in" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not held up.
    assert _sign_in(Client(), accounts[5], PASSWORD, "198.51.100.9").status_code == 302


def test_the_record_of_sign_ins_is_purged_after_the_retention_period(client, db, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30
    make_user("member@vale.example.org")
    _sign_in(client, "member@vale.example.org", "wrong")
    _sign_in(Client(), "member@vale.example.org", PASSWORD, "198.51.100.9")
    _sign_in(Client(), "member@vale.example.org", PASSWORD, "198.51.100.10")  # recent: kept
    assert AccessAttempt.objects.count() == 1 and AccessLog.objects.count() == 2
    old = timezone.now() - timedelta(days=31)
    AccessAttempt.objects.update(attempt_time=old)
    AccessLog.objects.filter(ip_address="198.51.100.9").update(attempt_time=old)
    out = StringIO()
    call_command("purge_expired", "--dry-run", stdout=out)
    assert "Sign-in log entries: 1 would be deleted." in out.getvalue()
    assert AccessLog.objects.count() == 2
    out = StringIO()
    call_command("purge_expired", stdout=out)
    assert "Sign-in failures: 1 deleted." in out.getvalue()
    assert "Sign-in log entries: 1 deleted." in out.getvalue()
    assert not AccessAttempt.objects.exists()
    assert list(AccessLog.objects.values_list("ip_address", flat=True)) == ["198.51.100.10"]


def test_the_audit_logs_sign_ins_and_old_devices_go_after_the_retention_period(db, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30
    make_user("member@vale.example.org")
    _sign_in(Client(), "member@vale.example.org", "wrong", "198.51.100.8")
    _sign_in(Client(), "member@vale.example.org", PASSWORD, "198.51.100.9")
    _sign_in(Client(), "member@vale.example.org", PASSWORD, "198.51.100.10")  # recent: kept
    signed_in = AuditEvent.objects.filter(action="account.signed_in").order_by("pk")
    assert AuditEvent.objects.filter(action="account.sign_in_failed").count() == 1
    assert signed_in.count() == 2 and UserSession.objects.count() == 2
    kept = signed_in.last()
    old = timezone.now() - timedelta(days=31)
    AuditEvent.objects.exclude(pk=kept.pk).update(at=old)
    UserSession.objects.filter(ip="198.51.100.9").update(last_seen_at=old)
    out = StringIO()
    call_command("purge_expired", stdout=out)
    assert "Sign-ins in the audit log: 2 deleted." in out.getvalue()
    assert "Devices signed in: 1 deleted." in out.getvalue()
    # (The module's world has entries of its own, which are not sign-ins and stay.)
    left = AuditEvent.objects.filter(action__startswith="account.")
    assert [e.summary for e in left] == [kept.summary]
    assert "198.51.100.10" in kept.summary
    assert list(UserSession.objects.values_list("ip", flat=True)) == ["198.51.100.10"]
