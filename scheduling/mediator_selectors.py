"""Reads for a mediator's own pages: the free times of an offer, their week, their openings.

Every read here is narrowed to one mediator; the callers pass the logged-in mediator.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import holidays
from django.db.models import Q, QuerySet
from django.utils import timezone

from mediators.models import Location, Mediator, Offer
from scheduling.availability import Window, local_date, oslo_to_utc, windows_for
from scheduling.models import Appointment, AppointmentStatus, Availability, Leave
from scheduling.slots import Slot, slots_available_for

HOLIDAY_LANGUAGES = {"nb": "no", "en": "en_US"}


@dataclass(frozen=True)
class PublicHoliday:
    day: date
    name: str


def offer_slots(*, offer: Offer, start: date, days: int) -> list[Slot]:
    """Free first-meeting times for an offer, the way accepting books them.

    Accepting books at the offer's location in person, or by video for a remote offer
    (mediators.offers._first_meeting_book), so an in-person offer offers only openings at
    that location; a remote one any opening, each start once.
    """
    remote = offer.remote or offer.location_id is None
    slots = slots_available_for(
        case=offer.case,
        start=start,
        days=days,
        mediator=offer.mediator,
        location_id=None if remote else offer.location_id,
    )
    if not remote:
        return slots
    seen: set[datetime] = set()
    unique = []
    for slot in slots:
        if slot.starts_at not in seen:
            seen.add(slot.starts_at)
            unique.append(slot)
    return unique


def _day_range(first: date, last: date) -> tuple[datetime, datetime]:
    """The UTC instants from midnight of `first` to midnight after `last`, in Oslo."""
    return oslo_to_utc(first, time(0)), oslo_to_utc(last + timedelta(days=1), time(0))


def mediator_appointments(*, mediator: Mediator, first: date, last: date) -> QuerySet[Appointment]:
    """The mediator's meetings that are not cancelled, on Oslo dates `first` to `last`."""
    starts, ends = _day_range(first, last)
    return (
        Appointment.objects.filter(mediator=mediator, starts_at__gte=starts, starts_at__lt=ends)
        .exclude(status=AppointmentStatus.CANCELLED)
        .select_related("case", "location", "interpreter_language")
        .order_by("starts_at", "pk")
    )


def mediator_next_appointment(
    *, mediator: Mediator, now: datetime | None = None
) -> Appointment | None:
    now = now or timezone.now()
    return (
        Appointment.objects.filter(mediator=mediator, ends_at__gt=now)
        .exclude(status=AppointmentStatus.CANCELLED)
        .order_by("starts_at", "pk")
        .first()
    )


def case_appointments_of(*, mediator: Mediator, case_id: int) -> QuerySet[Appointment]:
    """This mediator's meetings in one case (the offer page shows the booked first meeting)."""
    return (
        Appointment.objects.filter(mediator=mediator, case_id=case_id)
        .exclude(status=AppointmentStatus.CANCELLED)
        .select_related("location", "interpreter_language")
        .order_by("starts_at", "pk")
    )


def mediator_availability(*, mediator: Mediator, today: date) -> QuerySet[Availability]:
    """Weekly openings that have not ended, by weekday and time."""
    return (
        Availability.objects.filter(mediator=mediator)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .select_related("location")
        .order_by("weekday", "start_time", "pk")
    )


def mediator_leaves(*, mediator: Mediator, today: date) -> QuerySet[Leave]:
    """Leave, sick days and days off that have not ended."""
    return Leave.objects.filter(mediator=mediator, ends_on__gte=today).order_by("starts_on", "pk")


def mediator_locations(*, mediator: Mediator) -> QuerySet[Location]:
    """The meeting places the mediator may open hours at."""
    return mediator.locations.order_by("name", "pk")


def mediator_openings(*, mediator: Mediator, first: date, last: date) -> list[Window]:
    """Openings per date after leave and public holidays (what slots are cut from)."""
    return windows_for(mediator_id=mediator.pk, first=first, last=last)


def appointments_during(*, mediator: Mediator, first: date, last: date) -> int:
    """How many booked meetings fall on the Oslo dates `first` to `last`."""
    return (
        mediator_appointments(mediator=mediator, first=first, last=last)
        .filter(status=AppointmentStatus.BOOKED)
        .count()
    )


def public_holidays_upcoming(
    *, today: date | None = None, count: int = 5, language: str = "nb"
) -> list[PublicHoliday]:
    """The next Norwegian public holidays (the `holidays` package, as slots use them)."""
    today = today or local_date(timezone.now())
    names = holidays.country_holidays(
        "NO", years=[today.year, today.year + 1], language=HOLIDAY_LANGUAGES.get(language, "no")
    )
    upcoming = sorted((day, name) for day, name in names.items() if day >= today)
    return [PublicHoliday(day, name) for day, name in upcoming[:count]]
