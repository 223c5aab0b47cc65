"""What the tests of the workshop's screens share: phones that have joined, the
facilitator's moves, and the pages they see."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from workshops.models import Workshop
from workshops.services import workshop as services


def joined(workshop: Workshop, **who) -> Client:
    """A phone that has joined the workshop (anonymously unless told otherwise)."""
    phone = Client()
    data = who or {"who": "anonymous", "role": "officer", "sector": "public", "layer": "strategic"}
    response = phone.post(reverse("workshop-join", args=[workshop.code]), data)
    assert response.status_code == 302, response.content.decode()
    return phone


def go(workshop: Workshop, *actions: str) -> Workshop:
    for action in actions:
        services.change(workshop.pk, action)
    workshop.refresh_from_db()
    return workshop


def vote(phone: Client, workshop: Workshop, value: str, *, json: bool = True, item=None):
    workshop.refresh_from_db()
    headers = {"Accept": "application/json"} if json else {}
    data = {"item": workshop.current_id if item is None else item, "internal": value}
    return phone.post(reverse("workshop-vote", args=[workshop.code]), data, headers=headers)


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def console_url(workshop: Workshop, name: str = "workshop", *extra) -> str:
    a = workshop.assessment
    return reverse(name, args=[a.partnership_id, a.pk, workshop.pk, *extra])
