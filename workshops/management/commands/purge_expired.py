"""Delete personal data past its retention period. Meant for a daily cron job:

    30 2 * * *  cd /srv/lsp-assess && .venv/bin/python manage.py purge_expired

The period is PERSONAL_DATA_RETENTION_DAYS (730 unless set). Answers are
kept; see services.privacy.purge_expired for what goes, and
workshops.signin.purge_sign_in_records for the record of sign-ins (addresses
and accounts tried), which goes too.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from workshops.services.privacy import purge_expired, retention_cutoff
from workshops.signin import purge_sign_in_records


class Command(BaseCommand):
    help = (
        "Delete invitations (with their personal links) and workshop join records older "
        "than PERSONAL_DATA_RETENTION_DAYS, the record of sign-ins from before then, and "
        "expired sign-in sessions. Answers are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be deleted; change nothing."
        )

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        days = settings.PERSONAL_DATA_RETENTION_DAYS
        cutoff = retention_cutoff()
        self.stdout.write(
            f"Retention period: {days} days (personal data from before {cutoff:%-d %B %Y})."
        )
        counts = purge_expired(dry_run=dry_run)
        counts |= purge_sign_in_records(cutoff, dry_run=dry_run)
        verb = "would be deleted" if dry_run else "deleted"
        for what, count in counts.items():
            self.stdout.write(f"{what.capitalize()}: {count} {verb}.")
        if dry_run:
            self.stdout.write("Dry run: nothing was changed.")
        else:
            self.stdout.write(self.style.SUCCESS("Done. Answers and results are unchanged."))
