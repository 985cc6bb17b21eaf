"""Writes of a mediator's own calendar: weekly openings (Availability) and leave (Leave).

The rules, checked with the mediator's row locked so two adds at once cannot both pass:
- an opening ends after it starts, on a known weekday, at one of the mediator's own meeting
  places (or none: video or phone only); its last valid day is not before its first;
- two openings on the same weekday whose validity overlaps may not overlap in time (the
  mediator cannot be in two places at once, and one place twice is one opening);
- a leave period ends on or after its first day, has not already ended, and does not overlap
  another of the mediator's leave periods.

Norwegian public holidays are never stored: slots leave them out (scheduling/availability.py).
A refusal is a `CalendarInvalid` naming each field's problem by a stable code, so a page can
word it in the user's language; the English text is in `fields` for the API error body.
"""

import dataclasses
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from config.api_errors import ApplicationError
from mediators.models import Location, Mediator
from scheduling.availability import local_date
from scheduling.models import Availability, Leave, Weekday

NOTE_MAX = 200

MESSAGES = {
    "weekday_unknown": "Choose a weekday.",
    "ends_before_start": "The end must be after the start.",
    "until_before_from": "The last day must be on or after the first day.",
    "location_not_yours": "Choose one of your own meeting places.",
    "opening_overlaps": "It overlaps your opening {weekday} {start}–{end}.",
    "leave_ended": "The period has already ended.",
    "leave_overlaps": "It overlaps your leave {starts_on}–{ends_on}.",
    "kind_unknown": "Choose the kind of absence.",
}


@dataclass(frozen=True)
class Problem:
    """One field's problem: a stable `code` (a key of MESSAGES) and the values it names."""

    field: str
    code: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def message(self) -> str:
        """The English text (the API's error body)."""
        return MESSAGES[self.code].format(**{k: _english(k, v) for k, v in self.params.items()})


def _english(name: str, value: Any) -> str:
    if name == "weekday":
        with translation.override("en"):  # the label is translatable; the API's text is not
            return str(Weekday(value).label)
    if isinstance(value, time):
        return f"{value:%H:%M}"
    return str(value)


class CalendarInvalid(ApplicationError):
    code = "invalid"

    def __init__(self, problems: list[Problem]) -> None:
        fields: dict[str, list[str]] = {}
        for problem in problems:
            fields.setdefault(problem.field, []).append(problem.message)
        super().__init__("The calendar change is not valid.", fields=fields)
        self.problems = problems


def _locked(mediator: Mediator) -> Mediator:
    return Mediator.objects.select_for_update().get(pk=mediator.pk)


def availability_add(
    *,
    mediator: Mediator,
    weekday: int,
    start_time: time,
    end_time: time,
    location: Location | None = None,
    valid_from: date,
    valid_until: date | None = None,
) -> Availability:
    """Open a weekly window (Oslo wall-clock time) for the mediator."""
    problems = []
    if weekday not in Weekday.values:
        problems.append(Problem("weekday", "weekday_unknown"))
    if end_time <= start_time:
        problems.append(Problem("end_time", "ends_before_start"))
    if valid_until is not None and valid_until < valid_from:
        problems.append(Problem("valid_until", "until_before_from"))
    if location is not None and not mediator.locations.filter(pk=location.pk).exists():
        problems.append(Problem("location", "location_not_yours"))
    if problems:
        raise CalendarInvalid(problems)
    with transaction.atomic():
        locked = _locked(mediator)
        overlap = (
            Availability.objects.filter(
                mediator=locked,
                weekday=weekday,
                start_time__lt=end_time,
                end_time__gt=start_time,
            )
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=valid_from))
            .filter(Q() if valid_until is None else Q(valid_from__lte=valid_until))
            .order_by("start_time")
            .first()
        )
        if overlap is not None:
            raise CalendarInvalid(
                [
                    Problem(
                        "start_time",
                        "opening_overlaps",
                        {
                            "weekday": overlap.weekday,
                            "start": overlap.start_time,
                            "end": overlap.end_time,
                        },
                    )
                ]
            )
        return Availability.objects.create(
            mediator=locked,
            weekday=weekday,
            start_time=start_time,
            end_time=end_time,
            location=location,
            valid_from=valid_from,
            valid_until=valid_until,
        )


def availability_remove(*, mediator: Mediator, availability_id: int) -> bool:
    """Close one of the mediator's own openings; False if it is not theirs (or is gone).

    Booked meetings stay booked: removing an opening only stops new slots in it.
    """
    deleted, _ = Availability.objects.filter(mediator=mediator, pk=availability_id).delete()
    return deleted > 0


def leave_add(
    *,
    mediator: Mediator,
    starts_on: date,
    ends_on: date,
    kind: str = Leave.Kind.LEAVE,
    note: str = "",
    today: date | None = None,
) -> Leave:
    """Mark days away (inclusive): no slots are offered on them."""
    today = today or local_date(timezone.now())
    problems = []
    if kind not in Leave.Kind.values:
        problems.append(Problem("kind", "kind_unknown"))
    if ends_on < starts_on:
        problems.append(Problem("ends_on", "until_before_from"))
    elif ends_on < today:
        problems.append(Problem("ends_on", "leave_ended"))
    if problems:
        raise CalendarInvalid(problems)
    with transaction.atomic():
        locked = _locked(mediator)
        overlap = (
            Leave.objects.filter(mediator=locked, starts_on__lte=ends_on, ends_on__gte=starts_on)
            .order_by("starts_on")
            .first()
        )
        if overlap is not None:
            raise CalendarInvalid(
                [
                    Problem(
                        "starts_on",
                        "leave_overlaps",
                        {"starts_on": overlap.starts_on, "ends_on": overlap.ends_on},
                    )
                ]
            )
        return Leave.objects.create(
            mediator=locked, starts_on=starts_on, ends_on=ends_on, kind=kind, note=note[:NOTE_MAX]
        )


def leave_remove(*, mediator: Mediator, leave_id: int) -> bool:
    """Take back one of the mediator's own leave periods; False if it is not theirs."""
    deleted, _ = Leave.objects.filter(mediator=mediator, pk=leave_id).delete()
    return deleted > 0
