"""Send again the emails the mail server refused. Meant for cron, every few minutes:

    */10 * * * *  cd /srv/lsp-assess && .venv/bin/python manage.py send_waiting_emails

Each email that failed is tried again with a new link (the link of an email that
failed was never seen), up to services.mail.MAX_ATTEMPTS times in all. Two runs
at once send each email once.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from workshops.services.mail import retry_failed


class Command(BaseCommand):
    help = "Send again the invitation and reminder emails the mail server refused."

    def handle(self, *args, **options) -> None:
        delivery = retry_failed()
        self.stdout.write(
            f"{delivery.sent} email(s) sent, {delivery.failed} failed, "
            f"{delivery.cancelled} no longer needed."
        )
        if delivery.failed:
            raise CommandError(f"The mail server still refuses: {delivery.reason}")
