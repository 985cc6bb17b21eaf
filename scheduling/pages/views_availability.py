"""The mediator's availability: weekly opening hours per meeting place, and absence.

Writes go through scheduling/availability_services.py; a refusal is shown on its field. Public
holidays need nothing: slots leave them out, and the page lists the next few.
"""

from datetime import date, timedelta

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_POST

from config import datetime_format
from scheduling import labels
from scheduling.availability import Window, local_date
from scheduling.availability_services import (
    CalendarInvalid,
    availability_add,
    availability_remove,
    leave_add,
    leave_remove,
)
from scheduling.mediator_selectors import (
    appointments_during,
    mediator_availability,
    mediator_leaves,
    mediator_locations,
    mediator_openings,
    public_holidays_upcoming,
)
from scheduling.models import Availability, Leave
from scheduling.pages import present
from scheduling.pages.access import mediator_of, mediator_required
from scheduling.pages.forms import AvailabilityForm, LeaveForm

OPENINGS_DAYS = 14
HOLIDAYS_SHOWN = 5


def _window_text(row: Availability) -> str:
    """ "mandag 09.00–12.00" (the opening's name in messages and on its remove button)."""
    times = datetime_format.time_range_text(row.start_time, row.end_time)
    return f"{labels.WEEKDAYS[row.weekday]} {times}"


def _leave_text(row: Leave) -> str:
    return present.period_text(row.starts_on, row.ends_on)


def _openings(windows: list[Window]) -> list[tuple[str, list[str]]]:
    days: dict[date, list[str]] = {}
    for window in windows:
        text = datetime_format.time_range_text(window.starts_at, window.ends_at)
        days.setdefault(window.local_date, []).append(text)
    return [(datetime_format.date_text(day, year=False), times) for day, times in days.items()]


def _page(
    request: HttpRequest,
    *,
    window_form: AvailabilityForm | None = None,
    leave_form: LeaveForm | None = None,
    status: int = 200,
) -> HttpResponse:
    mediator = mediator_of(request)
    today = local_date(timezone.now())
    locations = list(mediator_locations(mediator=mediator))
    windows = [
        {
            "id": row.pk,
            "text": _window_text(row),
            "place": present.place_text(row.location),
            "valid": present.period_text(row.valid_from, row.valid_until),
        }
        for row in mediator_availability(mediator=mediator, today=today)
    ]
    leaves = [
        {
            "id": row.pk,
            "text": _leave_text(row),
            "kind": labels.LEAVE_KINDS[Leave.Kind(row.kind)],
            "note": row.note,
        }
        for row in mediator_leaves(mediator=mediator, today=today)
    ]
    last = today + timedelta(days=OPENINGS_DAYS - 1)
    context = {
        "nav": "availability",
        "windows": windows,
        "leaves": leaves,
        "holidays": [
            {"date": datetime_format.date_text(h.day), "name": h.name}
            for h in public_holidays_upcoming(
                today=today, count=HOLIDAYS_SHOWN, language=present.ui_language()
            )
        ],
        "openings": _openings(mediator_openings(mediator=mediator, first=today, last=last)),
        "openings_period": present.period_text(today, last),
        "window_form": window_form
        or AvailabilityForm(locations=locations, initial={"valid_from": today}),
        "leave_form": leave_form or LeaveForm(initial={"starts_on": today, "ends_on": today}),
    }
    return render(request, "inbox/availability.html", context, status=status)


@require_GET
@mediator_required
def availability(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@mediator_required
def availability_add_view(request: HttpRequest) -> HttpResponse:
    mediator = mediator_of(request)
    form = AvailabilityForm(request.POST, locations=list(mediator_locations(mediator=mediator)))
    if not form.is_valid():
        return _page(request, window_form=form, status=400)
    try:
        row = availability_add(mediator=mediator, **form.cleaned_data)
    except CalendarInvalid as error:
        form.add_calendar_errors(error)
        return _page(request, window_form=form, status=400)
    messages.success(
        request, gettext("Opening hours added: %(window)s.") % {"window": _window_text(row)}
    )
    return redirect("inbox:availability")


@require_POST
@mediator_required
def availability_remove_view(request: HttpRequest, availability_id: int) -> HttpResponse:
    if not availability_remove(mediator=mediator_of(request), availability_id=availability_id):
        raise Http404
    messages.success(
        request,
        gettext("The opening hours are removed. Meetings already booked in them stay booked."),
    )
    return redirect("inbox:availability")


@require_POST
@mediator_required
def leave_add_view(request: HttpRequest) -> HttpResponse:
    mediator = mediator_of(request)
    form = LeaveForm(request.POST)
    if not form.is_valid():
        return _page(request, leave_form=form, status=400)
    try:
        row = leave_add(mediator=mediator, **form.cleaned_data)
    except CalendarInvalid as error:
        form.add_calendar_errors(error)
        return _page(request, leave_form=form, status=400)
    messages.success(
        request,
        gettext("Absence added: %(period)s. No times are offered then.")
        % {"period": _leave_text(row)},
    )
    booked = appointments_during(mediator=mediator, first=row.starts_on, last=row.ends_on)
    if booked:
        messages.warning(
            request,
            ngettext(
                "You have %(count)d booked meeting in this period. Ask the office to move it.",
                "You have %(count)d booked meetings in this period. Ask the office to move them.",
                booked,
            )
            % {"count": booked},
        )
    return redirect("inbox:availability")


@require_POST
@mediator_required
def leave_remove_view(request: HttpRequest, leave_id: int) -> HttpResponse:
    if not leave_remove(mediator=mediator_of(request), leave_id=leave_id):
        raise Http404
    messages.success(request, gettext("The absence is removed."))
    return redirect("inbox:availability")
