"""Render improvement plan PDFs that downloads have asked for (with PDF_WORKER on).

Run one or more beside the app servers, under the same settings, e.g. as a
systemd service:

    .venv/bin/python manage.py run_pdf_worker

Each claims the oldest waiting PDF that no other worker has, renders it and
stores it, so any number may run on any machine that reaches the database.
SIGTERM or Ctrl+C lets the render under way finish first. ``--once`` renders
whatever is waiting and stops, for a test or a one-off catch-up.
"""

from __future__ import annotations

import logging
import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections

from workshops.models import PlanPdf
from workshops.reporting.plan_pdf import render_next

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Render the improvement plan PDFs that are waiting, and go on waiting for more."

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
        rendered = failed = 0
        while not self.stopping:
            if not once:
                # A long-running process outside requests: nothing else closes a
                # connection the server has dropped, or one older than CONN_MAX_AGE.
                close_old_connections()
            try:
                job = render_next()
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
            if job.state == PlanPdf.State.DONE:
                rendered += 1
                waited = (job.finished_at - job.requested_at).total_seconds()
                self.stdout.write(f"Rendered {job}, {waited:.1f} s after it was asked for.")
            else:
                failed += 1
                self.stderr.write(f"Failed to render {job}: {job.error}")
        self.stdout.write(f"{rendered} PDF(s) rendered, {failed} failed.")

    def _stop(self, signum, frame) -> None:
        # The render under way finishes and is stored; then the loop ends.
        self.stopping = True
