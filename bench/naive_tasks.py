"""The naive way to remind, for bench/duties_dispatch.py only: one Celery task per reminder,
sent with an ETA and held in a worker's memory until then.

A worker loads this module with `--include bench.naive_tasks`. Each run adds one to the
reminder's field of a Redis hash (BENCH_LEDGER_URL), so the benchmark can count duplicates and
losses; the task does no database work. With BENCH_VISIBILITY_TIMEOUT (seconds) set, that
worker uses this Redis visibility timeout and looks for messages to restore every second, to
show what happens to an ETA longer than the timeout.
"""

import functools
import os

import redis
from celery import shared_task

from config.celery import app

NAIVE_RUNS_KEY = "bench:naive-runs"

_visibility_timeout = os.environ.get("BENCH_VISIBILITY_TIMEOUT")
if _visibility_timeout:
    # Read when the worker connects, which is after its --include modules are imported.
    app.conf.broker_transport_options = {
        "visibility_timeout": float(_visibility_timeout),
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }


@shared_task(name="bench.naive_remind", ignore_result=True)
def naive_remind(reminder: int, ledger_key: str = NAIVE_RUNS_KEY) -> None:
    _ledger().hincrby(ledger_key, str(reminder), 1)


@functools.cache
def _ledger() -> redis.Redis:
    return redis.Redis.from_url(os.environ["BENCH_LEDGER_URL"])
