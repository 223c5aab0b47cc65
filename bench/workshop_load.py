"""Load benchmark for the live workshop: joining, polling and voting from phones.

Run from the project root:

    .venv/bin/python bench/workshop_load.py [--participants 200 --items 10
        --concurrency 50 --seconds 10 --port 8765]

It needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust authentication);
Redis on 127.0.0.1:6379 is used when it answers. It drops and re-creates the
database ``lsp_assess_bench``, serves the product with gunicorn and drives it
with simulated phones (one asyncio process). See bench/README.md.

The last line printed is ``vote_ratio=X.XX poll_ratio=Y.YY lost=N``. The exit
code is non-zero when a vote the server acknowledged was lost (or any other
stored answer does not match), not when a speed target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import math
import os
import random
import re
import secrets
import signal
import socket
import statistics
import string
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DB_NAME = "lsp_assess_bench"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
REDIS_URL = "redis://127.0.0.1:6379/2"
COOKIE = "lsp_participant"
VOTE_RATIO_TARGET = 0.7
POLL_RATIO_TARGET = 0.7
VOTE_P95_TARGET_MS = 100.0

ITEM_RE = re.compile(r'name="item" value="(\d+)"')
RADIO_RE = re.compile(r'name="([\w-]+)" type="radio" value="([^"]*)"')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=200)
    parser.add_argument("--items", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0, help="per throughput run")
    parser.add_argument("--warmup", type=float, default=2.0, help="before each throughput run")
    parser.add_argument(
        "--rounds", type=int, default=2, help="throughput rounds, interleaved; medians reported"
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--change-share", type=float, default=0.2)
    parser.add_argument("--item-timeout", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


# --- Environment, database and server ------------------------------------------------


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def bench_env(use_redis: bool) -> dict[str, str]:
    alphabet = string.ascii_letters + string.digits
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "false",
        "SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(60)),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": DATABASE_URL,
        "CONN_MAX_AGE": "600",
        # Every simulated phone joins from this one machine.
        "WORKSHOP_PHONES_PER_NETWORK_EXTRA": "100000",
        "LOG_LEVEL": "WARNING",
    }
    if use_redis:
        env["REDIS_URL"] = REDIS_URL
    return env


def recreate_database() -> None:
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
            cursor.execute(f"CREATE DATABASE {DB_NAME}")
    finally:
        conn.close()


def manage(*args: str) -> None:
    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
    )
    if result.returncode:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"manage.py {' '.join(args)} failed")


def gunicorn_path() -> str:
    candidate = ROOT / ".venv" / "bin" / "gunicorn"
    return str(candidate if candidate.exists() else Path(sys.executable).parent / "gunicorn")


class Server:
    """gunicorn serving the product, in its own process group so it can be stopped whole."""

    def __init__(self, port: int, workers: int):
        self.port = port
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(  # noqa: S603 - the project's own gunicorn
            [
                gunicorn_path(),
                "lsp_assess.wsgi:application",
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{port}",
            ],
            cwd=ROOT,
            env=os.environ.copy(),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        url = f"http://127.0.0.1:{self.port}/bench/constant/"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited early:\n{self.output()}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        # Let every worker finish booting before measuring.
                        time.sleep(1.0)
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"gunicorn did not answer within {timeout:.0f} s:\n{self.output()}")

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
            except ProcessLookupError:
                pass
        self.log.close()


# --- Figures ----------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile, in the units given."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def ms(seconds: float) -> str:
    return "-" if math.isnan(seconds) else f"{seconds * 1000:.1f}"


@dataclass
class Run:
    name: str
    rate: float
    p50: float
    p95: float
    ok: int
    errors: Counter
    client_cpu: float  # share of one core the load generator used


# --- Simulated phones ---------------------------------------------------------------------


@dataclass
class Participant:
    index: int
    csrf: str = ""
    cookie: str = ""
    respondent_id: int = 0
    etag: str | None = None

    def headers(self, **extra: str) -> dict[str, str]:
        return {"Cookie": f"csrftoken={self.csrf}; {COOKIE}={self.cookie}", **extra}


@dataclass
class Slot:
    """One agenda item as the facilitator's side knows it."""

    agenda_id: int
    question_id: int
    key: str
    ballots: dict[str, list[str]]  # form field -> option values


@dataclass
class Scenario:
    participants: list[Participant]
    slots: dict[int, Slot]
    acked: dict[tuple[int, int, str], str] = field(default_factory=dict)
    voted: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    pending: Counter = field(default_factory=Counter)
    changed: Counter = field(default_factory=Counter)
    vote_latency: list[float] = field(default_factory=list)
    poll_304: list[float] = field(default_factory=list)
    poll_200: list[float] = field(default_factory=list)
    join_latency: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    per_item: list[tuple[str, int, int, float]] = field(default_factory=list)
    done: bool = False


def parse_ballots(html: str) -> tuple[int | None, dict[str, list[str]]]:
    match = ITEM_RE.search(html)
    ballots: dict[str, list[str]] = {}
    for name, value in RADIO_RE.findall(html):
        ballots.setdefault(name, []).append(value)
    return (int(match.group(1)) if match else None), ballots


def field_basis(name: str) -> str:
    return "" if name == "answer" else name


class Phones:
    def __init__(self, session, code: str):
        self.session = session
        self.code = code
        self.join_url = f"/w/{code}/join/"
        self.live_url = f"/w/{code}/live/"
        self.vote_url = f"/w/{code}/vote/"

    async def join(self, p: Participant) -> None:
        async with self.session.get(self.join_url) as r:
            await r.read()
            if r.status != 200 or "csrftoken" not in r.cookies:
                raise RuntimeError(f"join form answered {r.status}")
            p.csrf = r.cookies["csrftoken"].value
        form = {
            "csrfmiddlewaretoken": p.csrf,
            "who": "anonymous",
            "role": "officer",
            "sector": "public",
            "layer": "operational",
        }
        async with self.session.post(
            self.join_url,
            data=form,
            headers={"Cookie": f"csrftoken={p.csrf}"},
            allow_redirects=False,
        ) as r:
            await r.read()
            if r.status != 302 or COOKIE not in r.cookies:
                raise RuntimeError(f"join answered {r.status}")
            p.cookie = r.cookies[COOKIE].value
        p.respondent_id = int(p.cookie.split(":", 1)[0])

    async def poll(self, p: Participant) -> tuple[int, str]:
        headers = p.headers(**({"If-None-Match": p.etag} if p.etag else {}))
        async with self.session.get(self.live_url, headers=headers) as r:
            body = await r.text() if r.status == 200 else ""
            if "ETag" in r.headers:
                p.etag = r.headers["ETag"]
            return r.status, body

    async def vote(self, p: Participant, agenda_id: int, values: dict[str, str]) -> int:
        form = {"csrfmiddlewaretoken": p.csrf, "item": str(agenda_id), **values}
        headers = p.headers(Accept="application/json", **{"X-CSRFToken": p.csrf})
        async with self.session.post(self.vote_url, data=form, headers=headers) as r:
            if r.status == 200:
                body = await r.json()
                return 200 if body.get("ok") is True else -200
            await r.read()
            return r.status


# --- Scenario: a realistic workshop ---------------------------------------------------------


async def run_scenario(args, phones: Phones, sc: Scenario, orm, workshop_id: int, order: list[int]):
    rng = random.Random(args.seed)  # noqa: S311 - simulated choices, not secrets
    loop = asyncio.get_running_loop()
    from workshops.services import workshop as services

    def choose(options: list[str], previous: str | None) -> str:
        return rng.choice([o for o in options if o != previous])

    async def cast(p: Participant, agenda_id: int, ballots: dict[str, list[str]], previous=None):
        values = {
            name: choose(options, (previous or {}).get(name)) for name, options in ballots.items()
        }
        t0 = time.perf_counter()
        try:
            status = await phones.vote(p, agenda_id, values)
        except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
            sc.errors[f"vote {type(exc).__name__}"] += 1
            return None
        sc.vote_latency.append(time.perf_counter() - t0)
        if status != 200:
            sc.errors[f"vote answered {status}"] += 1
            return None
        question_id = sc.slots[agenda_id].question_id
        for name, value in values.items():
            sc.acked[(p.respondent_id, question_id, field_basis(name))] = value
        return values

    async def change_later(p: Participant, agenda_id: int, ballots, first: dict[str, str]):
        try:
            await asyncio.sleep(rng.uniform(0.5, 2.5))
            if await cast(p, agenda_id, ballots, previous=first):
                sc.changed[agenda_id] += 1
        finally:
            sc.pending[agenda_id] -= 1

    changes: set[asyncio.Task] = set()  # held so they are not collected while running

    async def phone(p: Participant):
        await asyncio.sleep(rng.random())  # phones do not poll in step
        voted_on: set[int] = set()
        next_at = loop.time()
        while not sc.done:
            t0 = time.perf_counter()
            try:
                status, body = await phones.poll(p)
            except Exception as exc:  # noqa: BLE001
                sc.errors[f"poll {type(exc).__name__}"] += 1
                status, body = 0, ""
            latency = time.perf_counter() - t0
            if status == 304:
                sc.poll_304.append(latency)
            elif status == 200:
                sc.poll_200.append(latency)
                agenda_id, ballots = parse_ballots(body)
                if agenda_id is not None and agenda_id not in voted_on:
                    voted_on.add(agenda_id)
                    slot = sc.slots.get(agenda_id)
                    if slot is None or ballots != slot.ballots:
                        sc.errors["ballot on the phone differs from the service's"] += 1
                    first = await cast(p, agenda_id, ballots)
                    if first is not None:
                        if rng.random() < args.change_share:
                            sc.pending[agenda_id] += 1
                            task = asyncio.create_task(change_later(p, agenda_id, ballots, first))
                            changes.add(task)
                            task.add_done_callback(changes.discard)
                        sc.voted[agenda_id].add(p.index)
            elif status:
                sc.errors[f"poll answered {status}"] += 1
            next_at = max(next_at + 1.0, loop.time())
            await asyncio.sleep(max(0.0, next_at - loop.time()))

    async def facilitator():
        everyone = len(sc.participants)
        for agenda_id in order:
            slot = sc.slots[agenda_id]
            await orm(services.change, workshop_id, "next")
            await asyncio.sleep(1.0)  # the room reads the question
            opened = time.perf_counter()
            await orm(services.change, workshop_id, "open")
            deadline = opened + args.item_timeout
            all_in = float("nan")
            while time.perf_counter() < deadline:
                if len(sc.voted[agenda_id]) >= everyone and math.isnan(all_in):
                    all_in = time.perf_counter() - opened
                if len(sc.voted[agenda_id]) >= everyone and sc.pending[agenda_id] == 0:
                    break
                await asyncio.sleep(0.05)
            else:
                sc.errors[f"{slot.key}: timed out waiting for votes"] += 1
            await orm(services.change, workshop_id, "close")
            await orm(services.change, workshop_id, "reveal")
            sc.per_item.append((slot.key, len(sc.voted[agenda_id]), sc.changed[agenda_id], all_in))
        sc.done = True

    phone_tasks = [asyncio.create_task(phone(p)) for p in sc.participants]
    started = time.perf_counter()
    await facilitator()
    await asyncio.gather(*phone_tasks)
    return time.perf_counter() - started


def verify(sc: Scenario, workshop_id: int) -> dict[str, int]:
    from workshops.models import Answer

    rows = Answer.objects.filter(respondent__workshop_id=workshop_id).values_list(
        "respondent_id", "item_id", "basis", "rating", "choice"
    )
    stored: dict[tuple[int, int, str], list[str]] = defaultdict(list)
    for respondent_id, item_id, basis, rating, choice in rows:
        stored[(respondent_id, item_id, basis)].append(
            str(rating) if rating is not None else choice
        )
    missing = sum(1 for key in sc.acked if key not in stored)
    different = sum(
        1 for key, value in sc.acked.items() if key in stored and stored[key][-1] != value
    )
    duplicates = sum(len(values) - 1 for values in stored.values() if len(values) > 1)
    unexpected = sum(len(values) for key, values in stored.items() if key not in sc.acked)
    return {
        "expected": len(sc.acked),
        "stored": sum(len(v) for v in stored.values()),
        "missing": missing,
        "different": different,
        "duplicates": duplicates,
        "unexpected": unexpected,
    }


# --- Throughput: saturating runs --------------------------------------------------------------


async def saturate(name: str, request, concurrency: int, warmup: float, seconds: float, ok: int):
    """``concurrency`` clients send ``request(client, n)`` back to back for warmup + seconds;
    requests finishing inside the measured window are counted."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    measure_from, stop_at = start + warmup, start + warmup + seconds
    latencies: list[float] = []
    errors: Counter = Counter()
    cpu = [0.0, 0.0]

    async def client(index: int):
        n = 0
        while loop.time() < stop_at:
            t0 = loop.time()
            try:
                status = await request(index, n)
            except Exception as exc:  # noqa: BLE001
                status = type(exc).__name__
            t1 = loop.time()
            n += 1
            if measure_from <= t1 <= stop_at:
                if status == ok:
                    latencies.append(t1 - t0)
                else:
                    errors[str(status)] += 1

    async def cpu_meter():
        await asyncio.sleep(max(0.0, measure_from - loop.time()))
        cpu[0] = time.process_time()
        await asyncio.sleep(max(0.0, stop_at - loop.time()))
        cpu[1] = time.process_time()

    await asyncio.gather(cpu_meter(), *(client(i) for i in range(concurrency)))
    return Run(
        name=name,
        rate=len(latencies) / seconds,
        p50=percentile(latencies, 50),
        p95=percentile(latencies, 95),
        ok=len(latencies),
        errors=errors,
        client_cpu=(cpu[1] - cpu[0]) / seconds,
    )


async def run_throughput(args, phones: Phones, session, sc: Scenario, slot: Slot, orm):
    participants = sc.participants
    values = {name: options[:2] for name, options in slot.ballots.items()}
    # Every client polls with the ETag the room currently shows.
    await phones.poll(participants[0])
    etag = participants[0].etag

    async def vote(index: int, n: int):
        p = participants[index % len(participants)]
        choice = {name: pair[n % 2] for name, pair in values.items()}
        return await phones.vote(p, slot.agenda_id, choice)

    async def poll(index: int, n: int):
        p = participants[index % len(participants)]
        headers = p.headers(**{"If-None-Match": etag})
        async with session.get(phones.live_url, headers=headers) as r:
            await r.read()
            return r.status

    async def upsert(index: int, n: int):
        form = {"key": str(index), "value": secrets.token_hex(8)}
        async with session.post("/bench/upsert/", data=form) as r:
            await r.read()
            return r.status

    async def constant(index: int, n: int):
        async with session.get("/bench/constant/") as r:
            await r.read()
            return r.status

    plan = [
        ("votes", vote, 200),
        ("reference upsert", upsert, 200),
        ("polls (304)", poll, 304),
        ("reference constant", constant, 200),
    ]
    rounds: dict[str, list[Run]] = defaultdict(list)
    for round_no in range(1, args.rounds + 1):
        for name, request, ok in plan:
            # Start each run from a clean checkpoint, so no run pays for another's writes.
            await orm(checkpoint)
            run = await saturate(name, request, args.concurrency, args.warmup, args.seconds, ok)
            rounds[name].append(run)
            errors = f" errors={dict(run.errors)}" if run.errors else ""
            print(
                f"  round {round_no} {name:<19} {run.rate:8.1f}/s  p50 {ms(run.p50):>6} ms"
                f"  p95 {ms(run.p95):>6} ms  client cpu {run.client_cpu:4.0%}{errors}",
                flush=True,
            )
    return rounds


def checkpoint() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")


def median_run(runs: list[Run]) -> Run:
    return Run(
        name=runs[0].name,
        rate=statistics.median(r.rate for r in runs),
        p50=statistics.median(r.p50 for r in runs),
        p95=statistics.median(r.p95 for r in runs),
        ok=sum(r.ok for r in runs),
        errors=sum((r.errors for r in runs), Counter()),
        client_cpu=statistics.median(r.client_cpu for r in runs),
    )


# --- Main -------------------------------------------------------------------------------------


def setup_workshop(args):
    from django.db import connection

    from workshops.models import Assessment, User
    from workshops.services import voting
    from workshops.services import workshop as services

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_reference (key integer PRIMARY KEY, value text)"
        )
    assessment = Assessment.objects.get(title="Autumn self-assessment")
    user = User.objects.get(email="coordinator@eastvale.example.org")
    workshop = services.create_workshop(
        assessment,
        user,
        title="Load test",
        kind="board",
        held_on=datetime.date.today(),
        facilitator=user,
    )
    agenda = list(workshop.agenda.select_related("item").order_by("position"))
    if len(agenda) < args.items + 1:
        raise SystemExit(
            f"The agenda has {len(agenda)} items; --items must leave one over for the "
            "throughput phase."
        )
    slots = {}
    for agenda_item in agenda[: args.items + 1]:
        item = agenda_item.item
        options = [value for value, _ in voting.vote_options(workshop, item)]
        slots[agenda_item.pk] = Slot(
            agenda_id=agenda_item.pk,
            question_id=item.pk,
            key=item.key,
            ballots={basis or "answer": options for basis in voting.vote_slots(workshop, item)},
        )
    order = [a.pk for a in agenda[: args.items]]
    return workshop, slots, order, agenda[args.items].pk


async def drive(args, workshop, slots, order, spare_id) -> dict:
    import aiohttp

    from workshops.services import workshop as services

    executor = ThreadPoolExecutor(max_workers=1)  # the facilitator's own database connection
    loop = asyncio.get_running_loop()

    async def orm(fn, *a):
        return await loop.run_in_executor(executor, fn, *a)

    result: dict = {}
    connector = aiohttp.TCPConnector(
        limit=max(args.participants, args.concurrency), force_close=True
    )
    async with aiohttp.ClientSession(
        base_url=f"http://127.0.0.1:{args.port}",
        connector=connector,
        cookie_jar=aiohttp.DummyCookieJar(),
        timeout=aiohttp.ClientTimeout(total=60),
    ) as session:
        phones = Phones(session, workshop.code)
        participants = [Participant(i) for i in range(args.participants)]
        sc = Scenario(participants=participants, slots=slots)

        # Everyone joins, twenty phones at a time.
        gate = asyncio.Semaphore(20)

        async def join(p: Participant):
            async with gate:
                t0 = time.perf_counter()
                await phones.join(p)
                sc.join_latency.append(time.perf_counter() - t0)

        t0 = time.perf_counter()
        await asyncio.gather(*(join(p) for p in participants))
        result["join_seconds"] = time.perf_counter() - t0
        print(
            f"{len(participants)} participants joined in {result['join_seconds']:.1f} s", flush=True
        )

        result["scenario_seconds"] = await run_scenario(args, phones, sc, orm, workshop.pk, order)
        result["scenario"] = sc
        result["check"] = await orm(verify, sc, workshop.pk)
        print(
            f"Scenario done in {result['scenario_seconds']:.1f} s; stored answers checked.",
            flush=True,
        )

        # Throughput: voting open on the next item, the room's ETag fixed.
        await orm(services.change, workshop.pk, "next")
        await orm(services.change, workshop.pk, "open")
        print(
            f"Throughput: {args.concurrency} clients, {args.warmup:g} s warm-up + "
            f"{args.seconds:g} s per run, {args.rounds} interleaved round(s):",
            flush=True,
        )
        result["rounds"] = await run_throughput(args, phones, session, sc, slots[spare_id], orm)
    executor.shutdown()
    return result


def report(args, result, redis_used: bool) -> int:
    sc: Scenario = result["scenario"]
    check = result["check"]
    lost = check["missing"] + check["different"] + check["duplicates"] + check["unexpected"]
    medians = {name: median_run(runs) for name, runs in result["rounds"].items()}
    votes, upsert = medians["votes"], medians["reference upsert"]
    polls, constant = medians["polls (304)"], medians["reference constant"]
    vote_ratio = votes.rate / upsert.rate if upsert.rate else 0.0
    poll_ratio = polls.rate / constant.rate if constant.rate else 0.0

    line = "-" * 78
    print()
    print(line)
    print(
        f"Scenario: {args.participants} participants, {args.items} items, polling at 1 Hz, "
        f"{args.workers} sync workers, cache {'Redis' if redis_used else 'local memory'}"
    )
    print(line)
    print(f"{'':<28}{'count':>8}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for label, values in (
        ("join (form + post)", sc.join_latency),
        ("vote", sc.vote_latency),
        ("poll, unchanged (304)", sc.poll_304),
        ("poll, changed (200)", sc.poll_200),
    ):
        peak = max(values) if values else float("nan")
        print(
            f"{label:<28}{len(values):>8}{ms(percentile(values, 50)):>10}"
            f"{ms(percentile(values, 95)):>10}{ms(peak):>10}"
        )
    print()
    print(f"{'item':<12}{'voted':>8}{'changed':>9}{'all in after s':>16}")
    for key, voted, changed, all_in in sc.per_item:
        shown = "-" if math.isnan(all_in) else f"{all_in:.2f}"
        print(f"{key:<12}{voted:>8}{changed:>9}{shown:>16}")
    print()
    print(
        "Stored answers: expected {expected}, stored {stored}, missing {missing}, "
        "different {different}, duplicates {duplicates}, unexpected {unexpected}".format(**check)
    )
    if sc.errors:
        print(f"Errors: {dict(sc.errors)}")
    else:
        print("Errors: none")
    print(line)
    print(
        f"Throughput: {args.concurrency} concurrent clients, {args.seconds:g} s per run, "
        f"median of {args.rounds} interleaved round(s)"
    )
    print(line)
    print(f"{'':<28}{'req/s':>10}{'p50 ms':>10}{'p95 ms':>10}{'errors':>8}{'client cpu':>12}")
    for run in (votes, upsert, polls, constant):
        print(
            f"{run.name:<28}{run.rate:>10.1f}{ms(run.p50):>10}{ms(run.p95):>10}"
            f"{sum(run.errors.values()):>8}{run.client_cpu:>12.0%}"
        )
    print(line)

    def verdict(met: bool) -> str:
        return "met" if met else "NOT met"

    vote_met = verdict(vote_ratio >= VOTE_RATIO_TARGET)
    poll_met = verdict(poll_ratio >= POLL_RATIO_TARGET)
    print(f"Target vote_ratio >= {VOTE_RATIO_TARGET}: {vote_ratio:.2f} {vote_met}")
    print(f"Target poll_ratio >= {POLL_RATIO_TARGET}: {poll_ratio:.2f} {poll_met}")
    print(
        f"Target vote p95 < {VOTE_P95_TARGET_MS:g} ms at {args.concurrency} concurrent: "
        f"{ms(votes.p95)} ms {verdict(votes.p95 * 1000 < VOTE_P95_TARGET_MS)}"
    )
    print(f"Target lost == 0: {lost} {verdict(lost == 0)}")
    print(f"vote_ratio={vote_ratio:.2f} poll_ratio={poll_ratio:.2f} lost={lost}")
    return 1 if lost else 0


def main() -> int:
    args = parse_args()
    os.chdir(ROOT)
    redis_used = redis_answers()
    os.environ.update(bench_env(redis_used))
    if not redis_used:
        os.environ.pop("REDIS_URL", None)
    print(f"Re-creating database {DB_NAME} and loading demo data...", flush=True)
    recreate_database()
    manage("migrate", "--no-input")
    manage("load_question_bank")
    manage("seed_demo")

    import django

    django.setup()
    workshop, slots, order, spare_id = setup_workshop(args)
    from django.db import connection

    checkpoint()  # the set-up's writes are flushed before anything is measured
    connection.close()  # the facilitator works from its own thread from here on

    server = Server(args.port, args.workers)
    try:
        server.wait_ready()
        print(f"gunicorn: {args.workers} sync workers on port {args.port}", flush=True)
        result = asyncio.run(drive(args, workshop, slots, order, spare_id))
    finally:
        server.stop()
    return report(args, result, redis_used)


if __name__ == "__main__":
    sys.exit(main())
