"""Importing the network section's answers: workshops/services/import_network.py, through
the answers import (the file is told apart by its header)."""

from __future__ import annotations

import pytest

from tests.builders import make_assessment, make_organisations
from tests.workshops.import_helpers import GOOD, RESPONSES_HEADER, csv_file, problems_of
from workshops.models import AuditEvent, NetworkAnswer
from workshops.services.import_jobs import start
from workshops.services.import_responses import import_responses

NETWORK_HEADER = "respondent,partner,how_often,reliability,contribution"


@pytest.fixture
def asked(cast, bank):
    """An assessment with the network section, and P-017 of the council imported."""
    make_organisations(cast.partnership, public=["Eastvale Police"], third=["Age Concern Eastvale"])
    assessment = make_assessment(cast, network=True)
    import_responses(assessment, csv_file(RESPONSES_HEADER, GOOD))
    return assessment


def pairs(assessment) -> dict[tuple[str, str], tuple]:
    return {
        (a.respondent.reference, a.partner.name): (
            "dk" if a.dont_know else a.frequency,
            a.reliability,
            a.contribution,
        )
        for a in NetworkAnswer.objects.filter(respondent__assessment=assessment).select_related(
            "respondent", "partner"
        )
    }


def test_a_network_file_stores_one_answer_per_pair_and_says_so(asked, cast):
    data = csv_file(
        "Partner,Respondent,How_often,Reliability,Contribution",
        "Eastvale Police,P-017,Weekly or more,4,3",
        "age concern eastvale,P-017,dont_know,,",
    )
    result = start(asked, "responses", data, cast.coordinator, by=cast.coordinator)
    assert result.summary == "2 network answers from 1 respondent imported."
    assert pairs(asked) == {
        ("P-017", "Eastvale Police"): (3, 4, 3),
        ("P-017", "Age Concern Eastvale"): ("dk", None, None),
    }
    answer = NetworkAnswer.objects.get(partner__name="Eastvale Police")
    assert answer.organisation == cast.council
    event = AuditEvent.objects.get(action="import.network")
    assert event.summary == "2 network answers from 1 respondent imported."
    # A corrected file replaces what it gives again, and keeps the rest.
    import_responses(asked, csv_file(NETWORK_HEADER, "P-017,Eastvale Police,monthly,2,"))
    assert pairs(asked)[("P-017", "Eastvale Police")] == (2, 2, None)
    assert len(pairs(asked)) == 2


def test_every_bad_row_is_named_by_its_line_and_nothing_is_stored(asked, cast):
    data = csv_file(
        NETWORK_HEADER,
        "P-017,Eastvale Police,monthly,3,3",
        "P-999,Eastvale Police,monthly,3,3",
        "P-017,Westmoor Council,monthly,3,3",
        "P-017,Eastvale District Council,monthly,3,3",
        "P-017,Age Concern Eastvale,sometimes,,",
        "P-017,Age Concern Eastvale,never,2,",
        "P-017,Age Concern Eastvale,monthly,5,",
        "P-017,Eastvale Police,weekly or more,,",
        "P-017,Age Concern Eastvale,,3,",
    )
    assert problems_of(lambda: import_responses(asked, data)) == [
        "Line 3: respondent 'P-999': give the reference of a respondent whose answers were "
        "imported into this assessment (import the answers file first).",
        "Line 4: partner 'Westmoor Council' is not one of the partnership's organisations.",
        "Line 5: P-017 cannot answer about their own organisation, Eastvale District Council.",
        "Line 6: how_often 'sometimes' is not one of: never, a few times a year, monthly, "
        "weekly or more, dont_know.",
        "Line 7: Leave out how far you can rely on Age Concern Eastvale and what it "
        "contributes when your organisation never works with it or does not know it.",
        "Line 8: Choose a number from 1 to 4 for Age Concern Eastvale.",
        "Line 9: P-017's answer about Eastvale Police is already on line 2.",
        "Line 10: how_often is blank, but must be one of: never, a few times a year, monthly, "
        "weekly or more, dont_know.",
    ]
    assert not NetworkAnswer.objects.exists()


def test_a_network_file_is_refused_when_the_assessment_does_not_ask_the_section(cast, bank):
    assessment = make_assessment(cast)
    import_responses(assessment, csv_file(RESPONSES_HEADER, GOOD))
    data = csv_file(NETWORK_HEADER, "P-017,Eastvale District Council,monthly,3,3")
    assert problems_of(lambda: import_responses(assessment, data)) == [
        "This assessment does not ask how partner organisations work together. "
        "Turn the network section on on the assessment's page first."
    ]
