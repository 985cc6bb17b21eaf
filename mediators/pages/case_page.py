"""The case page: everything staff need on one page, each part read through a selector.

Every render is a read of the classification's reasons (drawn from the answers), so it is
audited as the API's case read is (intake/audit.py, action `case_read`).
"""

from datetime import date
from typing import Any, cast

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from config.api_errors import ApplicationError
from config.legal import rule_value
from intake.audit import audit_record
from intake.duty_rules import age_on
from intake.models import AuditEvent, Case, Parent
from mediators.assignment.rules import number
from mediators.assignment.urgency import deadline_of
from mediators.desk_selectors import (
    Placements,
    case_appointments,
    case_assignable,
    case_certificates,
    case_placements,
    case_slots,
    case_suggestion_rows,
)
from mediators.pages.common import remote_addr
from mediators.pages.errors import form_add_service_error, service_message
from mediators.pages.forms import (
    AssignForm,
    AttendanceForm,
    BookForm,
    CancelForm,
    CloseForm,
    OverrideForm,
    RefuseForm,
    SlotSearchForm,
    slot_value,
)
from scheduling.booking_rules import case_hours
from scheduling.certificates import certificate_valid_on
from scheduling.labels import PARENT_ROLES
from scheduling.models import Appointment, AppointmentStatus, Certificate
from scheduling.selectors import appointments_to_rebook
from scheduling.separating import CANCELLED_BY_SAFETY
from scheduling.slots import separate_required

SLOT_DAYS = 21
SLOT_LIMIT = 12
RECORDABLE = (AppointmentStatus.BOOKED, AppointmentStatus.HELD, AppointmentStatus.NO_SHOW)


def render_case(
    request: HttpRequest,
    case: Case,
    *,
    bound: dict[Any, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The case page; `bound` holds a submitted form to show again with its errors."""
    bound = bound or {}
    audit_record(
        action=AuditEvent.Action.CASE_READ,
        case_reference=case.reference,
        actor=request.user,
        remote_addr=remote_addr(request),
        detail={"classification": hasattr(case, "classification")},
    )
    today = timezone.localdate()
    placements = case_placements(case=case)
    context: dict[str, Any] = {
        "nav": "cases",
        "case": case,
        "today": today,
        **_facts(case, today),
        **_classification(case, bound),
        **_assignment(request, case, placements, bound),
        **_booking(request, case, placements, bound),
        **_appointments(case, bound),
        **_certificates(case, bound, today),
        "close_form": None if case.closed_at else bound.get("close") or CloseForm(prefix="close"),
    }
    return render(request, "desk/case.html", context, status=status)


def _facts(case: Case, today: date) -> dict[str, Any]:
    found = deadline_of(
        case_type=case.case_type,
        move_date=case.planned_move_date,
        court_deadline=case.court_deadline,
    )
    requested_on = timezone.localdate(case.requested_at)
    return {
        "deadline": found[0] if found else None,
        "days_left": (found[0] - today).days if found else None,
        "days_waiting": (today - requested_on).days,
        "waiting_guidance": int(number("urgency.waiting_guidance_days")),
        "children_ages": sorted(
            (age_on(child.birth_date, today) for child in case.children.all()), reverse=True
        ),
        "duty": case.duty_outcome or {},
        "parents": sorted(case.parents.all(), key=lambda p: p.role != Parent.Role.REQUESTER),
    }


def _classification(case: Case, bound: dict[Any, forms.Form]) -> dict[str, Any]:
    classification = getattr(case, "classification", None)
    initial = {"level": classification.effective_level} if classification else None
    return {
        "classification": classification,
        "override_form": bound.get("override") or OverrideForm(prefix="override", initial=initial),
    }


def _assignment(
    request: HttpRequest, case: Case, placements: Placements, bound: dict[Any, forms.Form]
) -> dict[str, Any]:
    explain = request.GET.get("explain") == "1"
    assignable = case_assignable(case=case, placements=placements)
    suggestions, excluded = (
        case_suggestion_rows(case=case, explain=explain) if assignable else ([], [])
    )
    return {
        "placements": placements,
        "assignable": assignable,
        "explain": explain,
        "suggestions": suggestions,
        "excluded": excluded,
        "assign_form": bound.get("assign") or AssignForm(),
    }


def _booking(
    request: HttpRequest, case: Case, placements: Placements, bound: dict[Any, forms.Form]
) -> dict[str, Any]:
    if placements.open_for_assignment:
        return {"booking": False}
    separate = separate_required(case=case)
    default_kind = Appointment.Kind.SEPARATE if separate else Appointment.Kind.JOINT
    searched = any(key.startswith("find-") for key in request.GET)
    search = SlotSearchForm(
        request.GET if searched else None,
        prefix="find",
        initial={"kind": default_kind, "minutes": 60},
    )
    values = search.cleaned_data if searched and search.is_valid() else {}
    kind = values.get("kind") or default_kind
    minutes = values.get("minutes") or 60
    start = values.get("start") or timezone.localdate()
    slot_error = ""
    try:
        mediator, slots = case_slots(
            case=case,
            start=start,
            days=SLOT_DAYS,
            minutes=minutes,
            kind=kind,
            limit=SLOT_LIMIT,
        )
    except ApplicationError as exc:
        if search.is_bound:
            form_add_service_error(search, exc)
        else:
            slot_error = service_message(exc)
        mediator, slots = None, []
    form = bound.get("book") or BookForm(
        prefix="book", initial={"kind": kind, "minutes": minutes, "mode": "in_person"}
    )
    chosen = form["slot"].value()
    choices = [
        {"value": value, "row": row, "checked": value == chosen}
        for row in slots
        for value in [slot_value(row.slot.starts_at, row.slot.location_id)]
    ]
    return {
        "booking": True,
        "separate_required": separate,
        "search_form": search,
        "slot_mediator": mediator,
        "slot_choices": choices,
        "slot_from": start,
        "slot_days": SLOT_DAYS,
        "slot_error": slot_error,
        "book_form": form,
        "can_book": placements.assignment is not None,
    }


def _appointments(case: Case, bound: dict[Any, forms.Form]) -> dict[str, Any]:
    now = timezone.now()
    to_rebook = {row.pk for row in appointments_to_rebook(case=case)}
    rows = []
    for appointment in case_appointments(case=case):
        pk = appointment.pk
        cancel = appointment.status == AppointmentStatus.BOOKED and appointment.starts_at > now
        record = appointment.status in RECORDABLE and appointment.starts_at <= now
        attendance_initial = {
            "requester": bool(appointment.attended_requester),
            "other": bool(appointment.attended_other),
        }
        rows.append(
            {
                "appointment": appointment,
                # Made separate for safety (meklingsforskriften § 7): booked, or to rebook.
                "separated": "rebook"
                if pk in to_rebook
                else "booked"
                if appointment.cancelled_by == CANCELLED_BY_SAFETY
                else "",
                "cancel_form": (bound.get(("cancel", pk)) or CancelForm(prefix=f"cancel-{pk}"))
                if cancel
                else None,
                "attendance_form": (
                    bound.get(("attendance", pk))
                    or AttendanceForm(prefix=f"attendance-{pk}", initial=attendance_initial)
                )
                if record
                else None,
            }
        )
    used = case_hours(case=case)
    return {
        "appointments": rows,
        "rebook_needed": bool(to_rebook),
        "hours_used": max(used.values()),
        "hours_max": rule_value("max_hours"),
    }


def _certificates(case: Case, bound: dict[Any, forms.Form], today: date) -> dict[str, Any]:
    certificates = case_certificates(case=case)
    decided = {certificate.parent.role for certificate in certificates}
    open_roles = [(role, label) for role, label in PARENT_ROLES.items() if role not in decided]
    refuse = bound.get("refuse") or RefuseForm(prefix="refuse")
    cast(forms.ChoiceField, refuse.fields["parent_role"]).choices = open_roles
    issued = [c for c in certificates if c.status == Certificate.Status.ISSUED]
    return {
        "certificates": [
            {
                "certificate": certificate,
                "valid_today": certificate_valid_on(certificate, today),
                "pdf_url": reverse(
                    "v1:case-certificate-pdf",
                    kwargs={"reference": case.reference, "role": certificate.parent.role},
                )
                if certificate.status == Certificate.Status.ISSUED
                else None,
            }
            for certificate in certificates
        ],
        "refuse_form": refuse if open_roles else None,
        "certificate_missing_before_move": bool(case.planned_move_date) and not issued,
        "validity_months": rule_value("certificate_validity_months"),
    }
