"""Every step of an account is in the audit log: signing in (with where from), failing
to, and passwords. Nothing is written about addresses that have no account."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.builders import PASSWORD
from tests.conftest import Cast
from workshops.accounts.signals import browser_summary
from workshops.models import AuditEvent

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
EDGE = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0"
)


def sign_in(email: str, password: str, **headers):
    client = Client(**headers)
    return client.post(reverse("login"), {"login": email, "password": password})


def test_signing_in_is_logged_with_the_network_and_browser(cast: Cast):
    response = sign_in(cast.participant.email, PASSWORD, HTTP_USER_AGENT=FIREFOX)
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="account.signed_in")
    assert event.account == event.user == cast.participant
    assert event.partnership is None
    assert event.summary == "Signed in with a password, from 127.0.0.1 using Firefox on Windows."
    assert event.path == reverse("login")


def test_the_network_address_is_the_one_the_proxy_saw(cast: Cast, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    sign_in(
        cast.participant.email,
        PASSWORD,
        HTTP_X_FORWARDED_FOR="10.0.0.1, 203.0.113.9",
        HTTP_USER_AGENT=SAFARI_IPHONE,
    )
    event = AuditEvent.objects.get(action="account.signed_in")
    assert "from 203.0.113.9 using Safari on an iPhone" in event.summary


def test_a_failed_sign_in_is_logged_only_for_an_address_with_an_account(cast: Cast):
    assert sign_in(cast.participant.email, "wrong", HTTP_USER_AGENT=EDGE).status_code == 200
    assert sign_in("Nobody@Eastvale.example.org", "wrong").status_code == 200
    [event] = AuditEvent.objects.all()
    assert (event.action, event.account) == ("account.sign_in_failed", cast.participant)
    assert event.summary.startswith("A sign-in failed")
    assert "using Edge on Windows" in event.summary
    # Different case, same account.
    sign_in("PARTICIPANT@eastvale.example.org", "wrong")
    assert AuditEvent.objects.filter(account=cast.participant).count() == 2


def test_accounts_signed_in_by_code_are_not_logged_as_signing_in(client, cast: Cast):
    # The test client's force_login (and any code calling login()) is nobody at a sign-in page.
    client.force_login(cast.participant)
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("agent", "summary"),
    [
        (FIREFOX, "Firefox on Windows"),
        (SAFARI_IPHONE, "Safari on an iPhone"),
        (EDGE, "Edge on Windows"),
        ("curl/8.5.0", "an unknown browser"),
        ("", "an unknown browser"),
    ],
)
def test_browsers_are_summed_up_in_a_few_words(agent, summary):
    assert browser_summary(agent) == summary
