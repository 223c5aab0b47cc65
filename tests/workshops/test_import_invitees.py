"""Importing the people to invite: workshops/services/import_invitees.py."""

from __future__ import annotations

import re

import pytest

from tests.conftest import Cast
from tests.workshops.import_helpers import INVITEE, INVITEES_HEADER, csv_file, problems_of
from workshops.models import Invitation, Person
from workshops.services.import_invitees import import_invitees


def test_invitee_import_adds_and_updates_people_and_emails_everyone_a_link(
    assessment, cast: Cast, mailoutbox
):
    cast.person.email = "priya@eastvale.example.org"
    cast.person.save()
    data = csv_file(
        INVITEES_HEADER,
        "Ann Lee,Ann@Eastvale.example.org,eastvale district council,Board member,strategic",
        "Priya Shah-Jones,PRIYA@eastvale.example.org,Eastvale District Council,chair,Strategic",
    )

    result = import_invitees(assessment, data)

    assert (result.created, result.updated, result.invited, result.emailed) == (1, 1, 2, 2)
    assert (
        result.summary == "1 person added and 1 person updated; 2 newly invited and 2 emails sent."
    )
    ann = Person.objects.get(email="ann@eastvale.example.org")
    assert (ann.name, ann.organisation, ann.role, ann.layer) == (
        "Ann Lee",
        cast.council,
        "board_member",
        "strategic",
    )
    assert ann.partnership == cast.partnership
    cast.person.refresh_from_db()
    assert (cast.person.name, cast.person.role, cast.person.layer) == (
        "Priya Shah-Jones",
        "chair",
        "strategic",
    )
    assert set(assessment.invitations.values_list("person__name", flat=True)) == {
        "Ann Lee",
        "Priya Shah-Jones",
    }
    assert sorted(m.to[0] for m in mailoutbox) == [
        "ann@eastvale.example.org",
        "priya@eastvale.example.org",
    ]
    # Each with a personal link (only its hash is kept, so it is read from the email).
    assert all(re.search(r"/a/[\w-]{20,}/", m.body) for m in mailoutbox)


def test_importing_invitees_again_sends_no_second_email(assessment, mailoutbox):
    data = csv_file(
        INVITEES_HEADER, "Ann Lee,ann@example.org,Eastvale District Council,chair,strategic"
    )
    import_invitees(assessment, data)

    again = import_invitees(assessment, data)

    assert (again.created, again.updated, again.invited, again.emailed) == (0, 0, 0, 0)
    assert len(mailoutbox) == 1
    assert Person.objects.filter(email="ann@example.org").count() == 1


@pytest.mark.parametrize(
    "bad_row, problem",
    [
        (
            "Bo Ng,bo@example,Eastvale District Council,chair,strategic",
            "Line 3: email 'bo@example' is not valid.",
        ),
        (
            "Bo Ng,ANN@example.org,Eastvale District Council,chair,strategic",
            "Line 3: email ann@example.org is already on line 2.",
        ),
        (
            "Bo Ng,bo@example.org,Westmoor Council,chair,strategic",
            "Line 3: organisation 'Westmoor Council' is not in Eastvale LSP; add the organisation "
            "first, then upload the file again.",
        ),
        (
            "Bo Ng,bo@example.org,Eastvale District Council,boss,strategic",
            "Line 3: role 'boss' is not one of: coordinator, chair, board_member, executive, "
            "theme_lead, elected_member, scrutiny_member, officer.",
        ),
        (
            "Bo Ng,bo@example.org,Eastvale District Council,chair,",
            "Line 3: layer is blank, but must be one of: strategic, executive, operational.",
        ),
        (",bo@example.org,Eastvale District Council,chair,strategic", "Line 3: name is blank."),
    ],
)
def test_a_bad_invitee_row_is_reported_by_line_and_nobody_is_added_or_emailed(
    assessment, cast: Cast, mailoutbox, bad_row, problem
):
    people_before = Person.objects.count()
    data = csv_file(INVITEES_HEADER, INVITEE, bad_row)

    assert problems_of(lambda: import_invitees(assessment, data)) == [problem]
    assert Person.objects.count() == people_before
    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_nobody_is_imported_to_a_closed_assessment(assessment, mailoutbox):
    assessment.opens_on = assessment.closes_on = assessment.opens_on.replace(year=2020)
    assessment.save()

    problems = problems_of(lambda: import_invitees(assessment, csv_file(INVITEES_HEADER, INVITEE)))

    assert problems == ["This assessment has closed; nobody more can be invited."]
    assert not Person.objects.filter(email="ann@example.org").exists()
