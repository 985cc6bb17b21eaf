"""Load benchmark: 50 parents saving and submitting questionnaires, beside a bare DRF endpoint.

    .venv/bin/python bench/load_questionnaires.py [--users 50] [--seconds 30] [--workers 3]
        [--threads 1] [--pace 1.0] [--port 18100] [--profile] [--keep-db]

Needs PostgreSQL (postgres@127.0.0.1:5432, trust) and Redis (127.0.0.1:6379). It creates a
database of its own, `mekling_load` (dropped at the end unless --keep-db), migrates it, loads the
national offices and seeds synthetic cases through the real service (`case_request`: each parent
gets their private link), and uses Redis db 8 as cache and broker (flushed before and after; no
worker runs, so the links' emails are never sent). It then starts the service as production runs
it: gunicorn over config.wsgi with bench/load/settings.py (production settings: DEBUG off,
PostgreSQL, Redis cache, SSL redirect and HSTS, throttles and axes at their production rates),
whose URL conf adds the bare endpoint, and runs locust headless (bench/load/locustfile.py) in one
run with these phases, each `--seconds` long after a short warm-up:

1. bare: --users clients GET the bare endpoint back to back (the framework's ceiling);
2. parents: --users parents walk their questionnaire back to back (GET, one PUT per answer,
   POST submit; a new parent when one is done): the service's throughput;
3. parents-paced: --users parents, each one request every --pace seconds: latency at that load;
4. the same paced parents again from plain threads (http.client, a connection per request), at
   random phases, after locust is done. Locust's gevent client, paced at this low rate, reports
   about ten times the latency that the server's own log (gunicorn's access log: method, status
   and milliseconds, no path, since the path holds the token) and these threads see for the same
   requests, so the latency goal is judged on (4), measured at the client.

Each save sends `Prefer: return=minimal` (RFC 7240), as an autosaving client would: the reply is
two timestamps instead of the whole questionnaire in three languages.

It prints p50/p95/p99 and throughput per phase and endpoint, the ratio of (2) to (1), the
server's own times, CPU use per process group (locust shares the 2 cores), and checks that every
submit reached the database.
With --profile it first walks some parents in-process under pyinstrument and prints where the
time goes, and the queries per request.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psutil
import psycopg
import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.process_groups import stop_process_group  # noqa: E402 - after the path

POSTGRES = "postgres://postgres@127.0.0.1:5432"
DATABASE = "mekling_load"
REDIS_URL = "redis://127.0.0.1:6379/8"
WARMUP_SECONDS = 6
SETTLE_SECONDS = 3  # cut from the start of each phase: the switch of user classes
REQUESTS_PER_PARENT = 21  # GET, 19 saves (one per item of v1), submit
GOAL_P95_MS = 50.0
GOAL_RATIO = 0.6
PROFILE_PARENTS = 80
ACCESS_FORMAT = "%(t)s %(M)s %(m)s %(s)s"  # [02/Dec/2026:05:04:23 +0100] 4 PUT 200


def bench_env(var_dir: str) -> dict[str, str]:
    from cryptography.fernet import Fernet

    return {
        "DJANGO_SETTINGS_MODULE": "bench.load.settings",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-" + Fernet.generate_key().decode(),
        "NATIONAL_ID_HASH_KEY": "bench-only-national-id-key",
        "ANSWERS_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"{POSTGRES}/{DATABASE}",
        "CELERY_BROKER_URL": REDIS_URL,
        "REDIS_CACHE_URL": REDIS_URL,
        # Nothing is sent (no worker runs); these backends would not send even if one did.
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "SMS_BACKEND": "scheduling.notifications.LocmemSmsBackend",
        # Locust plays the TLS proxy in front of production: X-Forwarded-Proto and -For.
        "LOGIN_PROXY_COUNT": "1",
        "LOG_LEVEL": "WARNING",
        "MEKLING_VAR_DIR": var_dir,
    }


def progress(message: str) -> None:
    # Oslo time throughout: django.setup() switches the process's local zone half way.
    stamp = datetime.now(ZoneInfo("Europe/Oslo")).strftime("%H:%M:%S")
    print(f"[{stamp}] {message}", file=sys.stderr, flush=True)


# --- database and seed -----------------------------------------------------------------------


def database_create() -> None:
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")


def database_drop() -> None:
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def django_setup() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def seed(cases: int) -> list[tuple[str, str]]:
    """Synthetic cases through the real service; each parent's token and client address."""

    from django.db import connection
    from django.utils import timezone

    from intake.links import link_token
    from intake.models import IntakeLink, Parent
    from intake.services import CaseRequest, ParentInput, case_request
    from mediators.demo import demo_offices_load
    from mediators.models import OSLO_MUNICIPALITY, Catchment

    demo_offices_load()
    municipalities = [
        row.municipality
        for row in Catchment.objects.filter(district__isnull=True)
        .exclude(municipality_id=OSLO_MUNICIPALITY)
        .select_related("municipality")
        .order_by("municipality_id")
    ]
    today = timezone.localdate()
    child = today.replace(year=today.year - 6)
    for n in range(cases):
        case_request(
            request=CaseRequest(
                case_type="separation",
                municipality=municipalities[n % len(municipalities)],
                parents=(
                    ParentInput(
                        role=Parent.Role.REQUESTER,
                        given_name="Testa",
                        family_name=f"Syntetisk{n}",
                        email=f"requester{n}@bench.example",
                    ),
                    ParentInput(
                        role=Parent.Role.OTHER,
                        given_name="Testo",
                        family_name=f"Oppdiktet{n}",
                        email=f"other{n}@bench.example",
                        language="en" if n % 3 == 0 else "nb",
                    ),
                ),
                children_birth_dates=(child,),
            )
        )
    links = IntakeLink.objects.filter(revoked_at__isnull=True).order_by("pk")
    tokens = [
        (link_token(link), f"198.{18 + i // 65536}.{(i // 256) % 256}.{i % 256}")
        for i, link in enumerate(links)
    ]
    connection.close()
    return tokens


# --- profile ---------------------------------------------------------------------------------


def profile(tokens: list[tuple[str, str]], out_dir: Path) -> None:
    """Walk some parents in-process (Django's test client, the full middleware stack) under
    pyinstrument; print the time per endpoint, the queries per request and the hot spots."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from pyinstrument import Profiler

    from intake.questionnaire import load_questionnaire

    questionnaire = load_questionnaire("v1")
    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    timings: dict[str, list[float]] = defaultdict(list)
    cpu_ms: dict[str, list[float]] = defaultdict(list)
    queries: dict[str, set[int]] = defaultdict(set)

    def call(label: str, method: str, path: str, address: str, body: Any, count: bool) -> None:
        started, cpu = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as captured:
            if not count:  # the debug cursor would add its own cost to the profile
                connection.force_debug_cursor = False
            response = getattr(client, method)(
                path,
                json.dumps(body) if body is not None else None,
                content_type="application/json",
                HTTP_X_FORWARDED_FOR=address,
                # as bench/load/locustfile.py's parents: an autosave asks for the minimal reply
                **({"HTTP_PREFER": "return=minimal"} if method == "put" else {}),
            )
        timings[label].append((time.perf_counter() - started) * 1000)
        cpu_ms[label].append((time.process_time() - cpu) * 1000)
        if count:
            queries[label].add(len(captured.captured_queries))
        if response.status_code != 200:
            raise RuntimeError(f"profile: {label} answered {response.status_code}")

    def walk(token: str, address: str, count: bool) -> None:
        base = f"/api/v1/intake/{token}/"
        call("intake GET", "get", base, address, None, count)
        for item in questionnaire.items:
            value = item.choices[0].value if item.choices else "Synthetic."
            answer = {"answers": {item.id: value}}
            call("intake PUT (save)", "put", base, address, answer, count)
        call("intake submit", "post", f"{base}submit", address, None, count)

    # Queries are counted on a few parents, times taken on half the others without the
    # profiler (it costs time itself), the profile on the rest.
    for token, address in tokens[:3]:
        walk(token, address, count=True)
    timings.clear()
    cpu_ms.clear()
    timed, profiled = tokens[3 : 3 + len(tokens) // 2], tokens[3 + len(tokens) // 2 :]
    for token, address in timed:
        walk(token, address, count=False)
    for _ in range(len(timed) * 10):  # the same stack's floor, for comparison
        call("bare GET", "get", "/bench/bare/", "198.19.255.1", None, False)
    shown = {label: (list(values), list(cpu_ms[label])) for label, values in timings.items()}
    profiler = Profiler(interval=0.001)
    profiler.start()
    for token, address in profiled:
        walk(token, address, count=False)
    profiler.stop()
    connection.close()
    out_dir.mkdir(parents=True, exist_ok=True)
    html = out_dir / "profile-intake.html"
    html.write_text(profiler.output_html())
    if profiler.last_session is not None and os.environ.get("BENCH_PROFILE_ALL"):
        profiler.last_session.save(str(out_dir / "profile-intake.pyisession"))
    print(
        f"\n{len(timed)} parents walked in-process one after another (Django's test client, the "
        f"full middleware stack), then {len(profiled)} more under pyinstrument:"
    )
    print(
        f"  {'endpoint':<20} {'calls':>6} {'mean ms':>8} {'p95 ms':>8} {'CPU ms':>8} {'queries':>8}"
    )
    for label, (values, cpu) in shown.items():
        p95 = statistics.quantiles(values, n=100)[94] if len(values) > 1 else values[0]
        counts = ",".join(str(n) for n in sorted(queries[label])) or "0"
        print(
            f"  {label:<20} {len(values):>6} {statistics.fmean(values):>8.2f} {p95:>8.2f} "
            f"{statistics.fmean(cpu):>8.2f} {counts:>8}"
        )
    print(profiler.output_text(unicode=True, color=False, show_all=False)[:12000])
    if os.environ.get("BENCH_PROFILE_ALL"):
        (out_dir / "profile-intake.txt").write_text(profiler.output_text(show_all=True))
    print(f"  (full profile: {html})")


# --- server, locust, cpu ---------------------------------------------------------------------


@contextmanager
def gunicorn(port: int, workers: int, threads: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    command = [sys.executable, "-m", "gunicorn", "config.wsgi:application"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    command += ["--worker-class", "gthread" if threads > 1 else "sync", "--threads", str(threads)]
    command += ["--backlog", "2048", "--graceful-timeout", "5"]
    # The server's own time per request, to tell it from the clients' (no path: it holds the
    # parent's token, and tokens are never logged).
    command += [
        "--access-logfile",
        str(log.with_suffix(".access")),
        "--access-logformat",
        ACCESS_FORMAT,
    ]
    log.with_suffix(".access").unlink(missing_ok=True)
    with log.open("ab") as out:
        process = subprocess.Popen(  # noqa: S603 (a fixed command line)
            command,
            cwd=ROOT,
            env=os.environ.copy(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/bench/bare/",
                    headers={"X-Forwarded-Proto": "https"},
                )
                with urllib.request.urlopen(request, timeout=2) as reply:  # noqa: S310
                    if reply.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start; see {log}")
            time.sleep(0.3)
        yield process
    finally:
        stop_process_group(process)


@dataclass
class CpuSampler:
    """CPU seconds per process (gunicorn, locust, postgres, redis), sampled twice a second;
    per process so that a database backend coming or going does not skew a group."""

    groups: dict[str, int] = field(default_factory=dict)  # name -> process group id
    samples: list[tuple[float, float, dict[int, tuple[str, float]]]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def _group(self, proc: psutil.Process) -> str:
        name = proc.info["name"] or ""
        if name.startswith("postgres"):
            # Only the backends serving the bench's database (others share the server).
            return "postgres" if DATABASE in " ".join(proc.info["cmdline"] or []) else ""
        if name.startswith("redis-server"):
            return "redis"
        pgid = os.getpgid(proc.pid)
        return next((g for g, p in self.groups.items() if p == pgid), "")

    def _sample(self) -> tuple[float, dict[int, tuple[str, float]]]:
        busy = psutil.cpu_times()
        machine = sum(busy) - busy.idle - getattr(busy, "iowait", 0.0)
        procs: dict[int, tuple[str, float]] = {}
        for proc in psutil.process_iter(["name", "cmdline"]):
            try:
                group = self._group(proc)
                if group:
                    cpu = proc.cpu_times()
                    procs[proc.pid] = (group, cpu.user + cpu.system)
            except (psutil.Error, OSError):
                continue
        return machine, procs

    def run(self) -> None:
        while not self._stop.wait(0.5):
            self.samples.append((time.time(), *self._sample()))

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()

    def usage(self, windows: list[tuple[float, float]]) -> dict[str, float]:
        """Cores used per group over some windows (1.0 = one full core); `others` is the rest
        of the machine (other people's processes)."""
        used: dict[str, float] = defaultdict(float)
        seconds = machine = 0.0
        for start, end in windows:
            inside = [s for s in self.samples if start <= s[0] <= end]
            if len(inside) < 2:
                continue
            (t0, machine0, first), (t1, machine1, last) = inside[0], inside[-1]
            seconds += t1 - t0
            machine += machine1 - machine0
            for pid, (group, cpu) in last.items():
                used[group] += cpu - first.get(pid, (group, 0.0))[1]
        if not seconds:
            return {}
        cores = {group: value / seconds for group, value in used.items()}
        cores["others"] = max(0.0, machine / seconds - sum(cores.values()))
        return cores


def run_locust(
    port: int,
    phases: list[dict[str, Any]],
    tokens_file: Path,
    results: Path,
    pace: float,
    sampler: CpuSampler,
    log: Path,
) -> None:
    command = [sys.executable, "-m", "locust", "-f", str(ROOT / "bench/load/locustfile.py")]
    command += ["--headless", "--host", f"http://127.0.0.1:{port}", "--only-summary"]
    command += ["--loglevel", "WARNING", "--stop-timeout", "5"]
    env = {
        **os.environ,
        "BENCH_TOKENS": str(tokens_file),
        "BENCH_PHASES": json.dumps(phases),
        "BENCH_RESULTS": str(results),
        "BENCH_PACE_SECONDS": str(pace),
    }
    with log.open("ab") as out:
        process = subprocess.Popen(  # noqa: S603 (a fixed command line)
            command,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    sampler.groups["locust"] = process.pid
    total = sum(p["seconds"] for p in phases) + 60
    try:
        process.wait(timeout=total)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait()
        raise RuntimeError(f"locust did not finish; see {log}") from None


def paced_plain(
    port: int, tokens: list[tuple[str, str]], users: int, seconds: float, pace: float
) -> tuple[list[list[Any]], float]:
    """The paced parents again, from plain threads (http.client, a connection per request as
    a phone's browser after a pause), each at a random phase of its own: an independent
    client, since locust's gevent client reported 10x the latency that this client and the
    server's own log saw at the same rate (docs: bench/load_questionnaires.py, README)."""
    from intake.questionnaire import load_questionnaire

    items = load_questionnaire("v1").items
    pool = list(tokens)
    lock = threading.Lock()
    records: list[list[Any]] = []
    started = time.time()
    stop = started + seconds
    chooser = random.Random(9)

    def send(method: str, path: str, address: str, body: Any) -> None:
        headers = {"X-Forwarded-For": address, "X-Forwarded-Proto": "https"}
        payload = None
        if body is not None:
            payload = json.dumps(body)
            headers |= {"Content-Type": "application/json", "Prefer": "return=minimal"}
        name = {"GET": "intake GET", "PUT": "intake PUT (save)", "POST": "intake submit"}[method]
        begun = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request(method, path, payload, headers)
            reply = connection.getresponse()
            reply.read()
            status, error = reply.status, "" if reply.status == 200 else "HTTPError"
        except OSError as exc:
            status, error = 0, type(exc).__name__
        finally:
            connection.close()
        elapsed = (time.perf_counter() - begun) * 1000
        with lock:
            records.append([time.time(), "parents-plain", name, elapsed, status, error])

    def parent_walks(phase: float) -> None:
        due = started + phase
        while True:
            with lock:
                if not pool:
                    return
                token, address = pool.pop()
            base = f"/api/v1/intake/{token}/"
            steps: list[tuple[str, str, Any]] = [("GET", base, None)]
            for item in items:
                value = item.choices[0].value if item.choices else "Syntetisk svar."
                steps.append(("PUT", base, {"answers": {item.id: value}}))
            steps.append(("POST", f"{base}submit", None))
            for method, path, body in steps:
                time.sleep(max(0.0, due - time.time()))
                if time.time() >= stop:
                    return
                send(method, path, address, body)
                due += pace

    threads = [
        threading.Thread(target=parent_walks, args=(chooser.uniform(0, pace),), daemon=True)
        for _ in range(users)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    return records, started


def server_times(access_log: Path, since: float) -> list[tuple[float, float]]:
    """(epoch second, ms) of each request in gunicorn's access log from `since` on."""
    times = []
    for line in access_log.read_text().splitlines():
        try:
            stamp, ms = line.split("] ", 1)[0].lstrip("["), float(line.split("] ", 1)[1].split()[0])
            at = datetime.strptime(stamp, "%d/%b/%Y:%H:%M:%S %z").timestamp()
        except (IndexError, ValueError):
            continue
        if at >= since:
            times.append((at, ms))
    return times


# --- report ----------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class PhaseStats:
    name: str
    seconds: float
    count: int
    failures: int
    p50: float
    p95: float
    p99: float
    by_name: dict[str, tuple[int, float, float, float]]
    errors: dict[str, int]

    @property
    def rps(self) -> float:
        return self.count / self.seconds if self.seconds else math.nan


def phase_stats(
    name: str, records: list[list[Any]], windows: list[tuple[float, float]]
) -> PhaseStats:
    inside = [
        r
        for r in records
        if r[1] == name and r[2] != "pool empty" and any(a <= r[0] < b for a, b in windows)
    ]
    ok = [r for r in inside if not r[5]]
    errors: dict[str, int] = defaultdict(int)
    for r in inside:
        if r[5]:
            errors[f"{r[2]}: HTTP {r[4]} {r[5]}"] += 1
    names: dict[str, list[float]] = defaultdict(list)
    for r in ok:
        names[r[2]].append(r[3])
    times = [r[3] for r in ok]
    return PhaseStats(
        name=name,
        seconds=sum(b - a for a, b in windows),
        count=len(ok),
        failures=len(inside) - len(ok),
        p50=percentile(times, 50),
        p95=percentile(times, 95),
        p99=percentile(times, 99),
        by_name={
            n: (len(v), percentile(v, 50), percentile(v, 95), percentile(v, 99))
            for n, v in sorted(names.items())
        },
        errors=dict(errors),
    )


def submitted_in_database() -> int:
    from intake.models import QuestionnaireResponse

    return QuestionnaireResponse.objects.filter(submitted_at__isnull=False).count()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=20, help="length of each phase")
    parser.add_argument("--rounds", type=int, default=2, help="bare/parents alternations")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help=">1: gthread workers")
    parser.add_argument(
        "--pace", type=float, default=1.0, help="seconds between a paced parent's requests"
    )
    parser.add_argument("--port", type=int, default=18100)
    parser.add_argument("--cases", type=int, default=0, help="cases to seed (0: enough)")
    parser.add_argument("--profile", action="store_true", help="profile in-process first")
    parser.add_argument("--profile-only", action="store_true", help="profile, no load run")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()
    args.load_before = " ".join(f"{v:.1f}" for v in os.getloadavg())

    # Enough parents that none is walked twice: the back-to-back phases at up to 800 req/s.
    busy_seconds = WARMUP_SECONDS + args.seconds * args.rounds
    needed = busy_seconds * 800 + 2 * args.seconds * args.users / args.pace
    cases = args.cases or math.ceil(needed / REQUESTS_PER_PARENT / 2) + PROFILE_PARENTS
    if args.profile_only:
        cases = args.cases or PROFILE_PARENTS
    var_dir = tempfile.mkdtemp(prefix="mekling-load-")
    (Path(var_dir) / "static").mkdir()  # nothing is served from it; whitenoise wants it
    logs = ROOT / "var" / "bench"
    logs.mkdir(parents=True, exist_ok=True)
    os.environ.update(bench_env(var_dir))
    broker = redis.Redis.from_url(REDIS_URL)
    broker.flushdb()
    progress(f"database {DATABASE}: create, migrate, seed {cases} synthetic cases")
    database_create()
    try:
        django_setup()
        started = time.perf_counter()
        tokens = seed(cases)
        progress(f"seeded {len(tokens)} parents' links in {time.perf_counter() - started:.0f} s")
        if args.profile or args.profile_only:
            profile(tokens[-PROFILE_PARENTS:], logs)
        if args.profile_only:
            return 0
        tokens = tokens[:-PROFILE_PARENTS]
        plain_count = math.ceil(args.seconds / args.pace / REQUESTS_PER_PARENT + 1) * args.users
        tokens, plain_tokens = tokens[:-plain_count], tokens[-plain_count:]
        submitted_before = submitted_in_database()
        tokens_file = Path(var_dir) / "tokens.json"
        tokens_file.write_text(json.dumps(tokens))
        results = Path(var_dir) / "results.json"
        phases = [{"cls": "parents", "users": args.users, "seconds": WARMUP_SECONDS}]
        # Bare and parents alternate in rounds, so a drift of the machine's load (it is shared)
        # falls on both alike.
        for _ in range(args.rounds):
            for cls in ("bare", "parents"):
                phases.append({"cls": cls, "users": args.users, "seconds": args.seconds})
        phases.append({"cls": "parents-paced", "users": args.users, "seconds": args.seconds})
        sampler = CpuSampler()
        with gunicorn(args.port, args.workers, args.threads, logs / "load-gunicorn.log") as web:
            sampler.groups["gunicorn"] = web.pid
            sampler.start()
            progress(
                f"gunicorn on :{args.port} ({args.workers} workers x {args.threads} threads); "
                f"locust: {args.users} users, phases of {args.seconds} s"
            )
            run_locust(
                args.port,
                phases,
                tokens_file,
                results,
                args.pace,
                sampler,
                logs / "load-locust.log",
            )
            progress(f"paced parents from plain threads: {args.users} for {args.seconds} s")
            plain = paced_plain(args.port, plain_tokens, args.users, args.seconds, args.pace)
            sampler.stop()
        data = json.loads(results.read_text())
        access = server_times((logs / "load-gunicorn.log").with_suffix(".access"), data["started"])
        submitted = submitted_in_database() - submitted_before
        report(args, data, phases, sampler, submitted, plain, access)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep_db:
            database_drop()
        broker.flushdb()
    return 0


def report(
    args: argparse.Namespace,
    data: dict[str, Any],
    phases: list[dict[str, Any]],
    sampler: CpuSampler,
    submitted: int,
    plain: tuple[list[list[Any]], float],
    access: list[tuple[float, float]],
) -> None:
    records = data["records"] + plain[0]
    start = data["started"]
    windows: dict[str, list[tuple[float, float]]] = defaultdict(list)
    at = start
    for index, phase in enumerate(phases):
        if index:  # the first is the warm-up
            windows[phase["cls"]].append((at + SETTLE_SECONDS, at + phase["seconds"]))
        at += phase["seconds"]
    windows["parents-plain"].append((plain[1] + SETTLE_SECONDS, plain[1] + args.seconds))
    stats = {name: phase_stats(name, records, spans) for name, spans in windows.items()}
    bare, parents, paced = stats["bare"], stats["parents"], stats["parents-plain"]
    print()
    print(
        f"Load benchmark: {args.users} concurrent users per phase, gunicorn {args.workers} "
        f"workers x {args.threads} threads ({'gthread' if args.threads > 1 else 'sync'}), "
        f"{os.cpu_count()} cores shared with locust, PostgreSQL and Redis; "
        f"{args.rounds} rounds of {args.seconds} s phases (bare, parents), then the paced one; "
        f"first {SETTLE_SECONDS} s of each cut. Load average before: {args.load_before}."
    )
    print("Throttles and axes at production rates; each parent throttled by its own address.")
    header = (
        f"{'phase':<34} {'req':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'fail':>5}"
    )
    print(header)
    print("-" * len(header))
    labels = {
        "bare": "bare DRF endpoint (back to back)",
        "parents": "parents (back to back)",
        "parents-paced": f"parents paced, 1 req / {args.pace:g} s (locust)",
        "parents-plain": f"parents paced, 1 req / {args.pace:g} s (threads)",
    }
    phase_names = ("bare", "parents", "parents-paced", "parents-plain")
    for name in phase_names:
        s = stats[name]
        print(
            f"{labels[name]:<34} {s.count:>7} {s.rps:>8.1f} {s.p50:>8.1f} {s.p95:>8.1f} "
            f"{s.p99:>8.1f} {s.failures:>5}"
        )
        if name != "bare":
            for endpoint, (count, p50, p95, p99) in s.by_name.items():
                print(f"  {endpoint:<32} {count:>7} {'':>8} {p50:>8.1f} {p95:>8.1f} {p99:>8.1f}")
    ratio = parents.rps / bare.rps if bare.rps else math.nan
    print()
    print(f"Throughput ratio parents / bare endpoint: {ratio:.2f} (goal >= {GOAL_RATIO})")
    print(
        f"p95 of parents paced (threads): {paced.p95:.1f} ms; paced (locust): "
        f"{stats['parents-paced'].p95:.1f} ms; back to back: {parents.p95:.1f} ms "
        f"(goal <= {GOAL_P95_MS:g} ms)"
    )
    print("  The server's own time per request (gunicorn's access log), in the same windows:")
    for name in phase_names:
        own_ms = [ms for at, ms in access if any(a - 1 <= at < b for a, b in windows[name])]
        print(
            f"    {labels[name]:<44} p50 {percentile(own_ms, 50):>6.0f}  p95 "
            f"{percentile(own_ms, 95):>6.0f}  p99 {percentile(own_ms, 99):>6.0f} ms"
        )
    print(
        "  Locust's gevent client, paced, reports far more than the server and the threads see "
        "at the same rate; the goal is judged on the threads, which measure from the client."
    )
    print(
        "  Back to back, each of the users sends its next request when the last is answered, so "
        "latency there is queueing: mean ~ users / throughput (Little's law)."
    )
    print()
    print(
        "CPU per request (ms of CPU time, from /proc; independent of how busy the shared machine "
        "is), and the throughput it projects for 2 cores given to the service and locust alone:"
    )
    own = ("gunicorn", "postgres", "redis", "locust")
    print(
        f"  {'phase':<16}"
        + "".join(f"{g:>10}" for g in own)
        + f"{'total':>10}{'2-core req/s':>14}"
        + f"{'others (cores)':>16}"
    )
    projected: dict[str, float] = {}
    for name in phase_names:
        usage = sampler.usage(windows[name])
        rps = stats[name].rps
        per = {g: usage.get(g, 0.0) / rps * 1000 if rps else math.nan for g in own}
        total = sum(per.values())
        projected[name] = 2000 / total if total else math.nan
        print(
            f"  {name:<16}" + "".join(f"{per[g]:>10.2f}" for g in own) + f"{total:>10.2f}"
            f"{projected[name]:>14.0f}{usage.get('others', math.nan):>16.2f}"
        )
    print(
        f"  Projected ratio parents / bare on 2 dedicated cores: "
        f"{projected['parents'] / projected['bare']:.2f}"
    )
    submits = sum(
        stats[n].by_name.get("intake submit", (0,))[0] for n in phase_names if n != "bare"
    )
    print(
        f"Submits reported by the clients (in the windows): {submits}; submitted responses in the "
        f"database after the run: {submitted} (includes warm-up and settle seconds)."
    )
    errors = {k: v for s in stats.values() for k, v in s.errors.items()}
    if errors:
        print("Failures:", json.dumps(errors, indent=1))
    if data.get("pool_left", 1) == 0:
        print("WARNING: the pool of seeded parents ran out; raise --cases.")
    p95_met = "met" if paced.p95 <= GOAL_P95_MS else "NOT met"
    ratio_met = "met" if ratio >= GOAL_RATIO else "NOT met"
    print(
        f"Goals: p95 <= {GOAL_P95_MS:g} ms (paced, threads) {p95_met}; "
        f"ratio >= {GOAL_RATIO} {ratio_met}."
    )


if __name__ == "__main__":
    raise SystemExit(main())
