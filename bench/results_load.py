"""Time the results page and its XLSX export for 200 respondents answering all 104 items.

Run from the project root:

    .venv/bin/python bench/results_load.py [--respondents 200 --runs 7]

It needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust authentication) and
drops and re-creates the database ``lsp_assess_results_bench``. The page is
fetched in-process through Django's test client as an executive, so the time
is the server's: the query, the statistics and the template, no network.

The last line reads ``results_ms=… xlsx_ms=… queries=…`` (medians, and the
queries of one page).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "lsp_assess_results_bench"
TARGET_MS = 300


def use_database(name: str) -> None:
    """Point Django (in this process and the manage.py runs) at a benchmark database."""
    os.environ.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{name}",
        DJANGO_SETTINGS_MODULE="lsp_assess.settings",
        DEBUG="false",
        SECRET_KEY="benchmark-only-" + "x" * 50,
        ALLOWED_HOSTS="testserver",
        LOG_LEVEL="WARNING",
    )


def prepare_database(name: str = DB_NAME) -> None:
    import psycopg2

    admin = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    for command in (["migrate", "--no-input"], ["load_question_bank"], ["seed_demo"]):
        subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )


def fill(respondents: int, seed: int):
    """An assessment of the demo partnership answered in full by ``respondents`` people."""
    from django.utils import timezone

    from questions.models import Item
    from workshops.models import Answer, Assessment, Partnership, Person, Respondent, Sector
    from workshops.models.assessment import Scope
    from workshops.services.assessment import create_assessment

    rng = random.Random(seed)  # noqa: S311 - made-up answers, not secrets
    partnership = Partnership.objects.get(authority_type="district")
    coordinator = partnership.memberships.get(role="coordinator").user
    today = timezone.localdate()
    assessment = create_assessment(
        partnership,
        coordinator,
        title="Results benchmark",
        scope=Scope.FULL,
        basis=Assessment.BasisChoice.INTERNAL,
        opens_on=today,
        closes_on=today,
        anonymous=False,
    )
    items = list(assessment.items.all())
    people = Respondent.objects.bulk_create(
        Respondent(
            assessment=assessment,
            channel=Respondent.Channel.ONLINE,
            role=rng.choice(Person.Role.values),
            organisation=f"Organisation {rng.randrange(12)}",
            sector=rng.choice(Sector.values),
            layer=rng.choice(Person.Layer.values),
            submitted_at=timezone.now(),
        )
        for _ in range(respondents)
    )
    answers = []
    for person in people:
        for item in items:
            answer = Answer(respondent=person, item=item)
            if item.kind == Item.Kind.RATING:
                answer.basis = "internal"
                if rng.random() < 0.08:
                    answer.choice = "dont_know"
                else:
                    answer.rating = rng.choice([1, 2, 2, 3, 3, 3, 4])
            elif item.kind == Item.Kind.YES_NO:
                answer.choice = rng.choice(["yes", "yes", "no", "dont_know"])
            else:
                answer.text = rng.choice(["Agreed at the board", "Needs more work", "See plan"])
            answers.append(answer)
    Answer.objects.bulk_create(answers, batch_size=5000)
    return assessment, len(answers)


def median_ms(function, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--respondents", type=int, default=200)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    use_database(DB_NAME)
    sys.path.insert(0, str(ROOT))
    print(f"Re-creating database {DB_NAME} and loading demo data...")
    prepare_database()

    import django

    django.setup()
    from django.core.signals import request_started
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from workshops.models import User

    assessment, answers = fill(args.respondents, args.seed)
    with connection.cursor() as cursor:
        # Fresh statistics, as a live database has after its routine autovacuum.
        cursor.execute("ANALYZE")
    print(f"{args.respondents} respondents, {assessment.items.count()} items, {answers} answers")
    client = Client()
    client.force_login(User.objects.get(email="executive@eastvale.example.org"))
    ids = [assessment.partnership_id, assessment.pk]
    page = reverse("results", args=ids)
    xlsx = reverse("results-export", args=[*ids, "aggregates", "xlsx"])
    answers_xlsx = reverse("results-export", args=[*ids, "answers", "xlsx"])

    def fetch(url: str):
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return response

    fetch(page)  # warm: templates compiled, connection open
    # Django clears its query log when each request starts; keep it for counting.
    request_started.disconnect(reset_queries)
    with CaptureQueriesContext(connection) as captured:
        size = len(fetch(page).content)
    queries = len(captured)
    results_ms = median_ms(lambda: fetch(page), args.runs)
    xlsx_ms = median_ms(lambda: fetch(xlsx), args.runs)
    answers_ms = median_ms(lambda: fetch(answers_xlsx), max(3, args.runs // 2))
    print(f"results page: median {results_ms:.0f} ms over {args.runs} runs, {size} bytes")
    print(f"aggregates workbook: median {xlsx_ms:.0f} ms")
    print(f"answers workbook ({answers} rows): median {answers_ms:.0f} ms")
    print(f"queries for one results page: {queries} (the signed-in user and session included)")
    print(f"target: page under {TARGET_MS} ms: {'met' if results_ms < TARGET_MS else 'NOT met'}")
    print(f"results_ms={results_ms:.0f} xlsx_ms={xlsx_ms:.0f} queries={queries}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
