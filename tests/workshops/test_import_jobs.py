"""Big imports run off the request: a job the worker runs, a page that shows progress
and then the outcome, with the same rules as an import in the request."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from workshops.models import ImportJob, Person

HEADER = "name,email,organisation,role,layer"


def rows(count: int) -> list[str]:
    return [
        f"Person {n},person{n}@example.org,Eastvale District Council,chair,strategic"
        for n in range(count)
    ]


def upload(lines: list[str]) -> SimpleUploadedFile:
    return SimpleUploadedFile("people.csv", "\n".join([HEADER, *lines]).encode(), "text/csv")


@pytest.fixture
def big(settings):
    """Files of more than five rows are big; a worker runs."""
    settings.IMPORT_INLINE_ROWS = 5
    settings.PDF_WORKER = True


def post(client, assessment, lines: list[str], **kwargs):
    url = reverse("invitees-import", args=[assessment.partnership_id, assessment.pk])
    return client.post(url, {"file": upload(lines)}, **kwargs)


def run_worker() -> str:
    out = StringIO()
    call_command("run_pdf_worker", "--once", stdout=out, stderr=StringIO())
    return out.getvalue()


def test_a_big_import_is_a_job_the_worker_runs_while_the_page_shows_progress(
    client, cast, assessment, big, mailoutbox
):
    client.force_login(cast.coordinator)
    response = post(client, assessment, rows(8))
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()

    page = client.get(job.get_absolute_url()).content.decode()
    assert "Importing the file" in page and "The file has 8 rows" in page
    assert "Waiting for its turn." in page
    assert f'href="{job.get_absolute_url()}">Check progress</a>' in page
    assert "js/import_status.js" in page and "http-equiv" not in page
    status = client.get(job.get_absolute_url(), headers={"accept": "application/json"}).json()
    assert status["state"] == "pending"
    assert not Person.objects.filter(email__startswith="person").exists() and mailoutbox == []

    assert "Import of people to invite to Spring 2026 self-assessment: imported." in run_worker()

    page = client.get(job.get_absolute_url()).content.decode()
    assert "The file is imported" in page
    assert "8 people added and 0 people updated; 8 newly invited and 8 emails sent." in page
    assert "import_status.js" not in page
    assert Person.objects.filter(email__startswith="person").count() == 8
    assert len(mailoutbox) == 8
    job.refresh_from_db()
    assert (job.state, job.step, job.emails_sent, job.data) == ("done", "finished", 8, "")


def test_a_bad_big_file_is_refused_whole_with_line_numbers(client, cast, assessment, big):
    client.force_login(cast.coordinator)
    lines = rows(8)
    lines[3] = "Person 3,not-an-email,Eastvale District Council,chair,strategic"
    lines[6] = "Person 6,person6@example.org,Nowhere Council,chair,strategic"
    job_url = post(client, assessment, lines)["Location"]
    run_worker()

    page = client.get(job_url).content.decode()
    assert "The file was not imported" in page
    assert "Line 5: email &#x27;not-an-email&#x27; is not valid." in page
    assert "Line 8: organisation &#x27;Nowhere Council&#x27; is not in Eastvale LSP" in page
    assert not Person.objects.filter(name__startswith="Person").exists()
    assert ImportJob.objects.get().state == "failed"


def test_a_big_file_that_cannot_be_read_is_refused_at_once(client, cast, assessment, big):
    client.force_login(cast.coordinator)
    url = reverse("invitees-import", args=[assessment.partnership_id, assessment.pk])
    data = "\n".join(["name,email", *rows(8)]).encode()
    response = client.post(url, {"file": SimpleUploadedFile("p.csv", data, "text/csv")})
    assert response.status_code == 200
    assert "Line 1: the header must be name,email,organisation,role,layer" in (
        response.content.decode()
    )
    assert not ImportJob.objects.exists()


def test_posting_the_same_big_file_twice_makes_one_job(client, cast, assessment, big, mailoutbox):
    client.force_login(cast.coordinator)
    first = post(client, assessment, rows(8))
    second = post(client, assessment, rows(8))
    assert first["Location"] == second["Location"]
    assert ImportJob.objects.count() == 1
    run_worker()
    assert len(mailoutbox) == 8


def test_without_a_worker_a_big_import_runs_at_once(client, cast, assessment, big, settings):
    settings.PDF_WORKER = False
    client.force_login(cast.coordinator)
    page = post(client, assessment, rows(8), follow=True).content.decode()
    assert "The file is imported" in page
    assert Person.objects.filter(email__startswith="person").count() == 8


def test_small_imports_stay_in_the_request(client, cast, assessment, big, mailoutbox):
    client.force_login(cast.coordinator)
    response = post(client, assessment, rows(5))
    assert response["Location"] == assessment.get_absolute_url()
    assert not ImportJob.objects.exists() and len(mailoutbox) == 5


def test_another_partnership_cannot_see_the_job_and_a_participant_may_not(
    client, cast, assessment, big
):
    client.force_login(cast.coordinator)
    job_url = post(client, assessment, rows(8))["Location"]
    client.force_login(cast.outsider)
    assert client.get(job_url).status_code == 404
    client.force_login(cast.participant)
    assert client.get(job_url).status_code == 403
