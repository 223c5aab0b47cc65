"""Load benchmark for the live workshop: joining, polling and voting from phones.

Run from the project root:

    .venv/bin/python bench/workshop_load.py [--participants 200 --items 10
        --concurrency 50 --seconds 10 --port 8765]

It needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust authentication);
Redis on 127.0.0.1:6379 is used when it answers. It drops and re-creates the
database ``lsp_assess_bench``, serves the product with gunicorn and, beside it on
the next port, the bare Django project in bench/bare (the yardstick: no
middleware, same workers, same database), and drives both with simulated phones
(one asyncio process). See bench/README.md.

The last line printed is
``vote_ratio=X.XX poll_ratio=Y.YY lost=N switch_p95_ms=M``. The exit code is
non-zero when a vote, dots or an idea the server acknowledged were lost (or any other
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
VOTE_P95_TARGET_MS = 60.0
SWITCH_P95_TARGET_MS = 1000.0
# As static/js/workshop.js: the next poll goes a second after the last one's answer.
POLL_SECONDS = 1.0

ITEM_RE = re.compile(r'name="item" value="(\d+)"')
RADIO_RE = re.compile(r'name="([\w-]+)" type="radio" value="([^"]*)"')
PART_RE = re.compile(r'data-part="([^"]*)"')
DOT_VOTE_RE = re.compile(r'name="vote" value="(\d+)"')
DOT_FIELD_RE = re.compile(r'name="dots-(\d+)"')
DOTS_IN = ("dots are in", "dot is in")
IDEA_FORM_RE = re.compile(
    r'name="collection" value="(\d+)">\s*<input type="hidden" name="token" value="([^"]*)"'
)
IDEA_IN = ("Your idea is in", "it is stored once")
IDEAS_PROMPT = "What one thing would most improve our board meetings?"


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
    parser.add_argument(
        "--port", type=int, default=8765, help="the product's; the bare yardstick takes the next"
    )
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--change-share", type=float, default=0.2)
    parser.add_argument("--item-timeout", type=float, default=30.0)
    parser.add_argument(
        "--no-dots", dest="dots", action="store_false", help="leave out the dot-vote phase"
    )
    parser.add_argument(
        "--no-ideas", dest="ideas", action="store_false", help="leave out the ideas phase"
    )
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
        # The product's own settings: everything it runs with in a workshop.
        "DJANGO_SETTINGS_MODULE": "lsp_assess.settings",
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
    """gunicorn serving one WSGI application, in its own process group so it can be
    stopped whole. The product and the bare yardstick get the same workers and class."""

    def __init__(self, app: str, settings: str, port: int, workers: int, ready_path: str):
        self.port = port
        self.ready_path = ready_path
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(  # noqa: S603 - the project's own gunicorn
            [
                gunicorn_path(),
                app,
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{port}",
                # Two servers run side by side: neither needs gunicorn's control socket.
                "--no-control-socket",
            ],
            cwd=ROOT,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": settings},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        url = f"http://127.0.0.1:{self.port}{self.ready_path}"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited early:\n{self.output()}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own
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
    seen: dict[str, float] = field(default_factory=dict)  # page part -> first seen at
    tried: set[str] = field(default_factory=set)  # phases this phone has voted in

    def headers(self, **extra: str) -> dict[str, str]:
        return {"Cookie": f"csrftoken={self.csrf}; {COOKIE}={self.cookie}", **extra}


def field_basis(name: str) -> str:
    return "" if name == "answer" else name


class Phones:
    def __init__(self, session, code: str):
        self.session = session
        self.code = code
        self.join_url = f"/w/{code}/join/"
        self.room_url = f"/w/{code}/"
        self.live_url = f"/w/{code}/live/"
        self.vote_url = f"/w/{code}/vote/"
        self.dots_url = f"/w/{code}/dots/"
        self.ideas_url = f"/w/{code}/ideas/"

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

    async def place_dots(self, p: Participant, vote_id: int, given: dict[int, int]) -> str:
        """Send dots as the page's form does; "ok" when the room says they are in."""
        form = {"vote": str(vote_id)}
        form.update({f"dots-{pk}": str(n) for pk, n in given.items()})
        return await self.send_form(p, "dots", self.dots_url, form, DOTS_IN)

    async def send_idea(self, p: Participant, collection_id: int, text: str, token: str) -> str:
        """Send an idea as the page's form does; "ok" when the room says it is in."""
        form = {"collection": str(collection_id), "token": token, "text": text}
        return await self.send_form(p, "idea", self.ideas_url, form, IDEA_IN)

    async def send_form(self, p: Participant, what: str, url: str, form: dict, said_in) -> str:
        """Post a phone's form without JavaScript, then load the room it redirects to;
        returns "ok" when the room says what was sent is in, else what happened."""
        form = {"csrfmiddlewaretoken": p.csrf, **form}
        async with self.session.post(
            url, data=form, headers=p.headers(), allow_redirects=False
        ) as r:
            await r.read()
            if r.status != 302:
                return f"{what} answered {r.status}"
            said = "; ".join(f"{name}={c.value}" for name, c in r.cookies.items())
        headers = p.headers()
        if said:
            headers["Cookie"] += f"; {said}"
        async with self.session.get(self.room_url, headers=headers) as r:
            page = await r.text()
            if r.status != 200:
                return f"room after {what} answered {r.status}"
        return "ok" if any(words in page for words in said_in) else f"{what} not confirmed"


# --- Phases: what the room votes on, one after another ------------------------------------
#
# Each phase puts something to the room (its page part is what phones show for it),
# recognises its ballot on a phone's page, casts a phone's vote (and sometimes a change of
# mind), and keeps what the server acknowledged so the database can be checked after.


class Phase:
    label = ""
    part = ""  # the data-part the phone's page shows for it, set once put to the room

    def __init__(self) -> None:
        self.voted: set[int] = set()
        self.pending = 0
        self.changed = 0
        self.errors: Counter = Counter()

    async def put_to_room(self, orm, workshop_id: int) -> None:
        raise NotImplementedError

    def ballot(self, page: str):
        """What this phase's ballot offers on a phone's page, or None when it shows none."""
        raise NotImplementedError

    async def cast(self, phones: Phones, p: Participant, ballot, rng, previous=None):
        """Vote from this phone; returns what was sent once acknowledged, else None."""
        raise NotImplementedError


class RatingPhase(Phase):
    def __init__(self, slot: Slot):
        super().__init__()
        self.slot = slot
        self.label = slot.key
        self.part = f"question {slot.agenda_id}"
        self.acked: dict[tuple[int, int, str], str] = {}

    async def put_to_room(self, orm, workshop_id: int) -> None:
        from workshops.services import workshop as services

        await orm(services.change, workshop_id, "next")

    def ballot(self, page: str):
        match = ITEM_RE.search(page)
        if match is None or int(match.group(1)) != self.slot.agenda_id:
            return None
        ballots: dict[str, list[str]] = {}
        for name, value in RADIO_RE.findall(page):
            ballots.setdefault(name, []).append(value)
        if ballots != self.slot.ballots:
            self.errors["ballot on the phone differs from the service's"] += 1
        return ballots

    async def cast(self, phones, p, ballot, rng, previous=None):
        values = {
            name: rng.choice([o for o in options if o != (previous or {}).get(name)])
            for name, options in ballot.items()
        }
        status = await phones.vote(p, self.slot.agenda_id, values)
        if status != 200:
            self.errors[f"vote answered {status}"] += 1
            return None
        for name, value in values.items():
            self.acked[(p.respondent_id, self.slot.question_id, field_basis(name))] = value
        return values


class DotPhase(Phase):
    label = "dots"

    def __init__(self, candidates: list[str], dots: int = 3, most_per_candidate: int = 2):
        super().__init__()
        self.candidates = candidates
        self.dots = dots
        self.most = most_per_candidate
        self.vote_id = 0
        self.acked: dict[tuple[int, int], dict[int, int]] = {}

    async def put_to_room(self, orm, workshop_id: int) -> None:
        self.vote_id = await orm(
            put_dots_to_room, workshop_id, self.candidates, self.dots, self.most
        )
        self.part = f"dots {self.vote_id}"

    def ballot(self, page: str):
        match = DOT_VOTE_RE.search(page)
        if match is None or int(match.group(1)) != self.vote_id:
            return None
        return [int(pk) for pk in DOT_FIELD_RE.findall(page)]

    async def cast(self, phones, p, ballot, rng, previous=None):
        given = dict.fromkeys(ballot, 0)
        while True:
            for _ in range(self.dots):
                pk = rng.choice([pk for pk in ballot if given[pk] < self.most])
                given[pk] += 1
            if given != previous:
                break
            given = dict.fromkeys(ballot, 0)
        said = await phones.place_dots(p, self.vote_id, given)
        if said != "ok":
            self.errors[said] += 1
            return None
        self.acked[(p.respondent_id, self.vote_id)] = {pk: n for pk, n in given.items() if n}
        return given


def put_dots_to_room(workshop_id: int, candidates: list[str], dots: int, most: int) -> int:
    from workshops.models import Workshop
    from workshops.services import dots as dot_votes

    vote = dot_votes.put_to_room(
        Workshop.objects.get(pk=workshop_id),
        title="Priorities for the year",
        priorities=[],
        typed=candidates,
        dots=dots,
        most_per_candidate=most,
    )
    return vote.pk


class IdeaPhase(Phase):
    """Each phone sends an idea; a phone that "changes its mind" sends the same form
    again, as a retry after a lost answer would, which must store nothing more."""

    label = "ideas"

    def __init__(self, prompt: str):
        super().__init__()
        self.prompt = prompt
        self.collection_id = 0
        self.acked: dict[tuple[int, str], str] = {}

    async def put_to_room(self, orm, workshop_id: int) -> None:
        self.collection_id = await orm(put_ideas_to_room, workshop_id, self.prompt)
        self.part = f"ideas {self.collection_id}"

    def ballot(self, page: str):
        match = IDEA_FORM_RE.search(page)
        if match is None or int(match.group(1)) != self.collection_id:
            return None
        return match.group(2)  # the form's token

    async def cast(self, phones, p, ballot, rng, previous=None):
        text = previous or f"Idea {rng.randrange(10**6)} from phone {p.index}"
        said = await phones.send_idea(p, self.collection_id, text, ballot)
        if said != "ok":
            self.errors[said] += 1
            return None
        self.acked[(p.respondent_id, text)] = text
        return text


def put_ideas_to_room(workshop_id: int, prompt: str) -> int:
    from workshops.models import Workshop
    from workshops.services import ideas

    return ideas.put_to_room(Workshop.objects.get(pk=workshop_id), prompt=prompt).pk


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
    phases: list[Phase]
    switched_at: dict[str, float] = field(default_factory=dict)  # page part -> "Next" at
    vote_latency: list[float] = field(default_factory=list)
    form_latency: list[float] = field(default_factory=list)  # dots and ideas
    poll_304: list[float] = field(default_factory=list)
    poll_200: list[float] = field(default_factory=list)
    join_latency: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    per_phase: list[tuple[str, int, int, float]] = field(default_factory=list)
    done: bool = False

    def switch_latencies(self) -> list[float]:
        """From each "Next" to each phone's first page showing what it put to the room."""
        return [
            p.seen[part] - started
            for part, started in self.switched_at.items()
            for p in self.participants
            if part in p.seen
        ]

    def never_saw(self) -> int:
        return sum(1 for part in self.switched_at for p in self.participants if part not in p.seen)


# --- Scenario: a realistic workshop ---------------------------------------------------------


async def run_scenario(args, phones: Phones, sc: Scenario, orm, workshop_id: int):
    rng = random.Random(args.seed)  # noqa: S311 - simulated choices, not secrets
    from workshops.services import workshop as services

    by_part: dict[str, Phase] = {}

    async def cast(phase: Phase, p: Participant, ballot, previous=None):
        t0 = time.perf_counter()
        try:
            sent = await phase.cast(phones, p, ballot, rng, previous)
        except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
            phase.errors[f"{phase.label} {type(exc).__name__}"] += 1
            return None
        latencies = sc.vote_latency if isinstance(phase, RatingPhase) else sc.form_latency
        latencies.append(time.perf_counter() - t0)
        return sent

    async def change_later(phase: Phase, p: Participant, ballot, first):
        try:
            await asyncio.sleep(rng.uniform(0.5, 2.5))
            if await cast(phase, p, ballot, previous=first) is not None:
                phase.changed += 1
        finally:
            phase.pending -= 1

    changes: set[asyncio.Task] = set()  # held so they are not collected while running

    async def phone(p: Participant):
        await asyncio.sleep(rng.random())  # phones do not poll in step
        while not sc.done:
            t0 = time.perf_counter()
            try:
                status, body = await phones.poll(p)
            except Exception as exc:  # noqa: BLE001
                sc.errors[f"poll {type(exc).__name__}"] += 1
                status, body = 0, ""
            arrived = time.perf_counter()
            if status == 304:
                sc.poll_304.append(arrived - t0)
            elif status == 200:
                sc.poll_200.append(arrived - t0)
                match = PART_RE.search(body)
                part = match.group(1) if match else ""
                p.seen.setdefault(part, arrived)
                phase = by_part.get(part)
                ballot = phase.ballot(body) if phase and part not in p.tried else None
                if ballot:
                    p.tried.add(part)
                    first = await cast(phase, p, ballot)
                    if first is not None:
                        phase.voted.add(p.index)
                        if rng.random() < args.change_share:
                            phase.pending += 1
                            task = asyncio.create_task(change_later(phase, p, ballot, first))
                            changes.add(task)
                            task.add_done_callback(changes.discard)
            elif status:
                sc.errors[f"poll answered {status}"] += 1
            await asyncio.sleep(POLL_SECONDS)

    async def facilitator():
        everyone = len(sc.participants)
        for phase in sc.phases:
            started = time.perf_counter()
            await phase.put_to_room(orm, workshop_id)
            sc.switched_at[phase.part] = started
            by_part[phase.part] = phase
            await asyncio.sleep(1.0)  # the room reads the question
            opened = time.perf_counter()
            await orm(services.change, workshop_id, "open")
            deadline = opened + args.item_timeout
            all_in = float("nan")
            while time.perf_counter() < deadline:
                if len(phase.voted) >= everyone and math.isnan(all_in):
                    all_in = time.perf_counter() - opened
                if len(phase.voted) >= everyone and phase.pending == 0:
                    break
                await asyncio.sleep(0.05)
            else:
                sc.errors[f"{phase.label}: timed out waiting for votes"] += 1
            await orm(services.change, workshop_id, "close")
            await orm(services.change, workshop_id, "reveal")
            sc.per_phase.append((phase.label, len(phase.voted), phase.changed, all_in))
        sc.done = True

    phone_tasks = [asyncio.create_task(phone(p)) for p in sc.participants]
    started = time.perf_counter()
    await facilitator()
    await asyncio.gather(*phone_tasks)
    for phase in sc.phases:
        sc.errors.update(phase.errors)
    return time.perf_counter() - started


def compare(acked: dict, stored: dict[object, list]) -> dict[str, int]:
    return {
        "expected": len(acked),
        "stored": sum(len(v) for v in stored.values()),
        "missing": sum(1 for key in acked if key not in stored),
        "different": sum(
            1 for key, value in acked.items() if key in stored and stored[key][-1] != value
        ),
        "duplicates": sum(len(values) - 1 for values in stored.values() if len(values) > 1),
        "unexpected": sum(len(values) for key, values in stored.items() if key not in acked),
    }


def verify(sc: Scenario, workshop_id: int) -> dict[str, dict[str, int]]:
    """What the database holds against what the server acknowledged, per kind of vote."""
    from workshops.models import Answer, DotMark, Idea

    acked_answers = {}
    acked_dots = {}
    acked_ideas = {}
    for phase in sc.phases:
        if isinstance(phase, RatingPhase):
            acked_answers.update(phase.acked)
        elif isinstance(phase, DotPhase):
            acked_dots.update(phase.acked)
        elif isinstance(phase, IdeaPhase):
            acked_ideas.update(phase.acked)

    answers: dict[tuple[int, int, str], list[str]] = defaultdict(list)
    rows = Answer.objects.filter(respondent__workshop_id=workshop_id).values_list(
        "respondent_id", "item_id", "basis", "rating", "choice"
    )
    for respondent_id, item_id, basis, rating, choice in rows:
        answers[(respondent_id, item_id, basis)].append(
            str(rating) if rating is not None else choice
        )

    marks: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
    duplicate_marks = 0
    rows = DotMark.objects.filter(allocation__vote__workshop_id=workshop_id).values_list(
        "allocation__participant_id", "allocation__vote_id", "candidate_id", "points"
    )
    for participant_id, vote_id, candidate_id, points in rows:
        allocation = marks[(participant_id, vote_id)]
        duplicate_marks += candidate_id in allocation
        allocation[candidate_id] = points
    dots = compare(acked_dots, {key: [value] for key, value in marks.items()})
    dots["duplicates"] += duplicate_marks
    ideas: dict[tuple[int, str], list[str]] = defaultdict(list)
    rows = Idea.objects.filter(collection__workshop_id=workshop_id).values_list(
        "participant_id", "text"
    )
    for participant_id, text in rows:
        ideas[(participant_id, text)].append(text)
    return {
        "answers": compare(acked_answers, answers),
        "dots": dots,
        "ideas": compare(acked_ideas, ideas),
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


VOTES, UPSERT, POLLS, CONSTANT, FULL = (
    "votes",
    "bare upsert",
    "polls (304)",
    "bare constant",
    "full polls (200)",
)


async def run_throughput(args, phones: Phones, bare, participants, slot: Slot, orm):
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
        async with phones.session.get(phones.live_url, headers=headers) as r:
            await r.read()
            return r.status

    async def full_poll(index: int, n: int):
        # A phone's first poll after a change: the whole fragment, its own ballot marked.
        p = participants[index % len(participants)]
        async with phones.session.get(phones.live_url, headers=p.headers()) as r:
            await r.read()
            return r.status

    async def upsert(index: int, n: int):
        form = {"key": str(index), "value": secrets.token_hex(8)}
        async with bare.post("/upsert/", data=form) as r:
            await r.read()
            return r.status

    async def constant(index: int, n: int):
        async with bare.get("/constant/") as r:
            await r.read()
            return r.status

    plan = [
        (VOTES, vote, 200),
        (UPSERT, upsert, 200),
        (POLLS, poll, 304),
        (CONSTANT, constant, 200),
        (FULL, full_poll, 200),
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


DOT_CANDIDATES = [
    "Share one record of who does what",
    "Meet the community panel every quarter",
    "Pool the small grants budget",
    "Train board members together",
    "Publish the partnership's results",
]


def setup_workshop(args):
    from django.db import connection

    from workshops.models import Assessment, User
    from workshops.services import voting
    from workshops.services import workshop as services

    with connection.cursor() as cursor:
        # The bare yardstick's table, in the same database.
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
    slots = []
    for agenda_item in agenda[: args.items + 1]:
        item = agenda_item.item
        options = [value for value, _ in voting.vote_options(workshop, item)]
        slots.append(
            Slot(
                agenda_id=agenda_item.pk,
                question_id=item.pk,
                key=item.key,
                ballots={basis or "answer": options for basis in voting.vote_slots(workshop, item)},
            )
        )
    phases: list[Phase] = [RatingPhase(slot) for slot in slots[: args.items]]
    if args.ideas:
        phases.append(IdeaPhase(IDEAS_PROMPT))
    if args.dots:
        phases.append(DotPhase(DOT_CANDIDATES))
    return workshop, phases, slots[args.items]


def move_to(workshop_id: int, agenda_id: int) -> None:
    """Next until the room is on this agenda item (from a dot vote, the first Next goes
    back to the agenda where the room left it), then open voting on it."""
    from workshops.models import Workshop
    from workshops.services import workshop as services

    for _ in range(3):
        if Workshop.objects.get(pk=workshop_id).current_id == agenda_id:
            break
        services.change(workshop_id, "next")
    services.change(workshop_id, "open")


async def drive(args, workshop, phases, spare: Slot) -> dict:
    import aiohttp

    executor = ThreadPoolExecutor(max_workers=1)  # the facilitator's own database connection
    loop = asyncio.get_running_loop()

    async def orm(fn, *a):
        return await loop.run_in_executor(executor, fn, *a)

    def session(port: int):
        # Sync workers close the connection after every response: a new one per request.
        connector = aiohttp.TCPConnector(
            limit=max(args.participants, args.concurrency), force_close=True
        )
        return aiohttp.ClientSession(
            base_url=f"http://127.0.0.1:{port}",
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            timeout=aiohttp.ClientTimeout(total=60),
        )

    result: dict = {}
    async with session(args.port) as product, session(args.port + 1) as bare:
        phones = Phones(product, workshop.code)
        participants = [Participant(i) for i in range(args.participants)]
        sc = Scenario(participants=participants, phases=phases)

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

        result["scenario_seconds"] = await run_scenario(args, phones, sc, orm, workshop.pk)
        result["scenario"] = sc
        result["check"] = await orm(verify, sc, workshop.pk)
        print(
            f"Scenario done in {result['scenario_seconds']:.1f} s; stored answers checked.",
            flush=True,
        )

        # Throughput: voting open on the spare item, the room's ETag fixed.
        await orm(move_to, workshop.pk, spare.agenda_id)
        print(
            f"Throughput: {args.concurrency} clients, {args.warmup:g} s warm-up + "
            f"{args.seconds:g} s per run, {args.rounds} interleaved round(s), "
            "product and bare yardstick:",
            flush=True,
        )
        result["rounds"] = await run_throughput(args, phones, bare, participants, spare, orm)
    executor.shutdown()
    return result


def report(args, result, redis_used: bool) -> int:
    sc: Scenario = result["scenario"]
    checks = result["check"]
    lost = sum(
        check[k] for check in checks.values() for k in ("missing", "different", "duplicates")
    ) + sum(check["unexpected"] for check in checks.values())
    medians = {name: median_run(runs) for name, runs in result["rounds"].items()}
    votes, upsert = medians[VOTES], medians[UPSERT]
    polls, constant, full = medians[POLLS], medians[CONSTANT], medians[FULL]
    vote_ratio = votes.rate / upsert.rate if upsert.rate else 0.0
    poll_ratio = polls.rate / constant.rate if constant.rate else 0.0
    switches = sc.switch_latencies()
    switch_p50, switch_p95 = percentile(switches, 50), percentile(switches, 95)

    line = "-" * 78
    print()
    print(line)
    print(
        f"Scenario: {args.participants} participants, {args.items} rated items"
        f"{', ideas' if args.ideas else ''}{', a dot vote' if args.dots else ''}, "
        f"polling {POLL_SECONDS:g} s after each "
        f"answer, {args.workers} sync workers, cache {'Redis' if redis_used else 'local memory'}"
    )
    print(line)
    print(f"{'':<32}{'count':>8}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for label, values in (
        ("join (form + post)", sc.join_latency),
        ("vote", sc.vote_latency),
        ("dots or idea (post + room)", sc.form_latency),
        ("poll, unchanged (304)", sc.poll_304),
        ("poll, changed (200)", sc.poll_200),
        ("switch: Next to new page", switches),
    ):
        peak = max(values) if values else float("nan")
        print(
            f"{label:<32}{len(values):>8}{ms(percentile(values, 50)):>10}"
            f"{ms(percentile(values, 95)):>10}{ms(peak):>10}"
        )
    if sc.never_saw():
        print(f"Phones that never saw a page put to the room: {sc.never_saw()}")
    print()
    print(f"{'phase':<12}{'voted':>8}{'changed':>9}{'all in after s':>16}")
    for key, voted, changed, all_in in sc.per_phase:
        shown = "-" if math.isnan(all_in) else f"{all_in:.2f}"
        print(f"{key:<12}{voted:>8}{changed:>9}{shown:>16}")
    print()
    for kind, check in checks.items():
        print(
            f"Stored {kind}: expected {{expected}}, stored {{stored}}, missing {{missing}}, "
            "different {different}, duplicates {duplicates}, unexpected {unexpected}".format(
                **check
            )
        )
    if sc.errors:
        print(f"Errors: {dict(sc.errors)}")
    else:
        print("Errors: none")
    print(line)
    print(
        f"Throughput: {args.concurrency} concurrent clients, {args.seconds:g} s per run, "
        f"median of {args.rounds} interleaved round(s); bare = bench/bare, no middleware"
    )
    print(line)
    print(f"{'':<28}{'req/s':>10}{'p50 ms':>10}{'p95 ms':>10}{'errors':>8}{'client cpu':>12}")
    for run in (votes, upsert, polls, constant, full):
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
        f"{ms(votes.p95)} ms (p50 {ms(votes.p50)} ms) "
        f"{verdict(votes.p95 * 1000 < VOTE_P95_TARGET_MS)}"
    )
    print(
        f"Target switch p95 <= {SWITCH_P95_TARGET_MS:g} ms with {args.participants} phones: "
        f"{ms(switch_p95)} ms (p50 {ms(switch_p50)} ms) "
        f"{verdict(switch_p95 * 1000 <= SWITCH_P95_TARGET_MS)}"
    )
    print(f"Target lost == 0: {lost} {verdict(lost == 0)}")
    print(
        f"vote_ratio={vote_ratio:.2f} poll_ratio={poll_ratio:.2f} lost={lost} "
        f"switch_p95_ms={ms(switch_p95)}"
    )
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
    workshop, phases, spare = setup_workshop(args)
    from django.db import connection

    checkpoint()  # the set-up's writes are flushed before anything is measured
    connection.close()  # the facilitator works from its own thread from here on

    product = Server(
        "lsp_assess.wsgi:application", "lsp_assess.settings", args.port, args.workers, "/healthz"
    )
    bare = Server(
        "bench.bare.wsgi:application",
        "bench.bare.settings",
        args.port + 1,
        args.workers,
        "/constant/",
    )
    try:
        product.wait_ready()
        bare.wait_ready()
        print(
            f"gunicorn: {args.workers} sync workers each for the product (port {args.port}) "
            f"and the bare yardstick (port {args.port + 1})",
            flush=True,
        )
        result = asyncio.run(drive(args, workshop, phases, spare))
    finally:
        product.stop()
        bare.stop()
    return report(args, result, redis_used)


if __name__ == "__main__":
    sys.exit(main())
