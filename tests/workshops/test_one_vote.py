"""One person, one vote: phones joining again, from one network, or as someone else."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.workshops.live_helpers import console_url, go, joined, page, vote
from workshops.models import Answer, AuditEvent, Respondent, WaitingPhone, Workshop
from workshops.views.live import COOKIE

ANONYMOUS = {"who": "anonymous", "role": "officer", "sector": "public", "layer": "strategic"}


def join_url(workshop: Workshop) -> str:
    return reverse("workshop-join", args=[workshop.code])


def room_url(workshop: Workshop) -> str:
    return reverse("workshop-room", args=[workshop.code])


def wait_url(workshop: Workshop) -> str:
    return reverse("workshop-wait", args=[workshop.code])


def decide(facilitator: Client, workshop: Workshop, waiting: WaitingPhone, decision: str):
    url = console_url(workshop, "workshop-waiting", waiting.pk)
    return facilitator.post(url, {"decision": decision}, follow=True)


def results_text(facilitator: Client, workshop: Workshop) -> str:
    a = workshop.assessment
    return page(facilitator, reverse("results", args=[a.partnership_id, a.pk]))


# --- One network, many phones ----------------------------------------------------------


def test_sixty_join_and_vote_rounds_from_one_address_count_only_up_to_the_limit(
    workshop, facilitator, settings
):
    settings.WORKSHOP_PHONES_PER_NETWORK_PERCENT = 150
    settings.WORKSHOP_PHONES_PER_NETWORK_EXTRA = 10
    # One person in the partnership: 1.5 × 1, rounded up, + 10 phones from one network.
    workshop = go(workshop, "next", "open")
    outcomes = []
    for _ in range(60):
        phone = Client()
        response = phone.post(join_url(workshop), ANONYMOUS)
        outcomes.append(response.get("Location") or response.content.decode())
        vote(phone, workshop, "4")
    assert outcomes.count(room_url(workshop)) == 12
    # Twenty more wait to be let in; beyond them the network is told to ask first.
    assert outcomes.count(wait_url(workshop)) == 20
    assert all("Too many phones from this network are waiting" in o for o in outcomes[32:])
    assert Respondent.objects.filter(workshop=workshop).count() == 12
    assert Answer.objects.filter(respondent__workshop=workshop).count() == 12
    assert "12 people voted in a workshop" in results_text(facilitator, workshop)
    console = page(facilitator, console_url(workshop))
    assert "20 phones waiting to be let in" in console
    # A waiting phone sees why, and cannot vote.
    waiting = WaitingPhone.objects.filter(workshop=workshop).latest("pk")
    decide(facilitator, workshop, waiting, "turn_away")
    phone = Client()
    response = phone.post(join_url(workshop), ANONYMOUS, follow=True)
    assert "Waiting to be let in" in response.content.decode()
    assert vote(phone, workshop, "1").status_code == 403
    # Once the facilitator admits it, it is in and its vote counts.
    waiting = WaitingPhone.objects.filter(workshop=workshop).latest("pk")
    assert "let in" in decide(facilitator, workshop, waiting, "admit").content.decode()
    response = phone.get(wait_url(workshop))
    assert response["Location"] == room_url(workshop)
    assert vote(phone, workshop, "1").json()["ok"]
    assert Answer.objects.filter(respondent__workshop=workshop).count() == 13


def test_a_waiting_phone_refreshes_by_script_and_has_a_link_without_one(workshop, settings):
    settings.WORKSHOP_PHONES_PER_NETWORK_EXTRA = 0
    settings.WORKSHOP_PHONES_PER_NETWORK_PERCENT = 0
    phone = Client()
    response = phone.post(join_url(workshop), ANONYMOUS, follow=True)
    text = response.content.decode()
    assert "Waiting to be let in" in text
    assert "js/waiting.js" in text and "<script>" not in text
    assert f'href="{wait_url(workshop)}"' in text
    # Asking again from the same phone does not queue it twice.
    phone.post(join_url(workshop), ANONYMOUS)
    assert WaitingPhone.objects.filter(workshop=workshop).count() == 1


def test_a_phone_turned_away_is_told_and_stores_nothing(workshop, facilitator, settings):
    settings.WORKSHOP_PHONES_PER_NETWORK_EXTRA = 0
    settings.WORKSHOP_PHONES_PER_NETWORK_PERCENT = 0
    phone = Client()
    phone.post(join_url(workshop), ANONYMOUS)
    waiting = WaitingPhone.objects.get(workshop=workshop)
    assert "turned away" in decide(facilitator, workshop, waiting, "turn_away").content.decode()
    text = page(phone, wait_url(workshop))
    assert "The facilitator has not let this phone in" in text
    assert not Respondent.objects.filter(workshop=workshop).exists()
    assert not WaitingPhone.objects.exists()


# --- A phone that has joined -----------------------------------------------------------


def test_a_phone_that_has_joined_cannot_join_again(workshop):
    phone = joined(workshop)
    assert phone.get(join_url(workshop))["Location"] == room_url(workshop)
    form = page(Client(), join_url(workshop))
    attempt = re.search(r'name="attempt" value="([\w-]+)"', form).group(1)
    for data in [ANONYMOUS, {**ANONYMOUS, "attempt": attempt}]:
        response = phone.post(join_url(workshop), data)
        assert response["Location"] == room_url(workshop)
    assert Respondent.objects.filter(workshop=workshop).count() == 1


# --- Someone else's name ----------------------------------------------------------------


def test_a_second_phone_asking_for_a_taken_name_gets_a_choice_and_nothing_of_theirs(
    workshop, cast, facilitator
):
    first = joined(workshop, who=str(cast.person.pk))
    workshop = go(workshop, "next", "open")
    assert vote(first, workshop, "2").json()["ok"]
    second = Client()
    response = second.post(join_url(workshop), {"who": str(cast.person.pk)})
    text = response.content.decode()
    assert response.status_code == 200
    assert "Someone has already joined as Priya Shah on another device" in text
    assert "Ask the facilitator to let you in as Priya Shah" in text
    assert "Join anonymously" in text
    assert COOKIE not in second.cookies
    assert second.get(room_url(workshop))["Location"] == join_url(workshop)
    assert vote(second, workshop, "4").status_code == 403
    assert [a.rating for a in Answer.objects.all()] == [2]
    assert Respondent.objects.filter(workshop=workshop).count() == 1

    # Asking tells the console; turning it away changes nothing for the first phone.
    response = second.post(join_url(workshop), {"who": str(cast.person.pk), "ask": "1"})
    assert response["Location"] == wait_url(workshop)
    console = page(facilitator, console_url(workshop))
    assert "1 phone waiting to be let in" in console
    assert "Priya Shah, who has already joined on another phone" in console
    waiting = WaitingPhone.objects.get()
    decide(facilitator, workshop, waiting, "turn_away")
    assert "not let this phone in" in page(second, wait_url(workshop))
    assert vote(first, workshop, "3").json()["ok"]
    assert [a.rating for a in Answer.objects.all()] == [3]


def test_when_the_facilitator_approves_the_new_phone_takes_over_and_the_old_one_is_out(
    workshop, cast, facilitator
):
    first = joined(workshop, who=str(cast.person.pk))
    workshop = go(workshop, "next", "open")
    vote(first, workshop, "2")
    second = Client()
    second.post(join_url(workshop), {"who": str(cast.person.pk), "ask": "1"})
    response = decide(facilitator, workshop, WaitingPhone.objects.get(), "admit")
    assert "Priya Shah is now on the phone you let in" in response.content.decode()

    assert second.get(wait_url(workshop))["Location"] == room_url(workshop)
    assert 'value="2" checked' in page(second, room_url(workshop))  # her own vote, carried on
    assert vote(second, workshop, "4").json()["ok"]

    refused = vote(first, workshop, "1")
    assert refused.status_code == 403
    assert "no longer in this workshop" in refused.json()["message"]
    assert first.get(room_url(workshop))["Location"] == join_url(workshop)
    participant = Respondent.objects.get(workshop=workshop)
    assert participant.person == cast.person
    assert [a.rating for a in Answer.objects.filter(respondent=participant)] == [4]
    assert not WaitingPhone.objects.exists()


# --- The console -----------------------------------------------------------------------


def test_the_facilitator_removes_a_participant_and_their_votes_go_with_a_log_entry(
    workshop, cast, facilitator
):
    keep = joined(workshop, who=str(cast.person.pk))
    troll = joined(workshop)
    workshop = go(workshop, "next", "open")
    vote(keep, workshop, "3")
    vote(troll, workshop, "1")
    assert "2 people voted in a workshop" in results_text(facilitator, workshop)
    participant = Respondent.objects.get(workshop=workshop, person=None)
    url = console_url(workshop, "workshop-participant-remove", participant.pk)
    response = facilitator.post(url, follow=True)
    assert f"is no longer in {workshop}; 1 vote removed" in response.content.decode()
    assert not Respondent.objects.filter(pk=participant.pk).exists()
    assert [a.rating for a in Answer.objects.all()] == [3]
    assert "1 person voted in a workshop" in results_text(facilitator, workshop)
    entry = AuditEvent.objects.get(partnership=cast.partnership)
    assert entry.summary.startswith("Anonymous: Officer, Public sector")
    assert "is no longer in" in entry.summary
    assert entry.user == cast.facilitator
    # The removed phone can no longer vote.
    assert vote(troll, workshop, "1").status_code == 403
    assert Answer.objects.count() == 1


def test_the_console_shows_joined_against_expected_and_lists_who_has_joined(
    workshop, cast, facilitator
):
    Workshop.objects.filter(pk=workshop.pk).update(expected=5)
    joined(workshop, who=str(cast.person.pk))
    joined(workshop)
    console = page(facilitator, console_url(workshop))
    assert "2 of 5 expected have joined" in console
    assert "Priya Shah, Eastvale District Council" in console
    assert "Anonymous: Officer, Public sector, Strategic" in console
    assert console.count("Remove<span") == 2
    live = page(facilitator, console_url(workshop, "workshop-console-live"))
    assert "2 of 5 expected have joined" in live


def test_the_facilitator_says_how_many_are_expected_when_setting_up(facilitator, cast, assessment):
    url = reverse("workshop-create", args=[cast.partnership.pk, assessment.pk])
    data = {
        "title": "Board away day",
        "kind": "board",
        "held_on_0": "4",
        "held_on_1": "12",
        "held_on_2": "2026",
        "facilitator": cast.facilitator.pk,
    }
    response = facilitator.post(url, {**data, "expected": "lots"})
    assert "Enter the number of people you expect" in response.content.decode()
    assert not Workshop.objects.exists()
    facilitator.post(url, {**data, "expected": "14"})
    assert Workshop.objects.get().expected == 14


@pytest.mark.parametrize(
    "name", ["workshop", "workshop-console-live", "workshop-present", "workshop-present-live"]
)
def test_console_and_presenter_responses_are_never_stored(workshop, facilitator, name):
    response = facilitator.get(console_url(workshop, name))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
