"""Importing answers collected elsewhere: workshops/services/import_responses.py and the
import_responses command."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import Cast
from tests.workshops.import_helpers import (
    GOOD,
    RESPONSES_HEADER,
    answers_of,
    csv_file,
    problems_of,
    row_with,
)
from workshops.forms.questionnaire import MAX_TEXT
from workshops.models import Answer, Respondent
from workshops.services.import_responses import import_responses


def test_it_imports_answers_with_who_gave_them(assessment, cast: Cast):
    data = csv_file(
        RESPONSES_HEADER,
        GOOD,
        "P-017,Board member,Public sector,Strategic (board),Eastvale District Council,1.1.1,,"
        "Don't know",
        "P-017,board_member,public,strategic,Eastvale District Council,1.1.2,,yes",
        'P-017,board_member,public,strategic,Eastvale District Council,1.2.1,,"Gaps, mostly\n'
        'in housing"',
        "P-017,board_member,public,strategic,Eastvale District Council,3.5,,na",
        "P-017,board_member,public,strategic,Eastvale District Council,3.5.1,Internal,NA",
        "P-018,officer,third,operational,Eastvale CVS,1.1,,1",
    )

    result = import_responses(assessment, data, entered_by=cast.coordinator)

    assert (result.respondents_created, result.respondents_existing, result.answers) == (2, 0, 7)
    assert (
        result.summary
        == "7 answers from 2 respondents imported (2 new, 0 already imported before)."
    )
    p017 = Respondent.objects.get(assessment=assessment, reference="P-017")
    assert p017.channel == Respondent.Channel.IMPORT
    assert (p017.role, p017.sector, p017.layer, p017.organisation) == (
        "board_member",
        "public",
        "strategic",
        "Eastvale District Council",
    )
    assert p017.entered_by == cast.coordinator
    assert p017.is_submitted
    assert p017.invitation is None
    rating = p017.answers.get(item__key="1.1")
    assert (rating.basis, rating.rating, rating.choice, rating.text) == ("internal", 3, "", "")
    assert p017.answers.get(item__key="1.1.1").choice == "dont_know"
    assert p017.answers.get(item__key="1.1.2").choice == "yes"
    open_answer = p017.answers.get(item__key="1.2.1")
    assert (open_answer.basis, open_answer.text) == ("", "Gaps, mostly\nin housing")
    assert p017.answers.get(item__key="3.5").choice == "na"
    assert p017.answers.get(item__key="3.5.1").choice == "na"
    p018 = Respondent.objects.get(reference="P-018")
    assert (p018.role, p018.sector, p018.layer) == ("officer", "third", "operational")
    assert answers_of("P-018") == {("1.1", "internal"): "1"}


def test_importing_the_same_file_twice_stores_each_answer_once(assessment):
    data = csv_file(
        RESPONSES_HEADER,
        GOOD,
        "P-017,board_member,public,strategic,Eastvale District Council,1.1.2,,no",
    )
    import_responses(assessment, data)

    again = import_responses(assessment, data)

    assert (again.respondents_created, again.respondents_existing, again.answers) == (0, 1, 2)
    assert Respondent.objects.filter(assessment=assessment).count() == 1
    assert Answer.objects.count() == 2
    assert answers_of("P-017") == {("1.1", "internal"): "3", ("1.1.2", ""): "no"}


def test_a_corrected_file_replaces_the_answers_and_attributes_it_gives(assessment):
    import_responses(assessment, csv_file(RESPONSES_HEADER, GOOD))

    corrected = "P-017,chair,public,strategic,Eastvale District Council,1.1,internal,dont_know"
    import_responses(assessment, csv_file(RESPONSES_HEADER, corrected))

    answer = Answer.objects.get()
    assert (answer.rating, answer.choice) == (None, "dont_know")
    assert Respondent.objects.get().role == "chair"


def test_an_assessment_on_both_bases_needs_the_basis_of_each_rating(assessment):
    assessment.basis = "both"
    assessment.save()
    data = csv_file(
        RESPONSES_HEADER,
        GOOD,
        "P-017,board_member,public,strategic,Eastvale District Council,1.1,external,2",
        "P-017,board_member,public,strategic,Eastvale District Council,1.2,,2",
    )

    problems = problems_of(lambda: import_responses(assessment, data))

    assert problems == [
        "Line 4: basis is blank, but must be one of: internal, external "
        "(for rating question 1.2 in this assessment)."
    ]
    import_responses(assessment, csv_file(RESPONSES_HEADER, *data.decode().splitlines()[1:3]))
    assert answers_of("P-017") == {("1.1", "internal"): "3", ("1.1", "external"): "2"}


def test_an_item_of_the_bank_outside_the_assessment_is_refused(assessment):
    assessment.items.set(assessment.items.filter(parent=None))
    row = "P-017,board_member,public,strategic,Eastvale District Council,1.1.1,internal,2"

    problems = problems_of(lambda: import_responses(assessment, csv_file(RESPONSES_HEADER, row)))

    assert problems == ["Line 2: item '1.1.1' is not a question of this assessment."]


@pytest.mark.parametrize(
    "bad_row, problem",
    [
        (
            row_with(respondent="P-018", role="boss"),
            "Line 3: role 'boss' is not one of: coordinator, chair, board_member, executive, "
            "theme_lead, elected_member, scrutiny_member, officer.",
        ),
        (
            row_with(respondent="P-018", sector="charity"),
            "Line 3: sector 'charity' is not one of: public, private, third.",
        ),
        (row_with(item="9.9"), "Line 3: item '9.9' is not a question of this assessment."),
        (row_with(answer="5"), "Line 3: answer '5' to 1.1 is not one of: 1, 2, 3, 4, dont_know."),
        (row_with(answer="na"), "Line 3: answer 'na' to 1.1 is not one of: 1, 2, 3, 4, dont_know."),
        (
            row_with(item="3.5.1", answer="7"),
            "Line 3: answer '7' to 3.5.1 is not one of: 1, 2, 3, 4, dont_know, na.",
        ),
        (
            row_with(item="1.1.2", basis="", answer="maybe"),
            "Line 3: answer 'maybe' to 1.1.2 is not one of: yes, no, dont_know.",
        ),
        (
            row_with(item="1.1.1", basis="external"),
            "Line 3: basis 'external' is not one of: internal "
            "(for rating question 1.1.1 in this assessment).",
        ),
        (
            row_with(item="1.1.2", basis="internal", answer="yes"),
            "Line 3: basis must be blank for 1.1.2, which is a yes/no question.",
        ),
        (
            row_with(item="1.2.1", basis="", answer=""),
            "Line 3: the answer to 1.2.1 is blank; leave out the rows of questions that were "
            "not answered.",
        ),
        (
            row_with(item="1.2.1", basis="", answer="x" * (MAX_TEXT + 1)),
            f"Line 3: the answer to 1.2.1 is {MAX_TEXT + 1:,} characters long; "
            f"the most is {MAX_TEXT:,}.",
        ),
        (
            row_with(item="1.1.1", sector="private"),
            "Line 3: P-017 has sector 'private' here but 'public' on line 2. A respondent's role, "
            "sector, layer and organisation must be the same on all their rows.",
        ),
        (row_with(answer="2"), "Line 3: P-017's answer to 1.1 (internal) is already on line 2."),
        (row_with(basis=""), "Line 3: P-017's answer to 1.1 (internal) is already on line 2."),
        (row_with(respondent=""), "Line 3: respondent is blank."),
        (GOOD + ",extra", "Line 3: has 9 values, but the header has 8 columns."),
    ],
)
def test_a_bad_answer_row_is_reported_by_line_and_nothing_is_stored(assessment, bad_row, problem):
    data = csv_file(RESPONSES_HEADER, GOOD, bad_row, GOOD.replace("P-017", "P-019"))

    assert problems_of(lambda: import_responses(assessment, data)) == [problem]
    assert not Respondent.objects.exists()
    assert not Answer.objects.exists()


def test_answers_are_imported_after_the_assessment_has_closed(assessment):
    assessment.opens_on = assessment.closes_on = assessment.opens_on.replace(year=2020)
    assessment.save()

    import_responses(assessment, csv_file(RESPONSES_HEADER, GOOD))

    assert answers_of("P-017") == {("1.1", "internal"): "3"}


# The command --------------------------------------------------------------------


def test_the_command_imports_a_file_and_says_what_it_stored(assessment, tmp_path):
    path = tmp_path / "returns.csv"
    path.write_bytes(csv_file(RESPONSES_HEADER, GOOD, GOOD.replace("P-017", "P-018")))
    out = io.StringIO()

    call_command("import_responses", str(assessment.pk), str(path), stdout=out)

    assert "2 answers from 2 respondents imported (2 new" in out.getvalue()
    assert Respondent.objects.filter(channel=Respondent.Channel.IMPORT).count() == 2


def test_the_command_lists_the_problems_and_stores_nothing(assessment, tmp_path):
    path = tmp_path / "returns.csv"
    path.write_bytes(csv_file(RESPONSES_HEADER, GOOD, row_with(answer="9")))
    err = io.StringIO()

    with pytest.raises(CommandError, match="1 problem; nothing was stored"):
        call_command("import_responses", str(assessment.pk), str(path), stderr=err)

    assert "Line 3: answer '9' to 1.1 is not one of" in err.getvalue()
    assert not Respondent.objects.exists()


def test_the_command_refuses_an_unknown_assessment(db, tmp_path):
    path = tmp_path / "returns.csv"
    path.write_bytes(csv_file(RESPONSES_HEADER, GOOD))

    with pytest.raises(CommandError, match="There is no assessment 999"):
        call_command("import_responses", "999", str(path))
