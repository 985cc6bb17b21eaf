"""Benchmark: N due reminders through the duty engine, beside one ETA task per reminder.

    .venv/bin/python bench/duties_dispatch.py [--duties 20000] [--no-visibility-demo]

The default N is 20,000 so that a run stays near 5 minutes on 2 cores; `--duties 100000` works
and took 21 minutes there, 18 of them the engine's (see the notes it prints).

Needs PostgreSQL (postgres@127.0.0.1:5432, trust) and Redis (127.0.0.1:6379). It uses a database
of its own, `mekling_bench` (created if missing, migrated, its duties table emptied), and Redis
db 10 (flushed before and after); nothing else is touched. Each approach gets a fresh real
worker (`celery -A config worker`, prefork, --concurrency 2) started before its clock starts.

- engine: N `slow_probe` duties (no sleep), due during the last minute, swept with
  `duties_dispatch_due(limit=--limit)` back to back until none is left to claim (beat sweeps
  once a minute: at the default limit of 1000 that is 1000 duties a minute), then timed until
  every duty is done. Each committed run counts itself in a Redis hash after commit.
- naive: `naive_remind.apply_async(eta=…)` once per reminder (bench/naive_tasks.py), every ETA
  --eta-seconds after the first send; each run counts itself in a Redis hash.
- visibility demo (about 30 s): a few ETA tasks whose ETA is longer than a short Redis
  visibility timeout, to show the duplicates that an ETA beyond the timeout brings.

Duplicates are runs beyond the first of a reminder; losses are reminders that never ran.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import psycopg
import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.process_groups import stop_process_group  # noqa: E402 - after the path

POSTGRES = "postgres://postgres@127.0.0.1:5432"
DATABASE = "mekling_bench"
REDIS_URL = "redis://127.0.0.1:6379/10"  # the tests use databases 11-15
ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.local",
    "DATABASE_URL": f"{POSTGRES}/{DATABASE}",
    "CELERY_BROKER_URL": REDIS_URL,
    "LOG_LEVEL": "WARNING",
    "MEKLING_SLOW_PROBE_SECONDS": "0",
    "MEKLING_PROBE_LEDGER_URL": REDIS_URL,
    "BENCH_LEDGER_URL": REDIS_URL,
}
DEMO_REMINDERS = 200
DEMO_VISIBILITY_SECONDS = 3
DEMO_ETA_SECONDS = 12


@dataclass
class Result:
    n: int
    enqueue_s: float = 0.0
    all_ran_s: float = float("nan")
    duplicates: int = 0
    losses: int = 0
    broker_peak_bytes: int = 0
    worker_peak_rss: int = 0
    notes: list[str] = field(default_factory=list)


def setup(var_dir: str) -> None:
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
            conn.execute(f"CREATE DATABASE {DATABASE}")
    os.environ.update(ENV, MEKLING_VAR_DIR=var_dir)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


@contextmanager
def worker(name: str, log: Path, **extra_env: str) -> Iterator[subprocess.Popen[bytes]]:
    """A real prefork worker in its own process group, ready when entered, stopped when left."""
    from config.celery import app

    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel=WARNING"]
    command += ["--pool=prefork", "--concurrency=2", "--without-gossip", "--without-mingle"]
    command += ["--include=bench.naive_tasks", f"--hostname={name}@%h"]
    with log.open("ab") as out:
        process = subprocess.Popen(  # noqa: S603 (a fixed command line)
            command,
            cwd=ROOT,
            env={**os.environ, **extra_env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(destination=[f"{name}@{os.uname().nodename}"], timeout=1.0):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"worker {name} did not start; see {log}")
        yield process
    finally:
        stop_process_group(process, grace=30)


def group_peak_rss(pgid: int) -> int:
    """Sum of the peak resident sizes (VmHWM) of a worker and its pool processes, in bytes."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[2]) != pgid:
                continue
            status = (stat.parent / "status").read_text()
        except OSError:
            continue
        total += next(
            int(line.split()[1]) * 1024 for line in status.splitlines() if "VmHWM" in line
        )
    return total


@contextmanager
def broker_memory(client: redis.Redis, result: Result) -> Iterator[None]:
    """Samples Redis' used_memory while the block runs; records the peak above the start."""
    start = int(client.info("memory")["used_memory"])
    peak, stop = start, threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.wait(0.2):
            peak = max(peak, int(client.info("memory")["used_memory"]))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield
    finally:
        stop.set()
        sampler.join()
        result.broker_peak_bytes = peak - start


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def wait_until(done: Callable[[], bool], *, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def ledger_counts(client: redis.Redis, key: str) -> dict[int, int]:
    return {int(k): int(v) for k, v in client.hgetall(key).items()}


def run_engine(n: int, limit: int, client: redis.Redis, log: Path) -> Result:
    from django.db import connection
    from django.utils import timezone

    from scheduling.duties import ACTIVE, PROBE_LEDGER_KEY, duties_dispatch_due
    from scheduling.models import Duty

    result = Result(n)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE scheduling_duty")
    start = timezone.now()
    step = timedelta(minutes=1) / n
    Duty.objects.bulk_create(
        (
            Duty(
                kind="slow_probe", key=f"bench:{i}", due_at=start - timedelta(minutes=1) + i * step
            )
            for i in range(n)
        ),
        batch_size=5000,
    )
    active = Duty.objects.filter(status__in=ACTIVE)
    progress(f"engine: {n} due duties created; sweeping")
    with worker("bench-engine", log) as process, broker_memory(client, result):
        sweeps, began = 0, time.perf_counter()
        while duties_dispatch_due(limit=limit):
            sweeps += 1
        result.enqueue_s = time.perf_counter() - began
        if wait_until(lambda: not active.exists(), timeout=max(600, n / 50)):
            result.all_ran_s = time.perf_counter() - began
        result.worker_peak_rss = group_peak_rss(process.pid)
    runs = ledger_counts(client, PROBE_LEDGER_KEY)
    done = Duty.objects.filter(status=Duty.Status.DONE).count()
    result.duplicates = sum(count - 1 for count in runs.values())
    result.losses = n - done
    redispatched = Duty.objects.filter(attempts__gt=1).count()
    result.notes.append(
        f"engine: {sweeps} sweep(s) of up to {limit}, back to back; {done} done, "
        f"{len(runs)} counted runs, {redispatched} dispatched more than once"
    )
    return result


def run_naive(n: int, eta_seconds: float, client: redis.Redis, log: Path) -> Result:
    from django.utils import timezone

    from bench.naive_tasks import NAIVE_RUNS_KEY, naive_remind

    result = Result(n)
    progress(f"naive: sending {n} ETA tasks")
    with worker("bench-naive", log) as process, broker_memory(client, result):
        began = time.perf_counter()
        eta = timezone.now() + timedelta(seconds=eta_seconds)
        for reminder in range(n):
            naive_remind.apply_async((reminder,), eta=eta)
        result.enqueue_s = time.perf_counter() - began
        if wait_until(lambda: client.hlen(NAIVE_RUNS_KEY) >= n, timeout=max(600, n / 50)):
            result.all_ran_s = time.perf_counter() - began
        time.sleep(1)  # late duplicates
        result.worker_peak_rss = group_peak_rss(process.pid)
    runs = ledger_counts(client, NAIVE_RUNS_KEY)
    result.duplicates = sum(count - 1 for count in runs.values())
    result.losses = n - len(runs)
    result.notes.append(f"naive: every ETA {eta_seconds:g} s after the first send")
    return result


def run_visibility_demo(client: redis.Redis, log: Path) -> str:
    """ETA tasks outliving a short visibility timeout are delivered again and run again."""
    from django.utils import timezone

    from bench.naive_tasks import naive_remind

    key = "bench:visibility-demo"
    progress("visibility demo")
    vt = str(DEMO_VISIBILITY_SECONDS)
    with worker("bench-visibility", log, BENCH_VISIBILITY_TIMEOUT=vt):
        eta = timezone.now() + timedelta(seconds=DEMO_ETA_SECONDS)
        for reminder in range(DEMO_REMINDERS):
            naive_remind.apply_async((reminder, key), eta=eta)
        time.sleep(DEMO_ETA_SECONDS + 5)
    runs = ledger_counts(client, key)
    return (
        f"visibility demo: {DEMO_REMINDERS} ETA tasks due in {DEMO_ETA_SECONDS} s with a "
        f"{DEMO_VISIBILITY_SECONDS} s visibility timeout ran {sum(runs.values())} times "
        f"({sum(c - 1 for c in runs.values())} duplicates, {DEMO_REMINDERS - len(runs)} lost)"
    )


def report(engine: Result, naive: Result) -> None:
    def mib(n: int) -> str:
        return f"{n / 2**20:.1f} MiB"

    rows = [
        ("reminders (N)", f"{engine.n}", f"{naive.n}"),
        ("time to enqueue", f"{engine.enqueue_s:.1f} s", f"{naive.enqueue_s:.1f} s"),
        ("time until all ran", f"{engine.all_ran_s:.1f} s", f"{naive.all_ran_s:.1f} s"),
        (
            "throughput",
            f"{engine.n / engine.all_ran_s:.0f}/s",
            f"{naive.n / naive.all_ran_s:.0f}/s",
        ),
        ("duplicates", f"{engine.duplicates}", f"{naive.duplicates}"),
        ("losses", f"{engine.losses}", f"{naive.losses}"),
        ("broker memory (peak)", mib(engine.broker_peak_bytes), mib(naive.broker_peak_bytes)),
        ("worker peak RSS", mib(engine.worker_peak_rss), mib(naive.worker_peak_rss)),
    ]
    print(f"\n{'':22} | {'engine':>14} | {'naive ETA':>14}")
    print(f"{'-' * 22}-+-{'-' * 14}-+-{'-' * 14}")
    for label, left, right in rows:
        print(f"{label:22} | {left:>14} | {right:>14}")
    print(f"\ntime until all ran, engine / naive: {engine.all_ran_s / naive.all_ran_s:.2f}")


WHY = """
Worker peak RSS sums the peak of the worker and its two pool processes. Broker memory is the
peak of Redis' used_memory above its level when the clock started.
The naive approach's failure modes:
- An ETA task is taken by a worker at once and held unacknowledged in its memory until it is
  due (memory grows with every pending reminder; a restart fetches them all again). Redis hands
  an unacknowledged message out again after the visibility timeout (1 hour by default): any
  reminder due later than that runs once per timeout that passes, i.e. duplicates.
- The reminders exist only as broker messages: a flushed broker, or a restarted Redis without
  persistence, loses every pending one, silently; nothing records that they were due.
Per reminder, the engine's task locks, reads and writes its duty row in a transaction (the
worker keeps its PostgreSQL connection across tasks: CELERY_DB_REUSE_MAX); the naive task does
one Redis HINCRBY. Sweeps run in this process, sharing the 2 cores with the worker, PostgreSQL
and Redis.
The engine keeps each reminder as a row: a lost message or a killed worker leaves a claimed row
that the sweep sends again (after 10 minutes), and a duty runs under its row lock, so a second
message runs nothing. Here the sweeps run back to back and outpace the worker, so the engine's
queue also grows towards N (its broker peak above). Under beat, a sweep that claims a full batch
goes on claiming for up to 50 s (scheduling/tasks.py), so a backlog is sent within a few ticks
and the worker's throughput, not the sweep, sets the time to drain it."""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duties", type=int, default=20_000)
    parser.add_argument("--limit", type=int, default=1000, help="duties per sweep")
    parser.add_argument("--eta-seconds", type=float, default=5.0)
    parser.add_argument("--no-visibility-demo", action="store_true")
    args = parser.parse_args(argv)

    client = redis.Redis.from_url(REDIS_URL)
    with tempfile.TemporaryDirectory() as var_dir:
        setup(var_dir)
        log = Path(var_dir) / "workers.log"
        try:
            client.flushdb()
            began = time.perf_counter()
            engine = run_engine(args.duties, args.limit, client, log)
            client.flushdb()
            naive = run_naive(args.duties, args.eta_seconds, client, log)
            client.flushdb()
            demo = "" if args.no_visibility_demo else run_visibility_demo(client, log)
            report(engine, naive)
            for note in [*engine.notes, *naive.notes, demo]:
                if note:
                    print(note)
            print(WHY)
            print(f"\ntotal run {time.perf_counter() - began:.0f} s")
        except BaseException:
            print(log.read_text(errors="replace")[-4000:] if log.exists() else "", file=sys.stderr)
            raise
        finally:
            client.flushdb()


if __name__ == "__main__":
    main()
