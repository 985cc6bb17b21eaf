"""A parent's own appointment from its private link: see it, move it, cancel it, add it to a
calendar; and their own certificate. The same services as the API's by-link views.

A separate meeting's link shows only that parent's meeting: never when the other parent
comes (meklingsforskriften § 7).
"""

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from config.api_errors import ApplicationError, Conflict
from config.datetime_format import date_text, datetime_range_text, time_range_text
from intake.models import IntakeLink, Parent
from intake.pages.certificate import certificate_context, certificate_pdf_response
from intake.pages.common import (
    appointment_texts,
    link_not_valid,
    remote_addr,
    with_appointment_link,
    with_intake_link,
)
from scheduling.api import CancelInput, RescheduleInput
from scheduling.appointment_notices import appointment_ics_for
from scheduling.appointments import appointment_cancel, appointment_reschedule
from scheduling.availability import local_date
from scheduling.booking_rules import SchedulingBusy, SlotTaken
from scheduling.ics import ICS_CONTENT_TYPE
from scheduling.models import Appointment, AppointmentStatus
from scheduling.slots import Slot, slots_to_move

DAYS_SHOWN = 14


def _changeable(appointment: Appointment) -> bool:
    return appointment.status == AppointmentStatus.BOOKED and appointment.starts_at > timezone.now()


def _status_text(appointment: Appointment) -> str:
    if appointment.status == AppointmentStatus.CANCELLED:
        return _("This appointment is cancelled.")
    if appointment.status == AppointmentStatus.HELD:
        return _("This meeting has been held.")
    if appointment.status == AppointmentStatus.NO_SHOW:
        return _("Nobody came to this meeting.")
    if appointment.starts_at <= timezone.now():
        return _("This meeting has started or is over.")
    return ""


def _base(appointment: Appointment, token: str) -> dict[str, Any]:
    return {
        **appointment_texts(appointment),
        "token": token,
        "changeable": _changeable(appointment),
        "status_text": _status_text(appointment),
        "url": reverse("parents:appointment", kwargs={"token": token}),
    }


@with_appointment_link
def appointment_page(
    request: HttpRequest, appointment: Appointment, parent: Parent, token: str
) -> HttpResponse:
    pdf_url = reverse("parents:appointment-certificate-pdf", kwargs={"token": token})
    return render(
        request,
        "parents/appointment.html",
        {**_base(appointment, token), **certificate_context(parent, pdf_url), "parent": parent},
    )


def _start_day(request: HttpRequest) -> date:
    today = local_date(timezone.now())
    try:
        asked = date.fromisoformat(request.GET.get("from", ""))
    except ValueError:
        return today
    return max(asked, today)


def _slots(appointment: Appointment, start: date) -> list[Slot]:
    """As AppointmentByLinkSlotsApi: same length, place, mediator; this meeting counts free."""
    try:
        return slots_to_move(appointment=appointment, start=start, days=DAYS_SHOWN)
    except ApplicationError:
        return []


def _by_day(slots: list[Slot]) -> list[dict[str, Any]]:
    days: dict[date, dict[str, Any]] = {}
    for slot in slots:
        local = timezone.localtime(slot.starts_at)
        day = days.setdefault(local.date(), {"label": date_text(slot.starts_at), "slots": []})
        day["slots"].append(
            {
                "value": slot.starts_at.isoformat(),
                "id": f"slot-{slot.starts_at:%Y%m%d%H%M}",
                "label": time_range_text(slot.starts_at, slot.ends_at),
            }
        )
    return list(days.values())


def _reschedule_error(exc: ApplicationError) -> str:
    if isinstance(exc, SlotTaken):
        return _("That time has just been taken. Choose another time.")
    if isinstance(exc, SchedulingBusy):
        return _("The calendar is busy right now. Please try again.")
    if isinstance(exc, Conflict):
        return _("This appointment can no longer be moved. Contact the office.")
    return _("That time cannot be booked. Choose another time.")


@require_http_methods(["GET", "POST"])
@with_appointment_link
def appointment_reschedule_page(
    request: HttpRequest, appointment: Appointment, parent: Parent, token: str
) -> HttpResponse:
    if not _changeable(appointment):
        return redirect("parents:appointment", token=token)
    error = ""
    if request.method == "POST":
        data = RescheduleInput(data={"starts_at": request.POST.get("starts_at", "")})
        if not data.is_valid():
            error = _("Choose a new time.")
        else:
            try:
                moved = appointment_reschedule(
                    appointment=appointment,
                    starts_at=data.validated_data["starts_at"],
                    by=f"parent:{parent.role}",
                    remote_addr=remote_addr(request),
                )
            except ApplicationError as exc:
                error = _reschedule_error(exc)
            else:
                messages.success(
                    request,
                    _("Your appointment is moved to %(when)s.")
                    % {"when": datetime_range_text(moved.starts_at, moved.ends_at)},
                )
                return redirect("parents:appointment", token=token)
    start = _start_day(request)
    today = local_date(timezone.now())
    url = reverse("parents:appointment-reschedule", kwargs={"token": token})
    later = start + timedelta(days=DAYS_SHOWN)
    earlier = max(today, start - timedelta(days=DAYS_SHOWN))
    return render(
        request,
        "parents/reschedule.html",
        {
            **_base(appointment, token),
            "days": _by_day(_slots(appointment, start)),
            "error": error,
            "later_url": f"{url}?from={later.isoformat()}",
            "earlier_url": f"{url}?from={earlier.isoformat()}" if start > today else "",
            "period": {
                "first": date_text(start),
                "last": date_text(later - timedelta(days=1)),
            },
        },
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
@with_appointment_link
def appointment_cancel_page(
    request: HttpRequest, appointment: Appointment, parent: Parent, token: str
) -> HttpResponse:
    if not _changeable(appointment):
        return redirect("parents:appointment", token=token)
    error = ""
    if request.method == "POST":
        data = CancelInput(data={"reason": request.POST.get("reason", "")})
        if not data.is_valid():
            error = _("Write at most 500 characters.")
        else:
            try:
                appointment_cancel(
                    appointment=appointment,
                    reason=data.validated_data["reason"],
                    by=f"parent:{parent.role}",
                    remote_addr=remote_addr(request),
                )
            except ApplicationError:
                error = _("This appointment can no longer be cancelled. Contact the office.")
            else:
                messages.success(
                    request,
                    _(
                        "Your appointment is cancelled. The office will contact you "
                        "about a new time."
                    ),
                )
                return redirect("parents:appointment", token=token)
    return render(
        request,
        "parents/cancel.html",
        {**_base(appointment, token), "error": error, "reason": request.POST.get("reason", "")},
        status=400 if error else 200,
    )


@with_appointment_link
def appointment_ics(
    request: HttpRequest, appointment: Appointment, parent: Parent, token: str
) -> HttpResponse:
    """As AppointmentByLinkIcsApi: the parent's own invite, only them as attendee."""
    response = HttpResponse(
        appointment_ics_for(appointment, parent), content_type=f"{ICS_CONTENT_TYPE}; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="mekling.ics"'
    return response


@with_appointment_link
def appointment_certificate_pdf(
    request: HttpRequest, appointment: Appointment, parent: Parent, token: str
) -> HttpResponse:
    return certificate_pdf_response(parent) or link_not_valid(request)


@with_intake_link
def intake_certificate_pdf(request: HttpRequest, link: IntakeLink, token: str) -> HttpResponse:
    return certificate_pdf_response(link.parent) or link_not_valid(request)
