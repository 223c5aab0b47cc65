from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from workshops.demo import DEMO_PASSWORD, seed_demo

PRODUCTION_SETTINGS = "lsp_assess.settings_production"


class Command(BaseCommand):
    help = "Create (or leave as it is) a two-tier demo partnership with an account for each role."

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo-site",
            action="store_true",
            help="This installation is a demonstration: create the demo accounts even under "
            "the production settings (as `make run-prod` does for a trial on this machine).",
        )

    def handle(self, *args, demo_site: bool = False, **options):
        # The demo accounts have a published password, and one is a superuser:
        # on a real site they would be a way in for anyone who has read the README.
        if settings.SETTINGS_MODULE == PRODUCTION_SETTINGS and not demo_site:
            raise CommandError(
                "These are the production settings: seed_demo would create accounts whose "
                "password is published, one of them a superuser. If this installation really "
                "is a demonstration, run it with --demo-site."
            )
        logins = seed_demo()
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Demo logins:"))
        for login in logins:
            self.stdout.write(f"  {login.email:<40} {login.role:<28} {login.partnership}")
        self.stdout.write(f"  Password for every demo account: {DEMO_PASSWORD}")
        # So a newcomer can look around with the printed password alone.
        self.stdout.write(
            "  Two-factor sign-in is optional in the demo: `make run` serves it with "
            "MFA_REQUIRED_ROLES=none. Otherwise coordinators and support staff set it up "
            "when they first sign in."
        )
