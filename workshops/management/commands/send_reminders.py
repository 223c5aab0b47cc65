"""Remind everyone who has not finished an open assessment. Meant for a daily cron job:

    0 9 * * *  cd /srv/lsp-assess && .venv/bin/python manage.py send_reminders

Running it twice in a day is harmless: services.assessment.send_reminders skips
anyone invited or reminded within the last 20 hours. Reminders the mail server
refuses are tried again by ``send_waiting_emails``.
"""

from __future__ import annotations

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
            delivery = send_reminders(assessment)
            if delivery.failed:
                # One refused batch does not stop the other partnerships' reminders;
                # send_waiting_emails tries the refused ones again.
                failed.append(name)
                self.stderr.write(
                    f"{name}: {_reminders(delivery.failed)} not sent: {delivery.reason}"
                )
            total += delivery.sent
            self.stdout.write(f"{name}: {_reminders(delivery.sent)}")
        self.stdout.write(self.style.SUCCESS(f"{_reminders(total)} sent in all."))
        if failed:
            raise CommandError(
                f"Reminders could not be sent for {len(failed)} assessment(s); "
                "send_waiting_emails tries them again."
            )


def _reminders(count: int) -> str:
    return f"{count} reminder{'' if count == 1 else 's'}"
