"""The facilitator's console and the presenter through HTTP (workshops/views/workshop.py):
setting a workshop up, driving it, recording what was agreed, and the projected screen."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.builders import make_workshop, respond
from tests.workshops.live_helpers import console_url, go, joined, page, vote
from workshops.models import Action, Respondent, Workshop
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


def test_each_press_comes_back_to_the_console_at_the_part_it_was_about(client, cast, workshop):
    phone = joined(workshop)
    workshop = go(workshop, "next")
    entry = workshop.current
    client.force_login(cast.facilitator)
    console = console_url(workshop)

    step = {"action": "open", "version": workshop.version}
    response = client.post(console_url(workshop, "workshop-control"), step)
    assert response["Location"] == console + "#work"
    # A step sent from an item the facilitator is writing about comes back to it.
    step = {"action": "close", "version": workshop.version + 1, "item": entry.pk}
    response = client.post(console_url(workshop, "workshop-control"), step)
    assert response["Location"] == console + f"?item={entry.pk}#work"

    agreed = console_url(workshop, "workshop-consensus", entry.pk)
    response = client.post(agreed, {f"c{entry.pk}-rationale": "Shared"})
    assert response["Location"] == console + f"?item={entry.pk}#agreed"
    add = console_url(workshop, "workshop-action-add", entry.pk)
    response = client.post(add, {"description": "Refresh the SCS"})
    assert response["Location"] == console + f"?item={entry.pk}#actions"
    action = Action.objects.get()
    remove = console_url(workshop, "workshop-action-delete", action.pk)
    assert client.post(remove)["Location"] == console + f"?item={entry.pk}#actions"

    participant = Respondent.objects.get(workshop=workshop)
    remove = console_url(workshop, "workshop-participant-remove", participant.pk)
    response = client.post(remove, {"item": entry.pk})
    assert response["Location"] == console + f"?item={entry.pk}#joined"
    assert phone  # joined, then removed
    assert not Respondent.objects.filter(workshop=workshop).exists()


def test_the_console_says_what_happened_beside_what_it_was_about_and_once(client, cast, workshop):
    workshop = go(workshop, "next")
    entry = workshop.current
    client.force_login(cast.facilitator)
    step = {"action": "open", "version": workshop.version}
    shown = client.post(console_url(workshop, "workshop-control"), step, follow=True)
    said = shown.content.decode()
    assert said.count(f"Voting is open on {entry.item.key}.") == 1
    working_area = said.split('id="console-said"')[1].split('data-console-part="status"')[0]
    assert f"Voting is open on {entry.item.key}." in working_area

    agreed = console_url(workshop, "workshop-consensus", entry.pk)
    data = {f"c{entry.pk}-rationale": "Shared"}
    said = client.post(agreed, data, follow=True).content.decode()
    agreed_part = said.split('id="agreed"')[1].split('id="actions"')[0]
    assert f"What the room agreed on {entry.item.key} is recorded." in agreed_part
    assert said.count(f"What the room agreed on {entry.item.key} is recorded.") == 1

    step = {"action": "open", "version": 1}
    said = client.post(console_url(workshop, "workshop-control"), step, follow=True)
    working_area = said.content.decode().split('id="console-said"')[1]
    assert "changed in another window" in working_area.split('data-console-part="status"')[0]


def test_finishing_is_offered_once_started_and_asked_for_on_a_page_of_its_own(
    client, cast, workshop
):
    client.force_login(cast.facilitator)
    finish = console_url(workshop, "workshop-finish")
    lobby = page(client, console_url(workshop))
    assert "Finish the workshop" not in lobby and 'value="finish"' not in lobby
    workshop = go(workshop, "next")
    console = page(client, console_url(workshop))
    assert f'href="{finish}"' in console and 'value="finish"' not in console

    asked = page(client, finish)
    assert f"Finish {workshop.title}?" in asked
    assert "govuk-button--warning" in asked and 'value="finish"' in asked
    assert f'action="{console_url(workshop, "workshop-control")}"' in asked
    assert "item has no agreed rating yet" not in asked  # there are many
    assert f"{workshop.agenda.count()} items have no agreed rating yet" in asked
    workshop.refresh_from_db()
    assert workshop.state == State.READY  # asking changes nothing

    step = {"action": "finish", "version": workshop.version}
    said = client.post(console_url(workshop, "workshop-control"), step, follow=True)
    assert f"{workshop.title} has finished" in said.content.decode()
    workshop.refresh_from_db()
    assert workshop.state == State.FINISHED
    # Once finished there is nothing to finish: the page says so on the console.
    response = client.get(finish, follow=True)
    assert response.redirect_chain[-1][0] == console_url(workshop) + "#work"
    assert "cannot be finished now" in response.content.decode()


def test_on_the_agendas_last_item_moving_on_is_not_offered(client, cast, workshop):
    last = workshop.agenda.last()
    workshop.agenda.exclude(pk__in=[workshop.agenda.first().pk, last.pk]).delete()
    workshop = go(workshop, "next")
    client.force_login(cast.facilitator)
    console = page(client, console_url(workshop))
    assert 'id="control-next"' in console and 'id="control-skip"' in console
    workshop = go(workshop, "next")
    assert workshop.current == last
    console = page(client, console_url(workshop))
    assert 'id="control-next"' not in console and 'id="control-skip"' not in console
    assert "Finish the workshop" in console


def test_a_finished_workshop_is_reopened_by_its_facilitator_or_a_coordinator(
    client, cast, assessment
):
    workshop = make_workshop(cast, assessment, facilitator=cast.coordinator)
    workshop = go(workshop, "next", "finish")
    control = console_url(workshop, "workshop-control")

    # Another facilitator may run the workshop but not undo its end.
    client.force_login(cast.facilitator)
    console = page(client, console_url(workshop))
    assert "Reopen the workshop" not in console
    assert "The workshop's facilitator or a coordinator can reopen it." in console
    response = client.post(control, {"action": "reopen", "version": workshop.version})
    assert response.status_code == 403
    workshop.refresh_from_db()
    assert workshop.state == State.FINISHED

    client.force_login(cast.coordinator)
    assert "Reopen the workshop" in page(client, console_url(workshop))
    step = {"action": "reopen", "version": workshop.version}
    said = client.post(control, step, follow=True).content.decode()
    workshop.refresh_from_db()
    assert (workshop.state, workshop.current) == (State.READY, workshop.agenda.first())
    assert f"{workshop.title} is open again, on {workshop.current.item.key}." in said
    assert "Open voting" in said


def test_partners_evidence_notes_are_beside_the_item_the_room_discusses(
    client, cast, workshop, invitation
):
    respond(invitation, {"1.1:internal": "3", "1.1:note": "See the 2025 plan"}, submitted=True)
    workshop = go(workshop, "next")
    client.force_login(cast.facilitator)
    console = page(client, console_url(workshop))
    assert "Partners' evidence notes (1)" in console
    assert "See the 2025 plan" in console and "Priya Shah, Eastvale District Council" in console


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


def test_each_remove_button_says_which_participant_even_when_anonymous_ones_look_alike(
    client, cast, workshop
):
    # Three phones joined anonymously with the same role, sector and layer: a screen
    # reader lists the console's buttons by name, and "Remove Anonymous: Officer, …
    # and their votes" three times does not say which is which.
    for _ in range(3):
        joined(workshop)
    client.force_login(cast.facilitator)
    body = page(client, console_url(workshop))
    names = re.findall(r'>Remove<span class="govuk-visually-hidden">([^<]*)</span>', body)
    assert len(names) == 3
    assert len(set(names)) == 3, names
    assert all("Anonymous: Officer, Public sector, Strategic (board), joined" in n for n in names)
