import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from workshops.models import Partnership
from workshops.services.backup import BackupError, summary_of
from workshops.services.backup_export import write_backup

SENSITIVE = (
    "The file holds personal data and the password hashes of the partnership's accounts "
    "(so that people can sign in again after a restore): keep it as securely as the "
    "database itself, and delete copies that are no longer needed."
)


class Command(BaseCommand):
    help = (
        "Write one partnership (people, assessments, answers, workshops, plans and their "
        "history) to a JSON file that import_partnership loads into another installation. "
        + SENSITIVE
    )

    def add_arguments(self, parser):
        parser.add_argument("partnership", type=int, help="The id of the partnership.")
        parser.add_argument(
            "--output",
            type=Path,
            help="The file to write (readable by its owner only). Default: standard output.",
        )

    def handle(self, *args, partnership: int, output: Path | None, **options):
        try:
            target = Partnership.objects.get(pk=partnership)
        except Partnership.DoesNotExist:
            raise CommandError(f"There is no partnership {partnership}.") from None
        try:
            if output is None:
                counts = write_backup(target, self.stdout._out)
            else:
                # Created for its owner only: see SENSITIVE.
                descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(descriptor, "w", encoding="utf-8") as file:
                    counts = write_backup(target, file)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:
            raise CommandError(f"{output} cannot be written: {exc.strerror}.") from None
        counts = ", ".join(f"{count:,} {name}" for name, count in summary_of(counts) if count)
        where = output or "standard output"
        # The summary goes to stderr when the file itself goes to stdout.
        report = self.stderr if output is None else self.stdout
        report.write(f"Exported {target} to {where}: {counts}.")
        report.write(SENSITIVE)
