"""Reading an uploaded CSV file: workshops/services/csv_rows.py, through the imports."""

from __future__ import annotations

import pytest

from tests.workshops.import_helpers import (
    GOOD,
    INVITEES_HEADER,
    RESPONSES_HEADER,
    answers_of,
    csv_file,
    problems_of,
    row_with,
)
from workshops.models import Person, Respondent
from workshops.services import csv_rows
from workshops.services.import_invitees import import_invitees
from workshops.services.import_responses import import_responses


def test_every_problem_in_a_file_is_reported_in_line_order(assessment):
    data = csv_file(
        RESPONSES_HEADER,
        row_with(answer="9"),
        GOOD,
        GOOD + ",extra",
        row_with(item="9.9", role="boss"),
    )

    problems = problems_of(lambda: import_responses(assessment, data))

    assert [p.split(":")[0] for p in problems] == ["Line 2", "Line 4", "Line 5", "Line 5"]


@pytest.mark.parametrize(
    "data, problem",
    [
        (b"", "The file is empty."),
        (b"\xef\xbb\xbf\n\n", "The file is empty."),
        (RESPONSES_HEADER.encode() + b"\n", "The file has a header but no rows below it."),
        (
            csv_file(RESPONSES_HEADER, GOOD, "P-018,officer,public,strategic,Caf\xe9,1.1,,3")
            .decode()
            .encode("latin-1"),
            "The file is not saved as UTF-8 text (see line 3). "
            "Save it as “CSV UTF-8” and upload it again.",
        ),
        (
            csv_file("respondent,role,sector,layer,organisation,item,basis,answr", GOOD),
            "Line 1: the header must be respondent,role,sector,layer,organisation,item,basis,"
            "answer (missing: answer; not recognised: answr).",
        ),
        (
            csv_file(INVITEES_HEADER, "Ann,ann@example.org,Council,chair,strategic"),
            "Line 1: the header must be respondent,role,sector,layer,organisation,item,basis,"
            "answer (missing: respondent, sector, item, basis, answer; "
            "not recognised: name, email).",
        ),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_the_reason(assessment, data, problem):
    assert problems_of(lambda: import_responses(assessment, data)) == [problem]
    assert not Respondent.objects.exists()


@pytest.mark.parametrize(
    "run, data",
    [
        (
            import_responses,
            csv_file(RESPONSES_HEADER, GOOD, GOOD.replace("P-017", "P-\x00018")),
        ),
        (
            import_invitees,
            csv_file(
                INVITEES_HEADER,
                "Ann\x00 Lee,ann@example.org,Eastvale District Council,chair,strategic",
            ),
        ),
    ],
)
def test_a_file_holding_a_null_character_is_refused_and_nothing_is_stored(assessment, run, data):
    # PostgreSQL refuses to store text holding one: this was a server error there.
    problem = (
        "The file holds a null character (see line {}), which is not text. "
        "Save it as “CSV UTF-8” and upload it again."
    )
    line = 3 if run is import_responses else 2
    assert problems_of(lambda: run(assessment, data)) == [problem.format(line)]
    assert not Respondent.objects.exists()
    assert not Person.objects.filter(name__startswith="Ann").exists()


def test_a_file_with_a_byte_order_mark_and_columns_in_any_order_is_read(assessment):
    data = "\ufeffAnswer,Item,Basis,Respondent,Role,Sector,Layer,Organisation\r\n"
    data += "4,1.1,,P-017,chair,private,strategic,Eastvale Chamber\r\n,,,,,,,\r\n"

    import_responses(assessment, data.encode())

    assert answers_of("P-017") == {("1.1", "internal"): "4"}


def test_a_file_of_too_many_rows_is_refused(assessment, monkeypatch):
    monkeypatch.setattr(csv_rows, "MAX_ROWS", 2)
    data = csv_file(RESPONSES_HEADER, GOOD, GOOD, GOOD)

    problems = problems_of(lambda: import_responses(assessment, data))

    assert problems == ["The file has more than 2 rows. Split it into smaller files."]
