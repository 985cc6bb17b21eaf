"""Fifty people book the same slot at once: exactly one wins, the others get 409, never 500."""

import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.db import IntegrityError, OperationalError, connection
from django.utils import timezone
from rest_framework.test import APIClient

from scheduling.availability import local_date, oslo_to_utc, public_holidays
from scheduling.models import Appointment
from scheduling.tasks import run_duty
from tests.scheduling.scheduling_setup import World, assigned_case, weekly

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.scheduling.scheduling_urls"),
]

THREADS = 50


def _open_day() -> date:
    """A working day a week or more ahead that is not a public holiday."""
    day = local_date(timezone.now()) + timedelta(days=7)
    closed = public_holidays(day, day + timedelta(days=14))
    while day.weekday() >= 5 or day in closed:
        day += timedelta(days=1)
    return day


def _race(worlds: list[World], attempt: Callable[[World], Any]) -> list[Any]:
    """Run `attempt` for each world in its own thread, all released at once by a barrier."""
    barrier = threading.Barrier(len(worlds))
    results: list[Any] = []  # list.append is atomic under the GIL

    def run(world: World) -> None:
        try:
            barrier.wait(timeout=60)
            results.append(attempt(world))
        except Exception as error:  # a thread's failure must show in the assertions
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(world,)) for world in worlds]
    with mock.patch.object(run_duty, "delay"):  # the broker is not what this test is about
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results


def _post(world: World, starts_at: datetime) -> tuple[int, str | None]:
    client = APIClient()
    client.force_authenticate(world.staff)
    response = client.post(
        f"/api/v1/cases/{world.case.reference}/appointments/",
        {"starts_at": starts_at.isoformat(), "kind": "joint", "mode": "in_person"},
        format="json",
    )
    body = response.json()
    return response.status_code, None if response.status_code == 201 else body["error"]["code"]


def test_fifty_cases_booking_one_mediators_slot_at_once_one_wins_and_49_get_409() -> None:
    first = assigned_case()
    weekly(first.mediator, weekdays=range(7), location=first.location)
    worlds = [first] + [
        assigned_case(mediator=first.mediator, location=first.location) for _ in range(THREADS - 1)
    ]
    starts_at = oslo_to_utc(_open_day(), time(9))

    results = _race(worlds, lambda world: _post(world, starts_at))

    assert Counter(status for status, _ in results) == {201: 1, 409: THREADS - 1}, results
    assert {code for status, code in results if status == 409} == {"slot_taken"}
    [booked] = Appointment.objects.filter(status="booked")
    assert booked.starts_at == starts_at.astimezone(UTC)


def test_fifty_requests_for_one_case_book_it_once() -> None:
    world = assigned_case()
    weekly(world.mediator, weekdays=range(7), location=world.location)
    starts_at = oslo_to_utc(_open_day(), time(10))

    results = _race([world] * THREADS, lambda w: _post(w, starts_at))

    assert Counter(status for status, _ in results) == {201: 1, 409: THREADS - 1}, results
    assert Appointment.objects.count() == 1


def test_the_exclusion_constraint_alone_admits_one_of_fifty_concurrent_inserts() -> None:
    """Without the service's locks, PostgreSQL itself refuses the overlapping rows.

    Concurrent checks of an exclusion constraint can also end in PostgreSQL's deadlock
    detector aborting one side (SQLSTATE 40P01): that is a refusal too, and the service turns
    it into 409 as well.
    """
    world = assigned_case()
    starts_at = oslo_to_utc(_open_day(), time(11))

    def insert(offset: int) -> str:
        try:
            Appointment.objects.create(
                case=world.case,
                mediator=world.mediator,
                mode="video",
                kind="joint",
                hours=Decimal(1),
                link_salt="x",
                starts_at=starts_at + timedelta(minutes=offset),
                ends_at=starts_at + timedelta(minutes=offset + 60),
            )
        except IntegrityError:
            return "refused"
        except OperationalError as exc:
            if getattr(exc.__cause__, "sqlstate", None) == "40P01":
                return "refused"
            raise
        return "inserted"

    offsets = iter(range(THREADS))
    results = _race([world] * THREADS, lambda _: insert(next(offsets)))

    assert Counter(results) == {"inserted": 1, "refused": THREADS - 1}, results
