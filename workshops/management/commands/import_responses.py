from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from workshops.models import Assessment
from workshops.services.csv_rows import ImportProblems
from workshops.services.import_responses import import_responses


class Command(BaseCommand):
    help = (
        "Import answers from a CSV file, one row per answer, into an assessment "
        "(the format is in docs/csv-formats.md). Nothing is stored unless every row is right."
    )

    def add_arguments(self, parser):
        parser.add_argument("assessment", type=int, help="The id of the assessment.")
        parser.add_argument("file", type=Path, help="The CSV file to import.")

    def handle(self, *args, assessment: int, file: Path, **options):
        try:
            target = Assessment.objects.select_related("bank", "partnership").get(pk=assessment)
        except Assessment.DoesNotExist:
            raise CommandError(f"There is no assessment {assessment}.") from None
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file} cannot be read: {exc.strerror}.") from None
        try:
            result = import_responses(target, data)
        except ImportProblems as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            count = len(exc.problems)
            raise CommandError(
                f"{file} was not imported: {count} problem{'' if count == 1 else 's'}; "
                "nothing was stored."
            ) from None
        self.stdout.write(self.style.SUCCESS(f"{target.partnership}, {target}: {result.summary}"))
