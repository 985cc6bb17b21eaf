"""The duty engine: every piece of time-driven work is a `Duty` row, swept by beat every minute
and run by idempotent Celery tasks. Nothing waits in the broker with a long ETA.

`attempts` counts dispatches: the sweep's claim, a reclaim of a stuck duty, a direct dispatch
(`dispatch_now`) or a retry after a transient error. A duty runs under its row lock, so two
messages for one duty run it once.
"""

import contextvars
import functools
import hashlib
import logging
import os
import time
import traceback
from collections.abc import Callable, Collection, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import redis
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnreachable

from scheduling.models import Duty

if TYPE_CHECKING:
    from intake.models import Case

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Far longer than a handler runs or than the seconds of retry backoff between MAX_ATTEMPTS
# tries, so only lost work (a lost message, a killed worker) is reclaimed.
DUTY_RECLAIM_AFTER = timedelta(minutes=10)
ACTIVE = (Duty.Status.PENDING, Duty.Status.CLAIMED)
OUTCOME_MAX = 200

DutyHandler = Callable[[Duty], str]
_handlers: dict[str, DutyHandler] = {}
# The key of the duty whose handler runs in this context, for idempotency keys of its sends.
_running_duty_key: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "running_duty_key", default=None
)


class DutySkipped(Exception):
    """The duty no longer applies (e.g. the parent already submitted); nothing is sent."""


def duty_target(duty: Duty) -> int:
    """The id of the row a duty acts on; a duty without one no longer applies."""
    if duty.target_id is None:
        raise DutySkipped("no target")
    return duty.target_id


def duty_idempotency_key(*parts: str) -> str | None:
    """A stable key for one send of the running duty, the same on every run of it; else None.

    A handler sends inside the duty's locked transaction, so a worker killed after a send but
    before the commit runs the duty again and sends again. Backends pass this key to the
    provider (an email's Message-ID, an SMS gateway's idempotency key), which drops the repeat:
    exactly once for a provider that honours it, at least once (a repeat within that
    millisecond window) for one that does not. Callers add the recipient to `parts` (one duty
    may send to several); it is hashed, so no address leaves in the key.
    """
    duty_key = _running_duty_key.get()
    if duty_key is None:
        return None
    return hashlib.sha256(":".join((duty_key, *parts)).encode()).hexdigest()[:40]


class TransientDutyError(Exception):
    """A retryable failure (mail server down); the task retries with backoff."""


def duty_handler(kind: str) -> Callable[[DutyHandler], DutyHandler]:
    """Register `fn(duty) -> outcome` for a kind. The outcome is short and never personal data."""

    def register(fn: DutyHandler) -> DutyHandler:
        if kind in _handlers:
            raise ImproperlyConfigured(f"A duty handler for {kind!r} is already registered.")
        _handlers[kind] = fn
        return fn

    return register


def duty_schedule(
    *,
    kind: str,
    key: str,
    due_at: datetime,
    case: "Case | None" = None,
    target_id: int | None = None,
    dispatch_now: bool = False,
) -> Duty:
    """Create the duty unless one with this key exists (then return that one unchanged).

    Call it in the transaction that causes the duty. With `dispatch_now`, a due duty is also
    sent to a worker after commit; if the broker is down it stays pending for the sweep.
    """
    # get_or_create inserts inside its own savepoint and re-reads on IntegrityError, so a
    # concurrent insert of the same key leaves the caller's transaction usable.
    duty, created = Duty.objects.get_or_create(
        key=key,
        defaults={"kind": kind, "due_at": due_at, "case": case, "target_id": target_id},
    )
    if created and dispatch_now and due_at <= timezone.now():
        _enqueue_on_commit([duty.pk], unclaim_if_unsent=False)
    return duty


def duties_cancel(
    *,
    case: "Case | None" = None,
    key_prefix: str | None = None,
    keep_kinds: Collection[str] = (),
) -> int:
    """Cancel the duties of a case and/or with a key prefix that have not run yet, but those of
    `keep_kinds`."""
    if case is None and key_prefix is None:
        raise ValueError("Say which duties to cancel: a case, a key prefix, or both.")
    duties = Duty.objects.filter(status__in=ACTIVE).exclude(kind__in=keep_kinds)
    if case is not None:
        duties = duties.filter(case=case)
    if key_prefix is not None:
        duties = duties.filter(key__startswith=key_prefix)
    # A duty being run holds its row lock: this waits for it, then skips it as no longer active.
    return duties.update(
        status=Duty.Status.CANCELLED, finished_at=timezone.now(), outcome="cancelled"
    )


def duties_dispatch_due(
    *, now: datetime | None = None, limit: int = 1000, reclaim_after: timedelta | None = None
) -> int:
    """The sweep: claim due pending duties and stuck claimed ones, and send them after commit.

    A claimed duty counts as stuck `reclaim_after` (default DUTY_RECLAIM_AFTER) after its claim.
    SKIP LOCKED lets two sweeps (or a sweep and a running duty) pass each other without
    waiting and without claiming a duty twice.
    """
    now = now or timezone.now()
    reclaim_after = DUTY_RECLAIM_AFTER if reclaim_after is None else reclaim_after
    # Durable: the row locks must be released (and the messages sent) as soon as it is done.
    with transaction.atomic(durable=True):
        stale = _lock_ids(
            Duty.objects.filter(status=Duty.Status.CLAIMED, claimed_at__lt=now - reclaim_after),
            limit,
        )
        exhausted = _fail_exhausted(stale, now)
        reclaimed = [pk for pk in stale if pk not in exhausted]
        due = _lock_ids(
            Duty.objects.filter(status=Duty.Status.PENDING, due_at__lte=now),
            limit - len(stale),
        )
        ids = reclaimed + due
        Duty.objects.filter(pk__in=ids).update(
            status=Duty.Status.CLAIMED, claimed_at=now, attempts=F("attempts") + 1
        )
        _enqueue_on_commit(ids, unclaim_if_unsent=True)
    return len(ids)


def duties_dispatch_now(*, duty_ids: Sequence[int]) -> int:
    """Send chosen duties to a worker now, due or not; failed ones get a fresh start.

    For staff (the admin action); done, skipped and cancelled duties are left alone.
    """
    now = timezone.now()
    with transaction.atomic():
        chosen = Duty.objects.filter(pk__in=duty_ids)
        ids = _lock_ids(chosen.filter(status__in=[*ACTIVE, Duty.Status.FAILED]), len(duty_ids))
        chosen.filter(pk__in=ids, status=Duty.Status.FAILED).update(
            attempts=0, finished_at=None, outcome=""
        )
        chosen.filter(pk__in=ids).update(
            status=Duty.Status.CLAIMED, claimed_at=now, attempts=F("attempts") + 1
        )
        _enqueue_on_commit(ids, unclaim_if_unsent=True)
    return len(ids)


def duty_execute(*, duty_id: int) -> str | None:
    """Run one duty's handler under its row lock; None when it has already run or was cancelled.

    Raises TransientDutyError (the duty stays claimed) so the task retries, until the duty has
    been dispatched MAX_ATTEMPTS times; then it fails.
    """
    now = timezone.now()
    with transaction.atomic():
        duty = Duty.objects.select_for_update().filter(pk=duty_id).first()
        if duty is None or duty.status not in ACTIVE:
            return None
        if duty.status == Duty.Status.PENDING:  # sent straight by duty_schedule, never claimed
            duty.status, duty.claimed_at = Duty.Status.CLAIMED, now
            duty.attempts += 1
        retry = _run_handler(duty, now)
        duty.save(update_fields=["status", "claimed_at", "attempts", "finished_at", "outcome"])
    logger.info("duty %s (%s): %s %s", duty.pk, duty.kind, duty.status, duty.outcome)
    if retry is not None:
        raise retry
    return duty.outcome


def _run_handler(duty: Duty, now: datetime) -> TransientDutyError | None:
    """Call the handler and record how it ended on `duty` (unsaved); the error to retry on."""
    handler = _handlers.get(duty.kind)
    if handler is None:
        _finish(duty, Duty.Status.FAILED, "no handler", now)
        return None
    try:
        # A savepoint: a handler that fails half-way leaves none of its writes behind.
        with transaction.atomic():
            running = _running_duty_key.set(duty.key)
            try:
                outcome = handler(duty)
            finally:
                _running_duty_key.reset(running)
    except DutySkipped as skipped:
        _finish(duty, Duty.Status.SKIPPED, str(skipped) or "skipped", now)
    except TransientDutyError as error:
        if duty.attempts >= MAX_ATTEMPTS:
            _finish(duty, Duty.Status.FAILED, f"gave up: {error}", now)
            return None
        duty.attempts += 1
        duty.claimed_at = now  # a fresh claim, so the sweep does not reclaim it during backoff
        duty.outcome = f"retrying: {error}"[:OUTCOME_MAX]
        return error
    except OperationalError:
        raise  # the database itself: the task retries, the duty stays claimed
    except Exception as error:
        # The message may quote personal data; the type and the frames are enough to debug.
        frames = "".join(traceback.format_tb(error.__traceback__))
        logger.error("duty %s (%s) raised %s\n%s", duty.pk, duty.kind, type(error).__name__, frames)
        _finish(duty, Duty.Status.FAILED, f"error: {type(error).__name__}", now)
    else:
        _finish(duty, Duty.Status.DONE, outcome, now)
    return None


def _finish(duty: Duty, status: str, outcome: str, now: datetime) -> None:
    duty.status, duty.finished_at, duty.outcome = status, now, outcome[:OUTCOME_MAX]


def _lock_ids(duties: QuerySet[Duty], limit: int) -> list[int]:
    if limit <= 0:
        return []
    locked = duties.select_for_update(skip_locked=True).order_by("due_at", "pk")
    return list(locked.values_list("pk", flat=True)[:limit])


def _fail_exhausted(ids: list[int], now: datetime) -> set[int]:
    """Stuck duties already dispatched MAX_ATTEMPTS times fail instead of going round again."""
    exhausted = Duty.objects.filter(pk__in=ids, attempts__gte=MAX_ATTEMPTS)
    failed = set(exhausted.values_list("pk", flat=True))
    exhausted.update(
        status=Duty.Status.FAILED, finished_at=now, outcome=f"gave up after {MAX_ATTEMPTS} tries"
    )
    return failed


def _enqueue_on_commit(ids: list[int], *, unclaim_if_unsent: bool) -> None:
    if ids:
        transaction.on_commit(lambda: _enqueue_unsafe(ids, unclaim_if_unsent=unclaim_if_unsent))


def _enqueue_unsafe(ids: list[int], *, unclaim_if_unsent: bool) -> None:
    """Send run_duty for each id; outside a commit hook this could run uncommitted work."""
    from scheduling.tasks import run_duty  # the task module imports this one

    for sent, duty_id in enumerate(ids):
        try:
            run_duty.delay(duty_id)
        except BrokerUnreachable:
            unsent = ids[sent:]
            logger.warning("broker unreachable: %d duties left for the next sweep", len(unsent))
            if unclaim_if_unsent:
                # Back to pending, so the next sweep sends them without burning an attempt.
                Duty.objects.filter(pk__in=unsent, status=Duty.Status.CLAIMED).update(
                    status=Duty.Status.PENDING, claimed_at=None, attempts=F("attempts") - 1
                )
            return


@duty_handler("heartbeat_probe")
def _heartbeat_probe(duty: Duty) -> str:
    """An operations probe: a duty that proves the sweep → broker → worker path end to end."""
    return "probe ok"


# The slow probe's ledger: a Redis hash of committed runs, duty id → count.
PROBE_LEDGER_KEY = "mekling:probe-runs"


@duty_handler("slow_probe")
def _slow_probe(duty: Duty) -> str:
    """A test and operations probe of crash safety; no real work uses it.

    It sleeps MEKLING_SLOW_PROBE_SECONDS (default 0) inside the duty's locked transaction, so a
    worker can be killed mid-run, and names its process in the outcome. With
    MEKLING_PROBE_LEDGER_URL (a Redis URL) it also adds one to the duty's field of the hash
    PROBE_LEDGER_KEY after commit: a run that is rolled back, or killed, never counts.
    """
    time.sleep(float(os.environ.get("MEKLING_SLOW_PROBE_SECONDS", "0")))
    ledger_url = os.environ.get("MEKLING_PROBE_LEDGER_URL")
    if ledger_url:
        count = functools.partial(_probe_ledger(ledger_url).hincrby, PROBE_LEDGER_KEY, duty.pk)
        transaction.on_commit(count, robust=True)
    return f"probe ok pid={os.getpid()}"


@functools.cache
def _probe_ledger(url: str) -> redis.Redis:
    # redis-py's pool reconnects after a fork, so one client per URL serves every pool child.
    return redis.Redis.from_url(url)
