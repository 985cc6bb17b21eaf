"""Crash safety on real servers: kill -9 a worker while it runs duties; after a restart and a
sweep every duty has run exactly once.

The probe (`slow_probe`) sleeps inside the duty's locked transaction and, after commit, counts
its run in a Redis hash: a killed run rolls back and never counts, a committed run counts once.
This test owns a Redis database of its own (CRASH_TEST_REDIS_URL, default db 13) for the queue
and the count, and empties it before and after.
"""

import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import redis
from django.db import connection, transaction
from django.utils import timezone

from bench.process_groups import stop_process_group
from config.celery import app as celery_app
from scheduling.duties import PROBE_LEDGER_KEY, duties_dispatch_due
from scheduling.models import Duty

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("CRASH_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
DUTIES = 20
PROBE_SECONDS = 2
PID = re.compile(r"^probe ok pid=(\d+)$")


@pytest.fixture
def own_redis(monkeypatch: pytest.MonkeyPatch) -> Iterator[redis.Redis]:
    """Sweeps in this process publish to the test's own Redis database, emptied around it."""
    monkeypatch.setitem(celery_app.conf, "broker_url", REDIS_URL)
    # Without the cached pools the next send connects to the new URL.
    monkeypatch.setattr(celery_app, "_pool", None)
    monkeypatch.setattr(celery_app.amqp, "_producer_pool", None)
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    try:
        yield client
    finally:
        client.flushdb()


def _worker(name: str, log: Path) -> subprocess.Popen[bytes]:
    """A prefork worker with two processes, in a process group of its own (to kill it whole)."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "TEST_DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "TEST_CELERY_BROKER_URL": REDIS_URL,
        "MEKLING_SLOW_PROBE_SECONDS": str(PROBE_SECONDS),
        "MEKLING_PROBE_LEDGER_URL": REDIS_URL,
    }
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel=INFO"]
    command += ["--pool=prefork", "--concurrency=2", "--without-gossip", "--without-mingle"]
    command += [f"--hostname={name}@%h"]
    with log.open("ab") as out:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _process_group(pgid: int) -> set[int]:
    """The pids of a process group: a worker and its pool processes (Linux /proc)."""
    pids = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process has gone
        if int(fields[2]) == pgid:
            pids.add(int(stat.parent.name))
    return pids


def _running() -> set[int]:
    """Claimed duties whose row a worker holds locked, i.e. that are being run right now."""
    claimed = Duty.objects.filter(status=Duty.Status.CLAIMED)
    with transaction.atomic():
        # Locking the free ones first keeps a worker from starting one of them meanwhile.
        free = set(claimed.select_for_update(skip_locked=True).values_list("pk", flat=True))
        return set(claimed.values_list("pk", flat=True)) - free


def _wait_for(condition: Callable[[], bool], seconds: float, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out; worker log:\n{log.read_text(errors='replace')[-4000:]}")
        time.sleep(0.1)


def _statuses() -> Counter[str]:
    return Counter(Duty.objects.values_list("status", flat=True))


def _outcome_pids() -> dict[int, int]:
    """Duty id → the process that ran it, from the committed outcomes of done duties."""
    pids = {}
    for pk, outcome in Duty.objects.filter(status=Duty.Status.DONE).values_list("pk", "outcome"):
        match = PID.match(outcome)
        assert match, outcome
        pids[pk] = int(match.group(1))
    return pids


def _kill_once_a_duty_is_done_and_another_just_started(
    worker: subprocess.Popen[bytes], log: Path
) -> tuple[set[int], set[int], datetime]:
    """Kill -9 the worker and its pool while a duty it just started holds its row lock with
    most of its sleep ahead (polls are 0.1 s apart); the duties interrupted, the pool's pids."""
    seen_running: set[int] = set()
    just_started: set[int] = set()

    def one_done_and_one_just_started() -> bool:
        nonlocal just_started
        done = Duty.objects.filter(status=Duty.Status.DONE).exists()
        running = _running()
        just_started = running - seen_running
        seen_running.update(running)
        return done and bool(just_started)

    _wait_for(one_done_and_one_just_started, 60, log)
    pool = _process_group(worker.pid) - {worker.pid}
    killed_at = timezone.now()
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)
    _wait_for(lambda: not _running(), 10, log)  # PostgreSQL rolled the killed runs back
    return just_started, pool, killed_at


def _counted_after_commit(
    done: dict[int, int], ledger: dict[int, int], killed_at: datetime
) -> set[int]:
    """The done duties whose after-commit count is in the ledger.

    The probe counts in Redis after its commit (at most once, as any side effect after a commit):
    a kill that lands between a run's commit and its callback loses that one count. Only a run
    that committed just before the kill may be missing; every other done run is counted once.
    """
    missing = set(done) - set(ledger)
    finished = dict(Duty.objects.filter(pk__in=missing).values_list("pk", "finished_at"))
    late = killed_at - timedelta(seconds=2)
    assert all((at := finished[pk]) is not None and at >= late for pk in missing), finished
    assert len(missing) <= 1, missing
    return set(done) - missing


def _sweep_until_all_done(client: redis.Redis, log: Path) -> None:
    """Once the queue is drained and nothing runs, what is still claimed is stuck: reclaim it.

    Reclaiming after a second stands in for the ten minutes of production.
    """

    def all_done() -> bool:
        if not Duty.objects.exclude(status=Duty.Status.DONE).exists():
            return True
        if not client.llen(celery_app.conf.task_default_queue) and not _running():
            duties_dispatch_due(reclaim_after=timedelta(seconds=1))
            time.sleep(0.5)
        return False

    _wait_for(all_done, 120, log)


def _stop(worker: subprocess.Popen[bytes] | None) -> None:
    if worker is not None:
        stop_process_group(worker, grace=30)


def _ledger(client: redis.Redis) -> dict[int, int]:
    return {int(pk): int(n) for pk, n in client.hgetall(PROBE_LEDGER_KEY).items()}


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_duties_of_a_worker_killed_mid_run_each_run_exactly_once_after_restart(
    own_redis: redis.Redis, tmp_path: Path
) -> None:
    due_at = timezone.now() - timedelta(minutes=1)
    Duty.objects.bulk_create(
        Duty(kind="slow_probe", key=f"crash:{n}", due_at=due_at) for n in range(DUTIES)
    )
    assert duties_dispatch_due() == DUTIES
    log = tmp_path / "workers.log"
    first = _worker("crash-first", log)
    second = None
    try:
        interrupted, first_pool, killed_at = _kill_once_a_duty_is_done_and_another_just_started(
            first, log
        )
        done_before = _outcome_pids()
        assert set(done_before.values()) <= first_pool
        killed = Duty.objects.filter(pk__in=interrupted)
        assert set(killed.values_list("status", "outcome", "attempts")) == {("claimed", "", 1)}
        assert _statuses()[Duty.Status.CLAIMED] == DUTIES - len(done_before)
        counted = _counted_after_commit(done_before, _ledger(own_redis), killed_at)
        assert _ledger(own_redis) == dict.fromkeys(counted, 1)

        # A new worker drains the queue. What the killed one had taken stays claimed until a
        # sweep reclaims it: its messages wait unacknowledged for Redis' visibility timeout.
        second = _worker("crash-second", log)
        _sweep_until_all_done(own_redis, log)
        second_pool = _process_group(second.pid) - {second.pid}
    finally:
        _stop(first)
        _stop(second)

    ran_by = _outcome_pids()
    assert _statuses() == {Duty.Status.DONE: DUTIES}
    assert {pk: pid for pk, pid in ran_by.items() if pk in done_before} == done_before
    assert {ran_by[pk] for pk in ran_by if pk not in done_before} <= second_pool
    reclaimed = Duty.objects.filter(pk__in=interrupted)
    assert all(attempts >= 2 for attempts in reclaimed.values_list("attempts", flat=True))
    # The side effect outside the database: every duty's committed run counted once (but a count
    # lost to the kill between a commit and its callback, see _counted_after_commit).
    lost = set(done_before) - counted
    assert _ledger(own_redis) == dict.fromkeys(set(ran_by) - lost, 1)
    assert sum(_ledger(own_redis).values()) == DUTIES - len(lost)
