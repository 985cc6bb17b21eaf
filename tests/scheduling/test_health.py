"""GET /api/v1/health/ against the real PostgreSQL, Redis, and a real worker and beat."""

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
from rest_framework.test import APIClient

from scheduling.models import Heartbeat
from scheduling.schedules import schedules_install
from scheduling.services import heartbeat_record

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_health_reports_database_and_redis_broker(api_client: APIClient) -> None:
    body = api_client.get("/api/v1/health/").json()
    assert body["database"] == {"status": "ok", "vendor": "postgresql"}
    assert body["broker"] == {"status": "ok", "transport": "redis"}


@pytest.mark.django_db
def test_health_is_degraded_until_worker_and_beat_are_seen(api_client: APIClient) -> None:
    response = api_client.get("/api/v1/health/")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["worker"]["status"] == "down"


@pytest.mark.django_db
def test_health_is_ok_with_fresh_heartbeats_and_stale_ones_count_as_down(
    api_client: APIClient,
) -> None:
    heartbeat_record(component=Heartbeat.Component.WORKER)
    heartbeat_record(component=Heartbeat.Component.BEAT)
    assert api_client.get("/api/v1/health/").json()["status"] == "ok"
    Heartbeat.objects.filter(component="beat").update(
        last_seen=timezone.now() - timedelta(minutes=5)
    )
    body = api_client.get("/api/v1/health/").json()
    assert (body["status"], body["beat"]["status"], body["worker"]["status"]) == (
        "degraded",
        "down",
        "ok",
    )


@pytest.mark.django_db
def test_health_says_broker_down_when_it_cannot_connect(
    api_client: APIClient, settings: Any
) -> None:
    from config.celery import app

    original = app.conf.broker_url
    app.conf["broker_url"] = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        body = api_client.get("/api/v1/health/").json()
    finally:
        app.conf["broker_url"] = original
    assert body["broker"]["status"] == "down"
    assert body["status"] == "degraded"


@pytest.mark.django_db
def test_schedules_install_is_idempotent() -> None:
    from django_celery_beat.models import PeriodicTask

    first = schedules_install()
    second = schedules_install()
    assert first == second
    assert PeriodicTask.objects.filter(name__startswith="mekling:").count() == len(first)


def _celery(*args: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_real_worker_and_beat_on_redis_make_health_ok(api_client: APIClient) -> None:
    """Beat sends the heartbeat task through Redis, a worker runs it: health turns ok."""
    schedules_install()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "TEST_DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    processes = [
        _celery("worker", "--pool=solo", "--without-gossip", "--without-mingle", env=env),
        _celery("beat", "--pidfile=", "--schedule=/dev/null", env=env),
    ]
    try:
        deadline = time.monotonic() + 60
        body: dict[str, Any] = {}
        while time.monotonic() < deadline:
            body = api_client.get("/api/v1/health/").json()
            if body["status"] == "ok":
                break
            time.sleep(1)
        assert body["status"] == "ok", body
        assert body["worker"]["status"] == body["beat"]["status"] == "ok"
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
