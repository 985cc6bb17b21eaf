"""A bookable world for scheduling tests: an office, a mediator with availability, a case."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

import time_machine
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from intake.models import Case, CaseStatus, Classification, Parent
from mediators.models import Assignment, Location, Mediator, User
from scheduling.models import Availability
from scheduling.notifications import LocmemSmsBackend
from tests.factories import (
    CaseFactory,
    ChildFactory,
    LocationFactory,
    MediatorFactory,
    OfficeFactory,
    ParentFactory,
    UserFactory,
)

WEEKDAYS = range(5)


@contextmanager
def frozen_with_empty_outboxes(now: datetime) -> Iterator[None]:
    """The clock stopped at `now`, no email or SMS from an earlier test (booking tests' setup)."""
    LocmemSmsBackend.outbox.clear()
    mail.outbox.clear()
    with time_machine.travel(now, tick=False):
        yield


@dataclass
class World:
    case: Case
    mediator: Mediator
    location: Location
    staff: User

    def client(self) -> APIClient:
        client = APIClient()
        client.force_authenticate(self.staff)
        return client


def weekly(
    mediator: Mediator,
    *,
    weekdays: Iterable[int] = WEEKDAYS,
    start: time = time(9),
    end: time = time(12),
    location: Location | None = None,
    valid_from: date = date(2026, 1, 1),
    valid_until: date | None = None,
) -> None:
    for weekday in weekdays:
        Availability.objects.create(
            mediator=mediator,
            location=location,
            weekday=weekday,
            start_time=start,
            end_time=end,
            valid_from=valid_from,
            valid_until=valid_until,
        )


def assigned_case(
    *,
    safety: bool = False,
    children: Iterable[date] = (date(2018, 5, 1),),
    mediator: Mediator | None = None,
    location: Location | None = None,
) -> World:
    """An assigned case with two parents (nb with a phone, en without) and its mediator."""
    office = location.office if location else OfficeFactory.create(email="kontor@test.example")
    location = location or LocationFactory.create(office=office)
    case = CaseFactory.create(catchment_office=office, status=CaseStatus.ASSIGNED)
    ParentFactory.create(case=case, role=Parent.Role.REQUESTER, phone="+4791234567")
    ParentFactory.create(case=case, role=Parent.Role.OTHER, language=Parent.Lang.EN)
    for birth_date in children:
        ChildFactory.create(case=case, birth_date=birth_date)
    if safety:
        Classification.objects.create(
            case=case,
            level="high",
            provisional=False,
            safety_flags=["fear"],
            separate_meetings_recommended=True,
            rules_version="test",
            questionnaire_version="test",
            computed_at=timezone.now(),
        )
    if mediator is None:
        mediator = MediatorFactory.create(office=office, child_talk=True)
        mediator.locations.set([location])
    Assignment.objects.create(
        case=case,
        mediator=mediator,
        location=location,
        hours=Decimal("1.5"),
        method=Assignment.Method.MANUAL,
    )
    staff = UserFactory.create(office=office)
    return World(case=case, mediator=mediator, location=location, staff=staff)
