"""The improvement plan as a PDF report: the results that led to it and the plan itself.

Rendered by WeasyPrint from templates/workshops/print/plan.html through the
safe fetcher in reporting.pdf, as a tagged PDF (PDF/UA-1) for screen readers,
in standard or large print.

A rendered file is kept (a ``PlanPdf`` row) under a fingerprint of everything
it shows, so a second download of the same plan is immediate and many
downloads at once cause one render. With ``PDF_WORKER`` on, requests only ask
for the render and ``manage.py run_pdf_worker`` does it, so no app server
worker is held for one.
"""

from __future__ import annotations

import base64
import hashlib
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from workshops.models import Action, Answer, Assessment, PlanPdf
from workshops.reporting import charts
from workshops.reporting.pdf import render_pdf
from workshops.services import plan as plan_service
from workshops.services import results as results_service
from workshops.services.chart_inputs import chart_inputs

logger = logging.getLogger(__name__)


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def plan_context(assessment: Assessment, *, large: bool = False) -> dict:
    results = results_service.results_for(assessment, settings.MIN_GROUP_SIZE)
    plan = plan_service.plan_for(assessment)
    actions = list(
        assessment.actions.in_plan()
        .select_related("owner", "owner_person")
        .prefetch_related("sections", "progress")
        .order_by("due_on", "pk")
    )
    today = timezone.localdate()
    elements, heat_rows = chart_inputs(assessment)
    scored = [e for e in results.elements if e.section.is_element and e.headline[0] is not None]
    ratings = [r for r in results.ratings if r.mean is not None and r.basis == results.bases[0]]
    ratings.sort(key=lambda r: (r.mean, r.item.position))
    return {
        "assessment": assessment,
        "partnership": assessment.partnership,
        "results": results,
        "plan": plan,
        "priorities": list(plan.priorities.filter(dropped=False)),
        "actions": actions,
        "withdrawn": list(assessment.actions.filter(status=Action.Status.WITHDRAWN)),
        "overdue": {a.pk for a in actions if a.is_overdue(today)},
        "strongest": sorted(scored, key=lambda e: -e.headline[0])[:3],
        "weakest": sorted(scored, key=lambda e: e.headline[0])[:3],
        "highest_items": ratings[::-1][:5],
        "lowest_items": ratings[:5],
        "gaps": (results.rating_gaps + results.yes_no_gaps)[:12],
        "seven_s": _data_uri(charts.seven_s_chart(elements, title="The 7S chart")),
        "heat_map": _data_uri(charts.heat_map(heat_rows, title="Heat map")),
        "large": large,
        "generated": timezone.localtime(),
    }


def plan_html(assessment: Assessment, *, large: bool = False) -> str:
    return render_to_string("workshops/print/plan.html", plan_context(assessment, large=large))


def fingerprint(assessment: Assessment) -> str:
    """Changes whenever anything the report shows may have changed."""
    plan = plan_service.plan_for(assessment)
    actions = assessment.actions.aggregate(Max("updated_at"), Count("id"))
    answers = Answer.objects.filter(respondent__assessment=assessment).aggregate(
        Max("updated_at"), Count("id")
    )
    priorities = list(plan.priorities.values_list("pk", "rank", "votes", "dropped", "text"))
    consensus = assessment.workshops.aggregate(Max("agenda__agreed_at"))
    parts = [plan.version, plan.updated_at, actions, answers, priorities, consensus]
    parts += [assessment.partnership.name, assessment.title, settings.MIN_GROUP_SIZE]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


def render_plan_pdf(assessment: Assessment, *, large: bool = False) -> bytes:
    """The plan as a PDF, rendered now: a second or two of CPU for a full plan."""
    return render_pdf(plan_html(assessment, large=large))


# --- One render per plan, off the request path ------------------------------------------------


def current(assessment: Assessment, *, large: bool = False) -> PlanPdf:
    """The PDF of the plan as it is now: ready, failed, or asked for by this call.

    However many ask at the same moment, there is one row: the unique
    constraint turns every other insert into a read of the first.
    """
    # The content is read only by the download, not by every look at the state.
    job, _ = PlanPdf.objects.defer("content").get_or_create(
        assessment=assessment, large=large, fingerprint=fingerprint(assessment)
    )
    return job


def request(assessment: Assessment, *, large: bool = False) -> PlanPdf:
    """What a download asks for: the current PDF, tried again if it failed.

    Without a worker (``PDF_WORKER`` off, as in development) the PDF is
    rendered here, unless another request is rendering it already; then the
    row comes back pending and the caller waits as it would for a worker.
    """
    job = current(assessment, large=large)
    if job.state == PlanPdf.State.FAILED:
        # Someone asked again after a failure: that is the retry.
        PlanPdf.objects.filter(pk=job.pk, state=PlanPdf.State.FAILED).update(
            state=PlanPdf.State.PENDING, error="", requested_at=timezone.now()
        )
        job.refresh_from_db()
    if job.state == PlanPdf.State.PENDING and not settings.PDF_WORKER:
        render_pending(PlanPdf.objects.filter(pk=job.pk))
        job.refresh_from_db()
    return job


def check(assessment: Assessment, *, large: bool = False, job_id: str = "") -> PlanPdf:
    """What the waiting page shows: the PDF it waits for, never retried after a failure.

    The page names the row it waits for (``job_id``), so each of its checks
    is one look-up by key; the plan's fingerprint (a handful of aggregates) is
    worked out again only when that row has gone, because the worker found the
    plan had changed. Without a worker a pending PDF is rendered here if
    nobody else is rendering it (say, the request that asked for it was cut off).
    """
    job = None
    if job_id.isascii() and job_id.isdigit() and len(job_id) < 19:  # a bigint, not a 500
        job = assessment.plan_pdfs.defer("content").filter(pk=job_id, large=large).first()
    if job is None:
        job = current(assessment, large=large)
    if job.state == PlanPdf.State.PENDING and not settings.PDF_WORKER:
        job = render_pending(PlanPdf.objects.filter(pk=job.pk)) or job
    return job


def render_pending(queryset: QuerySet[PlanPdf]) -> PlanPdf | None:
    """Render the oldest pending PDF of ``queryset`` here, unless another process has it.

    Returns it (done, or failed with the reason), or None when there is none
    free. The row stays locked until the render is stored, so a second worker
    or request skips it instead of rendering it again.
    """
    with transaction.atomic():
        job = _claim(queryset)
        if job is None:
            return None
        _render(job)
    if job.state == PlanPdf.State.DONE:
        _drop_superseded(job)
    return job


def render_next() -> PlanPdf | None:
    """The worker's step: render the oldest pending PDF nobody else is rendering.

    One whose plan has changed since it was asked for is deleted unrendered:
    the waiting page, finding it gone, asks for the plan as it is now, so
    whoever was waiting for it is then waiting for the new one.
    """
    while True:
        with transaction.atomic():
            job = _claim(PlanPdf.objects.all())
            if job is None:
                return None
            if job.fingerprint != fingerprint(job.assessment):
                job.delete()
                continue
            _render(job)
        if job.state == PlanPdf.State.DONE:
            _drop_superseded(job)
        return job


def _claim(queryset: QuerySet[PlanPdf]) -> PlanPdf | None:
    # "of self": lock the PDF's row only, never the assessment or partnership
    # joined in for the render.
    return (
        queryset.select_for_update(skip_locked=True, of=("self",))
        .filter(state=PlanPdf.State.PENDING)
        .select_related("assessment__partnership")
        .defer("content")
        .order_by("requested_at", "pk")
        .first()
    )


def _render(job: PlanPdf) -> None:
    """Render a claimed PDF and store the outcome; a failure is recorded, never raised."""
    job.renders += 1
    try:
        # A savepoint, so a render that fails part way still lets the outcome be stored.
        with transaction.atomic():
            job.content = render_plan_pdf(job.assessment, large=job.large)
            job.size = len(job.content)
    except Exception as exc:  # noqa: BLE001 - any failure is recorded; the queue goes on
        logger.exception("Could not render the improvement plan PDF %s", job.pk)
        job.state, job.error, job.content, job.size = PlanPdf.State.FAILED, _reason(exc), b"", 0
    else:
        job.state, job.error = PlanPdf.State.DONE, ""
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "content", "size", "error", "renders", "finished_at"])


def _reason(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def _drop_superseded(job: PlanPdf) -> None:
    """Delete the earlier PDFs of the same plan and size: nobody will be sent them again.

    (Downloads ask for the plan's current fingerprint, so only a plan changed
    back to exactly how it was would ask for one again, and it would be
    rendered anew.) A row another worker is rendering is left; the plan's next
    render deletes it.
    """
    with transaction.atomic():
        older = (
            PlanPdf.objects.select_for_update(skip_locked=True)
            .filter(
                assessment_id=job.assessment_id, large=job.large, requested_at__lt=job.requested_at
            )
            .exclude(pk=job.pk)
            .values_list("pk", flat=True)
        )
        PlanPdf.objects.filter(pk__in=list(older)).delete()
