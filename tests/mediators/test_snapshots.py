"""Rows → CaseNeed: when video/phone is open to a family (mediators/snapshots.py)."""

import pytest

from intake.models import Case
from mediators.snapshots import case_need

pytestmark = pytest.mark.django_db


def test_video_is_not_open_to_a_family_near_its_office(case: Case) -> None:
    assert case_need(case).remote_ok is False


def test_video_is_open_when_a_parent_lives_abroad(case: Case) -> None:
    case.parents.filter(role="other").update(lives_abroad=True)
    assert case_need(Case.objects.get(pk=case.pk)).remote_ok is True


def test_a_mediator_on_leave_tomorrow_counts_as_away_until_its_last_day(case: Case) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from mediators.snapshots import mediator_slots
    from scheduling.models import Leave
    from tests.mediators.conftest import mediator_at

    away, present = mediator_at(case), mediator_at(case)
    today = timezone.localdate()
    Leave.objects.create(mediator=away, starts_on=today, ends_on=today + timedelta(days=20))
    slots = {s.mediator_id: s for s in mediator_slots(mediator_ids=[away.pk, present.pk])}
    assert slots[away.pk].away_until == today + timedelta(days=20)
    assert slots[present.pk].away_until is None


def test_a_mediators_free_time_is_read_from_the_calendar(case: Case) -> None:
    """Openings minus booked appointments and leave, from tomorrow; none entered = None."""
    from datetime import time, timedelta

    from django.utils import timezone

    from mediators.snapshots import mediator_slots
    from scheduling.availability import oslo_to_utc
    from scheduling.models import Appointment, Leave
    from tests.mediators.conftest import mediator_at
    from tests.scheduling.scheduling_setup import weekly

    with_calendar, without = mediator_at(case), mediator_at(case)
    today = timezone.localdate()
    weekly(with_calendar, start=time(9), end=time(12), valid_from=today - timedelta(days=7))
    slots = {s.mediator_id: s for s in mediator_slots(mediator_ids=[with_calendar.pk, without.pk])}
    assert slots[without.pk].free_time is None
    free = slots[with_calendar.pk].free_time
    assert free and free[0][0] > today and free[0][1] == 3.0
    first_day = free[0][0]
    Appointment.objects.create(
        case=case,
        mediator=with_calendar,
        starts_at=oslo_to_utc(first_day, time(9)),
        ends_at=oslo_to_utc(first_day, time(10)),
        hours=1,
        mode=Appointment.Mode.VIDEO,
        kind=Appointment.Kind.JOINT,
    )
    Leave.objects.create(mediator=with_calendar, starts_on=free[1][0], ends_on=free[1][0])
    (slot,) = mediator_slots(mediator_ids=[with_calendar.pk])
    assert slot.free_time is not None
    assert slot.free_time[0] == (first_day, 2.0)
    assert free[1][0] not in {day for day, _ in slot.free_time}


def test_a_mediators_free_time_is_also_read_per_location(case: Case) -> None:
    """Each meeting location has its own free time (its openings, minus every booked
    appointment of the mediator, wherever it is): a satellite open on Mondays is not free on
    the other days the main office is."""
    from datetime import time, timedelta

    from django.utils import timezone

    from mediators.snapshots import mediator_slots
    from tests.factories import LocationFactory
    from tests.mediators.conftest import mediator_at
    from tests.scheduling.scheduling_setup import weekly

    mediator = mediator_at(case)
    main = mediator.locations.get()
    satellite = LocationFactory.create(office=case.office, name="Utekontor")
    mediator.locations.add(satellite)
    since = timezone.localdate() - timedelta(days=7)
    weekly(mediator, weekdays=(0, 1, 2, 3, 4), location=main, valid_from=since)
    weekly(
        mediator, weekdays=(0,), start=time(13), end=time(15), location=satellite, valid_from=since
    )
    (slot,) = mediator_slots(mediator_ids=[mediator.pk])
    assert slot.free_time is not None and slot.free_time_at is not None
    at = dict(slot.free_time_at)
    assert {day.weekday() for day, _ in at[satellite.pk]} == {0}
    assert all(hours == 2.0 for _, hours in at[satellite.pk])
    assert {day.weekday() for day, _ in at[main.pk]} == {0, 1, 2, 3, 4}
    assert slot.free_time_for(satellite.pk) == at[satellite.pk]
    assert slot.free_time_for(None) == slot.free_time
    assert sorted(slot.free_time) == sorted(at[main.pk] + at[satellite.pk])
