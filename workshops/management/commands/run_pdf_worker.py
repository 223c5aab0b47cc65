"""Render improvement plan PDFs that downloads have asked for, and run big CSV imports
(with PDF_WORKER on).

Run one or more beside the app servers, under the same settings, e.g. as a
systemd service:

    .venv/bin/python manage.py run_pdf_worker

Each claims the oldest waiting PDF that no other worker has, renders it and
stores it, then likewise the oldest waiting import (services.import_jobs), so
any number may run on any machine that reaches the database. PDFs go first:
they take seconds and someone is watching the download start. SIGTERM or
Ctrl+C lets the job under way finish first. ``--once`` does whatever is
waiting and stops, for a test or a one-off catch-up.
"""

from __future__ import annotations

import logging
import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections

from workshops.models import ImportJob, PlanPdf
from workshops.reporting.plan_pdf_queue import render_next
from workshops.services import import_jobs

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Render the improvement plan PDFs and run the big imports that are waiting, "
        "and go on waiting for more."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="Render what is waiting now, then stop."
        )
        parser.add_argument(
            "--poll",
            type=float,
            default=1.0,
            help="Seconds between looks at the queue when it is empty (default 1).",
        )

    def handle(self, *args, once: bool, poll: float, **options) -> None:
        if not 0.05 <= poll <= 60:
            raise CommandError("--poll must be between 0.05 and 60 seconds.")
        self.stopping = False
        if not once:
            signal.signal(signal.SIGTERM, self._stop)
            signal.signal(signal.SIGINT, self._stop)
            self.stdout.write(f"Waiting for improvement plan PDFs to render (every {poll:g} s).")
        rendered = failed = imported = 0
        while not self.stopping:
            if not once:
                # A long-running process outside requests: nothing else closes a
                # connection the server has dropped, or one older than CONN_MAX_AGE.
                close_old_connections()
            try:
                job = render_next() or import_jobs.run_next()
            except DatabaseError as exc:
                if once:
                    raise CommandError(f"The database is not answering: {exc}") from exc
                logger.warning("PDF worker: database unavailable, trying again: %s", exc)
                time.sleep(min(poll * 5, 30))
                continue
            if job is None:
                if once:
                    break
                time.sleep(poll)
                continue
            if isinstance(job, ImportJob):
                imported += 1
                self.stdout.write(f"{job}: {job.get_state_display().lower()}.")
            elif job.state == PlanPdf.State.DONE:
                rendered += 1
                waited = (job.finished_at - job.requested_at).total_seconds()
                self.stdout.write(f"Rendered {job}, {waited:.1f} s after it was asked for.")
            else:
                failed += 1
                self.stderr.write(f"Failed to render {job}: {job.error}")
        self.stdout.write(f"{rendered} PDF(s) rendered, {failed} failed. {imported} import(s) run.")

    def _stop(self, signum, frame) -> None:
        # The job under way finishes and is stored; then the loop ends.
        self.stopping = True
