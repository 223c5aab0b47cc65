"""The pages where a coordinator uploads a CSV file: workshops/views/imports.py."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.conftest import Cast
from tests.workshops.import_helpers import (
    GOOD,
    INVITEE,
    INVITEES_HEADER,
    RESPONSES_HEADER,
    answers_of,
    csv_file,
    row_with,
)
from workshops.models import Invitation, Respondent


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
