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
