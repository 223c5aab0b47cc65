"""How the room voted (services.tally): the room's counts and the remote questionnaire's
beside them."""

from __future__ import annotations

from django.conf import settings

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


def test_the_projector_chart_puts_each_basis_side_by_side_with_the_remote_beside_the_room(
    cast, bank
):
    assessment = make_assessment(cast, basis="both")
    workshop = make_workshop(cast, assessment)
    respond(
        Invitation.objects.create(assessment=assessment, person=cast.person),
        {"1.1:internal": "4", "1.1:external": "dont_know"},
        submitted=True,
    )
    workshop = go(workshop, "next", "open")
    cast_vote(workshop, anonymous(workshop), "3", external="2")
    cast_vote(workshop, anonymous(workshop), "3", external="1")
    workshop = go(workshop, "close", "reveal")

    room_only = services.tally(workshop).side_by_side
    assert [(c.basis, c.group) for c in room_only.columns] == [
        ("Against our own plans", "In the room"),
        ("Against other LSPs", "In the room"),
    ]
    assert not room_only.beside_remote

    chart = services.tally(go(workshop, "show_remote")).side_by_side
    assert chart.beside_remote and chart.withheld == []
    assert [(c.basis, c.group) for c in chart.columns] == [
        ("Against our own plans", "In the room"),
        ("Against our own plans", "Remote"),
        ("Against other LSPs", "In the room"),
        ("Against other LSPs", "Remote"),
    ]
    assert chart.bases == [("Against our own plans", 2), ("Against other LSPs", 2)]
    rows = {answer.label: answer.cells for answer in chart.answers}
    assert list(rows) == [
        "1 – Performs poorly",
        "2 – Performs adequately",
        "3 – Performs well",
        "4 – Performs excellently",
        "Don't know",
    ]
    well = rows["3 – Performs well"]
    assert [(c.count, c.percent, c.group, c.top) for c in well] == [
        (2, 100, "room", True),
        (0, 0, "remote", False),
        (0, 0, "room", False),
        (0, 0, "remote", False),
    ]
    # A tie: both answers the room gave on the external basis are the most chosen.
    assert [c.top for c in rows["1 – Performs poorly"]] == [False, False, True, False]
    assert [c.top for c in rows["2 – Performs adequately"]] == [False, False, True, False]
    assert chart.columns[1].summary == (
        "Against our own plans (internal). In the remote questionnaire: 1 answer; "
        "most chose 4 – Performs excellently."
    )


def test_the_projector_chart_says_in_words_which_remote_figures_are_withheld(cast, bank):
    assessment = make_assessment(cast, anonymous=True)
    respond(
        Invitation.objects.create(assessment=assessment, person=cast.person),
        {"1.1:internal": "4"},
        submitted=True,
    )
    workshop = go(make_workshop(cast, assessment), "next", "open", "close", "reveal")
    chart = services.tally(go(workshop, "show_remote")).side_by_side
    assert [c.group for c in chart.columns] == ["In the room"] and not chart.beside_remote
    assert chart.withheld == [
        "Against our own plans (internal). In the remote questionnaire: fewer than "
        f"{settings.MIN_GROUP_SIZE} answers, not shown to keep the assessment anonymous."
    ]
