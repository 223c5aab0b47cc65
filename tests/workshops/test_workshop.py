"""The workshop service: setting up, the agenda, the state machine and what the room agreed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from questions.models import Item
from tests.builders import make_workshop
from tests.workshops.workshop_helpers import anonymous, cast_vote, go
from workshops.models import Action, Answer, AuditEvent, Workshop, WorkshopError
from workshops.models.workshop import CODE_ALPHABET, normalise_code
from workshops.services import workshop as services

State = Workshop.State


# --- Setting up ----------------------------------------------------------------------------


def test_the_default_agenda_is_the_top_level_rating_and_yes_no_questions(workshop, assessment):
    agenda = list(workshop.agenda.select_related("item"))
    assert [a.position for a in agenda] == list(range(1, len(agenda) + 1))
    kinds = {a.item.kind for a in agenda}
    assert kinds == {Item.Kind.RATING, Item.Kind.YES_NO}
    assert all(a.item.parent_id is None for a in agenda)
    top_level_votable = assessment.items.filter(parent=None).exclude(kind=Item.Kind.OPEN)
    assert len(agenda) == top_level_votable.count()
    assert agenda[0].item.key == "1.1"


def test_join_codes_are_long_random_and_easy_to_type(cast, assessment):
    codes = {make_workshop(cast, assessment, title=f"Workshop {n}").code for n in range(20)}
    assert len(codes) == 20
    for code in codes:
        assert len(code) == 8 and set(code) <= set(CODE_ALPHABET)
    assert not {"0", "O", "1", "I", "L"} & set(CODE_ALPHABET)
    assert normalise_code(" abcd-2345 ") == "ABCD2345"


def test_the_same_set_up_sent_twice_makes_one_workshop(cast, assessment):
    first, again = make_workshop(cast, assessment), make_workshop(cast, assessment)
    assert first == again and Workshop.objects.count() == 1
    other = make_workshop(cast, assessment, title="Executive session")
    assert other != first and Workshop.objects.count() == 2


def test_the_facilitator_reorders_drops_and_adds_items(workshop, assessment):
    first, second = workshop.agenda.all()[:2]
    services.move_on_agenda(second, -1)
    assert list(workshop.agenda.values_list("pk", flat=True)[:2]) == [second.pk, first.pk]
    services.remove_from_agenda(first)
    assert not workshop.agenda.filter(pk=first.pk).exists()
    open_question = assessment.items.filter(kind=Item.Kind.OPEN).first()
    assert services.add_to_agenda(workshop, [open_question, second.item]) == 1
    assert workshop.agenda.last().item == open_question
    workshop.refresh_from_db()
    assert workshop.version == 4  # each change is seen by every screen


def test_an_item_with_votes_or_the_current_item_cannot_be_dropped(workshop):
    workshop = go(workshop, "next", "open")
    with pytest.raises(WorkshopError, match="item the workshop is on"):
        services.remove_from_agenda(workshop.current)
    cast_vote(workshop, anonymous(workshop), "3")
    workshop = go(workshop, "close", "next")
    with pytest.raises(WorkshopError, match="already has votes"):
        services.remove_from_agenda(workshop.agenda.first())


# --- The state machine ---------------------------------------------------------------------


def test_a_workshop_runs_lobby_ready_voting_closed_revealed_next_finished(workshop):
    assert workshop.state == State.LOBBY and workshop.current is None
    steps = [
        ("next", State.READY, 1),
        ("open", State.VOTING, 1),
        ("close", State.CLOSED, 1),
        ("reveal", State.REVEALED, 1),
        ("hide", State.CLOSED, 1),
        ("reveal", State.REVEALED, 1),
        ("next", State.READY, 2),
        ("skip", State.READY, 3),
        ("previous", State.READY, 2),
        ("finish", State.FINISHED, None),
    ]
    for action, state, position in steps:
        workshop = go(workshop, action)
        assert workshop.state == state, action
        assert (workshop.current.position if workshop.current else None) == position, action
    assert list(workshop.agenda.filter(skipped=True).values_list("position", flat=True)) == [2]


def test_moving_past_the_last_item_finishes_the_workshop(workshop):
    workshop.agenda.exclude(pk=workshop.agenda.first().pk).delete()
    workshop = go(workshop, "next", "next")
    assert workshop.state == State.FINISHED


@pytest.mark.parametrize(
    "actions, refused, message",
    [
        ((), "open", "cannot open now: waiting to start"),
        (("next", "open"), "next", "cannot next now: voting open"),
        (("next",), "reveal", "cannot reveal now"),
        (("next", "open"), "previous", "cannot previous now"),
        (("next",), "previous", "first item on the agenda"),
        (("next", "finish"), "next", "cannot next now: finished"),
        (("next",), "timer", "cannot timer now"),
    ],
)
def test_actions_out_of_turn_are_refused_and_change_nothing(workshop, actions, refused, message):
    workshop = go(workshop, *actions)
    before = (workshop.state, workshop.current_id, workshop.version)
    with pytest.raises(WorkshopError, match=message):
        services.change(workshop.pk, refused)
    workshop.refresh_from_db()
    assert (workshop.state, workshop.current_id, workshop.version) == before


def test_a_stale_click_is_refused_so_a_double_click_moves_on_once(workshop):
    workshop = go(workshop, "next")
    seen = workshop.version
    services.change(workshop.pk, "next", seen)
    with pytest.raises(WorkshopError, match="changed in another window"):
        services.change(workshop.pk, "next", seen)
    workshop.refresh_from_db()
    assert workshop.current.position == 2


def test_reopening_takes_the_room_back_to_the_first_item_not_yet_agreed_or_skipped(cast, workshop):
    first, _, third = workshop.agenda.all()[:3]
    workshop = go(workshop, "next")
    services.record_consensus(first, {"agreed_internal": 3})
    workshop = go(workshop, "next", "skip", "finish")
    assert (workshop.state, workshop.current_id) == (State.FINISHED, None)

    workshop = go(workshop, "reopen", by=cast.coordinator)
    assert (workshop.state, workshop.current_id) == (State.READY, third.pk)
    entry = AuditEvent.objects.get(action="workshop.reopen")
    assert (entry.user, entry.data["state"], entry.data["item"]) == (
        cast.coordinator,
        State.READY,
        third.item.key,
    )
    assert (
        entry.summary
        == f"Board away day: reopen (showing an item, voting not open on {third.item.key})."
    )


def test_a_reopened_workshop_whose_every_item_is_dealt_with_is_on_its_last(workshop):
    workshop.agenda.update(skipped=True)
    workshop = go(workshop, "next", "finish", "reopen")
    assert (workshop.state, workshop.current) == (State.READY, workshop.agenda.last())


@pytest.mark.parametrize(
    "actions", [(), ("next",), ("next", "open"), ("next", "open", "close", "reveal")]
)
def test_only_a_finished_workshop_can_be_reopened(workshop, actions):
    workshop = go(workshop, *actions)
    before = (workshop.state, workshop.current_id, workshop.version)
    with pytest.raises(WorkshopError, match="cannot reopen now"):
        services.change(workshop.pk, "reopen")
    workshop.refresh_from_db()
    assert (workshop.state, workshop.current_id, workshop.version) == before


def test_its_facilitator_or_a_coordinator_may_reopen_a_workshop_and_no_one_else(cast, assessment):
    led_by_the_coordinator = make_workshop(cast, assessment, facilitator=cast.coordinator)
    led_by_the_facilitator = make_workshop(cast, assessment, title="Executive session")
    member = {m.user: m for m in cast.partnership.memberships.all()}
    assert led_by_the_facilitator.may_reopen(member[cast.facilitator])
    assert led_by_the_facilitator.may_reopen(member[cast.coordinator])
    assert led_by_the_coordinator.may_reopen(member[cast.coordinator])
    assert not led_by_the_coordinator.may_reopen(member[cast.facilitator])
    assert not led_by_the_facilitator.may_reopen(member[cast.executive])


def test_open_questions_have_no_vote(workshop, assessment):
    open_question = assessment.items.filter(kind=Item.Kind.OPEN).first()
    workshop.agenda.all().delete()
    services.add_to_agenda(workshop, [open_question])
    workshop = go(workshop, "next")
    with pytest.raises(WorkshopError, match="open question for discussion"):
        services.change(workshop.pk, "open")


def test_the_countdown_closes_voting_when_it_runs_out(workshop):
    workshop = go(workshop, "next", "open")
    with pytest.raises(WorkshopError, match="countdown of 30 seconds to 60 minutes"):
        services.change(workshop.pk, "timer", seconds=5)
    workshop = go(workshop, "timer", seconds=60)
    assert workshop.voting_closes_at > timezone.now() + timedelta(seconds=55)
    assert not services.close_if_timer_expired(workshop.pk)
    Workshop.objects.filter(pk=workshop.pk).update(
        voting_closes_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(WorkshopError, match="has closed"):
        cast_vote(workshop, anonymous(workshop), "2")
    assert services.close_if_timer_expired(workshop.pk)
    workshop.refresh_from_db()
    assert workshop.state == State.CLOSED and workshop.voting_closes_at is None


# --- What the room agreed ------------------------------------------------------------------


def test_consensus_is_kept_beside_the_votes_and_actions_are_added_once(cast, workshop):
    workshop = go(workshop, "next", "open")
    voter = anonymous(workshop)
    cast_vote(workshop, voter, "2")
    workshop = go(workshop, "close", "reveal")
    entry = workshop.current
    services.record_consensus(
        entry, {"agreed_internal": 3, "rationale": "Plans are current", "investigate": True}
    )
    entry.refresh_from_db()
    assert (entry.agreed_internal, entry.rationale, entry.investigate) == (
        3,
        "Plans are current",
        True,
    )
    assert entry.is_agreed
    assert Answer.objects.get(respondent=voter).rating == 2  # the vote is untouched
    for _ in range(2):  # a double submit
        services.add_action(
            entry, cast.facilitator, description="Refresh the SCS", owner=cast.council, due_on=None
        )
    action = Action.objects.get()
    assert (action.assessment, action.item, action.owner) == (
        workshop.assessment,
        entry.item,
        cast.council,
    )
