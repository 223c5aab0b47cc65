from django.core.management.base import BaseCommand

from workshops.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Create (or leave as it is) a two-tier demo partnership with an account for each role."

    def handle(self, *args, **options):
        logins = seed_demo()
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Demo logins:"))
        for login in logins:
            self.stdout.write(f"  {login.email:<40} {login.role:<28} {login.partnership}")
        self.stdout.write(f"  Password for every demo account: {DEMO_PASSWORD}")
