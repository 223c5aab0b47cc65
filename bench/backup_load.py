"""Time export_partnership and import_partnership for a partnership with 200 respondents
answering all 104 items.

Run from the project root:

    .venv/bin/python bench/backup_load.py [--respondents 200 --runs 3 --database NAME]

It needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust authentication) and
drops and re-creates the database (``lsp_assess_backup_bench`` unless
``--database`` names another). The demo partnership gets an assessment
answered in full, as in bench/results_load.py. Each run exports it to a file
with the real command, deletes the partnership, and imports the file again,
so every import goes into an installation without the original.

One more export runs under tracemalloc to find the most memory Python held while
writing the file, against the file's size.

The last line reads ``export_ms=… import_ms=… rows=… bytes=… export_peak_bytes=…``
(medians).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import tracemalloc
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.results_load import fill, prepare_database, use_database  # noqa: E402

DB_NAME = "lsp_assess_backup_bench"


def delete_partnership(partnership) -> None:
    """People and organisations are protected while answers refer to them: children first."""
    partnership.assessments.all().delete()
    partnership.people.all().delete()
    partnership.organisations.all().delete()
    partnership.delete()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--respondents", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", default=DB_NAME)
    args = parser.parse_args()

    use_database(args.database)
    print(f"Re-creating database {args.database} and loading demo data...")
    prepare_database(args.database)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from workshops.models import Answer, Partnership
    from workshops.services.backup import read_backup

    assessment, answers = fill(args.respondents, args.seed)
    name = assessment.partnership.name
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"{args.respondents} respondents, {assessment.items.count()} items, {answers} answers")

    export_ms, import_ms = [], []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "partnership.json"
        for run in range(args.runs):
            partnership = Partnership.objects.get(name=name)
            started = time.perf_counter()
            call_command("export_partnership", partnership.pk, output=path, stdout=StringIO())
            export_ms.append((time.perf_counter() - started) * 1000)
            delete_partnership(partnership)
            started = time.perf_counter()
            call_command("import_partnership", path, stdout=StringIO())
            import_ms.append((time.perf_counter() - started) * 1000)
            print(f"run {run + 1}: export {export_ms[-1]:.0f} ms, import {import_ms[-1]:.0f} ms")
        size = path.stat().st_size
        rows = len(read_backup(path.read_bytes())["payload"]["objects"])
        partnership = Partnership.objects.get(name=name)
        tracemalloc.start()
        call_command("export_partnership", partnership.pk, output=path, stdout=StringIO())
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    restored = Answer.objects.filter(respondent__assessment__partnership__name=name).count()
    assert restored >= answers, (restored, answers)
    export_median, import_median = statistics.median(export_ms), statistics.median(import_ms)
    print(f"file: {size:,} bytes, {rows:,} rows")
    print(f"export: median {export_median:.0f} ms over {args.runs} runs")
    print(f"import: median {import_median:.0f} ms over {args.runs} runs")
    print(f"export: at most {peak:,} bytes held by Python, {peak / size:.1f} × the file")
    print(
        f"export_ms={export_median:.0f} import_ms={import_median:.0f} rows={rows} bytes={size} "
        f"export_peak_bytes={peak}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
