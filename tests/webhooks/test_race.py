"""PostgreSQL: two workers delivering the same row at once POST it once (SKIP LOCKED)."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from scheduling.webhooks.delivery import webhook_delivery_attempt
from scheduling.webhooks.events import webhook_event_record
from scheduling.webhooks.models import Delivery, EventType, Subscriber
from tests.factories import CaseFactory
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_workers_delivering_the_same_row_post_it_once(
    subscribe: Callable[..., Subscriber],
) -> None:
    assert connection.vendor == "postgresql"
    receiver = Receiver(delay=0.5).start()  # slow: the second worker comes while it waits
    try:
        subscribe(receiver.url)
        event = webhook_event_record(type=EventType.CASE_REQUESTED, case=CaseFactory.create())
        delivery = Delivery.objects.get(event=event)
        start = threading.Barrier(2)
        results: list[str] = []

        def worker() -> None:
            try:
                start.wait()
                results.append(webhook_delivery_attempt(delivery_id=delivery.pk).result)
            finally:
                connection.close()  # each thread has its own connection

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        receiver.stop()
    assert sorted(results) == ["skipped", "succeeded"]
    assert len(receiver.received) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.log.count()) == ("succeeded", 1, 1)
