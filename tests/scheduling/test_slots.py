"""Free slots: weekly Oslo availability, leave, public holidays, bookings and DST days."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from config.api_errors import ApplicationError
from scheduling.availability import OSLO, windows_for
from scheduling.models import Appointment, Leave
from scheduling.slots import Slot, slots_available_for
from tests.scheduling.scheduling_setup import World, assigned_case, weekly

pytestmark = pytest.mark.django_db

MONDAY, SUNDAY = 0, 6


def _utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def _slots(world: World, start: date, days: int = 1, **kwargs: Any) -> list[Slot]:
    return slots_available_for(case=world.case, start=start, days=days, **kwargs)


def _starts(slots: list[Slot]) -> list[datetime]:
    return [slot.starts_at for slot in slots]


def _first_per_day(slots: list[Slot]) -> dict[date, datetime]:
    first: dict[date, datetime] = {}
    for slot in slots:
        first.setdefault(slot.starts_at.astimezone(OSLO).date(), slot.starts_at)
    return first


@time_machine.travel(datetime(2027, 1, 4, 6, tzinfo=UTC), tick=False)
def test_weekly_availability_gives_hour_slots_every_half_hour_on_its_weekday_only() -> None:
    world = assigned_case()
    weekly(world.mediator, weekdays=[MONDAY], location=world.location)
    slots = _slots(world, date(2027, 1, 4), days=7)
    # Monday 4 January 2027, 09:00–12:00 Oslo (CET, UTC+1): one-hour slots from 09:00 to 11:00.
    assert _starts(slots) == [
        _utc(2027, 1, 4, h, m) for h, m in [(8, 0), (8, 30), (9, 0), (9, 30), (10, 0)]
    ]
    assert [s.local_label for s in slots[:2]] == [
        "2027-01-04 09:00–10:00",
        "2027-01-04 09:30–10:30",
    ]
    assert {s.location_id for s in slots} == {world.location.pk}
    assert all(s.meetings[0].parent_role == "" and len(s.meetings) == 1 for s in slots)


@time_machine.travel(datetime(2027, 1, 4, 9, 10, tzinfo=UTC), tick=False)
def test_slots_that_have_started_are_not_offered() -> None:
    world = assigned_case()
    weekly(world.mediator, weekdays=[MONDAY])
    # 10:10 in Oslo: 10:30 and 11:00 are left.
    assert _starts(_slots(world, date(2027, 1, 4))) == [
        _utc(2027, 1, 4, 9, 30),
        _utc(2027, 1, 4, 10),
    ]


@time_machine.travel(datetime(2027, 1, 1, tzinfo=UTC), tick=False)
def test_leave_and_sick_days_have_no_slots_inclusive_of_both_ends() -> None:
    world = assigned_case()
    weekly(world.mediator)
    Leave.objects.create(
        mediator=world.mediator, starts_on=date(2027, 1, 5), ends_on=date(2027, 1, 6)
    )
    Leave.objects.create(
        mediator=world.mediator,
        starts_on=date(2027, 1, 8),
        ends_on=date(2027, 1, 8),
        kind=Leave.Kind.SICK,
    )
    days = set(_first_per_day(_slots(world, date(2027, 1, 4), days=5)))
    assert days == {date(2027, 1, 4), date(2027, 1, 7)}


@time_machine.travel(datetime(2027, 5, 1, tzinfo=UTC), tick=False)
def test_17_may_has_no_slots() -> None:
    world = assigned_case()
    weekly(world.mediator, weekdays=[MONDAY])
    days = set(_first_per_day(_slots(world, date(2027, 5, 10), days=15)))
    # Monday 17 May 2027 is Constitution Day (and Whit Monday); the Mondays around it are open.
    assert days == {date(2027, 5, 10), date(2027, 5, 24)}


@time_machine.travel(datetime(2027, 5, 1, tzinfo=UTC), tick=False)
def test_a_holiday_also_closes_a_remote_only_opening() -> None:
    world = assigned_case()
    weekly(world.mediator, weekdays=[MONDAY], location=None)
    assert _slots(world, date(2027, 5, 17)) == []
    assert [s.location_id for s in _slots(world, date(2027, 5, 24))] == [None] * 5


@time_machine.travel(datetime(2027, 3, 20, tzinfo=UTC), tick=False)
def test_last_sunday_of_march_2027_wall_clock_stays_and_utc_moves_an_hour() -> None:
    world = assigned_case()
    weekly(world.mediator, weekdays=range(7))
    first = _first_per_day(_slots(world, date(2027, 3, 22), days=10))
    # Winter time (CET, UTC+1) before the change on Sunday 28 March 2027 …
    assert first[date(2027, 3, 24)] == _utc(2027, 3, 24, 8)
    # … Easter: Maundy Thursday, Good Friday, Easter Sunday (the change) and Easter Monday
    # (the Monday after) are public holidays in 2027, so they have no slots at all …
    for holiday in (25, 26, 28, 29):
        assert date(2027, 3, holiday) not in first
    assert first[date(2027, 3, 27)] == _utc(2027, 3, 27, 8)  # Saturday, still winter time
    # … and summer time (CEST, UTC+2) after: 09:00 in Oslo is 07:00 UTC.
    assert first[date(2027, 3, 30)] == _utc(2027, 3, 30, 7)
    assert first[date(2027, 3, 31)] == _utc(2027, 3, 31, 7)


@time_machine.travel(datetime(2026, 3, 20, tzinfo=UTC), tick=False)
def test_the_march_change_day_itself_has_its_true_length() -> None:
    # In 2026 the change (Sunday 29 March) is not a holiday, so the day itself can be tested.
    world = assigned_case()
    weekly(world.mediator, weekdays=[5, SUNDAY, MONDAY])
    weekly(world.mediator, weekdays=[SUNDAY], start=time(1), end=time(4))
    first = _first_per_day(_slots(world, date(2026, 3, 28), days=3))
    assert first[date(2026, 3, 28)] == _utc(2026, 3, 28, 8)
    assert first[date(2026, 3, 30)] == _utc(2026, 3, 30, 7)
    night = [s for s in _slots(world, date(2026, 3, 29)) if s.starts_at.hour < 5]
    # 01:00–04:00 on the change day is 00:00–02:00 UTC: two real hours, clocks skip 02:00–03:00.
    assert _starts(night) == [_utc(2026, 3, 29, 0), _utc(2026, 3, 29, 0, 30), _utc(2026, 3, 29, 1)]
    assert [s.local_label for s in night] == [
        "2026-03-29 01:00–03:00",
        "2026-03-29 01:30–03:30",
        "2026-03-29 03:00–04:00",
    ]
    day = [s for s in _slots(world, date(2026, 3, 29)) if s.starts_at.hour >= 5]
    assert day[0].starts_at == _utc(2026, 3, 29, 7)  # 09:00 CEST


@time_machine.travel(datetime(2026, 10, 15, tzinfo=UTC), tick=False)
def test_last_sunday_of_october_2026_wall_clock_stays_and_utc_moves_back() -> None:
    world = assigned_case()
    weekly(world.mediator, weekdays=range(7))
    first = _first_per_day(_slots(world, date(2026, 10, 23), days=4))
    assert first[date(2026, 10, 23)] == _utc(2026, 10, 23, 7)  # Friday, CEST
    assert first[date(2026, 10, 24)] == _utc(2026, 10, 24, 7)  # Saturday, CEST
    assert first[date(2026, 10, 25)] == _utc(2026, 10, 25, 8)  # the change day, 09:00 CET
    assert first[date(2026, 10, 26)] == _utc(2026, 10, 26, 8)  # the Monday after, CET


@time_machine.travel(datetime(2026, 10, 15, tzinfo=UTC), tick=False)
def test_the_october_change_night_has_four_real_hours_and_repeats_two_oclock() -> None:
    world = assigned_case()
    weekly(world.mediator, weekdays=[SUNDAY], start=time(1), end=time(4))
    slots = _slots(world, date(2026, 10, 25))
    # 01:00 CEST is 23:00 UTC the day before; 04:00 CET is 03:00 UTC.
    assert slots[0].starts_at == _utc(2026, 10, 24, 23)
    assert slots[-1].ends_at == _utc(2026, 10, 25, 3)
    assert len(slots) == 7
    assert [s.starts_at.astimezone(OSLO).strftime("%H:%M%z") for s in slots] == [
        "01:00+0200",
        "01:30+0200",
        "02:00+0200",
        "02:30+0200",
        "02:00+0100",
        "02:30+0100",
        "03:00+0100",
    ]


@time_machine.travel(datetime(2026, 10, 15, tzinfo=UTC), tick=False)
def test_windows_follow_the_offset_of_each_date() -> None:
    world = assigned_case()
    weekly(world.mediator, weekdays=range(7), start=time(9), end=time(12))
    windows = windows_for(
        mediator_id=world.mediator.pk, first=date(2026, 10, 24), last=date(2026, 10, 26)
    )
    assert [(w.starts_at, w.ends_at) for w in windows] == [
        (_utc(2026, 10, 24, 7), _utc(2026, 10, 24, 10)),
        (_utc(2026, 10, 25, 8), _utc(2026, 10, 25, 11)),
        (_utc(2026, 10, 26, 8), _utc(2026, 10, 26, 11)),
    ]


@time_machine.travel(datetime(2027, 1, 1, tzinfo=UTC), tick=False)
def test_booked_time_is_not_offered_but_cancelled_time_is() -> None:
    world = assigned_case()
    weekly(world.mediator, weekdays=[MONDAY])
    other = assigned_case(mediator=world.mediator, location=world.location)
    booked = Appointment.objects.create(
        case=other.case,
        mediator=world.mediator,
        mode="video",
        kind="joint",
        starts_at=_utc(2027, 1, 4, 9),
        ends_at=_utc(2027, 1, 4, 10),
        hours=Decimal(1),
        link_salt="x",
    )
    # 10:00–11:00 Oslo is taken: 09:00 (ends 10:00) and 11:00 remain.
    assert _starts(_slots(world, date(2027, 1, 4))) == [_utc(2027, 1, 4, 8), _utc(2027, 1, 4, 10)]
    booked.status, booked.cancelled_at = "cancelled", _utc(2027, 1, 2)
    booked.save()
    assert len(_slots(world, date(2027, 1, 4))) == 5


@time_machine.travel(datetime(2027, 1, 1, tzinfo=UTC), tick=False)
def test_a_safety_case_gets_paired_staggered_slots_and_no_joint_ones() -> None:
    world = assigned_case(safety=True)
    weekly(world.mediator, weekdays=[MONDAY])
    slots = _slots(world, date(2027, 1, 4))
    # 09:00–10:00 requester, 10:15–11:15 other parent; 09:30 is the last start that fits 12:00.
    assert _starts(slots) == [_utc(2027, 1, 4, 8), _utc(2027, 1, 4, 8, 30)]
    first, second = slots[0].meetings
    assert (first.parent_role, second.parent_role) == ("requester", "other")
    assert second.starts_at - first.ends_at == timedelta(minutes=15)
    assert slots[0].local_label == "2027-01-04 09:00–11:15"
    with pytest.raises(ApplicationError):
        _slots(world, date(2027, 1, 4), kind="joint")


@time_machine.travel(datetime(2027, 1, 1, tzinfo=UTC), tick=False)
def test_availability_is_bounded_by_its_validity_and_filtered_by_location() -> None:
    world = assigned_case()
    weekly(
        world.mediator,
        weekdays=[MONDAY],
        location=world.location,
        valid_from=date(2027, 1, 11),
        valid_until=date(2027, 1, 18),
    )
    weekly(world.mediator, weekdays=[MONDAY], start=time(13), end=time(14))  # remote only
    days = _first_per_day(_slots(world, date(2027, 1, 4), days=28, location_id=world.location.pk))
    assert set(days) == {date(2027, 1, 11), date(2027, 1, 18)}
    remote = _slots(world, date(2027, 1, 4), days=1)
    assert [(s.location_id, s.local_label) for s in remote] == [(None, "2027-01-04 13:00–14:00")]


@time_machine.travel(datetime(2027, 1, 1, tzinfo=UTC), tick=False)
def test_a_case_without_a_mediator_has_no_slots() -> None:
    world = assigned_case()
    weekly(world.mediator)
    world.case.assignments.update(ended_at=_utc(2026, 12, 31))
    assert _slots(world, date(2027, 1, 4), days=7) == []


@time_machine.travel(datetime(2027, 1, 1, tzinfo=UTC), tick=False)
def test_overlapping_openings_offer_each_slot_once_and_respect_every_booking() -> None:
    world = assigned_case()
    weekly(world.mediator, weekdays=[MONDAY], start=time(9), end=time(17))
    weekly(world.mediator, weekdays=[MONDAY], start=time(10), end=time(12))
    Appointment.objects.create(
        case=world.case,
        mediator=world.mediator,
        mode="video",
        kind="joint",
        starts_at=_utc(2027, 1, 4, 14),  # 15:00–16:00 in Oslo, after the shorter opening ends
        ends_at=_utc(2027, 1, 4, 15),
        hours=Decimal(1),
        link_salt="x",
    )
    starts = _starts(_slots(world, date(2027, 1, 4)))
    assert len(starts) == len(set(starts))
    assert _utc(2027, 1, 4, 14) not in starts and _utc(2027, 1, 4, 13, 30) not in starts
    assert starts[-1] == _utc(2027, 1, 4, 15)  # 16:00–17:00
