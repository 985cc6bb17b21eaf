"""Writes of the intake app: requesting mediation."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.api_errors import Conflict
from intake.audit import audit_record
from intake.duty_rules import duty_outcome
from intake.links import link_issue
from intake.models import AuditEvent, Case, CaseReferenceCounter, CaseStatus, Child, Parent
from intake.national_id import national_id_birth_date, national_id_digest
from mediators.models import Assignment, District, Language, Municipality, Offer, Office
from mediators.selectors import catchment_office_for
from scheduling.alarms import case_alarms_schedule
from scheduling.duties import duties_cancel, duty_schedule
from scheduling.models import AppointmentStatus
from scheduling.webhooks.events import EventType, case_requested_data, webhook_event_record

# Days after the link is sent when a parent who has not submitted is reminded.
INTAKE_REMINDER_DAYS = (3, 7)


def case_reference_next(*, year: int) -> str:
    """The next case reference of the year (MK-2026-000123); never handed out twice."""
    with transaction.atomic():
        CaseReferenceCounter.objects.get_or_create(year=year)
        counter = CaseReferenceCounter.objects.select_for_update().get(year=year)
        counter.last_number += 1
        counter.save(update_fields=["last_number"])
    return f"MK-{year:04d}-{counter.last_number:06d}"


@dataclass(frozen=True)
class ParentInput:
    role: str
    given_name: str
    family_name: str
    email: str
    national_id: str = ""  # already validated and normalised to 11 digits
    phone: str = ""  # already E.164
    language: str = "nb"
    interpreter_language: Language | None = None
    lives_abroad: bool = False


@dataclass(frozen=True)
class CaseRequest:
    case_type: str
    municipality: Municipality
    parents: tuple[ParentInput, ...]
    children_birth_dates: tuple[date, ...]
    district: District | None = None
    preferred_office: Office | None = None
    planned_move_date: date | None = None
    move_notice_given_on: date | None = None
    court_name: str = ""
    court_deadline: date | None = None


def _parent_create(case: Case, data: ParentInput) -> Parent:
    return Parent.objects.create(
        case=case,
        role=data.role,
        given_name=data.given_name,
        family_name=data.family_name,
        email=data.email,
        phone=data.phone,
        national_id_digest=national_id_digest(data.national_id) if data.national_id else "",
        birth_date=national_id_birth_date(data.national_id) if data.national_id else None,
        language=data.language,
        interpreter_language=data.interpreter_language,
        lives_abroad=data.lives_abroad,
    )


def _intake_duties_schedule(case: Case, parent: Parent) -> None:
    """Send the parent a fresh link now (after commit), and remind at 3 and 7 days.

    Reminder keys are per parent, so a re-sent link adds no second set of reminders.
    """
    link = link_issue(parent=parent)
    now = timezone.now()
    duty_schedule(
        kind="intake_link",
        key=f"intake_link:{link.pk}",
        due_at=now,
        case=case,
        target_id=link.pk,
        dispatch_now=True,
    )
    for days in INTAKE_REMINDER_DAYS:
        duty_schedule(
            kind="intake_reminder",
            key=f"intake_reminder:{parent.pk}:{days}d",
            due_at=now + timedelta(days=days),
            case=case,
            target_id=parent.pk,
        )


def case_request(
    *, request: CaseRequest, actor: Any = None, remote_addr: str | None = None
) -> Case:
    """Register a request for mediation, decide the duty, and send each parent their link."""
    today = timezone.localdate()
    by_role = {parent.role: parent for parent in request.parents}
    outcome = duty_outcome(
        case_type=request.case_type,
        children_birth_dates=request.children_birth_dates,
        today=today,
        requester_abroad=by_role[Parent.Role.REQUESTER].lives_abroad,
        other_abroad=by_role[Parent.Role.OTHER].lives_abroad,
        planned_move_date=request.planned_move_date,
        notice_given_on=request.move_notice_given_on,
    )
    catchment = catchment_office_for(municipality=request.municipality, district=request.district)
    chosen = request.preferred_office if request.preferred_office != catchment else None
    with transaction.atomic():
        case = Case.objects.create(
            reference=case_reference_next(year=today.year),
            case_type=request.case_type,
            status=CaseStatus.INTAKE,
            municipality=request.municipality,
            district=request.district,
            catchment_office=catchment,
            chosen_office=chosen,
            planned_move_date=request.planned_move_date,
            move_notice_given_on=request.move_notice_given_on,
            court_name=request.court_name,
            court_deadline=request.court_deadline,
            duty_required=outcome.required,
            duty_outcome=outcome.as_dict(),
        )
        for parent_input in request.parents:
            parent = _parent_create(case, parent_input)
            _intake_duties_schedule(case, parent)
        case_alarms_schedule(case=case)
        Child.objects.bulk_create(
            [Child(case=case, birth_date=born) for born in request.children_birth_dates]
        )
        audit_record(
            action=AuditEvent.Action.CASE_REQUESTED,
            case_reference=case.reference,
            actor=actor,
            remote_addr=remote_addr,
            detail={"case_type": case.case_type},
        )
        webhook_event_record(
            type=EventType.CASE_REQUESTED, case=case, data=case_requested_data(case)
        )
    return case


def parent_link_resend(*, parent: Parent, actor: Any, remote_addr: str | None = None) -> None:
    """Staff send a parent a new private link; the old one stops working."""
    with transaction.atomic():
        _intake_duties_schedule(parent.case, parent)
        audit_record(
            action=AuditEvent.Action.LINK_RESENT,
            case_reference=parent.case.reference,
            actor=actor,
            remote_addr=remote_addr,
            detail={"role": parent.role},
        )


CLOSING = (CaseStatus.CLOSED, CaseStatus.WITHDRAWN)
CERTIFICATE_DUTY_KINDS = ("certificate_issued", "certificate_expiry")


def _refuse_close_with_open_commitments(case: Case) -> None:
    """A mediator or the parents would otherwise wait for a meeting or answer that never comes."""
    if case.appointments.filter(
        status=AppointmentStatus.BOOKED, starts_at__gt=timezone.now()
    ).exists():
        raise Conflict(_("Cancel the booked appointments before closing the case."))
    if Offer.objects.filter(case=case, status=Offer.Status.PENDING).exists():
        raise Conflict(
            _("An external mediator has not answered the offer yet. Wait for the answer first.")
        )


def case_close(
    *,
    case: Case,
    status: str = CaseStatus.CLOSED,
    actor: Any = None,
    actor_label: str = "",
    remote_addr: str | None = None,
) -> Case:
    """Close (or withdraw) a case; `closed_at` starts the retention clocks (meklingsforskriften
    § 9, intake/retention.py). Closing a closed case again changes nothing."""
    if status not in CLOSING:
        raise ValueError("A case closes as closed or withdrawn.")
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.closed_at is not None:
            return locked
        _refuse_close_with_open_commitments(locked)
        locked.status = status
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "closed_at"])
        # Reminders, offers' deadlines and alarms stop; the parents' certificate notices
        # (barneloven § 54) still go out.
        duties_cancel(case=locked, keep_kinds=CERTIFICATE_DUTY_KINDS)
        # A closed case no longer takes its mediator's weekly hours (mediators.snapshots).
        Assignment.objects.filter(case=locked, ended_at__isnull=True).update(
            ended_at=locked.closed_at
        )
        audit_record(
            action=AuditEvent.Action.CASE_CLOSED,
            case_reference=locked.reference,
            actor=actor,
            actor_label=actor_label or "system",
            remote_addr=remote_addr,
            detail={"status": status},
        )
    return locked


def parent_export(*, parent: Parent, remote_addr: str | None = None) -> dict[str, Any]:
    """A parent's export of their own data (GDPR art. 15 and 20), recorded in the audit log."""
    from intake.selectors import parent_data_export

    data = parent_data_export(parent=parent)
    audit_record(
        action=AuditEvent.Action.DATA_EXPORTED,
        case_reference=parent.case.reference,
        actor_label=f"parent:{parent.role}",
        remote_addr=remote_addr,
    )
    return data
