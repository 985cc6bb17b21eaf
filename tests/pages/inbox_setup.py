"""A small world for the mediator's inbox: a waiting Bergen case, two external mediators with
accounts, and real offers made by the assignment service (mediators/assigning.case_place)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

import holidays
from django.utils import timezone

from intake.models import Case
from mediators.assigning import case_place
from mediators.models import Assignment, Mediator, Offer, User
from mediators.services import user_create
from scheduling.availability_services import availability_add
from tests.mediators.conftest import mediator_at, waiting_case

PASSWORD = "a-long-test-password"


@dataclass
class Inbox:
    case: Case
    first: Mediator
    second: Mediator
    user: User
    other_user: User


def account(mediator: Mediator, username: str) -> User:
    user, _ = user_create(
        username=username,
        email=f"{username}@test.example",
        role=User.Role.EXTERNAL_MEDIATOR,
        password=PASSWORD,
        mediator=mediator,
    )
    return user


def inbox_world(*, high_conflict: bool = False, **case_fields: Any) -> Inbox:
    """A waiting case (office told at kontor@test.example) and two external mediators who can
    both take it; `first` gets the offers, `second` is next in the ranking."""
    case = waiting_case(**case_fields)
    case.office.email = "kontor@test.example"
    case.office.save(update_fields=["email"])
    skills = {"weekly_capacity_hours": 20, "high_conflict": high_conflict}
    first = mediator_at(case, kind="external", **skills)
    second = mediator_at(case, kind="external", **skills)
    return Inbox(
        case=case,
        first=first,
        second=second,
        user=account(first, "mekler-en"),
        other_user=account(second, "mekler-to"),
    )


def offer_to(case: Case, mediator: Mediator) -> Offer:
    placement = case_place(case=case, mediator=mediator, method=Assignment.Method.MANUAL)
    assert placement.offer is not None
    return placement.offer


def open_hours(
    mediator: Mediator,
    *,
    weekdays: Iterable[int] = range(5),
    start: time = time(9),
    end: time = time(12),
) -> None:
    location = mediator.locations.order_by("pk").first()
    for weekday in weekdays:
        availability_add(
            mediator=mediator,
            weekday=weekday,
            start_time=start,
            end_time=end,
            location=location,
            valid_from=date(2024, 1, 1),
        )


def working_day(after_days: int = 2) -> date:
    """A weekday at least `after_days` ahead that is not a Norwegian public holiday."""
    day = timezone.localdate() + timedelta(days=after_days)
    while day.weekday() >= 5 or day in holidays.country_holidays("NO", years=day.year):
        day += timedelta(days=1)
    return day
