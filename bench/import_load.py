"""Time a 50,000-invitee import: in the request (as every import ran before), and queued
as a job (the request) plus the worker that runs it.

Run from the project root:

    .venv/bin/python bench/import_load.py [--rows 50000 --database NAME]

It needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust authentication) and
drops and re-creates the database (``lsp_assess_import_bench`` unless
``--database`` names another). Emails go to Django's in-memory backend; the
partnership's daily allowance (300) limits how many are sent, as in production.

The last line reads ``inline_request_s=… queued_request_s=… worker_s=… rows=…``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.results_load import prepare_database, use_database  # noqa: E402

DB_NAME = "lsp_assess_import_bench"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--database", default=DB_NAME)
    args = parser.parse_args()

    use_database(args.database)
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    print(f"Re-creating database {args.database} and loading demo data...")
    prepare_database(args.database)

    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client, override_settings
    from django.urls import reverse
    from django.utils import timezone

    from workshops.models import Assessment, ImportJob, Partnership
    from workshops.models.assessment import Scope
    from workshops.services.assessment import create_assessment

    partnership = Partnership.objects.get(authority_type="district")
    coordinator = partnership.memberships.get(role="coordinator").user
    organisation = partnership.organisations.first().name
    client = Client()
    client.force_login(coordinator)

    def upload(prefix: str) -> tuple[Assessment, SimpleUploadedFile, str]:
        today = timezone.localdate()
        assessment = create_assessment(
            partnership,
            coordinator,
            title=f"Import benchmark {prefix}",
            scope=Scope.TOP_LEVEL,
            basis=Assessment.BasisChoice.INTERNAL,
            opens_on=today,
            closes_on=today,
            anonymous=False,
        )
        lines = ["name,email,organisation,role,layer"] + [
            f"Person {n},{prefix}{n}@example.org,{organisation},chair,strategic"
            for n in range(args.rows)
        ]
        data = "\n".join(lines).encode()
        url = reverse("invitees-import", args=[partnership.pk, assessment.pk])
        return assessment, SimpleUploadedFile("people.csv", data, "text/csv"), url

    print(f"Importing {args.rows:,} invitees in the request...")
    _, file, url = upload("inline")
    with override_settings(IMPORT_INLINE_ROWS=10**9):
        started = time.perf_counter()
        response = client.post(url, {"file": file}, secure=True)
        inline = time.perf_counter() - started
    assert response.status_code == 302, response.status_code

    print(f"Importing {args.rows:,} more as a job...")
    _, file, url = upload("queued")
    with override_settings(PDF_WORKER=True):
        started = time.perf_counter()
        response = client.post(url, {"file": file}, secure=True)
        queued = time.perf_counter() - started
    assert response.status_code == 302, response.status_code
    started = time.perf_counter()
    call_command("run_pdf_worker", "--once", stdout=StringIO())
    worker = time.perf_counter() - started
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.DONE, job.problems[:3]
    print(job.summary)
    print(
        f"inline_request_s={inline:.1f} queued_request_s={queued:.2f} "
        f"worker_s={worker:.1f} rows={args.rows}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
