"""Time the network page, its map and the plan PDF's network section for 40 organisations
and 200 respondents, each answering about every other organisation, and count the page's
queries at two sizes.

Run from the project root:

    .venv/bin/python bench/network_load.py [--organisations 40 --respondents 200 --runs 7]

It needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust authentication) and drops and
re-creates the database ``lsp_assess_network_bench``. Pages are fetched in-process through
Django's test client as an executive, so the time is the server's: the queries, networkx's
measures, the template (and for the map, matplotlib), no network.

The PDF section's time is the network's part of the plan report: counting it, drawing
its map, and WeasyPrint laying out that section alone (with the report's stylesheet).

Then a second assessment of half the organisations and half the respondents is counted the
same way: its page must take as many queries.

The last line reads ``network_ms=… pdf_ms=… queries=…`` (medians, and the queries of one
network page).
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.results_load import fill as fill_results  # noqa: E402
from bench.results_load import median_ms, prepare_database, use_database  # noqa: E402

DB_NAME = "lsp_assess_network_bench"
PAGE_TARGET_MS = 500
PDF_TARGET_MS = 1000


def fill(organisations: int, respondents: int, seed: int, title: str):
    """An assessment of the demo partnership with the network on, answered by
    ``respondents`` people spread over ``organisations`` new organisations, each person
    answering about every other organisation: mostly within their sector, some across, a
    few "don't know", reliability and contribution where they work together."""
    from django.utils import timezone

    from workshops.models import NetworkAnswer, Organisation, Person, Respondent, Sector

    rng = random.Random(seed)  # noqa: S311 - made-up answers, not secrets
    # The results benchmark's assessment of the demo partnership, with nobody's answers.
    assessment, _ = fill_results(0, seed)
    assessment.title, assessment.network = title, True
    assessment.save(update_fields=["title", "network"])
    partnership = assessment.partnership
    sectors = Sector.values
    orgs = Organisation.objects.bulk_create(
        Organisation(
            partnership=partnership, name=f"{title} partner {n:02d}", sector=sectors[n % 3]
        )
        for n in range(organisations)
    )
    people = Respondent.objects.bulk_create(
        Respondent(
            assessment=assessment,
            channel=Respondent.Channel.ONLINE,
            role=Person.Role.OFFICER,
            organisation=orgs[n % organisations].name,
            sector=orgs[n % organisations].sector,
            layer=Person.Layer.OPERATIONAL,
            submitted_at=timezone.now(),
        )
        for n in range(respondents)
    )
    answers = []
    for n, person in enumerate(people):
        own = orgs[n % organisations]
        for partner in orgs:
            if partner.pk == own.pk:
                continue
            if rng.random() < 0.05:
                answers.append(
                    NetworkAnswer(
                        respondent=person, organisation=own, partner=partner, dont_know=True
                    )
                )
                continue
            together = 0.45 if partner.sector == own.sector else 0.15
            often = rng.choice([1, 2, 2, 3]) if rng.random() < together else 0
            answers.append(
                NetworkAnswer(
                    respondent=person,
                    organisation=own,
                    partner=partner,
                    frequency=often,
                    reliability=rng.randint(1, 4) if often else None,
                    contribution=rng.randint(1, 4) if often else None,
                )
            )
    NetworkAnswer.objects.bulk_create(answers, batch_size=5000)
    return assessment, len(answers)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=40)
    parser.add_argument("--respondents", type=int, default=200)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", default=DB_NAME)
    args = parser.parse_args()

    use_database(args.database)
    print(f"Re-creating database {args.database} and loading demo data...")
    prepare_database(args.database)

    import django

    django.setup()
    from django.conf import settings
    from django.core.signals import request_started
    from django.db import connection, reset_queries
    from django.template.loader import render_to_string
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from workshops.models import User
    from workshops.reporting.pdf import render_pdf
    from workshops.reporting.plan_pdf import _network

    assessment, answers = fill(args.organisations, args.respondents, args.seed, "Network bench")
    small, _ = fill(args.organisations // 2, args.respondents // 2, args.seed + 1, "Half bench")
    with connection.cursor() as cursor:
        # Fresh statistics, as a live database has after its routine autovacuum.
        cursor.execute("ANALYZE")
    print(f"{args.organisations} organisations, {args.respondents} respondents, {answers} answers")
    client = Client()
    client.force_login(User.objects.get(email="executive@eastvale.example.org"))

    def fetch(url: str):
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return response

    def urls(of):
        ids = [of.partnership_id, of.pk]
        return reverse("results-network", args=ids), reverse("results-network-map", args=ids)

    page, map_url = urls(assessment)
    text = fetch(page).content.decode()  # warm: templates compiled, connection open
    assert "Organisations in the network" in text, "the network was not shown"
    request_started.disconnect(reset_queries)  # keep the query log for counting

    def queries_of(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            fetch(url)
        return len(captured)

    queries, small_queries = queries_of(page), queries_of(urls(small)[0])
    network_ms = median_ms(lambda: fetch(page), args.runs)
    map_ms = median_ms(lambda: fetch(map_url), args.runs)

    def section() -> bytes:
        context = {
            **_network(assessment, large=False),
            "assessment": assessment,
            "partnership": assessment.partnership,
            "in_pdf": True,
        }
        html = render_to_string("workshops/results/_network.html", context)
        css = f"{settings.STATIC_URL}css/report.css"
        return render_pdf(
            f'<!DOCTYPE html><html lang="en-GB"><head><title>Network</title>'
            f'<link rel="stylesheet" href="{css}"></head><body class="report">{html}</body></html>'
        )

    pdf_ms = median_ms(section, max(3, args.runs // 2))

    # The yardstick, outside the product: WeasyPrint by itself laying out the same section
    # (its map already drawn, the stylesheet inline) as a plain, untagged PDF.
    from weasyprint import HTML

    drawn = render_to_string(
        "workshops/results/_network.html",
        {
            **_network(assessment, large=False),
            "assessment": assessment,
            "partnership": assessment.partnership,
            "in_pdf": True,
        },
    )
    stylesheet = (ROOT / "static" / "css" / "report.css").read_text()
    bare = (
        f'<!DOCTYPE html><html lang="en-GB"><head><title>Network</title><style>{stylesheet}'
        f'</style></head><body class="report">{drawn}</body></html>'
    )
    bare_ms = median_ms(lambda: HTML(string=bare).write_pdf(), max(3, args.runs // 2))
    print(f"network page: median {network_ms:.0f} ms over {args.runs} runs")
    print(f"network map (SVG): median {map_ms:.0f} ms")
    print(f"PDF network section (count, map, WeasyPrint): median {pdf_ms:.0f} ms")
    print(
        f"yardstick, WeasyPrint alone on the same section, map drawn: median {bare_ms:.0f} ms "
        f"(the section takes {pdf_ms / bare_ms:.2f} times as long)"
    )
    print(
        f"queries for one network page: {queries}; for half the organisations and people: "
        f"{small_queries} (the signed-in user and session included)"
    )
    print(
        f"ratios to target: page {network_ms / PAGE_TARGET_MS:.2f}, "
        f"PDF section {pdf_ms / PDF_TARGET_MS:.2f}"
    )
    met = network_ms < PAGE_TARGET_MS and pdf_ms < PDF_TARGET_MS and queries == small_queries
    print(
        f"target: page under {PAGE_TARGET_MS} ms, PDF section under {PDF_TARGET_MS} ms, "
        f"as many queries at both sizes: {'met' if met else 'NOT met'}"
    )
    print(f"network_ms={network_ms:.0f} pdf_ms={pdf_ms:.0f} queries={queries}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
