"""Reading numbers and ticked boxes from requests (workshops/views/common.py), and the
pages that read them: a wrong value is the page's own message or a 404, never a 500."""

from __future__ import annotations

import pytest
from django.core import mail
from django.http import QueryDict
from django.test import Client
from django.urls import reverse

from tests.builders import make_assessment, make_person, make_workshop
from tests.conftest import Cast
from workshops.models import Invitation, Workshop
from workshops.services import workshop as services
from workshops.views.common import flag, integer


@pytest.mark.parametrize(
    "sent, read",
    [
        ("7", 7),
        (" 7 ", 7),
        ("-1", -1),
        ("", None),
        ("seven", None),
        ("7.0", None),
        ("²", None),  # passes str.isdigit() but not int()
        ("9" * 5000, None),  # more digits than int() reads
    ],
)
def test_an_integer_is_read_or_is_none(sent, read):
    data = QueryDict(mutable=True)
    data["n"] = sent
    assert integer(data, "n") == read
    assert integer(QueryDict(), "n") is None


def test_a_missing_or_blank_integer_is_the_default_and_a_wrong_one_is_not():
    assert integer(QueryDict(), "seconds", default=0) == 0
    assert integer(QueryDict("seconds="), "seconds", default=0) == 0
    assert integer(QueryDict("seconds=x"), "seconds", default=0) is None
    assert integer(QueryDict("seconds=%20"), "seconds", default=0) is None


@pytest.mark.parametrize("sent, ticked", [("yes", True), ("on", True), ("0", True), ("", False)])
def test_a_box_is_ticked_by_any_value_it_sends(sent, ticked):
    assert flag(QueryDict(f"box={sent}"), "box") is ticked
    assert flag(QueryDict(), "box") is False


# Through the pages.


@pytest.fixture
def workshop(cast: Cast, assessment) -> Workshop:
    return make_workshop(cast, assessment)


def _url(workshop: Workshop, name: str, *extra) -> str:
    a = workshop.assessment
    return reverse(name, args=[a.partnership_id, a.pk, workshop.pk, *extra])


@pytest.mark.parametrize("seconds", ["", None])
def test_the_console_takes_a_missing_or_blank_timer_as_none(client, cast, workshop, seconds):
    client.force_login(cast.facilitator)
    data = {"action": "next", "version": workshop.version}
    if seconds is not None:
        data["seconds"] = seconds
    response = client.post(_url(workshop, "workshop-control"), data, follow=True)
    assert "request was incomplete" not in response.content.decode()
    workshop.refresh_from_db()
    assert workshop.current.position == 1


@pytest.mark.parametrize(
    "data",
    [
        {"version": "²"},
        {"version": "one"},
        {"version": "1", "seconds": "²"},
        {"version": "1", "seconds": "ten"},
        {"version": "1", "seconds": " "},
    ],
)
def test_the_console_refuses_numbers_it_cannot_read_and_changes_nothing(
    client, cast, workshop, data
):
    client.force_login(cast.facilitator)
    response = client.post(_url(workshop, "workshop-control"), {"action": "next", **data})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "That request was incomplete. Nothing was changed." in page
    before = workshop.version
    workshop.refresh_from_db()
    assert (workshop.version, workshop.current) == (before, None)


def _revealed_then_moved_on(workshop: Workshop) -> Workshop:
    """Votes on the first item, revealed; the room then moves to the second."""
    phones = []
    for _ in range(4):
        phone = Client()
        data = {"who": "anonymous", "role": "officer", "sector": "public", "layer": "strategic"}
        assert phone.post(reverse("workshop-join", args=[workshop.code]), data).status_code == 302
        phones.append(phone)
    services.change(workshop.pk, "next")
    services.change(workshop.pk, "open")
    workshop.refresh_from_db()
    for phone in phones:
        vote = {"item": workshop.current_id, "internal": "3"}
        assert phone.post(reverse("workshop-vote", args=[workshop.code]), vote).status_code == 302
    for action in ("close", "reveal", "next"):
        services.change(workshop.pk, action)
    workshop.refresh_from_db()
    return workshop


def test_a_chart_reads_the_item_asked_for_or_else_the_current_one(client, cast, workshop):
    first = workshop.agenda.get(position=1)
    workshop = _revealed_then_moved_on(workshop)
    client.force_login(cast.facilitator)
    chart = _url(workshop, "workshop-chart", "room", "internal")
    response = client.get(chart, {"item": first.pk})
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    # Not a number: no item asked for, so the current one, whose votes are not shown yet.
    for item in ["", "²", "first"]:
        response = client.get(chart, {"item": item})
        assert response.status_code == 404, item
        assert b"<svg" not in response.content


def test_a_chart_of_another_workshops_item_is_not_found(client, cast, workshop):
    first = workshop.agenda.get(position=1)
    _revealed_then_moved_on(workshop)
    elsewhere = make_workshop(cast, make_assessment(cast, title="Another round"))
    client.force_login(cast.facilitator)
    response = client.get(_url(elsewhere, "workshop-chart", "room", "internal"), {"item": first.pk})
    assert response.status_code == 404
    client.force_login(cast.outsider)
    chart = _url(workshop, "workshop-chart", "room", "internal")
    assert client.get(chart, {"item": first.pk}).status_code == 404


def test_an_outsider_choosing_a_paper_return_gets_a_404_whatever_they_send(
    client, cast, assessment
):
    client.force_login(cast.outsider)
    choose = reverse("paper-choose", args=[cast.partnership.pk, assessment.pk])
    for person in ["", "²", str(cast.person.pk)]:
        assert client.get(choose, {"person": person}).status_code == 404, person


@pytest.mark.parametrize("sent, copies", [(None, 0), ("", 0), ("yes", 1), ("on", 1)])
def test_a_copy_of_the_answers_is_emailed_only_when_the_box_is_ticked(
    client, cast, assessment, sent, copies
):
    carol = make_person(cast, "Carol Jones", "carol@example.org")
    token = Invitation.objects.create(assessment=assessment, person=carol).token
    client.post(reverse("questionnaire-save", args=[token]), {"1.2.1": "Board meets too rarely"})
    mail.outbox.clear()
    data = {} if sent is None else {"email_copy": sent}
    response = client.post(reverse("questionnaire-review", args=[token]), data)
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["carol@example.org"]] * copies
