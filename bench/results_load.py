"""Time the results page and its XLSX export for 200 respondents answering all 104 items, and
the comparison of types of authority over 350 partnerships of 30 respondents each.

Run from the project root:

    .venv/bin/python bench/results_load.py [--respondents 200 --runs 7]
        [--partnerships 350 --partnership-respondents 30]

It needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust authentication) and
drops and re-creates the database ``lsp_assess_results_bench``. The page is
fetched in-process through Django's test client as an executive, so the time
is the server's: the query, the statistics and the template, no network.

The comparison's partnerships are added once the results page is timed, so they do not
weigh on it (the results page's own benchmarks would otherwise count them too).

Then the results page of a second assessment, answered in full by 1,000 people
(``--big-respondents``), is timed the same way, and its queries counted: they must be as
many as for 200.

The last line reads ``results_ms=… xlsx_ms=… queries=… big_ms=… compare_ms=…`` (medians,
and the queries of one results page).
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
BIG_TARGET_MS = 1000
COMPARE_TARGET_MS = 1000


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


def fill_comparison(partnerships: int, respondents: int, seed: int) -> int:
    """``partnerships`` verified partnerships sharing their results, of every type of
    authority in turn, each with one assessment answered in full by ``respondents`` people
    by questionnaire. The answers are made by one INSERT … SELECT in the database: a million
    rows through the ORM would take minutes to set up."""
    from django.db import connection
    from django.utils import timezone

    from questions.models import BankVersion, Item
    from workshops.models import Answer, Assessment, Partnership, Respondent

    rng = random.Random(seed)  # noqa: S311 - made-up answers, not secrets
    now, today = timezone.now(), timezone.localdate()
    types = Partnership.AuthorityType.values
    made = Partnership.objects.bulk_create(
        Partnership(
            name=f"Comparison partnership {n}",
            area=f"Area {n}",
            authority_type=types[n % len(types)],
            share_benchmarks=True,
            verified_at=now,
        )
        for n in range(partnerships)
    )
    bank = BankVersion.current()
    assessments = Assessment.objects.bulk_create(
        Assessment(
            partnership=p,
            title="Comparison benchmark",
            bank=bank,
            basis=Assessment.BasisChoice.INTERNAL,
            opens_on=today,
            closes_on=today,
            anonymous=False,
        )
        for p in made
    )
    items = list(bank.items.values_list("pk", flat=True))
    through = Assessment.items.through
    through.objects.bulk_create(
        (through(assessment_id=a.pk, item_id=i) for a in assessments for i in items),
        batch_size=10000,
    )
    Respondent.objects.bulk_create(
        (
            Respondent(
                assessment=a,
                channel=Respondent.Channel.ONLINE,
                role="officer",
                organisation=f"Organisation {rng.randrange(12)}",
                sector="public",
                layer="strategic",
                submitted_at=now,
            )
            for a in assessments
            for _ in range(respondents)
        ),
        batch_size=5000,
    )
    tables = {
        "answer": Answer._meta.db_table,
        "respondent": Respondent._meta.db_table,
        "through": through._meta.db_table,
        "item": Item._meta.db_table,
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [rng.random()])
        # Table names from the models' own metadata; every value is a parameter.
        cursor.execute(
            f"""
            INSERT INTO {tables["answer"]}
                (respondent_id, item_id, basis, rating, choice, text, version, updated_at)
            SELECT r.id, i.id,
                CASE WHEN i.kind = %(rating)s THEN 'internal' ELSE '' END,
                CASE WHEN i.kind = %(rating)s THEN 1 + floor(random() * 4)::int END,
                CASE WHEN i.kind = %(yes_no)s
                    THEN CASE WHEN random() < 0.6 THEN 'yes' ELSE 'no' END ELSE '' END,
                CASE WHEN i.kind NOT IN (%(rating)s, %(yes_no)s) THEN 'See plan' ELSE '' END,
                1, now()
            FROM {tables["respondent"]} r
            JOIN {tables["through"]} t ON t.assessment_id = r.assessment_id
            JOIN {tables["item"]} i ON i.id = t.item_id
            WHERE r.assessment_id = ANY(%(assessments)s)
            """,  # noqa: S608
            {
                "rating": Item.Kind.RATING,
                "yes_no": Item.Kind.YES_NO,
                "assessments": [a.pk for a in assessments],
            },
        )
        return cursor.rowcount


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
    parser.add_argument("--big-respondents", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    # Another name lets two runs (from two checkouts) go at once without dropping each other's.
    parser.add_argument("--database", default=DB_NAME)
    parser.add_argument("--partnerships", type=int, default=350)
    parser.add_argument("--partnership-respondents", type=int, default=30)
    args = parser.parse_args()

    use_database(args.database)
    sys.path.insert(0, str(ROOT))
    print(f"Re-creating database {args.database} and loading demo data...")
    prepare_database(args.database)

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

    # The same page for an assessment five times the size.
    big, big_answers = fill(args.big_respondents, args.seed + 1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    big_page = reverse("results", args=[big.partnership_id, big.pk])
    fetch(big_page)
    with CaptureQueriesContext(connection) as captured:
        fetch(big_page)
    big_queries = len(captured)
    big_ms = median_ms(lambda: fetch(big_page), args.runs)
    print(f"{args.big_respondents} respondents, {big_answers} answers")
    print(f"results page: median {big_ms:.0f} ms, {big_queries} queries")
    met = "met" if big_ms < BIG_TARGET_MS and big_queries == queries else "NOT met"
    print(f"target: page under {BIG_TARGET_MS} ms with as many queries as for 200: {met}")

    # Types of authority compared, once the results page is timed (see the docstring).
    compared = fill_comparison(args.partnerships, args.partnership_respondents, args.seed)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    type(assessment.partnership).objects.filter(pk=assessment.partnership_id).update(
        share_benchmarks=True
    )
    print(
        f"{args.partnerships} partnerships × {args.partnership_respondents} respondents, "
        f"{compared} answers"
    )
    comparison = reverse("comparison-authority-types", args=[assessment.partnership_id])
    page_text = fetch(comparison).content.decode()
    assert f"All participating partnerships: {args.partnerships} partnerships" in page_text
    compare_ms = median_ms(lambda: fetch(comparison), args.runs)
    met = "met" if compare_ms < COMPARE_TARGET_MS else "NOT met"
    print(f"types of authority compared: median {compare_ms:.0f} ms")
    print(f"target: comparison under {COMPARE_TARGET_MS} ms: {met}")
    print(
        f"results_ms={results_ms:.0f} xlsx_ms={xlsx_ms:.0f} queries={queries} "
        f"big_ms={big_ms:.0f} compare_ms={compare_ms:.0f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
