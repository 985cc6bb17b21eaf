"""Reads of the intake app, always narrowed to what the asking user may see."""

from datetime import datetime
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from intake.models import Case, Parent
from mediators.access import cases_visible_to
from scheduling.models import Appointment, AppointmentStatus, Certificate


def cases_for_user(*, user: Any) -> QuerySet[Case]:
    cases = Case.objects.select_related(
        "catchment_office",
        "chosen_office",
        "municipality",
        "district",
        "classification",
    )
    return cases_visible_to(user, cases)


def case_get_for_user(*, user: Any, reference: str) -> Case:
    """The case if this user may see it; otherwise 404 whether or not it exists."""
    if "\x00" in reference:  # no reference holds NUL, and PostgreSQL refuses it in a query
        raise Http404
    case = (
        cases_for_user(user=user)
        .prefetch_related(
            Prefetch(
                "parents",
                queryset=Parent.objects.select_related("response", "interpreter_language"),
            ),
            "children",
        )
        .filter(reference=reference)
        .first()
    )
    if case is None:
        raise Http404
    return case


def parent_appointments_upcoming(
    *, parent: Parent, now: datetime | None = None
) -> list[Appointment]:
    """A parent's own booked meetings from now on: the case's joint meetings and child talks
    and their own separate meetings, never the other parent's (meklingsforskriften § 7)."""
    rows = (
        Appointment.objects.select_related(
            "location",
            "mediator",
            "interpreter_language",
            "case__catchment_office",
            "case__chosen_office",
        )
        .filter(
            case_id=parent.case_id,
            status=AppointmentStatus.BOOKED,
            ends_at__gt=now or timezone.now(),
        )
        .filter(Q(parent_role="") | Q(parent_role=parent.role))
        .order_by("starts_at", "pk")
    )
    return list(rows)


def parent_certificate(*, parent: Parent) -> Certificate | None:
    """The parent's own certificate (meklingsattest) or its refusal, if decided."""
    return (
        Certificate.objects.select_related(
            "case__catchment_office", "case__chosen_office", "parent"
        )
        .filter(parent=parent)
        .first()
    )


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def parent_data_export(*, parent: Parent) -> dict[str, Any]:
    """A parent's own data, for their export: their row, the case's facts, their answers,
    their meetings and certificate. Never the other parent's answers, contact details or
    attendance, nor free text others wrote (a cancel reason) (meklingsforskriften § 7)."""
    case = parent.case
    response = getattr(parent, "response", None)
    appointments = (
        Appointment.objects.filter(case_id=case.pk)
        .filter(Q(parent_role="") | Q(parent_role=parent.role))
        .order_by("starts_at", "pk")
    )
    attended = "attended_requester" if parent.role == Parent.Role.REQUESTER else "attended_other"
    certificate = Certificate.objects.filter(parent=parent).first()
    return {
        "parent": {
            "role": parent.role,
            "given_name": parent.given_name,
            "family_name": parent.family_name,
            "birth_date": _iso(parent.birth_date),
            "email": parent.email,
            "phone": parent.phone,
            "language": parent.language,
            "interpreter_language": (
                parent.interpreter_language.code if parent.interpreter_language else None
            ),
            "lives_abroad": parent.lives_abroad,
            "national_id": "stored only as a one-way digest" if parent.national_id_digest else None,
        },
        "case": {
            "reference": case.reference,
            "case_type": case.case_type,
            "status": case.status,
            "requested_at": _iso(case.requested_at),
            "closed_at": _iso(case.closed_at),
            "office": case.office.name,
            "children_birth_dates": [_iso(child.birth_date) for child in case.children.all()],
        },
        "answers": (
            {
                "questionnaire_version": response.questionnaire_version,
                "answers": response.answers,
                "submitted_at": _iso(response.submitted_at),
            }
            if response is not None
            else None
        ),
        "appointments": [
            {
                "kind": row.kind,
                "mode": row.mode,
                "status": row.status,
                "starts_at": _iso(row.starts_at),
                "ends_at": _iso(row.ends_at),
                "attended": getattr(row, attended),
            }
            for row in appointments
        ],
        "certificate": (
            {
                "number": certificate.number,
                "status": certificate.status,
                "issued_on": _iso(certificate.issued_on),
                "valid_until": _iso(certificate.valid_until),
                "first_meeting_on": _iso(certificate.first_meeting_on),
                "refusal_reason": certificate.refusal_reason,
            }
            if certificate is not None
            else None
        ),
    }
