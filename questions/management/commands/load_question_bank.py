from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from questions.bank_file import BankError, read_bank
from questions.loader import load_bank


class Command(BaseCommand):
    help = (
        "Validate the question bank YAML and load it as a new bank version. "
        "Content that is already loaded is left alone; nothing is written if the file has errors."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            default=str(settings.QUESTION_BANK_PATH),
            help="YAML file to load (default: the bank shipped in fixtures/).",
        )

    def handle(self, *args, path: str, **options):
        try:
            spec = read_bank(path)
        except BankError as exc:
            for line in exc.lines():
                self.stderr.write(line)
            raise CommandError(
                f"{len(exc.problems)} problem(s) in {path}; nothing was loaded."
            ) from None
        result = load_bank(spec)
        if result.created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded bank version {result.version.number}: "
                    f"{spec.item_count()} items in {len(spec.sections)} sections."
                )
            )
        else:
            self.stdout.write(
                f"Bank version {result.version.number} already holds this content; nothing changed."
            )
