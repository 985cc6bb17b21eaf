"""Booking, cancelling, attendance and certificates from the case page (the scheduling API's
services: appointment_book, appointment_cancel, appointment_record_attendance,
certificates_issue_due, certificate_refuse)."""

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.datetime_format import datetime_text
from intake.selectors import case_get_for_user
from mediators.desk_selectors import case_appointment_get
from mediators.models import Location
from mediators.pages.case_page import render_case
from mediators.pages.common import case_url, form_action, remote_addr, staff_required
from mediators.pages.forms import AttendanceForm, BookForm, CancelForm, RefuseForm
from scheduling.appointments import appointment_book, appointment_cancel
from scheduling.certificates import (
    appointment_record_attendance,
    certificate_refuse,
    certificates_issue_due,
)
from scheduling.labels import PARENT_ROLES, label
from scheduling.models import Appointment, Certificate

# The services name the time `starts_at` and the place `location`: both are the slot here.
BOOK_FIELDS = {"starts_at": "slot", "location": "slot", "mediator": "__all__"}
ATTENDANCE_FIELDS = {"appointment": "__all__"}


@require_POST
@staff_required
def book(request: HttpRequest, reference: str) -> HttpResponse:
    """Book a meeting with the case's mediator; the rules (separate meetings in a safety case,
    consent to a child talk, at most 7 hours) are the service's and come back as field errors."""
    case = case_get_for_user(user=request.user, reference=reference)

    def action(data: dict[str, Any]) -> str:
        starts_at, location_id = data["slot"]
        in_person = data["mode"] == Appointment.Mode.IN_PERSON
        location = Location.objects.filter(pk=location_id).first() if in_person else None
        rows = appointment_book(
            case=case,
            starts_at=starts_at,
            kind=data["kind"],
            mode=data["mode"],
            location=location,
            interpreter_language=data["interpreter_language"],
            duration=timedelta(minutes=data["minutes"]),
            consents=data["consents"],
            actor=request.user,
            remote_addr=remote_addr(request),
        )
        return _("Booked for %(when)s. The parents get a notice with the time and place.") % {
            "when": datetime_text(rows[0].starts_at)
        }

    return form_action(
        request,
        form=BookForm(request.POST, prefix="book"),
        action=action,
        on_error=lambda form, status: render_case(
            request, case, bound={"book": form}, status=status
        ),
        success_url=case_url(case, "appointments"),
        field_map=BOOK_FIELDS,
    )


@require_POST
@staff_required
def cancel(request: HttpRequest, reference: str, appointment_id: int) -> HttpResponse:
    case = case_get_for_user(user=request.user, reference=reference)
    appointment = case_appointment_get(case=case, appointment_id=appointment_id)

    def action(data: dict[str, Any]) -> str:
        appointment_cancel(
            appointment=appointment,
            actor=request.user,
            reason=data["reason"],
            remote_addr=remote_addr(request),
        )
        return _("The appointment on %(when)s was cancelled. The parents are told.") % {
            "when": datetime_text(appointment.starts_at)
        }

    return form_action(
        request,
        form=CancelForm(request.POST, prefix=f"cancel-{appointment.pk}"),
        action=action,
        on_error=lambda form, status: render_case(
            request, case, bound={("cancel", appointment.pk): form}, status=status
        ),
        success_url=case_url(case, "appointments"),
    )


@require_POST
@staff_required
def attendance(request: HttpRequest, reference: str, appointment_id: int) -> HttpResponse:
    """Who came to a meeting that has started; certificates now due are issued at once
    (meklingsforskriften § 8: after the first hour, to each parent who attended)."""
    case = case_get_for_user(user=request.user, reference=reference)
    appointment = case_appointment_get(case=case, appointment_id=appointment_id)

    def action(data: dict[str, Any]) -> str:
        issued = appointment_record_attendance(
            appointment=appointment,
            requester=data["requester"],
            other=data["other"],
            actor=request.user,
            remote_addr=remote_addr(request),
        )
        return _("Attendance recorded.") + _issued_text(issued)

    return form_action(
        request,
        form=AttendanceForm(request.POST, prefix=f"attendance-{appointment.pk}"),
        action=action,
        on_error=lambda form, status: render_case(
            request, case, bound={("attendance", appointment.pk): form}, status=status
        ),
        success_url=case_url(case, "certificates"),
        field_map=ATTENDANCE_FIELDS,
    )


@require_POST
@staff_required
def issue_certificates(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_get_for_user(user=request.user, reference=reference)
    with transaction.atomic():
        issued = certificates_issue_due(
            case=case, actor=request.user, remote_addr=remote_addr(request)
        )
    if issued:
        messages.success(request, _issued_text(issued).strip())
    else:
        messages.info(
            request, _("No certificate is due: no parent without one has attended the first hour.")
        )
    return redirect(case_url(case, "certificates"))


@require_POST
@staff_required
def refuse_certificate(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_get_for_user(user=request.user, reference=reference)

    def action(data: dict[str, Any]) -> str:
        certificate_refuse(case=case, actor=request.user, remote_addr=remote_addr(request), **data)
        return _("Certificate refused (%(parent)s). The reason is kept; it can be appealed.") % {
            "parent": label(PARENT_ROLES, data["parent_role"])
        }

    return form_action(
        request,
        form=RefuseForm(request.POST, prefix="refuse"),
        action=action,
        on_error=lambda form, status: render_case(
            request, case, bound={"refuse": form}, status=status
        ),
        success_url=case_url(case, "certificates"),
    )


def _issued_text(issued: list[Certificate]) -> str:
    if not issued:
        return ""
    numbers = ", ".join(certificate.number for certificate in issued)
    return " " + _("Certificates issued: %(numbers)s.") % {"numbers": numbers}
