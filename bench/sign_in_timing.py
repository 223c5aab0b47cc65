"""Time signing in with a wrong password against signing in with an unknown address.

Run from the project root:

    .venv/bin/python bench/sign_in_timing.py [--runs 40]

It needs nothing but the project: it migrates a throwaway SQLite database in a
temporary directory, creates one account with the production password hasher
(Argon2), and posts the sign-in form through the whole stack (django-axes,
django-allauth, the audit log) in turn with the account's address and a wrong
password, and with an address that has no account. Each attempt comes from its
own network address, so that neither django-axes's lockout nor the sign-in rate
limit steps in. If the two took noticeably different times, the sign-in page
would tell whoever timed it which addresses have accounts.

The last line reads ``wrong_ms=… unknown_ms=… ratio=…``: the median times and
unknown ÷ wrong, which should be close to 1.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="lsp-sign-in-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ["CACHE_BACKEND"] = "memory"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lsp_assess.settings")
    os.environ["LOG_LEVEL"] = "ERROR"

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from workshops.models import User

    # django-axes warns of every failed sign-in; here they are the point.
    logging.getLogger("axes").setLevel(logging.ERROR)
    setup_test_environment()  # the test client's host, and emails kept in memory
    call_command("migrate", verbosity=0)
    print(f"Password hasher: {settings.PASSWORD_HASHERS[0].rsplit('.', 1)[-1]}")
    # A throwaway account in a throwaway database.
    User.objects.create_user(email="member@example.org", password="correct-horse-battery")  # noqa: S106
    url = reverse("login")
    attempts = {
        "wrong password": "member@example.org",
        "unknown address": "nobody@example.org",
    }
    times: dict[str, list[float]] = {what: [] for what in attempts}
    client = Client()
    for run in range(-3, args.runs):  # three rounds to warm up, not counted
        for number, (what, email) in enumerate(attempts.items()):
            address = f"10.{(run + 3) // 250}.{(run + 3) % 250}.{number + 1}"
            started = time.perf_counter()
            response = client.post(
                url, {"login": email, "password": "not-the-password"}, REMOTE_ADDR=address
            )
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                print(f"Unexpected answer {response.status_code} for the {what}.")
                return 1
            if run >= 0:
                times[what].append(elapsed)

    print(f"{args.runs} attempts each, interleaved; milliseconds per sign-in attempt:")
    print(f"{'attempt':<18}{'median':>9}{'min':>9}{'max':>9}")
    for what, values in times.items():
        print(f"{what:<18}{statistics.median(values):>9.1f}{min(values):>9.1f}{max(values):>9.1f}")
    wrong = statistics.median(times["wrong password"])
    unknown = statistics.median(times["unknown address"])
    print(f"wrong_ms={wrong:.1f} unknown_ms={unknown:.1f} ratio={unknown / wrong:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
