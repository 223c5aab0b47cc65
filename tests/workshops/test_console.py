"""The facilitator's console and the presenter through HTTP (workshops/views/workshop.py):
setting a workshop up, driving it, recording what was agreed, and the projected screen."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.workshops.live_helpers import console_url, go, joined, page, vote
from workshops.models import Action, Workshop
from workshops.services import workshop as services

State = Workshop.State


# --- Setting up ----------------------------------------------------------------------------


def test_a_facilitator_sets_up_a_workshop_with_the_default_agenda(client, cast, assessment):
    client.force_login(cast.facilitator)
    url = reverse("workshop-create", args=[cast.partnership.pk, assessment.pk])
    response = client.post(url, {"title": ""})
    assert "Enter a title for the workshop" in response.content.decode()
    response = client.post(
        url,
        {
            "title": "Board away day",
            "kind": "board",
            "held_on_0": "4",
            "held_on_1": "12",
            "held_on_2": "2026",
            "facilitator": cast.facilitator.pk,
        },
    )
    workshop = Workshop.objects.get()
    assert response["Location"] == workshop.get_absolute_url()
    assert workshop.agenda.count() == len(services.default_agenda(assessment))
    console = page(client, response["Location"])
    assert workshop.display_code in console and "Start with the first item" in console


def test_a_date_of_only_spaces_is_no_date_and_sets_up_no_workshop(client, cast, assessment):
    client.force_login(cast.facilitator)
    url = reverse("workshop-create", args=[cast.partnership.pk, assessment.pk])
    data = {
        "title": "Board away day",
        "kind": "board",
        "held_on_0": "   ",
        "held_on_1": "12",
        "held_on_2": "2026",
        "facilitator": cast.facilitator.pk,
    }
    response = client.post(url, data)
    page_shown = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page_shown
    assert "Enter the day, month and year" in page_shown
    assert not Workshop.objects.exists()


# --- The console ---------------------------------------------------------------------------


def test_the_console_drives_the_workshop_and_refuses_a_stale_click(client, cast, workshop):
    client.force_login(cast.facilitator)
    control = console_url(workshop, "workshop-control")
    response = client.post(control, {"action": "next", "version": workshop.version})
    assert response.status_code == 302
    console = page(client, response["Location"])
    assert "Open voting" in console and "1.1" in console
    response = client.post(control, {"action": "next", "version": workshop.version}, follow=True)
    assert "changed in another window" in response.content.decode()
    response = client.post(control, {"action": "open"}, follow=True)
    assert "request was incomplete" in response.content.decode()
    workshop.refresh_from_db()
    assert (workshop.state, workshop.current.position) == (State.READY, 1)


def test_the_facilitator_records_consensus_and_actions_with_clear_errors(client, cast, workshop):
    workshop = go(workshop, "next")
    entry = workshop.current
    client.force_login(cast.facilitator)
    agreed = console_url(workshop, "workshop-consensus", entry.pk)
    prefix = f"c{entry.pk}-"
    response = client.post(agreed, {f"{prefix}agreed_internal": "9"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    entry.refresh_from_db()
    assert not entry.is_agreed
    response = client.post(
        agreed,
        {f"{prefix}agreed_internal": "3", f"{prefix}rationale": "Evidence from the plan"},
        follow=True,
    )
    assert "What the room agreed on 1.1 is recorded" in response.content.decode()
    entry.refresh_from_db()
    assert (entry.agreed_internal, entry.rationale) == (3, "Evidence from the plan")

    add = console_url(workshop, "workshop-action-add", entry.pk)
    response = client.post(add, {"description": "", "due_on_0": "31", "due_on_1": "2"})
    assert response.status_code == 400
    assert "Describe the action" in response.content.decode()
    assert not Action.objects.exists()
    data = {"description": "Refresh the SCS", "owner": cast.council.pk}
    client.post(add, data)
    client.post(add, data)  # the same form sent twice
    assert Action.objects.count() == 1
    console = page(client, console_url(workshop) + f"?item={entry.pk}")
    assert "Refresh the SCS" in console and "Eastvale District Council" in console


def test_the_agenda_page_moves_drops_and_adds(client, cast, workshop, assessment):
    client.force_login(cast.facilitator)
    first, second = workshop.agenda.all()[:2]
    client.post(console_url(workshop, "agenda-change", second.pk), {"change": "up"})
    assert workshop.agenda.first() == second
    client.post(console_url(workshop, "agenda-change", first.pk), {"change": "remove"})
    assert not workshop.agenda.filter(pk=first.pk).exists()
    response = client.post(console_url(workshop, "workshop-agenda"), {"items": []})
    assert "Choose at least one question to add" in response.content.decode()
    client.post(console_url(workshop, "workshop-agenda"), {"items": [first.item.pk]})
    assert workshop.agenda.last().item == first.item


@pytest.mark.parametrize("change", ["sideways", ""])
def test_an_agenda_change_the_page_does_not_offer_is_refused(client, cast, workshop, change):
    client.force_login(cast.facilitator)
    order = list(workshop.agenda.values_list("pk", flat=True))
    response = client.post(
        console_url(workshop, "agenda-change", order[1]), {"change": change}, follow=True
    )
    assert response.status_code == 200
    assert "Choose to move the item up or down, or to drop it." in response.content.decode()
    assert list(workshop.agenda.values_list("pk", flat=True)) == order


def test_the_console_shows_an_earlier_items_votes_for_recording_what_was_agreed(
    client, cast, workshop
):
    phone = joined(workshop)
    workshop = go(workshop, "next", "open")
    vote(phone, workshop, "2")
    first = workshop.current
    workshop = go(workshop, "close", "next")
    client.force_login(cast.facilitator)
    console = page(client, console_url(workshop) + f"?item={first.pk}")
    assert "How the room voted on 1.1" in console
    assert re.search(r"2 – Performs adequately</th>\s*<td[^>]*>1 ", console)
    assert "How the room voted" not in page(client, console_url(workshop))  # the current item


# --- The presenter -------------------------------------------------------------------------


def test_the_presenter_shows_the_join_address_code_and_qr(client, cast, workshop):
    client.force_login(cast.facilitator)
    presenter = page(client, console_url(workshop, "workshop-present"))
    assert "http://testserver/w/" in presenter
    assert workshop.display_code in presenter
    assert console_url(workshop, "workshop-qr") in presenter
    qr = client.get(console_url(workshop, "workshop-qr"))
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content


def test_the_presenter_can_show_the_remote_questionnaire_beside_the_room(
    client, cast, workshop, invitation
):
    from tests.builders import respond

    respond(invitation, {"1.1:internal": "1"}, submitted=True)
    phone = joined(workshop)
    workshop = go(workshop, "next", "open")
    vote(phone, workshop, "4")
    workshop = go(workshop, "close", "reveal")
    client.force_login(cast.facilitator)
    presenter = page(client, console_url(workshop, "workshop-present"))
    assert "In the remote questionnaire" not in presenter
    go(workshop, "show_remote")
    presenter = page(client, console_url(workshop, "workshop-present"))
    assert "In the room" in presenter and "In the remote questionnaire" in presenter


def test_a_chart_asked_for_an_item_by_digits_int_cannot_read_is_not_found(client, cast, workshop):
    # "²" passes str.isdigit() but not int(): the item asked for is none, like any other text.
    client.force_login(cast.facilitator)
    chart = console_url(workshop, "workshop-chart", "room", "internal")
    for item in ["²", "9" * 5000]:
        response = client.get(chart, {"item": item})
        assert response.status_code == 404
        assert response["Content-Type"].startswith("text/html")
