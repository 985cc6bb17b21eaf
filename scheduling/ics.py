"""Calendar invites (RFC 5545) for appointments, built with `icalendar`.

One VEVENT per appointment row. The UID is stable for the row (`appointment-{id}@{host}`), so
a calendar updates the same entry: SEQUENCE is the row's `sequence`, raised on every
reschedule and on cancellation, and a cancelled appointment is sent with METHOD:CANCEL and
STATUS:CANCELLED. Times are plain UTC (`...Z`), which every client reads right; the local
time is in the summary text.

Privacy: an invite names only its recipient as attendee. A separate meeting's invite holds
only that parent's meeting, never when the other parent comes.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlparse

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from scheduling.models import Appointment, AppointmentStatus

PRODID = "-//mekling//appointments//NB"
ICS_CONTENT_TYPE = "text/calendar"


def appointment_uid(appointment: Appointment) -> str:
    host = urlparse(settings.PUBLIC_BASE_URL).hostname or "mekling"
    return f"appointment-{appointment.pk}@{host}"


def ics_method(appointment: Appointment) -> str:
    return "CANCEL" if appointment.status == AppointmentStatus.CANCELLED else "REQUEST"


def appointment_ics(
    *,
    appointment: Appointment,
    summary: str,
    location: str,
    description: str,
    organizer_name: str,
    organizer_email: str,
    attendee_email: str | None = None,
    now: datetime | None = None,
) -> bytes:
    """The invite (or cancellation) for one appointment, as bytes of an .ics file."""
    cancelled = appointment.status == AppointmentStatus.CANCELLED
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", ics_method(appointment))

    event = Event()
    event.add("uid", appointment_uid(appointment))
    event.add("dtstamp", (now or timezone.now()).astimezone(UTC))
    event.add("dtstart", appointment.starts_at.astimezone(UTC))
    event.add("dtend", appointment.ends_at.astimezone(UTC))
    event.add("sequence", appointment.sequence)
    event.add("summary", summary)
    event.add("location", location)
    event.add("description", description)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    organizer = vCalAddress(f"mailto:{organizer_email}")
    organizer.params["cn"] = vText(organizer_name)
    event.add("organizer", organizer)
    if attendee_email:
        attendee = vCalAddress(f"mailto:{attendee_email}")
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["rsvp"] = vText("FALSE")
        event.add("attendee", attendee, encode=False)
    calendar.add_component(event)
    return calendar.to_ical()


@dataclass(frozen=True)
class CalendarEntry:
    """One appointment in a published calendar, with its text in the reader's language."""

    appointment: Appointment
    summary: str
    location: str
    description: str


def calendar_ics(
    *, entries: Iterable[CalendarEntry], name: str, now: datetime | None = None
) -> bytes:
    """A mediator's own calendar (METHOD:PUBLISH) to download: one VEVENT per appointment,
    with the same UID and SEQUENCE as the parents' invites, and no attendees."""
    stamp = (now or timezone.now()).astimezone(UTC)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for entry in entries:
        appointment = entry.appointment
        event = Event()
        event.add("uid", appointment_uid(appointment))
        event.add("dtstamp", stamp)
        event.add("dtstart", appointment.starts_at.astimezone(UTC))
        event.add("dtend", appointment.ends_at.astimezone(UTC))
        event.add("sequence", appointment.sequence)
        event.add("summary", entry.summary)
        event.add("location", entry.location)
        event.add("description", entry.description)
        cancelled = appointment.status == AppointmentStatus.CANCELLED
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    return calendar.to_ical()
