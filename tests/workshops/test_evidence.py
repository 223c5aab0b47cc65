"""Partners' evidence notes on an item, as the console shows them (services/evidence.py)."""

from __future__ import annotations

from tests.builders import make_assessment, make_person, respond
from workshops.models import Invitation
from workshops.services.evidence import notes_for


def answer(assessment, person, rating: str, note: str = "", *, submitted: bool = True):
    invitation = Invitation.objects.create(assessment=assessment, person=person)
    answers = {"1.1:internal": rating, **({"1.1:note": note} if note else {})}
    return respond(invitation, answers, submitted=submitted)


def item(assessment, key: str = "1.1"):
    return assessment.items.get(key=key)


def test_a_named_assessment_says_who_wrote_each_submitted_note(cast, assessment):
    answer(assessment, cast.person, "3", "The 2025 plan names every partner")
    sam = make_person(cast, "Sam Okafor", sector="third")
    answer(assessment, sam, "2", "Not yet in our own plan", submitted=False)  # not sent
    answer(assessment, make_person(cast, "Ann Lee"), "4")  # answered, wrote nothing

    notes = notes_for(assessment, item(assessment))
    assert (notes.count, notes.answered, notes.withheld) == (1, 2, False)
    assert [(n.text, n.who) for n in notes.notes] == [
        ("The 2025 plan names every partner", "Priya Shah, Eastvale District Council")
    ]
    assert notes_for(assessment, item(assessment, "1.2")).count == 0


def test_an_anonymous_assessment_names_nobody_and_counts_until_enough_have_answered(
    cast, bank, settings
):
    settings.MIN_GROUP_SIZE, settings.MIN_GROUP_SIZE_COMMENTS = 2, 3
    assessment = make_assessment(cast, anonymous=True)
    people = [cast.person, *(make_person(cast, f"Partner {n}") for n in range(2))]
    answer(assessment, people[0], "3", "Minutes of the March board")
    answer(assessment, people[1], "2", "The plan is out of date")

    notes = notes_for(assessment, item(assessment))
    assert (notes.count, notes.answered, notes.needed) == (2, 2, 3)
    assert notes.withheld and notes.notes == []

    answer(assessment, people[2], "4")
    notes = notes_for(assessment, item(assessment))
    assert not notes.withheld
    assert sorted((n.text, n.who) for n in notes.notes) == [
        ("Minutes of the March board", ""),
        ("The plan is out of date", ""),
    ]
