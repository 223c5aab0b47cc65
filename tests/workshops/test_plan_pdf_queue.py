"""One render per plan: the stored copy, the download, the waiting page and the worker."""

# planned is test_plan_pdf's fixture: pytest hands it to each test by its name.
# ruff: noqa: F811

from __future__ import annotations

import copy
import io
import time
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from tests.builders import make_assessment
from tests.workshops.test_plan_pdf import planned, text_of  # noqa: F401 - a fixture
from workshops.models import PlanPdf
from workshops.reporting import plan_pdf_queue
from workshops.services import plan as plan_service


def test_a_second_download_of_the_same_plan_is_the_stored_copy_until_the_plan_changes(
    cast, planned
):
    first = plan_pdf_queue.request(planned)
    assert first.state == PlanPdf.State.DONE and first.renders == 1
    started = time.perf_counter()
    again = plan_pdf_queue.request(planned)
    assert time.perf_counter() - started < 0.5
    assert again.pk == first.pk and bytes(again.content) == bytes(first.content)
    again.refresh_from_db()
    assert again.renders == 1
    plan_service.agree_plan(plan_service.plan_for(planned), cast.executive)
    fresh = plan_pdf_queue.request(planned)
    assert fresh.pk != first.pk and fresh.renders == 1
    assert "Version 1, agreed by the board" in " ".join(text_of(bytes(fresh.content))[1].split())
    # The copy of the plan as it was is deleted once the new one is stored.
    assert list(PlanPdf.objects.filter(assessment=planned)) == [fresh]


def test_executives_download_it_with_a_name_that_says_what_it_is(client, cast, planned):
    client.force_login(cast.executive)
    url = reverse("plan-pdf", args=[cast.partnership.pk, planned.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="eastvale-lsp-spring-2026-self-assessment-improvement-plan-draft.pdf"'
    )
    assert response.content.startswith(b"%PDF")
    large = client.get(url + "?print=large")
    assert large["Content-Disposition"].endswith('-draft-large-print.pdf"')
    # Rendered in the request (no worker in development), and kept: one each.
    stored = {job.large: job for job in PlanPdf.objects.filter(assessment=planned)}
    assert bytes(stored[False].content) == response.content
    assert bytes(stored[True].content) == large.content
    assert stored[False].renders == stored[True].renders == 1
    client.force_login(cast.participant)
    assert client.get(url).status_code == 403
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 404


# --- With a worker (PDF_WORKER on, as in production) ------------------------------------------


def urls(cast, planned, large: bool = False) -> tuple[str, str]:
    """The download, and the waiting page without the PDF it waits for."""
    query = "?print=large" if large else ""
    args = [cast.partnership.pk, planned.pk]
    return reverse("plan-pdf", args=args) + query, reverse("plan-pdf-status", args=args) + query


def run_worker(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("run_pdf_worker", "--once", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def with_worker(settings):
    settings.PDF_WORKER = True


def test_with_a_worker_a_download_waits_for_it_and_no_request_renders(
    client, cast, planned, with_worker
):
    client.force_login(cast.executive)
    download, status = urls(cast, planned, large=True)

    response = client.get(download)

    job = PlanPdf.objects.get(assessment=planned)
    assert (job.state, job.large, job.renders, bytes(job.content)) == ("pending", True, 0, b"")
    # The waiting page names the PDF it waits for.
    status += f"&job={job.pk}"
    assert response.status_code == 302 and response["Location"] == status
    page = client.get(status)
    assert page.status_code == 200
    html = page.content.decode()
    assert '<h1 class="govuk-heading-l">Your PDF is being prepared</h1>' in html
    assert f'href="{escape(status)}">Check whether it is ready</a>' in html
    assert "js/pdf_status.js" in html and 'http-equiv="refresh"' not in html
    assert '<div class="govuk-warning-text" data-pdf-slow hidden>' in html  # not yet
    polled = client.get(status, headers={"Accept": "application/json"})
    assert polled.json() == {"state": "pending", "download": download, "slow": False}
    job.refresh_from_db()
    assert job.renders == 0  # asking, however often, renders nothing

    out, err = run_worker()

    assert "Rendered Improvement plan large print PDF of" in out
    assert "1 PDF(s) rendered, 0 failed." in out and err == ""
    job.refresh_from_db()
    assert (job.state, job.renders) == ("done", 1)
    assert client.get(status, headers={"Accept": "application/json"}).json()["state"] == "done"
    page = client.get(status).content.decode()
    assert "Your PDF is ready" in page and "pdf_status.js" not in page
    assert f'href="{download}">Download the improvement plan in large print (PDF, ' in page
    assert job.size == len(job.content) and f"(PDF, {filesizeformat(job.size)})" in page
    pdf = client.get(download)
    assert pdf["Content-Type"] == "application/pdf" and pdf.content == bytes(job.content)
    assert "Large print edition" in " ".join(text_of(pdf.content)[1].split())


def test_a_pdf_waiting_for_minutes_says_something_is_wrong(client, cast, planned, with_worker):
    client.force_login(cast.executive)
    status = client.get(urls(cast, planned)[0])["Location"]
    PlanPdf.objects.update(requested_at=timezone.now() - timedelta(minutes=3))
    page = client.get(status).content.decode()
    assert "Your PDF is being prepared" in page
    assert "This is taking longer than it should." in page
    assert "data-pdf-slow>" in page  # shown
    assert client.get(status, HTTP_ACCEPT="application/json").json()["slow"] is True


def test_a_pdf_that_cannot_be_rendered_says_so_and_asking_again_tries_again(
    client, cast, planned, with_worker, settings
):
    client.force_login(cast.executive)
    download = urls(cast, planned)[0]
    status = client.get(download)["Location"]
    working = copy.deepcopy(settings.TEMPLATES)
    # A real failure of the real renderer: the report's template cannot be found.
    settings.TEMPLATES = [{**working[0], "DIRS": []}]

    out, err = run_worker()

    settings.TEMPLATES = working
    assert "0 PDF(s) rendered, 1 failed." in out
    assert "Failed to render Improvement plan PDF of" in err and "TemplateDoesNotExist" in err
    job = PlanPdf.objects.get(assessment=planned)
    assert job.state == "failed" and job.renders == 1
    assert job.error == "TemplateDoesNotExist: workshops/print/plan.html"
    page = client.get(status)
    assert page.status_code == 500
    html = page.content.decode()
    assert "The PDF could not be prepared" in html and f'href="{download}">Try again</a>' in html
    assert client.get(status, headers={"Accept": "application/json"}).json()["state"] == "failed"
    job.refresh_from_db()
    assert job.state == "failed"  # the waiting page never retries by itself

    retry = client.get(download)

    assert retry.status_code == 302 and retry["Location"] == status
    job.refresh_from_db()
    assert (job.state, job.error) == ("pending", "")
    out, _ = run_worker()
    assert "1 PDF(s) rendered, 0 failed." in out
    job.refresh_from_db()
    assert (job.state, job.renders) == ("done", 2)
    assert client.get(download).content.startswith(b"%PDF")


def test_the_worker_drops_a_pdf_whose_plan_changed_while_it_waited(
    client, cast, planned, with_worker
):
    client.force_login(cast.executive)
    download = urls(cast, planned)[0]
    status = client.get(download)["Location"]
    plan_service.agree_plan(plan_service.plan_for(planned), cast.coordinator)

    out, _ = run_worker()

    assert "0 PDF(s) rendered, 0 failed." in out
    assert not PlanPdf.objects.exists()
    # The PDF the page waited for is gone, so it asks for the plan as it is now.
    assert client.get(status, headers={"Accept": "application/json"}).json()["state"] == "pending"
    assert PlanPdf.objects.get().state == "pending"
    out, _ = run_worker()
    assert "1 PDF(s) rendered" in out
    pdf = client.get(download).content
    assert "Version 1, agreed by the board" in " ".join(text_of(pdf)[1].split())


def test_without_a_worker_the_waiting_page_renders_a_pdf_nobody_is_rendering(client, cast, planned):
    # As when the request that asked for it was cut off before it finished.
    job = plan_pdf_queue.current(planned)
    assert job.state == "pending"
    client.force_login(cast.facilitator)
    page = client.get(f"{urls(cast, planned)[1]}?job={job.pk}")
    assert page.status_code == 200 and "Your PDF is ready" in page.content.decode()
    job.refresh_from_db()
    assert (job.state, job.renders) == ("done", 1)


def test_the_waiting_page_is_for_those_who_may_read_the_plan(client, cast, planned):
    status = urls(cast, planned)[1]
    client.force_login(cast.participant)
    assert client.get(status).status_code == 403
    client.force_login(cast.outsider)
    assert client.get(status).status_code == 404
    client.force_login(cast.executive)
    assert client.post(status).status_code == 405
    assert not PlanPdf.objects.exists()


def test_each_check_of_the_waiting_page_is_a_look_up_of_its_pdf(
    client, cast, planned, with_worker, django_assert_max_num_queries
):
    client.force_login(cast.executive)
    status = client.get(urls(cast, planned)[0])["Location"]
    # Session, account, membership and assessment, the PDF: nothing about the plan's contents.
    with django_assert_max_num_queries(5):
        polled = client.get(status, headers={"Accept": "application/json"})
    assert polled.json()["state"] == "pending"


def test_the_waiting_page_never_reports_another_assessments_pdf(client, cast, planned, with_worker):
    other = make_assessment(cast, title="Another round")
    theirs = plan_pdf_queue.current(other)
    PlanPdf.objects.filter(pk=theirs.pk).update(state="done")
    client.force_login(cast.executive)
    waiting = urls(cast, planned)[1]
    for job in [str(theirs.pk), "999999", "9" * 30, "1 OR 1=1"]:
        polled = client.get(waiting, {"job": job}, headers={"Accept": "application/json"})
        assert polled.json()["state"] == "pending"
    # Each fell back to the plan's own PDF, asked for once.
    assert PlanPdf.objects.filter(assessment=planned).count() == 1


def test_the_worker_refuses_a_silly_polling_interval():
    with pytest.raises(CommandError, match="--poll must be between"):
        call_command("run_pdf_worker", "--once", "--poll", "0")
