"""Many executives downloading one plan PDF at once, on PostgreSQL with real transactions."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.workshops.test_plan_pdf import planned  # noqa: F401 - a fixture
from tests.workshops.test_workshop_concurrency import run_together
from workshops.models import PlanPdf
from workshops.reporting import plan_pdf_queue

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are only meaningful on PostgreSQL"
    ),
]

EXECUTIVES = 20


def signed_in_clients(user, count: int) -> list[Client]:
    clients = []
    for _ in range(count):
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


def test_twenty_executives_downloading_at_once_cause_one_render(cast, planned):  # noqa: F811
    args = [cast.partnership.pk, planned.pk]
    download, status = reverse("plan-pdf", args=args), reverse("plan-pdf-status", args=args)
    clients = signed_in_clients(cast.executive, EXECUTIVES)

    responses = run_together([lambda c=c: c.get(download) for c in clients])

    # No worker (development): the first request renders it; those that come
    # while it does are sent to wait, those that come after get the stored copy.
    job = PlanPdf.objects.get()
    assert (job.state, job.renders) == ("done", 1)
    served = [r for r in responses if r.status_code == 200]
    waiting = [r for r in responses if r.status_code == 302]
    assert len(served) + len(waiting) == EXECUTIVES, responses
    assert served and all(r.content == bytes(job.content) for r in served)
    assert all(r["Location"] == f"{status}?job={job.pk}" for r in waiting)
    assert all(c.get(download).content == bytes(job.content) for c in clients)
    job.refresh_from_db()
    assert job.renders == 1


def test_with_a_worker_no_download_renders_and_two_workers_never_share_one(
    cast,
    planned,  # noqa: F811
    settings,
):
    settings.PDF_WORKER = True
    args = [cast.partnership.pk, planned.pk]
    download, status = reverse("plan-pdf", args=args), reverse("plan-pdf-status", args=args)
    clients = signed_in_clients(cast.executive, EXECUTIVES)

    responses = run_together([lambda c=c: c.get(download) for c in clients])

    job = PlanPdf.objects.get()
    assert (job.state, job.renders) == ("pending", 0)
    waiting = f"{status}?job={job.pk}"
    assert [(r.status_code, r["Location"]) for r in responses] == [(302, waiting)] * EXECUTIVES

    # Four workers look at the queue at the same moment: one takes the PDF, the
    # others find it locked and pass it by.
    taken = run_together([plan_pdf_queue.render_next] * 4)

    assert [j.pk for j in taken if j is not None] == [job.pk], taken
    job.refresh_from_db()
    assert (job.state, job.renders) == ("done", 1)
    assert all(c.get(download).content == bytes(job.content) for c in clients)
