"""Remind owners of improvement actions due within a week or overdue. Meant for a daily
cron job:

    0 9 * * *  cd /srv/lsp-assess && .venv/bin/python manage.py send_action_reminders

Running it twice in a day is harmless: an action reminded within 20 hours is skipped.
"""

from __future__ import annotations

import smtplib

from django.core.management.base import BaseCommand, CommandError

from workshops.services.action_reminders import send_action_reminders


class Command(BaseCommand):
    help = "Email the owners of open improvement actions that are due soon or overdue."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=7, help="How many days ahead counts as due soon."
        )

    def handle(self, *args, days: int, **options) -> None:
        if not 0 <= days <= 365:
            raise CommandError("--days must be between 0 and 365.")
        try:
            count = send_action_reminders(days_ahead=days)
        except (smtplib.SMTPException, OSError) as exc:
            raise CommandError(f"Reminders not sent (nobody was marked reminded): {exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"{count} action reminder(s) sent."))
