"""Measurements for the report (not part of the suite; run it by name):

    TEST_DATABASE_NAME=test_mekling_webhooks .venv/bin/pytest tests/webhooks/bench_outbox.py -q -s

- what recording an event costs inside a service's transaction, with 0 and with 3 subscribers;
- what it adds to a whole case request (intake.services.case_request);
- one delivery attempt (row lock, signed POST to a local receiver, the log row), sequentially;
- the sweep over a backlog of overdue deliveries (enqueueing suppressed).
"""

import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from scheduling.webhooks.delivery import webhook_deliveries_dispatch_due, webhook_delivery_attempt
from scheduling.webhooks.events import webhook_event_record
from scheduling.webhooks.models import Delivery, EventType, Subscriber
from tests.factories import CaseFactory
from tests.intake.conftest import request_body
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.django_db


def _ms(fn: Callable[[], Any], n: int) -> tuple[float, float]:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95)]


def test_bench(
    national_offices: None,
    receiver: Receiver,
    subscribe: Callable[..., Subscriber],
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case = CaseFactory.create()
    rows = []

    def record() -> None:
        with transaction.atomic():
            webhook_event_record(type=EventType.CASE_REQUESTED, case=case, data={})

    client = APIClient()

    def request() -> None:
        assert client.post("/api/v1/cases/", request_body(), format="json").status_code == 201

    with django_capture_on_commit_callbacks(execute=False):
        rows.append(("record an event, 0 subscribers", *_ms(record, 300)))
        monkeypatch.setattr("intake.services.webhook_event_record", lambda **kwargs: None)
        rows.append(("POST /api/v1/cases/, no event recorded", *_ms(request, 40)))
        monkeypatch.undo()
        rows.append(("POST /api/v1/cases/, event, 0 subscribers", *_ms(request, 40)))
        subscribers = [subscribe(receiver.url, name=f"S{n}") for n in range(3)]
        rows.append(("record an event, 3 subscribers", *_ms(record, 300)))
        rows.append(("POST /api/v1/cases/, event, 3 subscribers", *_ms(request, 40)))

    pending = iter(
        Delivery.objects.filter(status="pending").order_by("pk").values_list("pk", flat=True)
    )
    rows.append(
        (
            "one delivery attempt (lock, signed POST, log)",
            *_ms(lambda: webhook_delivery_attempt(delivery_id=next(pending)), 300),
        )
    )
    event = Delivery.objects.filter(subscriber=subscribers[0]).first().event  # type: ignore[union-attr]
    overdue = timezone.now() - timedelta(minutes=5)
    Delivery.objects.bulk_create(
        [
            Delivery(event=event, subscriber=subscribers[0], replay=n, next_attempt_at=overdue)
            for n in range(1, 5001)
        ]
    )
    backlog = Delivery.objects.filter(status="pending").count()
    with django_capture_on_commit_callbacks(execute=False):
        started = time.perf_counter()
        swept = 0
        while (n := webhook_deliveries_dispatch_due(limit=1000)) > 0:
            swept += n
        elapsed = (time.perf_counter() - started) * 1000
    rows.append((f"sweep {swept} of {backlog} pending (1000 a batch), total", elapsed, elapsed))

    print("\n| measurement | median ms | p95 ms |\n|---|---|---|")
    for name, median, p95 in rows:
        print(f"| {name} | {median:.2f} | {p95:.2f} |")
