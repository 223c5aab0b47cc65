"""Imports too big for a request: queued as an ``ImportJob`` and run by the worker.

A file of more than IMPORT_INLINE_ROWS rows (50,000 invitees take longer than
an app server gives a request) is checked for its shape in the request, stored
as a job, and imported by ``manage.py run_pdf_worker``, which claims jobs the
way it claims PDFs. The coordinator watches a progress page. The rules are the
import's own: a file with any bad row is refused whole, with line numbers.

Without a worker (``PDF_WORKER`` off, as in development) the job is run at
once, in the request, and the page shows its outcome.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from workshops import audit
from workshops.models import Assessment, ImportJob, User
from workshops.services import csv_rows, import_invitees, import_network, import_responses

logger = logging.getLogger(__name__)

Result = (
    import_invitees.InviteeResult | import_responses.ResponseResult | import_network.NetworkResult
)

COLUMNS = {
    ImportJob.Kind.INVITEES: import_invitees.INVITEE_COLUMNS,
    ImportJob.Kind.RESPONSES: import_responses.RESPONSE_COLUMNS,
}


def start(
    assessment: Assessment, kind: str, data: bytes, user: User, *, by: User | None = None
) -> Result | ImportJob:
    """Import the file now if it is small, or queue it; raises ImportProblems when
    the file as a whole cannot be read (a bad row of a big file is the job's to find).

    ``by`` puts a file imported now in the audit log; a queued one is logged when it
    has run, against whoever uploaded it."""
    columns = COLUMNS[kind]
    if kind == ImportJob.Kind.RESPONSES and import_network.is_network_file(data):
        columns = import_network.NETWORK_COLUMNS
    rows, _ = csv_rows.read_rows(data, columns)
    if len(rows) <= settings.IMPORT_INLINE_ROWS:
        return run_import(assessment, kind, data, user, by=by)
    job = _queue(assessment, kind, data, user, len(rows))
    if not settings.PDF_WORKER and job.state == ImportJob.State.PENDING:
        run(job)
    return job


def run_import(
    assessment: Assessment,
    kind: str,
    data: bytes,
    user: User | None,
    progress: csv_rows.Progress = csv_rows.no_progress,
    *,
    by: User | None = None,
) -> Result:
    if kind == ImportJob.Kind.INVITEES:
        result = import_invitees.import_invitees(assessment, data, progress=progress)
        action = "import.invitees"
        counts = {
            "created": result.created,
            "updated": result.updated,
            "invited": result.invited,
            "emailed": result.emailed,
        }
    else:
        result = import_responses.import_responses(
            assessment, data, entered_by=user, progress=progress
        )
        network = isinstance(result, import_network.NetworkResult)
        action = "import.network" if network else "import.responses"
        counts = {
            "created": result.respondents_created,
            "existing": result.respondents_existing,
            "answers": result.answers,
        }
    audit.record(
        action,
        by=by,
        partnership=assessment.partnership,
        target=f"Assessment “{assessment}”",
        data={"assessment": assessment.pk, **counts},
    )
    return result


def _queue(assessment: Assessment, kind: str, data: bytes, user: User, rows: int) -> ImportJob:
    digest = hashlib.sha256(data).hexdigest()
    try:
        with transaction.atomic():
            return ImportJob.objects.create(
                assessment=assessment,
                kind=kind,
                data=data.decode("utf-8-sig"),
                digest=digest,
                rows=rows,
                created_by=user,
            )
    except IntegrityError:
        # The same file posted again (a double click) while the first is unfinished.
        return assessment.import_jobs.get(
            kind=kind, digest=digest, state__in=[ImportJob.State.PENDING, ImportJob.State.RUNNING]
        )


def claim_next() -> ImportJob | None:
    """The oldest job waiting (or whose worker died), marked running by this worker.

    Claimed in a short transaction of its own: the import then commits its rows
    in transactions of its own, which it could not inside one holding the claim.
    """
    now = timezone.now()
    waiting = Q(state=ImportJob.State.PENDING) | Q(
        state=ImportJob.State.RUNNING, started_at__lt=now - ImportJob.STALE
    )
    with transaction.atomic():
        job = (
            ImportJob.objects.filter(waiting)
            .order_by("created_at", "pk")
            .select_for_update(skip_locked=True)
            .first()
        )
        if job is None:
            return None
        ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.RUNNING, started_at=now)
    job.refresh_from_db()
    return job


def run_next() -> ImportJob | None:
    """Claim and run the oldest waiting job; None when there is none."""
    job = claim_next()
    if job is not None:
        run(job)
    return job


def run(job: ImportJob) -> ImportJob:
    """Import the job's file, keeping its row up to date for the progress page."""
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJob.State.RUNNING, started_at=job.started_at or timezone.now()
    )

    def progress(**counts: object) -> None:
        ImportJob.objects.filter(pk=job.pk).update(**counts)

    outcome: dict[str, object] = {"state": ImportJob.State.DONE}
    try:
        result = run_import(
            job.assessment,
            job.kind,
            job.data.encode(),
            job.created_by,
            progress=progress,
            by=job.created_by,
        )
    except csv_rows.ImportProblems as exc:
        outcome = {"state": ImportJob.State.FAILED, "problems": exc.problems}
    except Exception:
        # Whatever went wrong, the coordinator is told, and the worker goes on.
        logger.exception("Import job %s failed", job.pk)
        outcome = {
            "state": ImportJob.State.FAILED,
            "problems": [
                "Something went wrong while importing the file. Nothing was stored. "
                "Try again, or tell the site’s administrators."
            ],
        }
    else:
        outcome["summary"] = result.summary
        outcome["warning"] = result.warning or ""
    # The file held names and addresses: what was stored is what counts now.
    ImportJob.objects.filter(pk=job.pk).update(
        data="", step=ImportJob.Step.FINISHED, finished_at=timezone.now(), **outcome
    )
    job.refresh_from_db()
    return job
