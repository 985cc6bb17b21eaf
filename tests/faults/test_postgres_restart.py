"""PostgreSQL restarted during beat sweeps: no duty lost or doubled (issue #7, must show 3).

A private cluster (never the shared one) holds DUTIES due slow_probe duties. Beat's stand-in
(tests/faults/sweeper.py) sweeps them in small batches while a real worker runs them; the test
restarts the cluster (pg_ctl restart -m fast: every session is cut) once part of the work is
done. Sweeps then fail (their claims roll back, nothing is sent) and the next tick goes on;
running duties roll back and their tasks retry on OperationalError; claims whose task gave up
are reclaimed. At the end every duty is done and the probe ledger (a Redis hash counting
committed runs, see scheduling.duties._slow_probe) shows each ran exactly once.
"""

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
import redis
from psycopg import sql

from scheduling.duties import PROBE_LEDGER_KEY
from scheduling.models import Duty
from tests.faults.conftest import ROOT, PrivatePostgres, PrivateRedis, Workers, wait_for

DUTIES = 200
PROBE_SECONDS = "0.03"
RESTART_AFTER_RUNS = 40
DUTY_TABLE = sql.Identifier(Duty._meta.db_table)


def _django_env(database_url: str, broker_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "TEST_DATABASE_URL": database_url,
        "TEST_CELERY_BROKER_URL": broker_url,
    }


def _run(args: list[str], env: dict[str, str], timeout: float) -> None:
    done = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"{' '.join(args)}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"


def _statuses(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        query = sql.SQL("SELECT status, count(*) FROM {} GROUP BY status").format(DUTY_TABLE)
        return dict(conn.execute(query).fetchall())


@pytest.mark.integration
def test_a_postgres_restart_during_sweeps_loses_and_doubles_no_duty(
    private_postgres: PrivatePostgres,
    private_redis: PrivateRedis,
    workers: Workers,
    tmp_path: Path,
) -> None:
    with psycopg.connect(private_postgres.url("postgres"), autocommit=True) as conn:
        conn.execute("CREATE DATABASE mekling")
    database_url = private_postgres.url()
    broker_url, ledger_url = private_redis.url(0), private_redis.url(1)
    env = _django_env(database_url, broker_url)
    # The worker starts meanwhile: it needs no table before the first message.
    workers.start(
        name="restart",
        database_url=database_url,
        broker_url=broker_url,
        concurrency=2,
        MEKLING_SLOW_PROBE_SECONDS=PROBE_SECONDS,
        MEKLING_PROBE_LEDGER_URL=ledger_url,
    )
    ledger = redis.Redis.from_url(ledger_url)
    _run(["manage.py", "migrate", "--no-input", "-v0"], env, 120)
    with psycopg.connect(database_url) as conn:
        conn.execute(
            sql.SQL(
                "INSERT INTO {} (kind, key, due_at, status, attempts, outcome, created_at)"
                " SELECT 'slow_probe', 'restart:' || n, now() - interval '1 minute',"
                " 'pending', 0, '', now() FROM generate_series(1, %s) AS n"
            ).format(DUTY_TABLE),
            (DUTIES,),
        )

    wait_for(lambda: " ready." in workers.tail(), 60, "the worker to start", workers.tail)
    sweeps_log = tmp_path / "sweeps.log"
    with sweeps_log.open("w") as out:
        sweeper = subprocess.Popen(
            [sys.executable, "-m", "tests.faults.sweeper", "90"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:

        def runs() -> int:
            return sum(int(n) for n in ledger.hvals(PROBE_LEDGER_KEY))

        wait_for(lambda: runs() >= RESTART_AFTER_RUNS, 60, "the first runs", workers.tail)
        before = _statuses(database_url)
        private_postgres.restart()
        sweeper.wait(timeout=100)
    finally:
        if sweeper.poll() is None:
            sweeper.kill()
            sweeper.wait()
    ticks = sweeps_log.read_text()
    assert sweeper.returncode == 0, f"{ticks[-2000:]}\n{workers.tail()}"

    # The restart really fell mid-way: duties were still waiting to be swept, and it broke ticks.
    assert before.get(Duty.Status.PENDING, 0) > 0, before
    assert "error" in ticks, ticks[-2000:]
    assert _statuses(database_url) == {Duty.Status.DONE: DUTIES}
    counts = [int(n) for n in ledger.hvals(PROBE_LEDGER_KEY)]
    assert (len(counts), set(counts)) == (DUTIES, {1}), "a duty lost or run twice"
