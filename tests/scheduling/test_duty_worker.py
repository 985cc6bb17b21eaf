"""The whole path on real servers: sweep → Redis → a real Celery worker → PostgreSQL."""

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from config.celery import app as celery_app
from scheduling.duties import duties_dispatch_due
from scheduling.models import Duty

ROOT = Path(__file__).resolve().parents[2]
DUTIES = 50


def _queued_messages() -> int:
    with celery_app.connection_for_write() as conn:
        channel: Any = conn.default_channel  # queue_declare is not in the type stubs
        return int(channel.queue_declare(queue=celery_app.conf.task_default_queue).message_count)


def _worker(log: Path) -> subprocess.Popen[bytes]:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "TEST_DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel=INFO"]
    # Several processes, so duties really run side by side.
    command += ["--pool=prefork", "--concurrency=4", "--without-gossip", "--without-mingle"]
    with log.open("wb") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_each_due_duty_exactly_once(tmp_path: Path) -> None:
    celery_app.control.purge()  # leftovers of earlier runs would be consumed too
    due_at = timezone.now() - timedelta(minutes=1)
    Duty.objects.bulk_create(
        Duty(kind="heartbeat_probe", key=f"probe:{n}", due_at=due_at) for n in range(DUTIES)
    )

    assert duties_dispatch_due() == DUTIES
    assert duties_dispatch_due() == 0  # claimed duties are not sent again
    assert _queued_messages() == DUTIES

    log = tmp_path / "worker.log"
    worker = _worker(log)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if not Duty.objects.exclude(status=Duty.Status.DONE).exists():
                break
            time.sleep(0.5)
        rows = list(Duty.objects.values_list("status", "attempts", "outcome"))
        assert rows == [("done", 1, "probe ok")] * DUTIES, log.read_text(errors="replace")[-4000:]
        assert _queued_messages() == 0
    finally:
        worker.terminate()
        worker.wait(timeout=30)
