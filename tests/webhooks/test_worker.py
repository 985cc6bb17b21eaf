"""A real Celery worker process (prefork, two processes) on Redis: a failing receiver is
retried by Celery's retry with backoff and then succeeds; two messages for one delivery POST
once; the beat sweep's re-send of a lost message reaches the worker.

Redis is a database of its own (WEBHOOKS_REDIS_URL, default db 9), emptied around the test.
The worker uses a short backoff base (WEBHOOK_RETRY_BASE_SECONDS=0.4) so the test is quick.
"""

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.db import connection
from django.utils import timezone

from bench.process_groups import stop_process_group
from config.celery import app as celery_app
from scheduling.webhooks.delivery import webhook_deliveries_dispatch_due
from scheduling.webhooks.events import webhook_event_record
from scheduling.webhooks.models import Delivery, DeliveryAttempt, EventType, Subscriber
from scheduling.webhooks.tasks import deliver
from tests.factories import CaseFactory
from tests.webhooks.receiver import Receiver, verify

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("WEBHOOKS_REDIS_URL", "redis://127.0.0.1:6379/9")
BASE = 0.4


class Worker:
    def __init__(self, log: Path) -> None:
        db = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "TEST_DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "TEST_CELERY_BROKER_URL": REDIS_URL,
            "WEBHOOK_RETRY_BASE_SECONDS": str(BASE),
        }
        self.log = log
        args = ["worker", "--pool=prefork", "--concurrency=2", "--hostname=webhooks@%h"]
        args += ["--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"]
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", *args],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, to stop it whole
            )

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, what: str, condition: Callable[[], bool], seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            if self.process.poll() is not None:
                pytest.fail(f"the worker exited before {what}\n{self.text()[-3000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting for {what}\n{self.text()[-3000:]}")
            time.sleep(0.05)

    def stop(self) -> None:
        stop_process_group(self.process)


@pytest.fixture
def worker(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Worker]:
    monkeypatch.setitem(celery_app.conf, "broker_url", REDIS_URL)
    monkeypatch.setattr(celery_app, "_pool", None)  # without the cached pools, the new URL
    monkeypatch.setattr(celery_app.amqp, "_producer_pool", None)
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    running = Worker(tmp_path / "worker.log")
    try:
        running.wait_for("the worker to start", lambda: "ready." in running.text(), seconds=60)
        yield running
    finally:
        running.stop()
        client.flushdb()


def _done(delivery: Delivery) -> Callable[[], bool]:
    return lambda: Delivery.objects.filter(pk=delivery.pk).exclude(status="pending").exists()


def test_a_real_worker_retries_a_failing_receiver_with_backoff_then_delivers(
    worker: Worker, subscribe: Callable[..., Subscriber]
) -> None:
    receiver = Receiver(answers=(500, 500)).start()
    try:
        subscriber = subscribe(receiver.url)
        # Autocommit: the event commits at once and its delivery goes to the worker.
        event = webhook_event_record(type=EventType.CASE_REQUESTED, case=CaseFactory.create())
        delivery = Delivery.objects.get(event=event)
        worker.wait_for("the delivery to succeed", _done(delivery))
        time.sleep(2 * BASE)  # nothing more may come
    finally:
        receiver.stop()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 3)
    assert list(DeliveryAttempt.objects.filter(delivery=delivery).values_list("status_code")) == [
        (500,),
        (500,),
        (200,),
    ]
    at = [r.at for r in receiver.received]
    assert len(at) == 3 and {r.event_id for r in receiver.received} == {str(event.uuid)}
    gaps = [at[1] - at[0], at[2] - at[1]]
    assert gaps[0] >= BASE * 0.9 and gaps[1] >= 2 * BASE * 0.9, gaps  # exponential
    assert gaps[1] > gaps[0]
    assert all(verify(subscriber.secret, r) for r in receiver.received)
    assert "Retry in" in worker.text()  # Celery's retry, not a loop in the task


def test_two_messages_for_one_delivery_post_it_once_on_a_real_worker(
    worker: Worker, subscribe: Callable[..., Subscriber]
) -> None:
    receiver = Receiver(delay=1.0).start()
    try:
        subscribe(receiver.url)
        event = webhook_event_record(type=EventType.CASE_REQUESTED, case=CaseFactory.create())
        delivery = Delivery.objects.get(event=event)
        deliver.delay(delivery.pk)  # a duplicate, to the second worker process
        deliver.delay(delivery.pk)
        worker.wait_for("the delivery to succeed", _done(delivery))
        time.sleep(1.5)
    finally:
        receiver.stop()
    assert len(receiver.received) == 1
    assert DeliveryAttempt.objects.filter(delivery=delivery).count() == 1


def test_the_sweep_resends_a_lost_message_to_the_real_worker(
    worker: Worker, subscribe: Callable[..., Subscriber], receiver: Receiver
) -> None:
    subscriber = subscribe(receiver.url)
    event = webhook_event_record(type=EventType.CASE_REQUESTED, case=CaseFactory.create())
    delivery = Delivery.objects.get(event=event)
    worker.wait_for("the first delivery", _done(delivery))
    # A delivery whose message was lost: pending, overdue, never sent to the broker.
    lost = Delivery.objects.create(
        event=event,
        subscriber=subscriber,
        replay=1,
        next_attempt_at=timezone.now() - timedelta(minutes=5),
    )
    assert webhook_deliveries_dispatch_due() == 1
    worker.wait_for("the lost delivery", _done(lost))
    assert webhook_deliveries_dispatch_due() == 0
    assert len(receiver.received) == 2
    lost.refresh_from_db()
    assert (lost.status, lost.attempts) == ("succeeded", 1)
