"""Reads about offices and their catchment, and the staff desk's cases in order of urgency."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from intake.models import Case, CaseStatus
from mediators.assignment.rules import number
from mediators.assignment.urgency import deadline_of, urgency_of
from mediators.models import (
    OSLO_MUNICIPALITY,
    Assignment,
    Catchment,
    District,
    Municipality,
    Offer,
    Office,
)


class CatchmentError(LookupError):
    pass


def catchment_office_for(*, municipality: Municipality, district: District | None) -> Office:
    """The office serving a municipality, or in Oslo the city district (002 §4.1.1)."""
    if municipality.number == OSLO_MUNICIPALITY:
        if district is None:
            raise CatchmentError("An Oslo address needs a city district (bydel).")
        rows = Catchment.objects.filter(district=district)
    else:
        rows = Catchment.objects.filter(municipality=municipality, district__isnull=True)
    catchment = rows.select_related("office").first()
    if catchment is None:
        raise CatchmentError(f"No office serves municipality {municipality.number}.")
    return catchment.office


def oslo_district_map() -> dict[str, str]:
    """Oslo city district name → the code of its catchment office."""
    rows = Catchment.objects.filter(municipality_id=OSLO_MUNICIPALITY, district__isnull=False)
    return dict(rows.values_list("district__name", "office__code"))


@dataclass(frozen=True)
class UrgentCase:
    """One row of the staff desk: a case with what makes it urgent (mediators.assignment.urgency).

    `deadline` is the move date of a relocation (barneloven § 42a: the certificate must exist
    before the move) or the court's deadline of a court referral or enforcement case
    (barneloven § 61, § 65a); `days_waiting` counts against the 3-week offer guidance.
    """

    case: Case
    urgency: float
    days_waiting: int
    waiting_guidance: int
    deadline: date | None
    days_left: int | None
    assignment: Assignment | None
    offer: Offer | None
    # Waiting to be placed on the requester's answers alone: the other parent has not
    # answered yet, so the level may still rise (see `cases_waiting_in`).
    provisional_waiting: bool = False


def cases_by_urgency(
    *,
    user: Any,
    level: str = "",
    status: str = "",
    case_type: str = "",
    today: date | None = None,
) -> list[UrgentCase]:
    """The user's cases, most urgent first (ties: longest waiting, then reference).

    `level` filters on the effective level (a staff override wins over the computed one);
    "none" means not classified yet. Without `status`, closed and withdrawn cases are left out.
    """
    from intake.selectors import cases_for_user

    today = today or timezone.localdate()
    cases: QuerySet[Case] = cases_for_user(user=user).prefetch_related(
        Prefetch(
            "assignments",
            queryset=Assignment.objects.filter(ended_at__isnull=True).select_related("mediator"),
            to_attr="active_assignments",
        ),
        Prefetch(
            "offers",
            queryset=Offer.objects.filter(status=Offer.Status.PENDING).select_related("mediator"),
            to_attr="pending_offers",
        ),
    )
    cases = _desk_filtered(cases, level=level, status=status, case_type=case_type)
    rows = [_urgent_case(case, today) for case in cases]
    rows.sort(key=lambda row: (-row.urgency, -row.days_waiting, row.case.reference))
    return rows


def _desk_filtered(
    cases: QuerySet[Case], *, level: str, status: str, case_type: str
) -> QuerySet[Case]:
    if level == "none":
        cases = cases.filter(classification__isnull=True)
    elif level:
        cases = cases.filter(
            Q(classification__override_level=level)
            | Q(classification__override_level="", classification__level=level)
        )
    if status:
        cases = cases.filter(status=status)
    else:
        cases = cases.exclude(status__in=(CaseStatus.CLOSED, CaseStatus.WITHDRAWN))
    if case_type:
        cases = cases.filter(case_type=case_type)
    return cases


def _urgent_case(case: Case, today: date) -> UrgentCase:
    requested_on = timezone.localdate(case.requested_at)
    move, court = case.planned_move_date, case.court_deadline
    found = deadline_of(case_type=case.case_type, move_date=move, court_deadline=court)
    assignments: list[Assignment] = getattr(case, "active_assignments", [])
    offers: list[Offer] = getattr(case, "pending_offers", [])
    return UrgentCase(
        case=case,
        urgency=urgency_of(
            case_type=case.case_type,
            move_date=move,
            court_deadline=court,
            requested_on=requested_on,
            today=today,
        ),
        days_waiting=max(0, (today - requested_on).days),
        waiting_guidance=int(number("urgency.waiting_guidance_days")),
        deadline=found[0] if found else None,
        days_left=(found[0] - today).days if found else None,
        assignment=assignments[0] if assignments else None,
        offer=offers[0] if offers else None,
        provisional_waiting=_provisional_waiting(case),
    )


def _provisional_waiting(case: Case) -> bool:
    classification = getattr(case, "classification", None)
    return case.status == CaseStatus.INTAKE and bool(classification and classification.provisional)


def cases_waiting_in(*, user: Any, office_ids: list[int]) -> list[Case]:
    """Cases waiting for assignment held by these offices, as far as the user may see them:
    READY (both parents answered), then INTAKE cases whose requester has answered.

    Both parents answer before the first meeting (000 §4.2), not before booking, so a case
    may be placed on the requester's provisional classification; if the other parent's
    answers raise it beyond the mediator's competence, mediators/reassigning.py undoes the
    placement (meklingsforskriften § 7).
    """
    from intake.selectors import cases_for_user

    cases = (
        cases_for_user(user=user)
        .filter(
            Q(status=CaseStatus.READY)
            | Q(status=CaseStatus.INTAKE, classification__provisional=True)
        )
        .prefetch_related("parents")
    )
    waiting = [case for case in cases if case.office.pk in office_ids]
    # Stable: READY first, each group in the order it came.
    return sorted(waiting, key=lambda case: case.status != CaseStatus.READY)
