"""How the room voted (services.tally): the room's counts and the remote questionnaire's
beside them."""

from __future__ import annotations

from tests.builders import make_assessment, make_person, make_workshop, respond
from tests.workshops.workshop_helpers import anonymous, cast_vote, go
from workshops.models import Invitation
from workshops.services import tally as services


def test_the_tally_counts_the_room_and_shows_the_remote_answers_beside_it(
    cast, workshop, invitation
):
    workshop = go(workshop, "next", "open")
    for value in ["3", "3", "2", "dont_know"]:
        cast_vote(workshop, anonymous(workshop), value)
    respond(invitation, {"1.1:internal": "4"}, submitted=True)
    draft = Invitation.objects.create(
        assessment=workshop.assessment, person=make_person(cast, "Draft Only")
    )
    respond(draft, {"1.1:internal": "1"})  # not submitted: not counted
    workshop = go(workshop, "close", "reveal", "show_remote")
    tally = services.tally(workshop)
    room = {row.label: row.count for row in tally.room[0].rows}
    assert room == {
        "1 – Performs poorly": 0,
        "2 – Performs adequately": 1,
        "3 – Performs well": 2,
        "4 – Performs excellently": 0,
        "Don't know": 1,
    }
    assert tally.room[0].total == 4 and tally.room[0].most_common == ["3 – Performs well"]
    remote = {row.label: row.count for row in tally.remote[0].rows}
    assert remote["4 – Performs excellently"] == 1 and sum(remote.values()) == 1
    assert [group.title for group in tally.groups] == [
        "In the room",
        "In the remote questionnaire",
    ]


def test_remote_answers_of_a_small_group_are_withheld_in_an_anonymous_assessment(cast, bank):
    assessment = make_assessment(cast, anonymous=True)
    invitation = Invitation.objects.create(assessment=assessment, person=cast.person)
    respond(invitation, {"1.1:internal": "4"}, submitted=True)
    workshop = go(make_workshop(cast, assessment), "next", "open", "close", "reveal")
    workshop = go(workshop, "show_remote")
    remote = services.tally(workshop).remote[0]
    assert remote.withheld and remote.rows == []
