"""The duty engine on real PostgreSQL: rows created once, swept once, run once."""

import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from config.celery import app as celery_app
from mediators.models import User
from scheduling.duties import (
    DUTY_RECLAIM_AFTER,
    MAX_ATTEMPTS,
    DutySkipped,
    TransientDutyError,
    duties_cancel,
    duties_dispatch_due,
    duties_dispatch_now,
    duty_execute,
    duty_handler,
    duty_schedule,
)
from scheduling.models import Duty, Heartbeat
from scheduling.schedules import schedules_install
from scheduling.services import heartbeat_record
from scheduling.tasks import run_duty
from tests.factories import CaseFactory
from tests.pages.auth import verified_login

runs: Counter[int] = Counter()


@duty_handler("test_duties.ok")
def _ok(duty: Duty) -> str:
    runs[duty.pk] += 1
    return "ok"


@duty_handler("test_duties.skip")
def _skip(duty: Duty) -> str:
    heartbeat_record(component=Heartbeat.Component.WORKER)  # must not survive the skip
    raise DutySkipped("already submitted")


@duty_handler("test_duties.transient")
def _transient(duty: Duty) -> str:
    raise TransientDutyError("mail server down")


@duty_handler("test_duties.bug")
def _bug(duty: Duty) -> str:
    personal = {"email": "forelder@test.example"}
    raise KeyError(personal["email"])


@pytest.fixture(autouse=True)
def _clear_runs() -> None:
    runs.clear()


@pytest.fixture
def enqueued() -> Iterator[list[int]]:
    """Ids passed to run_duty.delay: these tests are about the rows, not the broker."""
    sent: list[int] = []
    with mock.patch.object(run_duty, "delay", side_effect=sent.append):
        yield sent


@pytest.fixture
def broker_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    """A real broker URL where nothing listens: sending fails as it does when Redis is down."""
    monkeypatch.setitem(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    # Both connection pools are cached on first use; fresh ones connect to the URL above.
    monkeypatch.setattr(celery_app, "_pool", None)
    monkeypatch.setattr(celery_app.amqp, "_producer_pool", None)


def _duty(kind: str = "test_duties.ok", **fields: Any) -> Duty:
    fields.setdefault("due_at", timezone.now() - timedelta(minutes=1))
    fields.setdefault("key", f"{kind}:{Duty.objects.count()}:{time.monotonic_ns()}")
    return Duty.objects.create(kind=kind, **fields)


def _claimed(kind: str = "test_duties.ok") -> Duty:
    duty = _duty(kind, status=Duty.Status.CLAIMED, claimed_at=timezone.now(), attempts=1)
    return duty


pytestmark = pytest.mark.django_db


def test_scheduling_the_same_key_twice_keeps_one_row_unchanged() -> None:
    due = timezone.now() + timedelta(days=3)
    first = duty_schedule(kind="test_duties.ok", key="reminder:1:3d", due_at=due, target_id=7)
    again = duty_schedule(kind="test_duties.ok", key="reminder:1:3d", due_at=due + timedelta(1))
    assert again.pk == first.pk and again.due_at == due and again.target_id == 7
    assert Duty.objects.filter(key="reminder:1:3d").count() == 1


def test_registering_a_kind_twice_raises() -> None:
    with pytest.raises(ImproperlyConfigured):
        duty_handler("test_duties.ok")(_ok)


def test_dispatch_now_sends_a_due_new_duty_after_commit_and_leaves_it_pending(
    django_capture_on_commit_callbacks: Any, enqueued: list[int]
) -> None:
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        due = duty_schedule(kind="test_duties.ok", key="k:due", due_at=now, dispatch_now=True)
        duty_schedule(kind="test_duties.ok", key="k:due", due_at=now, dispatch_now=True)
        duty_schedule(
            kind="test_duties.ok", key="k:later", due_at=now + timedelta(days=1), dispatch_now=True
        )
    assert enqueued == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert enqueued == [due.pk]
    assert Duty.objects.get(pk=due.pk).status == Duty.Status.PENDING


def test_dispatch_now_with_the_broker_down_leaves_the_duty_pending_for_the_sweep(
    django_capture_on_commit_callbacks: Any, broker_unreachable: None, caplog: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        duty = duty_schedule(
            kind="test_duties.ok", key="intake_link:1", due_at=timezone.now(), dispatch_now=True
        )
    duty.refresh_from_db()
    assert (duty.status, duty.attempts) == (Duty.Status.PENDING, 0)
    assert "broker unreachable" in caplog.text


def test_sweep_claims_only_due_pending_duties_and_sends_them_after_commit(
    django_capture_on_commit_callbacks: Any, enqueued: list[int]
) -> None:
    now = timezone.now()
    second = _duty(due_at=now - timedelta(minutes=1))
    first = _duty(due_at=now - timedelta(hours=1))
    later = _duty(due_at=now + timedelta(minutes=1))
    done = _duty(status=Duty.Status.DONE)
    running = _claimed()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert duties_dispatch_due(now=now) == 2
    assert enqueued == []
    for callback in callbacks:
        callback()
    assert enqueued == [first.pk, second.pk]

    rows = {d.pk: d for d in Duty.objects.all()}
    assert (rows[first.pk].status, rows[first.pk].attempts) == (Duty.Status.CLAIMED, 1)
    assert rows[first.pk].claimed_at == now
    assert rows[later.pk].status == Duty.Status.PENDING
    assert rows[done.pk].status == Duty.Status.DONE
    assert rows[running.pk].attempts == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert duties_dispatch_due(now=now) == 0


def test_sweep_with_the_broker_down_puts_duties_back_to_pending_without_using_an_attempt(
    django_capture_on_commit_callbacks: Any, broker_unreachable: None
) -> None:
    duty = _duty()
    with django_capture_on_commit_callbacks(execute=True):
        assert duties_dispatch_due() == 1
    duty.refresh_from_db()
    assert (duty.status, duty.attempts, duty.claimed_at) == (Duty.Status.PENDING, 0, None)


def test_claimed_duties_stuck_too_long_are_dispatched_again_and_fail_when_exhausted(
    django_capture_on_commit_callbacks: Any, enqueued: list[int]
) -> None:
    now = timezone.now()
    stale_at = now - DUTY_RECLAIM_AFTER - timedelta(seconds=1)
    stuck = _duty(status=Duty.Status.CLAIMED, claimed_at=stale_at, attempts=1)
    exhausted = _duty(status=Duty.Status.CLAIMED, claimed_at=stale_at, attempts=MAX_ATTEMPTS)
    recent = _duty(status=Duty.Status.CLAIMED, claimed_at=now - timedelta(minutes=1), attempts=1)

    with django_capture_on_commit_callbacks(execute=True):
        assert duties_dispatch_due(now=now) == 1
    assert enqueued == [stuck.pk]
    rows = {d.pk: d for d in Duty.objects.all()}
    assert (rows[stuck.pk].attempts, rows[stuck.pk].claimed_at) == (2, now)
    assert rows[exhausted.pk].status == Duty.Status.FAILED
    assert rows[recent.pk].claimed_at == now - timedelta(minutes=1)


def test_executing_a_duty_twice_runs_its_handler_once() -> None:
    duty = _claimed()
    assert duty_execute(duty_id=duty.pk) == "ok"
    assert duty_execute(duty_id=duty.pk) is None
    duty.refresh_from_db()
    assert (duty.status, duty.outcome, duty.attempts) == (Duty.Status.DONE, "ok", 1)
    assert duty.finished_at is not None
    assert runs[duty.pk] == 1


def test_executing_a_pending_duty_sent_directly_counts_one_attempt() -> None:
    duty = _duty()
    assert duty_execute(duty_id=duty.pk) == "ok"
    duty.refresh_from_db()
    assert (duty.status, duty.attempts) == (Duty.Status.DONE, 1)


def test_a_duty_that_no_longer_applies_is_skipped_and_its_writes_are_undone() -> None:
    duty = _claimed("test_duties.skip")
    assert duty_execute(duty_id=duty.pk) == "already submitted"
    duty.refresh_from_db()
    assert (duty.status, duty.outcome) == (Duty.Status.SKIPPED, "already submitted")
    assert not Heartbeat.objects.exists()


def test_a_transient_error_keeps_the_duty_claimed_until_max_attempts_then_fails() -> None:
    duty = _claimed("test_duties.transient")
    for attempt in range(1, MAX_ATTEMPTS):
        with pytest.raises(TransientDutyError):
            duty_execute(duty_id=duty.pk)
        duty.refresh_from_db()
        assert (duty.status, duty.attempts) == (Duty.Status.CLAIMED, attempt + 1)
    assert duty_execute(duty_id=duty.pk) == "gave up: mail server down"
    duty.refresh_from_db()
    assert (duty.status, duty.attempts) == (Duty.Status.FAILED, MAX_ATTEMPTS)
    assert duty_execute(duty_id=duty.pk) is None


def test_a_duty_of_an_unknown_kind_fails_with_no_handler() -> None:
    duty = _claimed("test_duties.nobody-handles-this")
    assert duty_execute(duty_id=duty.pk) == "no handler"
    duty.refresh_from_db()
    assert (duty.status, duty.outcome) == (Duty.Status.FAILED, "no handler")


def test_a_handler_bug_fails_the_duty_and_logs_no_personal_data(caplog: Any) -> None:
    duty = _claimed("test_duties.bug")
    assert duty_execute(duty_id=duty.pk) == "error: KeyError"
    assert Duty.objects.get(pk=duty.pk).status == Duty.Status.FAILED
    assert "KeyError" in caplog.text
    assert "forelder@test.example" not in caplog.text


def test_cancel_ends_pending_and_claimed_duties_of_a_case_or_key_prefix_only(
    national_offices: None,
) -> None:
    case, other_case = CaseFactory.create(), CaseFactory.create()
    pending = _duty(case=case)
    claimed = _duty(case=case, status=Duty.Status.CLAIMED, claimed_at=timezone.now())
    done = _duty(case=case, status=Duty.Status.DONE)
    elsewhere = _duty(case=other_case)
    by_prefix = _duty(key="intake_reminder:42:3d")

    assert duties_cancel(case=case) == 2
    assert duties_cancel(key_prefix="intake_reminder:42:") == 1
    statuses = dict(Duty.objects.values_list("pk", "status"))
    assert statuses[pending.pk] == statuses[claimed.pk] == statuses[by_prefix.pk] == "cancelled"
    assert (statuses[done.pk], statuses[elsewhere.pk]) == ("done", "pending")
    assert duty_execute(duty_id=claimed.pk) is None
    with pytest.raises(ValueError):
        duties_cancel()


def test_dispatch_now_gives_failed_duties_a_fresh_start_and_leaves_finished_ones(
    django_capture_on_commit_callbacks: Any, enqueued: list[int]
) -> None:
    failed = _duty(status=Duty.Status.FAILED, attempts=MAX_ATTEMPTS, outcome="gave up")
    not_due = _duty(due_at=timezone.now() + timedelta(days=3))
    done = _duty(status=Duty.Status.DONE)
    with django_capture_on_commit_callbacks(execute=True):
        assert duties_dispatch_now(duty_ids=[failed.pk, not_due.pk, done.pk]) == 2
    assert sorted(enqueued) == sorted([failed.pk, not_due.pk])
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.outcome) == (Duty.Status.CLAIMED, 1, "")
    assert Duty.objects.get(pk=done.pk).status == Duty.Status.DONE


def test_admin_dispatch_now_action_sends_the_chosen_duties(
    client: Client, django_capture_on_commit_callbacks: Any, enqueued: list[int]
) -> None:
    admin = User.objects.create_superuser("duty-admin", "a@test.example", "x", role="admin")
    verified_login(client, admin)
    duty = _duty(due_at=timezone.now() + timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/scheduling/duty/",
            {"action": "dispatch_now", "_selected_action": [duty.pk]},
            follow=True,
        )
    assert response.status_code == 200
    assert enqueued == [duty.pk]
    assert client.get("/admin/scheduling/duty/add/").status_code == 403


def test_run_duty_is_acknowledged_late_and_retries_with_backoff() -> None:
    task: Any = run_duty  # the retry options are not in the type stubs
    assert (task.name, task.acks_late, task.reject_on_worker_lost) == (
        "scheduling.run_duty",
        True,
        True,
    )
    assert TransientDutyError in task.autoretry_for
    assert (task.retry_backoff, task.retry_backoff_max, task.max_retries) == (
        True,
        600,
        5,
    )


def test_the_sweep_is_installed_to_run_every_minute() -> None:
    schedules_install()
    sweep = PeriodicTask.objects.get(name="mekling:sweep-duties")
    assert sweep.task == "scheduling.sweep_duties"
    assert sweep.interval is not None
    assert (sweep.interval.every, sweep.interval.period) == (60, "seconds")


def _in_thread(target: Any, results: list[Any], *args: Any) -> threading.Thread:
    def run() -> None:
        try:
            results.append(target(*args))
        finally:
            connection.close()

    return threading.Thread(target=run)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_claim_and_send_each_duty_exactly_once() -> None:
    due_at = timezone.now() - timedelta(minutes=1)
    Duty.objects.bulk_create(
        Duty(kind="test_duties.ok", key=f"race:{n}", due_at=due_at) for n in range(200)
    )
    sent: list[int] = []  # list.append is atomic under the GIL
    barrier = threading.Barrier(2)

    def sweep_until_empty() -> int:
        barrier.wait()
        total = 0
        while dispatched := duties_dispatch_due(limit=25):
            total += dispatched
        return total

    totals: list[int] = []
    with mock.patch.object(run_duty, "delay", side_effect=sent.append):
        threads = [_in_thread(sweep_until_empty, totals) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert sum(totals) == 200 and len(totals) == 2
    assert len(sent) == len(set(sent)) == 200
    assert set(Duty.objects.values_list("status", "attempts")) == {("claimed", 1)}


@pytest.mark.django_db(transaction=True)
def test_scheduling_a_key_another_transaction_is_inserting_reuses_its_row() -> None:
    inserted = threading.Event()
    results: list[tuple[int, int]] = []

    def first() -> int:
        with transaction.atomic():
            duty = duty_schedule(kind="test_duties.ok", key="same", due_at=_soon())
            inserted.set()
            time.sleep(0.5)  # the second transaction now waits on the unique index
        return duty.pk

    def second() -> tuple[int, int]:
        inserted.wait(timeout=10)
        with transaction.atomic():
            duty = duty_schedule(kind="test_duties.ok", key="same", due_at=_soon())
            # The caller's transaction is still usable after the unique violation.
            other = duty_schedule(kind="test_duties.ok", key="after", due_at=_soon())
        return duty.pk, other.pk

    first_results: list[int] = []
    threads = [_in_thread(first, first_results), _in_thread(second, results)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert results[0][0] == first_results[0]
    assert set(Duty.objects.values_list("key", flat=True)) == {"same", "after"}


def _soon() -> datetime:
    return timezone.now() + timedelta(hours=1)


def test_the_beat_sweep_goes_on_while_batches_are_full() -> None:
    """A backlog larger than one batch is claimed in one beat tick, not one batch a minute."""
    from scheduling.tasks import SWEEP_BATCH, sweep_duties

    now = timezone.now()
    Duty.objects.bulk_create(
        Duty(kind="heartbeat_probe", key=f"backlog:{n}", due_at=now - timedelta(seconds=1))
        for n in range(SWEEP_BATCH * 2 + 500)
    )
    sweep_duties()
    assert not Duty.objects.filter(status=Duty.Status.PENDING).exists()
    assert Duty.objects.filter(status=Duty.Status.CLAIMED).count() == SWEEP_BATCH * 2 + 500
