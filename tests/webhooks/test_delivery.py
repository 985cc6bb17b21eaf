"""Delivering one event to a real local receiver: the signature, retries with backoff, giving
up, timeouts, refused connections, redirects, https only, the sweep and replay."""

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone

from intake.models import Case
from scheduling.webhooks.delivery import (
    CELERY_COUNTDOWN_MAX,
    SWEEP_GRACE,
    retry_delay,
    webhook_deliveries_dispatch_due,
    webhook_deliveries_replay,
    webhook_delivery_attempt,
)
from scheduling.webhooks.events import webhook_event_record
from scheduling.webhooks.models import Delivery, DeliveryAttempt, Event, EventType, Subscriber
from scheduling.webhooks.signing import signature_verify
from tests.factories import CaseFactory
from tests.webhooks.receiver import Receiver, free_port, verify

pytestmark = pytest.mark.django_db
Subscribe = Callable[..., Subscriber]


def _event(case: Case | None = None) -> Event:
    case = case or CaseFactory.create()
    return webhook_event_record(
        type=EventType.CASE_REQUESTED,
        case=case,
        data={"case_type": case.case_type, "requested_at": case.requested_at},
    )


def _delivery(event: Event) -> Delivery:
    return Delivery.objects.get(event=event, replay=0)


def test_the_signature_verifies_with_the_subscribers_secret(
    receiver: Receiver, subscribe: Subscribe
) -> None:
    subscriber = subscribe(receiver.url)
    other = subscribe(receiver.url, name="Another system")
    event = _event()
    mine = Delivery.objects.get(event=event, subscriber=subscriber)
    assert webhook_delivery_attempt(delivery_id=mine.pk).result == "succeeded"

    [received] = receiver.received
    assert verify(subscriber.secret, received)  # the receiver's own check (docs/webhooks.md)
    assert not verify(other.secret, received)  # each subscriber has its own secret
    tampered = type(received)(received.headers, received.body.replace(b"MK-", b"XX-"), 0)
    assert not verify(subscriber.secret, tampered)
    now = int(timezone.now().timestamp())
    header = received.headers["X-Mekling-Signature"]
    assert signature_verify(secret=subscriber.secret, header=header, body=received.body, now=now)
    assert not signature_verify(  # a capture replayed ten minutes later is refused
        secret=subscriber.secret, header=header, body=received.body, now=now + 600
    )
    assert received.event_type == "case.requested"
    assert received.event_id == str(event.uuid) == received.json["id"]
    assert received.headers["Content-Type"] == "application/json"
    assert received.body == event.body.encode()
    body = received.json
    assert body["case_reference"] == event.case.reference
    assert body["office"] == event.case.catchment_office_id
    assert set(body) == {"id", "type", "occurred_at", "case_reference", "office", "data"}
    assert body["occurred_at"].endswith("Z")


def test_a_failing_receiver_is_retried_with_backoff_and_then_succeeds(subscribe: Subscribe) -> None:
    receiver = Receiver(answers=(500, 503)).start()
    try:
        subscriber = subscribe(receiver.url)
        delivery = _delivery(_event())
        start = timezone.now()
        with time_machine.travel(start, tick=False) as clock:
            first = webhook_delivery_attempt(delivery_id=delivery.pk)
            assert (first.result, first.retry_in) == ("retry", 30.0)
            delivery.refresh_from_db()
            assert delivery.next_attempt_at == start + timedelta(seconds=30)
            # A duplicate message before the wait is over sends nothing.
            assert webhook_delivery_attempt(delivery_id=delivery.pk).result == "skipped"
            assert len(receiver.received) == 1
            clock.shift(30)
            second = webhook_delivery_attempt(delivery_id=delivery.pk)
            assert (second.result, second.retry_in) == ("retry", 60.0)  # doubled
            clock.shift(60)
            assert webhook_delivery_attempt(delivery_id=delivery.pk).result == "succeeded"
            assert webhook_delivery_attempt(delivery_id=delivery.pk).result == "skipped"
    finally:
        receiver.stop()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("succeeded", 3, None)
    log = list(delivery.log.values_list("number", "status_code", "succeeded"))
    assert log == [(1, 500, False), (2, 503, False), (3, 200, True)]
    assert [a.started_at - start for a in delivery.log.all()] == [
        timedelta(0),
        timedelta(seconds=30),
        timedelta(seconds=90),
    ]
    # Three POSTs of the same event, each signed afresh, each verifying.
    assert len({r.event_id for r in receiver.received}) == 1
    assert [r.headers["X-Mekling-Attempt"] for r in receiver.received] == ["1", "2", "3"]
    assert all(verify(subscriber.secret, r) for r in receiver.received)


def test_a_refused_connection_is_retried_and_then_delivered(subscribe: Subscribe) -> None:
    port = free_port()
    subscriber = subscribe(f"http://127.0.0.1:{port}/hooks")
    delivery = _delivery(_event())
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert webhook_delivery_attempt(delivery_id=delivery.pk).result == "retry"
        receiver = Receiver(port=port).start()  # the receiver comes back up
        try:
            clock.shift(30)
            assert webhook_delivery_attempt(delivery_id=delivery.pk).result == "succeeded"
        finally:
            receiver.stop()
    refused, delivered = DeliveryAttempt.objects.filter(delivery=delivery)
    assert refused.status_code is None and "ConnectionRefused" in refused.error
    assert delivered.status_code == 200 and delivered.succeeded
    assert len(receiver.received) == 1 and verify(subscriber.secret, receiver.received[0])


@override_settings(WEBHOOK_MAX_ATTEMPTS=3)
def test_after_the_last_attempt_the_delivery_fails_and_nothing_more_is_sent(
    subscribe: Subscribe,
) -> None:
    receiver = Receiver(answers=(500,) * 10).start()
    try:
        subscribe(receiver.url)
        delivery = _delivery(_event())
        with time_machine.travel(timezone.now(), tick=False) as clock:
            results = []
            for _ in range(5):
                results.append(webhook_delivery_attempt(delivery_id=delivery.pk).result)
                clock.shift(3600)
    finally:
        receiver.stop()
    assert results == ["retry", "retry", "failed", "skipped", "skipped"]
    assert len(receiver.received) == 3
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 3, 500)


@override_settings(WEBHOOK_TIMEOUT_SECONDS=0.3)
def test_a_receiver_that_does_not_answer_in_time_counts_as_a_failed_attempt(
    subscribe: Subscribe,
) -> None:
    receiver = Receiver(delay=1.5).start()
    try:
        subscribe(receiver.url)
        delivery = _delivery(_event())
        assert webhook_delivery_attempt(delivery_id=delivery.pk).result == "retry"
    finally:
        receiver.stop()
    attempt = DeliveryAttempt.objects.get(delivery=delivery)
    assert attempt.status_code is None and "timed out" in attempt.error
    assert 300 <= attempt.duration_ms < 1400


def test_a_redirect_is_not_followed(subscribe: Subscribe) -> None:
    receiver = Receiver(answers=(302,)).start()
    try:
        subscribe(receiver.url)
        delivery = _delivery(_event())
        assert webhook_delivery_attempt(delivery_id=delivery.pk).result == "retry"
    finally:
        receiver.stop()
    assert len(receiver.received) == 1
    assert DeliveryAttempt.objects.get(delivery=delivery).status_code == 302


def test_only_https_addresses_unless_local_http_is_allowed(
    receiver: Receiver, subscribe: Subscribe
) -> None:
    assert subscribe("https://hooks.test.example/mekling").pk
    for url in (
        "http://hooks.test.example/mekling",
        "http://localhost:8080/hooks",
        "https://user:password@hooks.test.example/",
        "ftp://hooks.test.example/",
    ):
        with pytest.raises(ValidationError) as refused:
            subscribe(url)
        assert "url" in refused.value.message_dict
    # The database refuses plain http elsewhere than this machine too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscriber.objects.create(name="x", url="http://hooks.test.example/", secret="s")

    local = subscribe(receiver.url)
    delivery = Delivery.objects.get(event=_event(), subscriber=local)
    with override_settings(WEBHOOK_ALLOW_HTTP_LOCALHOST=False):  # production
        with pytest.raises(ValidationError):
            subscribe(receiver.url)
        assert webhook_delivery_attempt(delivery_id=delivery.pk).result == "failed"
    assert receiver.received == []
    attempt = DeliveryAttempt.objects.get(delivery=delivery)
    assert "https only" in attempt.error and local.deliveries.get().status == "failed"


def test_an_inactive_subscriber_gets_no_new_deliveries_and_pending_ones_are_cancelled(
    receiver: Receiver, subscribe: Subscribe
) -> None:
    subscriber = subscribe(receiver.url)
    delivery = _delivery(_event())
    Subscriber.objects.filter(pk=subscriber.pk).update(active=False)
    assert webhook_delivery_attempt(delivery_id=delivery.pk).result == "skipped"
    delivery.refresh_from_db()
    assert delivery.status == "cancelled" and receiver.received == []
    assert not Delivery.objects.filter(event=_event()).exists()


def test_one_delivery_per_event_and_subscriber(receiver: Receiver, subscribe: Subscribe) -> None:
    subscriber = subscribe(receiver.url)
    event = _event()
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(event=event, subscriber=subscriber, next_attempt_at=timezone.now())


def test_backoff_doubles_up_to_the_cap_and_long_waits_are_left_to_the_sweep() -> None:
    delays = [retry_delay(n) for n in range(1, 13)]
    assert delays[:4] == [30, 60, 120, 240]
    assert delays[-1] == 6 * 60 * 60 and max(delays) == 6 * 60 * 60
    assert [d <= CELERY_COUNTDOWN_MAX for d in delays[:6]] == [True] * 5 + [False]


def test_the_sweep_sends_a_delivery_whose_message_was_lost_once(
    receiver: Receiver,
    subscribe: Subscribe,
    django_capture_on_commit_callbacks: Any,
    eager_celery: None,
) -> None:
    subscribe(receiver.url)
    with django_capture_on_commit_callbacks(execute=False):  # the message is never sent
        delivery = _delivery(_event())
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_deliveries_dispatch_due(now=now) == 0  # not overdue yet
    later = now + SWEEP_GRACE + timedelta(seconds=1)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert webhook_deliveries_dispatch_due() == 1
        assert webhook_deliveries_dispatch_due() == 0  # not sent again by the next sweep
    assert len(receiver.received) == 1
    delivery.refresh_from_db()
    assert delivery.status == "succeeded"


def test_replay_is_a_new_delivery_of_the_same_event(
    receiver: Receiver, subscribe: Subscribe, django_capture_on_commit_callbacks: Any
) -> None:
    subscriber = subscribe(receiver.url)
    event = _event()
    original = _delivery(event)
    assert webhook_deliveries_replay(delivery_ids=[original.pk]) == []  # still pending
    webhook_delivery_attempt(delivery_id=original.pk)
    with django_capture_on_commit_callbacks(execute=False) as sent:
        [replay] = webhook_deliveries_replay(delivery_ids=[original.pk])
        [again] = webhook_deliveries_replay(delivery_ids=[original.pk])
    assert len(sent) == 2  # each replay goes to a worker after commit
    assert (replay.replay, again.replay) == (1, 2)
    assert webhook_delivery_attempt(delivery_id=replay.pk).result == "succeeded"
    first, second = receiver.received
    assert first.event_id == second.event_id == str(event.uuid) and first.body == second.body
    assert (
        second.headers["X-Mekling-Delivery"]
        == str(replay.pk)
        != first.headers["X-Mekling-Delivery"]
    )
    assert verify(subscriber.secret, second)
    assert json.loads(event.body)["id"] == str(event.uuid)
