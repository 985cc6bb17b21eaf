"""A mediator's own opening hours and absence: the rules of scheduling/availability_services."""

from datetime import date, time
from typing import Any

import pytest

from mediators.models import Mediator
from scheduling.availability_services import (
    CalendarInvalid,
    availability_add,
    availability_remove,
    leave_add,
    leave_remove,
)
from scheduling.models import Availability, Leave
from tests.factories import LocationFactory, MediatorFactory

pytestmark = pytest.mark.django_db

MONDAY = 0


def _codes(error: pytest.ExceptionInfo[CalendarInvalid]) -> list[tuple[str, str]]:
    return [(p.field, p.code) for p in error.value.problems]


@pytest.fixture
def mediator(national_offices: None) -> Mediator:
    mediator = MediatorFactory.create()
    mediator.locations.set([LocationFactory.create(office=mediator.office)])
    return mediator


def _add(mediator: Mediator, **fields: Any) -> Availability:
    values: dict[str, Any] = {
        "weekday": MONDAY,
        "start_time": time(9),
        "end_time": time(12),
        "valid_from": date(2027, 1, 1),
    }
    values.update(fields)
    return availability_add(mediator=mediator, **values)


def test_an_opening_ends_after_it_starts_at_the_mediators_own_place(mediator: Mediator) -> None:
    with pytest.raises(CalendarInvalid) as error:
        _add(
            mediator,
            end_time=time(9),
            valid_until=date(2026, 12, 1),
            location=LocationFactory.create(),
        )
    assert _codes(error) == [
        ("end_time", "ends_before_start"),
        ("valid_until", "until_before_from"),
        ("location", "location_not_yours"),
    ]
    assert error.value.fields["end_time"] == ["The end must be after the start."]
    assert not Availability.objects.exists()


def test_openings_may_not_overlap_on_a_weekday_while_both_are_valid(mediator: Mediator) -> None:
    _add(mediator, valid_until=date(2027, 6, 30))
    with pytest.raises(CalendarInvalid) as error:
        _add(mediator, start_time=time(11), end_time=time(14))
    assert _codes(error) == [("start_time", "opening_overlaps")]
    assert error.value.fields["start_time"] == ["It overlaps your opening Monday 09:00–12:00."]
    _add(mediator, start_time=time(12), end_time=time(15))  # touching is fine
    _add(mediator, weekday=1)  # another weekday
    _add(mediator, valid_from=date(2027, 7, 1))  # after the first one ends
    assert Availability.objects.filter(mediator=mediator).count() == 4


def test_absence_is_ordered_not_over_and_not_overlapping(mediator: Mediator) -> None:
    today = date(2027, 3, 1)
    with pytest.raises(CalendarInvalid) as error:
        leave_add(
            mediator=mediator, starts_on=date(2027, 3, 5), ends_on=date(2027, 3, 4), today=today
        )
    assert _codes(error) == [("ends_on", "until_before_from")]
    with pytest.raises(CalendarInvalid) as error:
        leave_add(
            mediator=mediator, starts_on=date(2027, 2, 1), ends_on=date(2027, 2, 2), today=today
        )
    assert _codes(error) == [("ends_on", "leave_ended")]
    with pytest.raises(CalendarInvalid) as error:
        leave_add(
            mediator=mediator, starts_on=today, ends_on=today, kind="holiday_abroad", today=today
        )
    assert _codes(error) == [("kind", "kind_unknown")]
    first = leave_add(
        mediator=mediator, starts_on=date(2027, 3, 8), ends_on=date(2027, 3, 12), today=today
    )
    with pytest.raises(CalendarInvalid) as error:
        leave_add(
            mediator=mediator, starts_on=date(2027, 3, 12), ends_on=date(2027, 3, 15), today=today
        )
    assert _codes(error) == [("starts_on", "leave_overlaps")]
    sick = leave_add(
        mediator=mediator, starts_on=today, ends_on=today, kind=Leave.Kind.SICK, today=today
    )
    assert (first.kind, sick.kind) == ("leave", "sick")


def test_only_the_mediators_own_rows_are_removed(mediator: Mediator) -> None:
    other = MediatorFactory.create()
    row = _add(mediator)
    leave = leave_add(mediator=mediator, starts_on=date(2099, 1, 1), ends_on=date(2099, 1, 1))
    assert not availability_remove(mediator=other, availability_id=row.pk)
    assert not leave_remove(mediator=other, leave_id=leave.pk)
    assert availability_remove(mediator=mediator, availability_id=row.pk)
    assert leave_remove(mediator=mediator, leave_id=leave.pk)
    assert not Availability.objects.exists() and not Leave.objects.exists()
