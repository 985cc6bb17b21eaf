"""The mediator's calendar: their meetings week by week in Oslo time, and an .ics download."""

from datetime import date, timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from config import datetime_format
from scheduling.availability import local_date
from scheduling.ics import ICS_CONTENT_TYPE, CalendarEntry, calendar_ics
from scheduling.mediator_selectors import mediator_appointments, mediator_next_appointment
from scheduling.pages import present
from scheduling.pages.access import mediator_of, mediator_required

ICS_DAYS_BACK = 30
ICS_DAYS_AHEAD = 365


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _week_url(monday: date) -> str:
    return f"{reverse('inbox:calendar')}?week={monday.isoformat()}"


@require_GET
@mediator_required
def calendar(request: HttpRequest) -> HttpResponse:
    mediator = mediator_of(request)
    today = local_date(timezone.now())
    raw = request.GET.get("week", "")
    chosen = present.date_param(raw)
    monday = week_start(chosen or today)
    sunday = monday + timedelta(days=6)
    rows = [
        present.meeting_row(a)
        for a in mediator_appointments(mediator=mediator, first=monday, last=sunday)
    ]
    days: dict[date, list[present.MeetingRow]] = {}
    for row in rows:
        days.setdefault(row.day, []).append(row)
    upcoming = mediator_next_appointment(mediator=mediator)
    next_row = present.meeting_row(upcoming) if upcoming else None
    context = {
        "nav": "calendar",
        "week_number": monday.isocalendar().week,
        "week_period": present.period_text(monday, sunday),
        "days": [
            (datetime_format.date_text(day, year=False), day == today, items)
            for day, items in days.items()
        ],
        "previous_url": _week_url(monday - timedelta(days=7)),
        "next_url": _week_url(monday + timedelta(days=7)),
        "this_week_url": _week_url(week_start(today)) if monday != week_start(today) else "",
        "next_meeting": next_row,
        "next_meeting_url": _week_url(week_start(next_row.day)) if next_row else "",
        "next_meeting_elsewhere": bool(next_row and not monday <= next_row.day <= sunday),
    }
    return render(request, "inbox/calendar.html", context)


@require_GET
@mediator_required
def calendar_ics_view(request: HttpRequest) -> HttpResponse:
    """All the mediator's meetings from a month back to a year ahead, for their own calendar.

    No parent is named: the case reference, the kind of meeting, the place.
    """
    mediator = mediator_of(request)
    today = local_date(timezone.now())
    appointments = mediator_appointments(
        mediator=mediator,
        first=today - timedelta(days=ICS_DAYS_BACK),
        last=today + timedelta(days=ICS_DAYS_AHEAD),
    )
    entries = []
    for appointment in appointments:
        row = present.meeting_row(appointment)
        details = [row.kind, row.mode]
        if row.interpreter:
            details.append(gettext("Interpreter: %(language)s") % {"language": row.interpreter})
        entries.append(
            CalendarEntry(
                appointment=appointment,
                summary=gettext("Mediation %(reference)s") % {"reference": row.reference},
                location=row.place or row.mode,
                description="\n".join(details),
            )
        )
    body = calendar_ics(entries=entries, name=gettext("Mediation meetings"))
    response = HttpResponse(body, content_type=f"{ICS_CONTENT_TYPE}; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="mekling-kalender.ics"'
    return response
