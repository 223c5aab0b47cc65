"""Inviting members as the tests do: the coordinator's signed-in client, the invitation
form, the link an email carries, the members page's rows, and support staff setting a
partnership up for its first coordinator."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.builders import make_staff
from tests.conftest import Cast
from workshops.models import User

NEW_ACCOUNT = {
    "full_name": "Ann Okafor",
    "password1": "a-long-walk-by-the-river",
    "password2": "a-long-walk-by-the-river",
}


def members_url(cast: Cast) -> str:
    return reverse("members", args=[cast.partnership.pk])


def invite(client: Client, cast: Cast, email: str, role: str = "executive", **kwargs):
    return client.post(
        reverse("member-invite", args=[cast.partnership.pk]),
        {"email": email, "role": role},
        **kwargs,
    )


def link_in(message) -> str:
    """The path of the invitation link an email carries (only the email has it)."""
    found = re.search(
        rf"{re.escape(settings.SITE_URL)}(/invitations/[A-Za-z0-9_-]+/)", message.body
    )
    assert found, message.body
    return found[1]


def token_of(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]


@pytest.fixture(name="coordinator")
def coordinator_client(client, cast) -> Client:
    """The cast's coordinator, signed in."""
    client.force_login(cast.coordinator)
    return client


def invitation_row(page: str, email: str) -> str:
    row = re.search(
        rf'<tr class="govuk-table__row">(?:(?!</tr>).)*{re.escape(email)}.*?</tr>', page, re.S
    )
    assert row, page
    return row[0]


def role_url(cast: Cast, user: User) -> str:
    membership = cast.partnership.memberships.get(user=user)
    return reverse("member-role", args=[cast.partnership.pk, membership.pk])


def set_up(client: Client, name: str, coordinator: str, **kwargs):
    form = {"name": name, "area": name, "authority_type": "unitary", "coordinator": coordinator}
    return client.post(reverse("partnership-create"), form, **kwargs)


def staff_client(name: str = "Support Desk") -> tuple[Client, User]:
    staff = make_staff(name)
    client = Client()
    client.force_login(staff)
    return client, staff
