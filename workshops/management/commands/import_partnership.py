from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from workshops.services.backup import BackupError, missing_accounts, read_backup, summary
from workshops.services.backup_import import import_partnership


class Command(BaseCommand):
    help = (
        "Load a partnership written by export_partnership into this installation, as a new "
        "partnership. The question bank versions it used must be loaded here first. Accounts "
        "are matched by email; missing ones are created with their old password hashes, so "
        "people sign in as before. The file holds personal data and password hashes: keep it "
        "as securely as the database. Nothing is stored unless all of the file can be."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The JSON file to import.")

    def handle(self, *args, file: Path, **options):
        try:
            raw = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file} cannot be read: {exc.strerror}.") from None
        try:
            data = read_backup(raw)
            created = missing_accounts(data)
            partnership = import_partnership(data)
        except BackupError as exc:
            raise CommandError(f"{file} was not imported: {exc}") from None
        self.stdout.write(
            self.style.SUCCESS(f"Imported {partnership.name} as partnership {partnership.pk}.")
        )
        for name, count in summary(data):
            if count:
                self.stdout.write(f"  {count:>7,} {name}")
        accounts = len(data["payload"]["users"])
        self.stdout.write(
            f"  {accounts:>7,} accounts: {accounts - len(created):,} already here, "
            f"{len(created):,} created ({', '.join(created) or 'none'})"
        )
        county = data["payload"].get("county_partnership")
        if county:
            self.stdout.write(
                self.style.WARNING(
                    f"Not carried over: {partnership.name} sat under the county partnership "
                    f"“{county}” where it came from. Links between partnerships do not travel "
                    "between installations; set it again on the partnership if that county "
                    "partnership is here."
                )
            )
