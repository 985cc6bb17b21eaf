"""Attendance and the mediation certificate (meklingsattest).

After a meeting, staff or the mediator record who came. A parent who has attended at least
the compulsory hour gets a certificate valid 6 months (barneloven § 54), even if the other
parent never came (meklingsforskriften § 8). The office may refuse with a reason instead.
"""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from config.api_errors import ApplicationError, Conflict
from config.legal import rule_value
from intake.audit import audit_record
from intake.models import AuditEvent, Case, Parent
from scheduling.alarms import at_nine_oslo
from scheduling.duties import duty_schedule
from scheduling.models import Appointment, AppointmentStatus, Certificate
from scheduling.webhooks.events import EventType, certificate_data, webhook_event_record

ROLES = (Parent.Role.REQUESTER, Parent.Role.OTHER)


def _attended(appointment: Appointment, role: str) -> bool:
    came = appointment.attended_requester if role == ROLES[0] else appointment.attended_other
    return bool(came) and appointment.parent_role in ("", role)


def attended_hours(*, case: Case) -> dict[str, Decimal]:
    """Hours each parent has attended in held meetings of the case."""
    hours: dict[str, Decimal] = defaultdict(Decimal)
    for appointment in case.appointments.filter(status=AppointmentStatus.HELD):
        for role in ROLES:
            if _attended(appointment, role):
                hours[role] += appointment.hours
    return hours


def appointment_record_attendance(
    *,
    appointment: Appointment,
    requester: bool,
    other: bool,
    actor: Any = None,
    remote_addr: str | None = None,
) -> list[Certificate]:
    """Record who came; the meeting is held if anyone did. Issues any certificate now due."""
    with transaction.atomic():
        locked = (
            Appointment.objects.select_for_update().select_related("case").get(pk=appointment.pk)
        )
        if locked.status not in (
            AppointmentStatus.BOOKED,
            AppointmentStatus.HELD,
            AppointmentStatus.NO_SHOW,
        ):
            raise Conflict("Attendance can only be recorded for a meeting that was booked.")
        if locked.starts_at > timezone.now():
            raise ApplicationError(
                "The meeting has not started yet.", fields={"appointment": ["In the future."]}
            )
        locked.attended_requester = requester if locked.parent_role in ("", "requester") else None
        locked.attended_other = other if locked.parent_role in ("", "other") else None
        anyone = bool(locked.attended_requester or locked.attended_other)
        locked.status = AppointmentStatus.HELD if anyone else AppointmentStatus.NO_SHOW
        locked.save(update_fields=["attended_requester", "attended_other", "status"])
        audit_record(
            action=AuditEvent.Action.ATTENDANCE_RECORDED,
            case_reference=locked.case.reference,
            actor=actor,
            remote_addr=remote_addr,
            detail={"appointment": locked.pk, "held": anyone},
        )
        return certificates_issue_due(case=locked.case, actor=actor, remote_addr=remote_addr)


def _number(case: Case, role: str) -> str:
    return f"{case.reference}-{'A' if role == ROLES[0] else 'B'}"


def certificates_issue_due(
    *, case: Case, actor: Any = None, remote_addr: str | None = None
) -> list[Certificate]:
    """A certificate for every parent who has now attended the compulsory hour and has none."""
    compulsory = Decimal(rule_value("compulsory_hours"))
    hours = attended_hours(case=case)
    first_meeting = (
        case.appointments.filter(status=AppointmentStatus.HELD).order_by("starts_at").first()
    )
    today = timezone.localdate()
    issued = []
    for parent in case.parents.exclude(certificates__isnull=False):
        if hours.get(parent.role, Decimal(0)) < compulsory:
            continue
        certificate = Certificate.objects.create(
            case=case,
            parent=parent,
            status=Certificate.Status.ISSUED,
            number=_number(case, parent.role),
            first_meeting_on=timezone.localdate(first_meeting.starts_at) if first_meeting else None,
            issued_on=today,
            valid_until=today + relativedelta(months=rule_value("certificate_validity_months")),
            decided_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        _notices_schedule(certificate)
        webhook_event_record(
            type=EventType.CERTIFICATE_ISSUED, case=case, data=certificate_data(certificate)
        )
        issued.append(certificate)
        audit_record(
            action=AuditEvent.Action.CERTIFICATE_ISSUED,
            case_reference=case.reference,
            actor=actor,
            actor_label="system",
            remote_addr=remote_addr,
            detail={"certificate": certificate.pk, "parent_role": parent.role},
        )
    return issued


def _notices_schedule(certificate: Certificate) -> None:
    """Tell the parent now, and again (at 09:00 Oslo time) shortly before it expires."""
    if certificate.valid_until is None:
        return
    notice_day = certificate.valid_until - timedelta(
        days=rule_value("certificate_expiry_notice_days")
    )
    expiry_notice_at = at_nine_oslo(notice_day)
    for kind, due_at in (("issued", timezone.now()), ("expiry", expiry_notice_at)):
        duty_schedule(
            kind=f"certificate_{kind}",
            key=f"certificate:{certificate.pk}:{kind}",
            due_at=due_at,
            case=certificate.case,
            target_id=certificate.pk,
            dispatch_now=kind == "issued",
        )


def certificate_refuse(
    *, case: Case, parent_role: str, reason: str, actor: Any, remote_addr: str | None = None
) -> Certificate:
    """The office refuses a parent's certificate, with a reason the parent can appeal."""
    if not reason.strip():
        raise ApplicationError("A reason is required.", fields={"reason": ["Required."]})
    parent = case.parents.filter(role=parent_role).first()
    if parent is None:
        raise ApplicationError("Unknown parent.", fields={"parent_role": ["Unknown."]})
    with transaction.atomic():
        if Certificate.objects.select_for_update().filter(parent=parent).exists():
            raise Conflict("This parent's certificate has already been decided.")
        certificate = Certificate.objects.create(
            case=case,
            parent=parent,
            status=Certificate.Status.REFUSED,
            number=_number(case, parent_role),
            issued_on=timezone.localdate(),
            refusal_reason=reason.strip(),
            decided_by=actor,
        )
        audit_record(
            action=AuditEvent.Action.CERTIFICATE_REFUSED,
            case_reference=case.reference,
            actor=actor,
            remote_addr=remote_addr,
            detail={"parent_role": parent_role},
        )
    return certificate


def certificate_valid_on(certificate: Certificate, day: date) -> bool:
    return (
        certificate.status == Certificate.Status.ISSUED
        and certificate.valid_until is not None
        and certificate.issued_on <= day <= certificate.valid_until
    )
