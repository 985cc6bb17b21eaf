"""Delivering webhook events: one POST per attempt, under the delivery's row lock.

- A worker locks the delivery row (SKIP LOCKED): a second worker holding the same delivery
  (a duplicate message, the sweep's re-send) passes by, so one delivery is never POSTed twice
  at once. The lock is held through the POST, which a timeout bounds; a worker killed mid-POST
  rolls back, and the delivery stays pending for the sweep (at least once; receivers drop
  repeats by `X-Mekling-Event-Id`).
- Every attempt is a `DeliveryAttempt` row (status code, duration, a short error), never the
  body. A 2xx delivers; anything else (3xx included: redirects are not followed), a timeout
  or a refused connection is retried with exponential backoff until WEBHOOK_MAX_ATTEMPTS,
  then the delivery fails. `next_attempt_at` keeps the schedule on the row.
- Short waits go by Celery's retry (countdown); the beat sweep re-sends any pending delivery
  whose attempt is overdue by SWEEP_GRACE (a lost message, a broker outage, a long wait).
"""

import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from scheduling.webhooks.events import deliveries_enqueue_on_commit
from scheduling.webhooks.models import Delivery, DeliveryAttempt, Subscriber
from scheduling.webhooks.signing import signature_header
from scheduling.webhooks.subscribers import subscriber_url_allowed

logger = logging.getLogger(__name__)

USER_AGENT = "mekling-webhooks/1"
# A Celery retry waits at most this long in the worker; longer waits are the sweep's.
CELERY_COUNTDOWN_MAX = 600.0
SWEEP_GRACE = timedelta(seconds=60)
EARLY_TOLERANCE = timedelta(seconds=2)
ERROR_MAX = 200


@dataclass(frozen=True)
class AttemptOutcome:
    """How one call ended: `skipped` (not ours to send now), `succeeded`, `retry`, `failed`."""

    result: str
    retry_in: float | None = None


@dataclass(frozen=True)
class PostResult:
    status_code: int | None
    error: str

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def retry_delay(attempt: int) -> float:
    """Seconds after failed attempt `attempt` (1, 2, ...): base · 2^(n-1), capped."""
    base = float(settings.WEBHOOK_RETRY_BASE_SECONDS)
    return min(base * 2 ** (attempt - 1), float(settings.WEBHOOK_RETRY_MAX_SECONDS))


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a 3xx is an answer (a failed attempt), never a hop elsewhere


_opener = urllib.request.build_opener(_NoRedirects)


def webhook_post(*, url: str, body: bytes, headers: dict[str, str], timeout: float) -> PostResult:
    """POST once; the error is short and names no one (the URL is the subscriber's own)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with _opener.open(request, timeout=timeout) as response:
            response.read(1024)
            return PostResult(status_code=response.status, error="")
    except urllib.error.HTTPError as answer:
        answer.close()
        return PostResult(status_code=answer.code, error=f"HTTP {answer.code}")
    except urllib.error.URLError as error:
        return PostResult(status_code=None, error=f"{type(error.reason).__name__}: {error.reason}")
    except (TimeoutError, OSError) as error:
        return PostResult(status_code=None, error=f"{type(error).__name__}: {error}")


def webhook_delivery_attempt(*, delivery_id: int) -> AttemptOutcome:
    """Make the next attempt of one delivery if it is pending and due; see the module notes."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("event", "subscriber")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != Delivery.Status.PENDING:
            return AttemptOutcome("skipped")  # done already, or another worker is on it
        # A pending delivery always has its next attempt (a check constraint of Delivery).
        if (
            delivery.next_attempt_at is not None
            and delivery.next_attempt_at > now + EARLY_TOLERANCE
        ):
            return AttemptOutcome("skipped")  # an early duplicate: the due one will come
        subscriber = delivery.subscriber
        if not subscriber.active:
            _finish(delivery, Delivery.Status.CANCELLED, now)
            return AttemptOutcome("skipped")
        sent = _attempt(delivery, subscriber, now)
        outcome = _after(delivery, sent, now)
    logger.info(
        "webhook delivery %s (%s) attempt %s: %s",
        delivery.pk,
        delivery.event.type,
        delivery.attempts,
        outcome.result,
    )
    return outcome


def _attempt(delivery: Delivery, subscriber: Subscriber, now: datetime) -> PostResult:
    number = delivery.attempts + 1
    started = time.monotonic()
    if subscriber_url_allowed(subscriber.url):
        body = delivery.event.body.encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Mekling-Event": delivery.event.type,
            "X-Mekling-Event-Id": str(delivery.event.uuid),
            "X-Mekling-Delivery": str(delivery.pk),
            "X-Mekling-Attempt": str(number),
            "X-Mekling-Signature": signature_header(
                secret=subscriber.secret, timestamp=int(now.timestamp()), body=body
            ),
        }
        sent = webhook_post(
            url=subscriber.url,
            body=body,
            headers=headers,
            timeout=float(settings.WEBHOOK_TIMEOUT_SECONDS),
        )
    else:
        sent = PostResult(status_code=None, error="address not allowed (https only)")
    DeliveryAttempt.objects.create(
        delivery=delivery,
        number=number,
        started_at=now,
        duration_ms=round((time.monotonic() - started) * 1000),
        status_code=sent.status_code,
        error=sent.error[:ERROR_MAX],
        succeeded=sent.ok,
    )
    delivery.attempts = number
    delivery.last_status_code = sent.status_code
    return sent


def _after(delivery: Delivery, sent: PostResult, now: datetime) -> AttemptOutcome:
    if sent.ok:
        _finish(delivery, Delivery.Status.SUCCEEDED, now)
        return AttemptOutcome("succeeded")
    if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS or sent.error.startswith("address"):
        _finish(delivery, Delivery.Status.FAILED, now)
        return AttemptOutcome("failed")
    delay = retry_delay(delivery.attempts)
    delivery.next_attempt_at = now + timedelta(seconds=delay)
    delivery.save(update_fields=["attempts", "last_status_code", "next_attempt_at"])
    return AttemptOutcome("retry", retry_in=delay if delay <= CELERY_COUNTDOWN_MAX else None)


def _finish(delivery: Delivery, status: str, now: datetime) -> None:
    delivery.status, delivery.finished_at, delivery.next_attempt_at = status, now, None
    delivery.save(
        update_fields=["status", "finished_at", "next_attempt_at", "attempts", "last_status_code"]
    )


def webhook_deliveries_dispatch_due(
    *, now: datetime | None = None, limit: int = 1000, grace: timedelta = SWEEP_GRACE
) -> int:
    """The beat sweep: re-send pending deliveries overdue by `grace` (their message was lost,
    the broker was down, or the wait was too long for a Celery countdown).

    Their `next_attempt_at` moves to now, so the next sweep leaves them alone for `grace`.
    """
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        due = Delivery.objects.filter(
            status=Delivery.Status.PENDING, next_attempt_at__lte=now - grace
        ).select_for_update(skip_locked=True)
        ids = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
        Delivery.objects.filter(pk__in=ids).update(next_attempt_at=now)
        deliveries_enqueue_on_commit(ids)
    return len(ids)


def webhook_deliveries_replay(*, delivery_ids: list[int], actor: Any = None) -> list[Delivery]:
    """Staff send finished deliveries again: a new delivery of the same event (the next
    `replay` number), to an active subscriber. The new row is the log of who replayed it."""
    now = timezone.now()
    replays = []
    with transaction.atomic():
        chosen = (
            Delivery.objects.filter(
                pk__in=delivery_ids,
                status__in=[Delivery.Status.SUCCEEDED, Delivery.Status.FAILED],
                subscriber__active=True,
            )
            .select_for_update(of=("self",))
            .order_by("pk")
        )
        for original in chosen:
            last = Delivery.objects.filter(
                event_id=original.event_id, subscriber_id=original.subscriber_id
            ).aggregate(last=Max("replay"))["last"]
            replays.append(
                Delivery.objects.create(
                    event_id=original.event_id,
                    subscriber_id=original.subscriber_id,
                    replay=(last or 0) + 1,
                    replayed_by=actor if getattr(actor, "is_authenticated", False) else None,
                    next_attempt_at=now,
                )
            )
            logger.info("webhook delivery %s replayed as %s", original.pk, replays[-1].pk)
        deliveries_enqueue_on_commit([d.pk for d in replays])
    return replays
