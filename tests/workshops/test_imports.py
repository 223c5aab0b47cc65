from __future__ import annotations

import io
import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.conftest import Cast
from workshops.forms.questionnaire import MAX_TEXT
from workshops.models import Answer, Invitation, Person, Respondent
from workshops.services import imports
from workshops.services.imports import ImportProblems, import_invitees, import_responses

RESPONSES_HEADER = "respondent,role,sector,layer,organisation,item,basis,answer"
INVITEES_HEADER = "name,email,organisation,role,layer"
# A good answer row, to put before a bad one so the bad one is on line 3.
GOOD = "P-017,board_member,public,strategic,Eastvale District Council,1.1,internal,3"


def csv_file(header: str, *rows: str) -> bytes:
    return "\n".join([header, *rows]).encode()


def problems_of(call) -> list[str]:
    with pytest.raises(ImportProblems) as raised:
        call()
    return raised.value.problems


def answers_of(reference: str) -> dict[tuple[str, str], str]:
    return {
        (a.item.key, a.basis): a.value
        for a in Answer.objects.filter(respondent__reference=reference).select_related("item")
    }


# Responses --------------------------------------------------------------------


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


def row_with(**changes: str) -> str:
    cells = dict(zip(RESPONSES_HEADER.split(","), GOOD.split(","), strict=True))
    return ",".join({**cells, **changes}.values())


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
    monkeypatch.setattr(imports, "MAX_ROWS", 2)
    data = csv_file(RESPONSES_HEADER, GOOD, GOOD, GOOD)

    problems = problems_of(lambda: import_responses(assessment, data))

    assert problems == ["The file has more than 2 rows. Split it into smaller files."]


def test_answers_are_imported_after_the_assessment_has_closed(assessment):
    assessment.opens_on = assessment.closes_on = assessment.opens_on.replace(year=2020)
    assessment.save()

    import_responses(assessment, csv_file(RESPONSES_HEADER, GOOD))

    assert answers_of("P-017") == {("1.1", "internal"): "3"}


# Invitees ---------------------------------------------------------------------


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


INVITEE = "Ann Lee,ann@example.org,Eastvale District Council,chair,strategic"


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


# The pages --------------------------------------------------------------------


def url(name: str, assessment) -> str:
    return reverse(name, args=[assessment.partnership_id, assessment.pk])


def upload(content: bytes, name: str = "answers.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


@pytest.mark.parametrize(
    "name, columns",
    [("responses-import", RESPONSES_HEADER), ("invitees-import", INVITEES_HEADER)],
)
def test_the_import_page_describes_the_format(client, cast: Cast, assessment, name, columns):
    client.force_login(cast.coordinator)

    page = client.get(url(name, assessment)).content.decode()

    assert columns in page
    assert 'enctype="multipart/form-data"' in page
    assert 'type="file"' in page
    assert "board_member" in page


def test_a_coordinator_imports_answers_and_returns_to_the_assessment(
    client, cast: Cast, assessment
):
    client.force_login(cast.coordinator)

    response = client.post(
        url("responses-import", assessment), {"file": upload(csv_file(RESPONSES_HEADER, GOOD))}
    )

    assert response.status_code == 302
    assert response["Location"] == assessment.get_absolute_url()
    page = client.get(response["Location"]).content.decode()
    assert "1 answer from 1 respondent imported" in page
    assert Respondent.objects.get().entered_by == cast.coordinator
    assert answers_of("P-017") == {("1.1", "internal"): "3"}


def test_the_import_page_lists_every_problem_and_stores_nothing(client, cast: Cast, assessment):
    client.force_login(cast.coordinator)
    data = csv_file(RESPONSES_HEADER, GOOD, row_with(answer="9"), row_with(item="9.9"))

    response = client.post(url("responses-import", assessment), {"file": upload(data)})

    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "The file has 2 problems, so nothing was imported" in page
    assert "Line 3: answer &#x27;9&#x27; to 1.1 is not one of: 1, 2, 3, 4, dont_know." in page
    assert "Line 4: item &#x27;9.9&#x27; is not a question of this assessment." in page
    assert not Respondent.objects.exists()


@pytest.mark.parametrize(
    "data, error",
    [
        ({}, "Choose a CSV file to upload"),
        ({"file": upload(b"")}, "The file is empty"),
        ({"file": upload(b"x" * (5 * 1024 * 1024 + 1))}, "The file must be smaller than 5 MB"),
    ],
)
def test_the_upload_itself_is_checked(client, cast: Cast, assessment, data, error):
    client.force_login(cast.coordinator)

    response = client.post(url("responses-import", assessment), data)

    assert response.status_code == 200
    assert error in response.content.decode()


def test_a_coordinator_imports_invitees_who_are_emailed(client, cast: Cast, assessment, mailoutbox):
    client.force_login(cast.coordinator)

    response = client.post(
        url("invitees-import", assessment),
        {"file": upload(csv_file(INVITEES_HEADER, INVITEE), "people.csv")},
    )

    assert response.status_code == 302
    assert response["Location"] == assessment.get_absolute_url()
    assert [m.to for m in mailoutbox] == [["ann@example.org"]]
    assert assessment.invitations.get().person.name == "Ann Lee"


def test_the_invitee_page_lists_the_problems(client, cast: Cast, assessment, mailoutbox):
    client.force_login(cast.coordinator)
    data = csv_file(INVITEES_HEADER, "Bo Ng,bo@example,Eastvale District Council,chair,strategic")

    response = client.post(url("invitees-import", assessment), {"file": upload(data)})

    assert response.status_code == 200
    assert "Line 2: email &#x27;bo@example&#x27; is not valid." in response.content.decode()
    assert mailoutbox == []


FILES = {
    "responses-import": csv_file(RESPONSES_HEADER, GOOD),
    "invitees-import": csv_file(INVITEES_HEADER, INVITEE),
}


@pytest.mark.parametrize("name", FILES)
def test_a_participant_may_not_import(client, cast: Cast, assessment, name, mailoutbox):
    client.force_login(cast.participant)

    response = client.post(url(name, assessment), {"file": upload(FILES[name])})

    assert response.status_code == 403
    assert not Respondent.objects.exists()
    assert not Invitation.objects.exists()
    assert mailoutbox == []


@pytest.mark.parametrize("name", FILES)
def test_an_outsider_cannot_find_the_import_page(client, cast: Cast, assessment, name, mailoutbox):
    client.force_login(cast.outsider)

    response = client.post(url(name, assessment), {"file": upload(FILES[name])})

    assert response.status_code == 404
    assert "Eastvale" not in response.content.decode()
    assert not Respondent.objects.exists()
    assert not Invitation.objects.exists()
    assert mailoutbox == []


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


@pytest.mark.parametrize(
    "name, columns",
    [("responses-import", RESPONSES_HEADER), ("invitees-import", INVITEES_HEADER)],
)
def test_a_file_with_60000_columns_is_refused_at_once(
    client, cast: Cast, assessment, name, columns
):
    # 240 KB: once, checking its header took a worker half a minute.
    wide = ",".join(["x"] * 60_000)
    data = csv_file(wide, wide)
    assert 230_000 < len(data) < 250_000
    client.force_login(cast.coordinator)
    started = time.perf_counter()
    response = client.post(url(name, assessment), {"file": upload(data)})
    seconds = time.perf_counter() - started
    assert response.status_code == 200
    count = len(columns.split(","))
    assert (
        f"Line 1: the file has 60,000 columns, but the format has {count}: {columns}."
        in response.content.decode()
    )
    assert seconds < 1, f"took {seconds:.2f} s"
    assert not Respondent.objects.exists() and not Invitation.objects.exists()
