"""The limits on guessing passwords (workshops/signin.py): the warning before signing
in is paused."""

from __future__ import annotations

import re
from datetime import timedelta

from django.test import Client
from django.urls import reverse

from tests.builders import PASSWORD, make_user


def sign_in(client: Client, email: str, password: str, address: str = "203.0.113.7") -> str:
    response = client.post(
        reverse("login"), {"login": email, "password": password}, REMOTE_ADDR=address
    )
    return f"{response.status_code} {response.content.decode()}"


WRONG = "The email address or the password is not right."


def problems(page: str) -> list[str]:
    """What the error summary lists."""
    return re.findall(r'<li><a href="#[^"]*">([^<]*)</a></li>', page)


def test_the_last_two_tries_before_the_pause_are_warned_of(client, db, settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    make_user("member@vale.example.org")
    pages = [sign_in(client, "member@vale.example.org", "wrong") for _ in range(5)]
    for page in pages[:2]:
        assert page.startswith("200") and WRONG in page
        assert "will be paused" not in page
    assert (
        "If the password is wrong 2 more times, signing in to that email address from "
        "this network will be paused for 15 minutes."
    ) in pages[2]
    assert (
        "If the password is wrong once more, signing in to that email address from "
        "this network will be paused for 15 minutes."
    ) in pages[3]
    assert problems(pages[3])[0] == WRONG  # first what went wrong, then the warning
    assert pages[4].startswith("429")  # the fifth: paused, as the warning said


def test_an_address_without_an_account_is_warned_of_in_the_same_words(client, db, settings):
    settings.AXES_FAILURE_LIMIT = 4
    make_user("member@vale.example.org")
    known = [sign_in(client, "member@vale.example.org", "wrong") for _ in range(3)]
    unknown = [sign_in(Client(), "nobody@vale.example.org", "wrong", "198.51.100.9")]
    unknown += [sign_in(Client(), "nobody@vale.example.org", "wrong", "198.51.100.9")]
    unknown += [sign_in(Client(), "nobody@vale.example.org", "wrong", "198.51.100.9")]
    assert [problems(page) for page in known] == [problems(page) for page in unknown]
    assert "If the password is wrong once more" in unknown[2]


def test_a_network_near_its_own_limit_is_warned_for_the_network(client, db, settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 4
    # One wrong password each at three addresses: none near its own limit of five.
    pages = [sign_in(client, f"member{n}@vale.example.org", "wrong") for n in range(3)]
    assert "will be paused" not in pages[0]
    assert (
        "If the password is wrong 2 more times, signing in from this network will be " in (pages[1])
    )
    assert "If the password is wrong once more, signing in from this network will be " in (pages[2])


def test_a_right_password_is_not_warned_of(client, db, settings):
    settings.AXES_FAILURE_LIMIT = 5
    make_user("member@vale.example.org")
    for _ in range(4):
        sign_in(client, "member@vale.example.org", "wrong")
    assert sign_in(client, "member@vale.example.org", PASSWORD).startswith("302")
