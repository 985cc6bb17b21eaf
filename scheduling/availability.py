"""When a mediator can meet: weekly availability minus leave minus Norwegian public holidays.

Availability is kept in Oslo wall-clock time and turned into UTC per date, so a 09:00–12:00
opening is 08:00–11:00 UTC in winter (CET) and 07:00–10:00 UTC in summer (CEST), and the
day of a daylight-saving change gets its true length. A local time that does not exist (02:30
on the last Sunday of March) is read with the winter offset; one that exists twice (02:30 on
the last Sunday of October) is its first, summer-time occurrence (`fold=0`).

Public holidays are `holidays.country_holidays("NO")`: the statutory ones (helligdager and
1 and 17 May); Sundays are not holidays in themselves, and Christmas Eve is not one.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.db.models import Q

from scheduling.models import Appointment, AppointmentStatus, Availability, Leave

OSLO = ZoneInfo("Europe/Oslo")


@dataclass(frozen=True)
class Window:
    """One opening of a mediator on one local date, as an aware UTC range [starts_at, ends_at)."""

    local_date: date
    location_id: int | None
    starts_at: datetime
    ends_at: datetime

    def contains(self, starts_at: datetime, ends_at: datetime) -> bool:
        return self.starts_at <= starts_at and ends_at <= self.ends_at


@dataclass(frozen=True)
class Busy:
    """A time the mediator (or, for staggering, a parent) is taken; `[starts_at, ends_at)`."""

    starts_at: datetime
    ends_at: datetime

    def overlaps(self, starts_at: datetime, ends_at: datetime) -> bool:
        return self.starts_at < ends_at and starts_at < self.ends_at


def oslo_to_utc(day: date, wall_clock: time) -> datetime:
    """The UTC instant of a wall-clock time on a date in Oslo (see the module doc for gaps)."""
    return datetime.combine(day, wall_clock, tzinfo=OSLO).astimezone(UTC)


def local_date(moment: datetime) -> date:
    return moment.astimezone(OSLO).date()


@lru_cache(maxsize=32)
def _holidays_of_year(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("NO", years=year).keys())


def public_holidays(first: date, last: date) -> set[date]:
    """Norwegian public holidays between two dates, inclusive."""
    days: set[date] = set()
    for year in range(first.year, last.year + 1):
        days |= {d for d in _holidays_of_year(year) if first <= d <= last}
    return days


def leave_days(*, mediator_id: int, first: date, last: date) -> set[date]:
    """Dates the mediator is on leave, sick or off, between two dates, inclusive."""
    days: set[date] = set()
    rows = Leave.objects.filter(mediator_id=mediator_id, starts_on__lte=last, ends_on__gte=first)
    for starts_on, ends_on in rows.values_list("starts_on", "ends_on"):
        days.update(_dates(max(starts_on, first), min(ends_on, last)))
    return days


def windows_for(*, mediator_id: int, first: date, last: date) -> list[Window]:
    """The mediator's openings on each local date from `first` to `last` inclusive.

    Availability rows valid on the date, minus leave days and public holidays; sorted by time.
    """
    rows = list(
        Availability.objects.filter(mediator_id=mediator_id, valid_from__lte=last)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=first))
        .order_by("start_time", "location_id")
    )
    closed = public_holidays(first, last) | leave_days(
        mediator_id=mediator_id, first=first, last=last
    )
    return _windows(rows, closed, first, last)


def _windows(rows: list[Availability], closed: set[date], first: date, last: date) -> list[Window]:
    """One mediator's availability rows as openings per date, but on the `closed` dates."""
    windows = []
    for day in _dates(first, last):
        if day in closed:
            continue
        for row in rows:
            if row.weekday != day.weekday() or not _valid_on(row, day):
                continue
            starts_at, ends_at = oslo_to_utc(day, row.start_time), oslo_to_utc(day, row.end_time)
            if starts_at < ends_at:
                windows.append(Window(day, row.location_id, starts_at, ends_at))
    return sorted(windows, key=lambda w: (w.starts_at, w.location_id or 0))


def busy_for(
    *,
    mediator_id: int,
    starts_at: datetime,
    ends_at: datetime,
    ignore: Iterable[int] = (),
) -> list[Busy]:
    """The mediator's appointments that are not cancelled and touch the range."""
    rows = (
        Appointment.objects.filter(
            mediator_id=mediator_id, starts_at__lt=ends_at, ends_at__gt=starts_at
        )
        .exclude(status=AppointmentStatus.CANCELLED)
        .exclude(pk__in=list(ignore))
        .values_list("starts_at", "ends_at")
    )
    return [Busy(s, e) for s, e in rows]


def _valid_on(row: Availability, day: date) -> bool:
    return row.valid_from <= day and (row.valid_until is None or day <= row.valid_until)


def _dates(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


@dataclass(frozen=True)
class Calendars:
    """Many mediators' calendars over a range of dates, read in a fixed number of queries."""

    windows: dict[int, list[Window]]  # openings minus leave and public holidays
    leave: dict[int, list[tuple[date, date]]]  # (starts_on, ends_on), inclusive
    busy: dict[int, list[Busy]]  # appointments that are not cancelled
    with_openings: frozenset[int]  # mediators with any availability row in the range


def calendars_for(*, mediator_ids: Iterable[int], first: date, last: date) -> Calendars:
    """`windows_for` and `busy_for` for many mediators at once: three queries in all
    (availability, leave, appointments), whatever the number of mediators, so a ranking of
    every mediator of an office never queries per mediator."""
    ids = list(mediator_ids)
    rows = list(
        Availability.objects.filter(mediator_id__in=ids, valid_from__lte=last)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=first))
        .order_by("start_time", "location_id")
    )
    leave: dict[int, list[tuple[date, date]]] = {}
    for mediator_id, starts_on, ends_on in Leave.objects.filter(
        mediator_id__in=ids, starts_on__lte=last, ends_on__gte=first
    ).values_list("mediator_id", "starts_on", "ends_on"):
        leave.setdefault(mediator_id, []).append((starts_on, ends_on))
    holiday = public_holidays(first, last)
    by_mediator: dict[int, list[Availability]] = {}
    for row in rows:
        by_mediator.setdefault(row.mediator_id, []).append(row)
    windows: dict[int, list[Window]] = {}
    for mediator_id, own in by_mediator.items():
        closed = set(holiday)
        for starts_on, ends_on in leave.get(mediator_id, []):
            closed.update(_dates(max(starts_on, first), min(ends_on, last)))
        windows[mediator_id] = _windows(own, closed, first, last)
    busy: dict[int, list[Busy]] = {}
    if windows:
        begin = oslo_to_utc(first, time(0))
        end = oslo_to_utc(last + timedelta(days=1), time(0))
        for mediator_id, starts_at, ends_at in (
            Appointment.objects.filter(
                mediator_id__in=list(windows), starts_at__lt=end, ends_at__gt=begin
            )
            .exclude(status=AppointmentStatus.CANCELLED)
            .values_list("mediator_id", "starts_at", "ends_at")
        ):
            busy.setdefault(mediator_id, []).append(Busy(starts_at, ends_at))
    return Calendars(windows, leave, busy, frozenset(by_mediator))


def free_intervals(
    windows: Iterable[Window], busy: Iterable[Busy], step: timedelta
) -> list[tuple[date, float]]:
    """The free parts of the openings, as (local date, hours), in time order.

    A free part starts on the opening's grid of `step` (slots start every `step` from the
    opening's start, scheduling/slots.py), so its hours are what a booking could use.
    Overlapping openings (two locations at once) count once: a mediator meets one family at a
    time."""
    taken = sorted((b.starts_at, b.ends_at) for b in busy)
    merged: list[tuple[datetime, datetime, date, datetime]] = []  # start, end, day, grid origin
    for w in sorted(windows, key=lambda w: w.starts_at):
        if merged and w.starts_at <= merged[-1][1]:
            start, end, day, origin = merged[-1]
            merged[-1] = (start, max(end, w.ends_at), day, origin)
        else:
            merged.append((w.starts_at, w.ends_at, w.local_date, w.starts_at))
    free: list[tuple[date, float]] = []
    for start, end, day, origin in merged:
        cursor = start
        for b_start, b_end in taken:
            if b_end <= cursor or b_start >= end:
                continue
            if b_start > cursor:
                free.append((day, (b_start - cursor).total_seconds() / 3600))
            cursor = max(cursor, b_end)
            # the next slot starts on the opening's grid
            steps = -(-(cursor - origin) // step)
            cursor = origin + step * steps
        if cursor < end:
            free.append((day, (end - cursor).total_seconds() / 3600))
    return [(day, hours) for day, hours in free if hours > 0]
