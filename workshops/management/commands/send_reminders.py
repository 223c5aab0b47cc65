"""Remind everyone who has not finished an open assessment. Meant for a daily cron job:

    0 9 * * *  cd /srv/lsp-assess && .venv/bin/python manage.py send_reminders

Running it twice in a day is harmless: services.assessment.send_reminders skips
anyone invited or reminded within the last 20 hours.
"""

from __future__ import annotations

import smtplib

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from workshops.models import Assessment
from workshops.services.assessment import send_reminders


class Command(BaseCommand):
    help = "Email a reminder to every invitee who has not finished an assessment open today."

    def handle(self, *args, **options) -> None:
        today = timezone.localdate()
        # The same rule as Assessment.status() == "open", asked of the database.
        assessments = Assessment.objects.filter(
            opens_on__lte=today, closes_on__gte=today
        ).select_related("partnership")
        total, failed = 0, []
        for assessment in assessments.order_by("partnership__name", "pk"):
            name = f"{assessment.partnership}: {assessment}"
            try:
                count = send_reminders(assessment)
            except (smtplib.SMTPException, OSError) as exc:
                # One refused batch must not stop the other partnerships' reminders;
                # nobody in it is marked reminded, so tomorrow's run tries again.
                failed.append(name)
                self.stderr.write(f"{name}: reminders not sent: {exc}")
                continue
            total += count
            self.stdout.write(f"{name}: {_reminders(count)}")
        self.stdout.write(self.style.SUCCESS(f"{_reminders(total)} sent in all."))
        if failed:
            raise CommandError(f"Reminders could not be sent for {len(failed)} assessment(s).")


def _reminders(count: int) -> str:
    return f"{count} reminder{'' if count == 1 else 's'}"
