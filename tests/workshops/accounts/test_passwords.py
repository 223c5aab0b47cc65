"""Passwords: forgotten (an emailed link that works once and expires), changed, and
checked against Django's validators and the common-passwords list. Nothing here
tells anyone whether an address has an account, by words, by emails or by time."""

from __future__ import annotations

import re
import smtplib

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client
from django.urls import reverse

from tests.builders import PASSWORD
from tests.conftest import Cast
from workshops.models import AuditEvent, User

NEW_PASSWORD = "a-quiet-lane-in-autumn"
RESET = reverse("account_reset_password")


def ask_for_reset(client: Client, email: str, **kwargs):
    return client.post(RESET, {"email": email}, **kwargs)


def reset_link(message) -> str:
    """The path of the reset link in an email, which must be on the configured site."""
    found = re.search(
        rf"{re.escape(settings.SITE_URL)}(/accounts/password/reset/key/\S+/)", message.body
    )
    assert found, message.body
    return found[1]


def choose(client: Client, link: str, password: str, again: str | None = None):
    """Open the emailed link and submit a new password on the page it leads to."""
    page = client.get(link)
    assert page.status_code == 302, page.status_code  # on to the page without the key in it
    form = {"password1": password, "password2": again or password}
    return client.post(page["Location"], form)


def signs_in(email: str, password: str) -> bool:
    response = Client().post(reverse("login"), {"login": email, "password": password})
    return response.status_code == 302


# Asking for a reset.


def test_the_reset_page_says_the_same_for_an_address_with_or_without_an_account(
    cast: Cast, mailoutbox
):
    answers = []
    for email in ("participant@eastvale.example.org", "nobody@eastvale.example.org"):
        client = Client()
        form = client.get(RESET)
        assert form.status_code == 200
        assert "Reset your password" in form.content.decode()
        response = ask_for_reset(client, email, follow=True)
        answers.append(
            (
                response.redirect_chain,
                response.status_code,
                response.content.decode().replace(email, "EMAIL"),
            )
        )
    assert answers[0] == answers[1]
    assert "Check your email" in answers[0][2]
    assert "If there is an LSP Assess account for the address you entered" in answers[0][2]
    # Only the account's address gets an email.
    [message] = mailoutbox
    assert message.to == ["participant@eastvale.example.org"]
    assert message.subject == "LSP Assess: Reset your password"
    assert "The link works once, and for 60 minutes." in message.body
    assert "<" not in message.body  # plain text
    reset_link(message)
    # The log notes the request against the account, and nothing for the other address.
    requested = AuditEvent.objects.filter(action="account.password_reset_requested")
    assert [e.account for e in requested] == [cast.participant]
    assert not AuditEvent.objects.filter(summary__contains="nobody").exists()


def test_bad_input_on_the_reset_page_gets_a_message_and_sends_nothing(cast, mailoutbox):
    for email, says in (("", "Enter your email address"), ("not-an-address", "Enter an email")):
        response = ask_for_reset(Client(), email)
        assert response.status_code == 200
        page = response.content.decode()
        assert "There is a problem" in page and says in page
        assert 'href="#id_email"' in page  # the summary links to the field
    assert mailoutbox == []


def test_the_link_in_the_email_is_on_the_configured_site_whatever_host_was_asked(
    cast, mailoutbox, settings
):
    settings.ALLOWED_HOSTS = ["*"]
    ask_for_reset(Client(), cast.participant.email, HTTP_HOST="evil.example")
    [message] = mailoutbox
    assert "evil.example" not in message.body
    reset_link(message)


# Using the link.


def test_the_link_sets_a_new_password_once_and_then_says_it_was_used(cast, mailoutbox):
    ask_for_reset(Client(), cast.participant.email)
    link = reset_link(mailoutbox[0])
    client = Client()
    # The validators apply: a common password, or one like the address, is refused.
    for weak, says in (
        ("password123", "This password is too common."),
        ("participant", "too similar"),
    ):
        response = choose(client, link, weak)
        assert response.status_code == 200
        page = response.content.decode()
        assert "There is a problem" in page and says in page
    cast.participant.refresh_from_db()
    assert cast.participant.check_password(PASSWORD)
    response = choose(client, link, NEW_PASSWORD, "something else")
    assert "You must type the same password each time." in response.content.decode()

    response = choose(client, link, NEW_PASSWORD)
    assert response.status_code == 302
    done = client.get(response["Location"]).content.decode()
    assert "Your password has been changed" in done
    assert signs_in(cast.participant.email, NEW_PASSWORD)
    assert not signs_in(cast.participant.email, PASSWORD)
    # The owner is told, and the log says so.
    assert mailoutbox[-1].to == [cast.participant.email]
    assert "was just reset with an emailed link" in mailoutbox[-1].body
    assert AuditEvent.objects.filter(action="account.password_reset", account=cast.participant)

    # Used: the link now shows a clear page and changes nothing.
    for method in ("get", "post"):
        again = getattr(Client(), method)(
            link, {"password1": "x-y-z-w-1", "password2": "x-y-z-w-1"}
        )
        assert again.status_code == 200
        page = again.content.decode()
        assert "This link has already been used" in page and "Nothing has changed" in page
    cast.participant.refresh_from_db()
    assert cast.participant.check_password(NEW_PASSWORD)


def _link_made(user: User, seconds_ago: int) -> str:
    generator = default_token_generator
    made = generator._num_seconds(generator._now()) - seconds_ago
    token = generator._make_token_with_timestamp(user, made, generator.secret)
    return reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": token},
    )


def test_an_expired_link_says_so_and_changes_nothing(cast, settings):
    settings.PASSWORD_RESET_TIMEOUT = 600
    fresh = Client().get(_link_made(cast.participant, 500))
    assert fresh.status_code == 302  # still in time
    response = Client().get(_link_made(cast.participant, 700))
    assert response.status_code == 200
    page = response.content.decode()
    assert "This link has expired" in page and "Your password has not changed" in page
    cast.participant.refresh_from_db()
    assert cast.participant.check_password(PASSWORD)


@pytest.mark.parametrize(
    "spoil",
    [
        lambda link: link.replace(
            link.split("/")[-2], "zz-" + link.split("/")[-2].split("-", 1)[1]
        ),
        lambda link: link[:-3] + "xx/",
        lambda link: "/accounts/password/reset/key/1-set-password/",
    ],
    ids=["unknown account", "tampered key", "no key in the session"],
)
def test_a_spoilt_link_gets_a_clear_page_and_changes_nothing(cast, mailoutbox, spoil):
    ask_for_reset(Client(), cast.participant.email)
    link = spoil(reset_link(mailoutbox[0]))
    client = Client()
    for response in (
        client.get(link),
        client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}),
    ):
        assert response.status_code == 200
        page = response.content.decode()
        assert ("This link is not valid" in page) or ("This link has already been used" in page)
        assert "Nothing has changed" in page
    cast.participant.refresh_from_db()
    assert cast.participant.check_password(PASSWORD)


# The mail server and the rate limits.


class RefusingMailServer(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_a_mail_server_that_refuses_the_reset_email_shows_the_same_page_and_is_logged(
    cast, settings
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingMailServer"
    pages = []
    for email in (cast.participant.email, "nobody@eastvale.example.org"):
        response = ask_for_reset(Client(), email, follow=True)
        assert response.status_code == 200
        pages.append(response.content.decode().replace(email, "EMAIL"))
    assert pages[0] == pages[1] and "Check your email" in pages[0]
    failed = AuditEvent.objects.get(action="account.email_failed")
    assert failed.account == cast.participant
    assert "could not be sent" in failed.summary


def test_reset_emails_are_limited_per_address_with_or_without_an_account(cast, mailoutbox):
    # ACCOUNT_RATE_LIMITS: 3 an hour for one address ("key").
    for email in (cast.participant.email, "nobody@eastvale.example.org"):
        client = Client()
        for _ in range(3):
            assert ask_for_reset(client, email).status_code == 302
        response = ask_for_reset(client, email.upper())
        assert response.status_code == 429
        page = response.content.decode()
        assert "Too many password reset requests" in page
        assert "for this email address or from your network" in page
        assert "govuk-heading-l" in page  # the site's own page
    assert len(mailoutbox) == 3
    # Another address from the same network still gets its email.
    assert ask_for_reset(Client(), cast.executive.email).status_code == 302
    assert len(mailoutbox) == 4


def test_reset_emails_are_limited_per_network(cast, mailoutbox):
    # ACCOUNT_RATE_LIMITS: 20 an hour from one network ("ip"), whatever the addresses.
    client = Client()
    for number in range(20):
        assert ask_for_reset(client, f"someone{number}@example.org").status_code == 302
    response = ask_for_reset(client, cast.participant.email)
    assert response.status_code == 429
    assert "Too many password reset requests" in response.content.decode()
    assert mailoutbox == []
    # Another network is not held up.
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert ask_for_reset(other, cast.participant.email).status_code == 302
    assert len(mailoutbox) == 1


# Changing a password.


def test_changing_a_password_needs_the_current_one_and_a_good_new_one(client, cast, mailoutbox):
    client.force_login(cast.participant)
    url = reverse("account_change_password")
    page = client.get(url).content.decode()
    assert "Change your password" in page and "Current password" in page
    attempts = [
        (
            {"oldpassword": "wrong", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
            "Enter your current password",
        ),
        (
            {"oldpassword": PASSWORD, "password1": "qwerty123", "password2": "qwerty123"},
            "This password is too common.",
        ),
        (
            {"oldpassword": PASSWORD, "password1": "12345678901", "password2": "12345678901"},
            "entirely numeric",
        ),
        ({}, "Enter a new password"),
    ]
    for data, says in attempts:
        response = client.post(url, data)
        assert response.status_code == 200
        page = response.content.decode()
        assert "There is a problem" in page and says in page
    cast.participant.refresh_from_db()
    assert cast.participant.check_password(PASSWORD) and mailoutbox == []
    data = {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    assert "Your password has been changed." in response.content.decode()
    assert signs_in(cast.participant.email, NEW_PASSWORD)
    [notice] = mailoutbox
    assert notice.to == [cast.participant.email] and "was just changed" in notice.body
    event = AuditEvent.objects.get(action="account.password_changed")
    assert event.account == cast.participant and event.partnership is None


# Signing in takes as long for an unknown address as for a wrong password.


class CountingHasher(MD5PasswordHasher):
    """MD5 (fast, for tests), counting each time a password is hashed: to sign up,
    to check a password, or to pretend to check one."""

    hashes = 0

    def encode(self, password, salt):
        CountingHasher.hashes += 1
        return super().encode(password, salt)


def hashes_for(email: str, password: str) -> tuple[int, int]:
    CountingHasher.hashes = 0
    response = Client().post(reverse("login"), {"login": email, "password": password})
    return response.status_code, CountingHasher.hashes


def test_an_unknown_address_costs_one_password_hash_as_a_wrong_password_does(cast, settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    wrong = hashes_for(cast.participant.email, "not-the-password")
    unknown = hashes_for("nobody@eastvale.example.org", "not-the-password")
    right = hashes_for(cast.executive.email, PASSWORD)
    assert wrong == (200, 1)
    assert unknown == (200, 1)
    assert right == (302, 1)
