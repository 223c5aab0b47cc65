"""Twenty executives downloading improvement plan PDFs at once, with and without the worker.

Run from the project root:

    .venv/bin/python bench/pdf_concurrency.py [--executives 20 --respondents 40
        --workers 4 --pdf-workers 1 --port 8766 --database lsp_assess_pdf_concurrency_bench]

It needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust authentication) and
drops and re-creates the database it is given. It fills one assessment per
executive (``--respondents`` answers each, with a plan), serves the product on
gunicorn (``--workers`` sync workers) and runs two scenarios in two modes:

- scenarios: every executive downloads the *same* plan at the same moment, or
  each downloads a *different* plan at the same moment;
- modes: ``inline`` (PDF_WORKER off: the request that finds a PDF missing
  renders it) and ``worker`` (PDF_WORKER on, ``--pdf-workers`` processes of
  ``manage.py run_pdf_worker``).

Each executive behaves like the browser: a redirect to the waiting page is
followed by asking for its JSON every ``--poll`` seconds until the PDF is
ready, then the download. Meanwhile a bystander loads the plan page (an ordinary
page) back to back, to show whether app server workers are tied up by renders.

The last line reads ``same_renders_inline=… same_renders_worker=…
different_page_p95_inline_ms=… different_page_p95_worker_ms=…``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.results_load import fill, prepare_database, use_database  # noqa: E402
from bench.workshop_load import gunicorn_path, percentile  # noqa: E402

DB_NAME = "lsp_assess_pdf_concurrency_bench"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--executives", type=int, default=20)
    parser.add_argument("--respondents", type=int, default=40)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--pdf-workers", type=int, default=1, help="run_pdf_worker processes")
    parser.add_argument(
        "--poll", type=float, default=2.0, help="seconds between status checks (as the page)"
    )
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--database", default=DB_NAME)
    return parser.parse_args()


# --- Data -----------------------------------------------------------------------------------


def build(executives: int, respondents: int) -> tuple[list[tuple[int, int]], list[str], str]:
    """One filled assessment with a plan per executive; their session cookies; a plan page."""
    from django.test import Client
    from django.urls import reverse

    from workshops.models import Membership, Priority, User
    from workshops.services import draft_actions
    from workshops.services import plan as plan_service

    plans, cookies = [], []
    for n in range(executives):
        assessment, _ = fill(respondents, seed=n)
        coordinator = assessment.partnership.memberships.get(role="coordinator").user
        draft_actions.propose_drafts(assessment, coordinator)
        for action in assessment.actions.all()[:12]:
            plan_service.decide(action, accept=True, user=coordinator)
        plan = plan_service.plan_for(assessment)
        for rank, text in enumerate(["Joint commissioning", "Shared data", "Member challenge"], 1):
            Priority.objects.create(plan=plan, text=text, source="coordinator", rank=rank)
        plans.append((assessment.partnership_id, assessment.pk))
        user = User.objects.create_user(f"executive{n}@bench.example.org", full_name=f"Exec {n}")
        Membership.objects.create(partnership=assessment.partnership, user=user, role="executive")
        client = Client()
        client.force_login(user)
        cookies.append(client.cookies["sessionid"].value)
    page = reverse("plan", args=plans[0])
    return plans, cookies, page


# --- Server and workers ---------------------------------------------------------------------


class Processes:
    """gunicorn and the PDF workers, each in its own process group so they stop whole."""

    def __init__(self, args: argparse.Namespace, mode: str):
        env = {**os.environ, "PDF_WORKER": "true" if mode == "worker" else "false"}
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        command = [gunicorn_path(), "lsp_assess.wsgi:application", "--workers", str(args.workers)]
        command += ["--bind", f"127.0.0.1:{args.port}", "--timeout", "120"]
        self.procs = [self._start(command, env)]
        if mode == "worker":
            worker = [sys.executable, "manage.py", "run_pdf_worker"]
            self.procs += [self._start(worker, env) for _ in range(args.pdf_workers)]
        self.port = args.port

    def _start(self, command: list[str], env: dict) -> subprocess.Popen:
        return subprocess.Popen(  # noqa: S603 - the project's own gunicorn and manage.py
            command,
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in self.procs):
                raise SystemExit(f"a process exited early:\n{self.output()}")
            try:
                if get(self.port, "/healthz", None)[0] == 200:
                    time.sleep(2)  # every gunicorn worker and PDF worker finishes booting
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"gunicorn did not answer within {timeout:.0f} s:\n{self.output()}")

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                    proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
                except ProcessLookupError:
                    pass
        self.log.close()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def get(port: int, path: str, session: str | None, accept: str = "*/*") -> tuple[int, dict, bytes]:
    headers = {"Accept": accept}
    if session:
        headers["Cookie"] = f"sessionid={session}"
    # Always http://127.0.0.1: the server this script started.
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)  # noqa: S310
    try:
        with OPENER.open(request, timeout=300) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


# --- One scenario ---------------------------------------------------------------------------


@dataclass
class Outcome:
    seconds: list[float] = field(default_factory=list)  # click to PDF, per executive
    served_at_once: int = 0  # PDFs returned by the first request, with no waiting page
    page_ms: list[float] = field(default_factory=list)  # the bystander's plan page
    errors: list[str] = field(default_factory=list)


def download(port: int, path: str, session: str, poll: float, outcome: Outcome, lock) -> None:
    started = time.perf_counter()
    status, headers, body = get(port, path, session)
    at_once = status == 200
    if status == 302:
        waiting = headers["Location"]
        deadline = time.monotonic() + 600
        while json.loads(get(port, waiting, session, "application/json")[2])["state"] == "pending":
            if time.monotonic() > deadline:
                break
            time.sleep(poll)
        status, headers, body = get(port, path, session)
    with lock:
        if status == 200 and body.startswith(b"%PDF"):
            outcome.seconds.append(time.perf_counter() - started)
            outcome.served_at_once += at_once
        else:
            outcome.errors.append(f"{status} {body[:200]!r}")


def bystander(port: int, page: str, session: str, stop: threading.Event, outcome: Outcome):
    while not stop.is_set():
        started = time.perf_counter()
        status, _, _ = get(port, page, session)
        if status == 200:
            outcome.page_ms.append((time.perf_counter() - started) * 1000)
        else:
            outcome.errors.append(f"plan page {status}")


def run(args, mode: str, scenario: str, plans, cookies, page) -> tuple[Outcome, int]:
    from django.urls import reverse

    from workshops.models import PlanPdf

    PlanPdf.objects.all().delete()
    # A page load before the burst: every gunicorn worker has its imports and templates warm.
    for _ in range(args.workers * 2):
        get(args.port, page, cookies[0])
    targets = [plans[0]] * len(cookies) if scenario == "same" else plans[: len(cookies)]
    outcome, lock, stop = Outcome(), threading.Lock(), threading.Event()
    watcher = threading.Thread(target=bystander, args=(args.port, page, cookies[0], stop, outcome))
    threads = [
        threading.Thread(
            target=download,
            args=(args.port, reverse("plan-pdf", args=t), s, args.poll, outcome, lock),
        )
        for t, s in zip(targets, cookies, strict=True)
    ]
    watcher.start()
    time.sleep(0.5)  # the bystander's figures before the burst count too
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=900)
    stop.set()
    watcher.join(timeout=300)
    renders = sum(PlanPdf.objects.values_list("renders", flat=True))
    return outcome, renders


def main() -> int:
    args = parse_args()
    use_database(args.database)
    os.environ.update(ALLOWED_HOSTS="127.0.0.1", SITE_URL=f"http://127.0.0.1:{args.port}")
    print(f"Re-creating database {args.database} and loading demo data...", flush=True)
    prepare_database(args.database)

    import django

    django.setup()
    plans, cookies, page = build(args.executives, args.respondents)
    print(
        f"{args.executives} executives, one plan each ({args.respondents} respondents); "
        f"gunicorn {args.workers} sync workers; PDF workers in worker mode: {args.pdf_workers}; "
        f"status checked every {args.poll:g} s",
        flush=True,
    )
    header = (
        f"{'scenario':<10}{'mode':<8}{'renders':>8}{'at once':>8}{'first s':>9}{'p50 s':>8}"
        f"{'last s':>8}{'page p50 ms':>13}{'page p95 ms':>13}{'page max ms':>13}"
    )
    print(header)
    summary = {}
    for scenario in ("same", "different"):
        for mode in ("inline", "worker"):
            processes = Processes(args, mode)
            try:
                processes.wait_ready()
                outcome, renders = run(args, mode, scenario, plans, cookies, page)
            finally:
                processes.stop()
            if outcome.errors:
                print(f"errors: {outcome.errors[:3]}")
            times = outcome.seconds or [float("nan")]
            pages = outcome.page_ms or [float("nan")]
            page_p95 = percentile(pages, 95)
            print(
                f"{scenario:<10}{mode:<8}{renders:>8}{outcome.served_at_once:>8}"
                f"{min(times):>9.1f}{statistics.median(times):>8.1f}{max(times):>8.1f}"
                f"{statistics.median(pages):>13.0f}{page_p95:>13.0f}{max(pages):>13.0f}",
                flush=True,
            )
            summary[f"{scenario}_renders_{mode}"] = renders
            summary[f"{scenario}_page_p95_{mode}_ms"] = round(page_p95)
            summary[f"{scenario}_last_{mode}_s"] = round(max(times), 1)
    keys = ["same_renders_inline", "same_renders_worker"]
    keys += ["different_page_p95_inline_ms", "different_page_p95_worker_ms"]
    print(" ".join(f"{key}={summary[key]}" for key in keys))
    return 0


if __name__ == "__main__":
    sys.exit(main())
