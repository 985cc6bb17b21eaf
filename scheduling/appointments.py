"""Booking, moving and cancelling mediation appointments (the rules: booking_rules.py).

What a booking keeps:
- A case with separate meetings recommended (a safety case, meklingsforskriften § 7) books
  only `separate`: two rows, the requester's meeting, then the other parent's after
  `slots.SEPARATE_GAP`; a separate meeting never comes within that gap of one of the other
  parent's meetings in the case. The two rows are independent afterwards: each parent may
  move or cancel their own meeting. A joint meeting booked before the screen turned to
  safety is converted to separate meetings by scheduling/separating.py.
- Hours (meklingsforskriften § 1): a booking that takes the case over `max_hours` is refused;
  the first booking of a case must last at least `compulsory_hours`.
- A child talk (barnesamtale) needs the mediator's child-talk competence and, when a child
  is under `child_talk_consent_age` on the day, both parents' recorded consent.

Concurrency (pretix's order): inside one short durable transaction, lock the case, then the
mediator (the order `mediators.assigning` uses), recount the mediator's overlapping
appointments and the case's hours, then write. PostgreSQL's exclusion constraint
`appointment_no_double_booking` backs the recount up; its violation, a lock timeout or a
deadlock answers 409 (`SlotTaken` / `SchedulingBusy`), never 500. Notices and reminders are
duties created in the same transaction and sent after commit.
"""

import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone, translation

from config.api_errors import ApplicationError, Conflict
from intake.audit import audit_record
from intake.models import AuditEvent, Case, CaseStatus
from mediators.models import Assignment, Language, Location, Mediator
from scheduling.availability import local_date
from scheduling.booking_rules import (
    CLOSED_CASE,
    SchedulingBusy,
    SlotTaken,
    as_utc,
    assigned_mediator,
    check_child_talk,
    check_duration,
    check_free,
    check_hours,
    check_kind,
    hours_of,
    interpreters_for,
    location_for,
    outside_hours,
)
from scheduling.duties import duties_cancel, duty_schedule
from scheduling.models import Appointment, AppointmentStatus
from scheduling.slots import Meeting, layout_meetings, roles_for, separate_required, window_for
from scheduling.webhooks.events import EventType, appointment_data, webhook_event_record

REMINDER_HOURS = (72, 24)
LOCK_TIMEOUT = "5s"
EXCLUSION_VIOLATION = "23P01"
CONTENTION = {"55P03", "40P01", "40001"}  # lock_not_available, deadlock, serialization


def appointment_book(
    *,
    case: Case,
    starts_at: datetime,
    kind: str,
    mode: str,
    mediator: Mediator | None = None,
    location: Location | None = None,
    interpreter_language: Language | None = None,
    duration: timedelta = timedelta(hours=1),
    consents: Sequence[str] = (),
    actor: Any = None,
    remote_addr: str | None = None,
) -> list[Appointment]:
    """Book a meeting of the case with its assigned mediator: one row, or two for `separate`.

    `consents` names the parents whose consent to a child talk staff have recorded.
    """
    starts_at = as_utc(starts_at)
    check_duration(duration)
    check_kind(case=case, kind=kind)
    assigned = assigned_mediator(case=case)
    if mediator is not None and mediator.pk != assigned.pk:
        raise ApplicationError(
            "Appointments are booked with the case's assigned mediator.",
            fields={"mediator": ["Not the assigned mediator."]},
        )
    if kind == Appointment.Kind.CHILD_TALK:
        check_child_talk(case=case, mediator=assigned, day=local_date(starts_at), consents=consents)
    meetings = layout_meetings(starts_at=starts_at, duration=duration, roles=roles_for(kind))
    now = timezone.now()
    location_id = location_for(
        mediator=assigned, meetings=meetings, mode=mode, location=location, now=now
    )
    languages = interpreters_for(case=case, meetings=meetings, chosen=interpreter_language)
    # Not durable: an external mediator accepts an offer and books its first slot in one go.
    with contention_as_conflict(), transaction.atomic():
        locked_case, locked_mediator = _lock(case=case, mediator=assigned)
        # Again under the case's lock: the screen may have turned to separate meetings since
        # the check above, and appointments_enforce_separate converts under this same lock.
        check_kind(case=locked_case, kind=kind)
        check_free(case=locked_case, mediator=locked_mediator, meetings=meetings)
        check_hours(case=locked_case, kind=kind, meetings=meetings, duration=duration)
        rows = [
            Appointment.objects.create(
                case=locked_case,
                mediator=locked_mediator,
                location_id=location_id,
                mode=mode,
                kind=kind,
                parent_role=meeting.parent_role,
                starts_at=meeting.starts_at,
                ends_at=meeting.ends_at,
                hours=hours_of(duration),
                interpreter_language=language,
                consent_requester_at=now if "requester" in consents else None,
                consent_other_at=now if "other" in consents else None,
                link_salt=secrets.token_urlsafe(16),
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            for meeting, language in zip(meetings, languages, strict=True)
        ]
        if locked_case.status in (CaseStatus.ASSIGNED, CaseStatus.OFFERED):
            Case.objects.filter(pk=locked_case.pk).update(status=CaseStatus.SCHEDULED)
        for row in rows:
            _schedule_duties(appointment=row, case=locked_case, now=now)
            webhook_event_record(
                type=EventType.APPOINTMENT_BOOKED, case=locked_case, data=appointment_data(row)
            )
        audit_record(
            action=AuditEvent.Action.APPOINTMENT_BOOKED,
            case_reference=locked_case.reference,
            actor=actor,
            actor_label="system",
            remote_addr=remote_addr,
            detail={"appointments": [row.pk for row in rows], "kind": kind, "mode": mode},
        )
    return rows


def appointment_reschedule(
    *,
    appointment: Appointment,
    starts_at: datetime,
    actor: Any = None,
    remote_addr: str | None = None,
    by: str = "",
) -> Appointment:
    """Move a booked appointment to a new start, same length, place and mode.

    The sequence goes up, so the parents get an updated invite and new reminders; the
    reminders of the old time are cancelled.
    """
    starts_at = as_utc(starts_at)
    now = timezone.now()
    if starts_at <= now:
        raise ApplicationError(
            "Choose a time in the future.", fields={"starts_at": ["In the past."]}
        )
    meeting = Meeting(appointment.parent_role, starts_at, starts_at + appointment.duration)
    if appointment.kind == Appointment.Kind.JOINT and separate_required(case=appointment.case):
        raise ApplicationError(
            "Separate meetings are recommended for this case: cancel the joint meeting and "
            "book separate meetings instead.",
            fields={"kind": ["Joint meetings are not allowed for this case."]},
        )
    if not window_for(
        mediator_id=appointment.mediator_id,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        location_id=appointment.location_id,
        in_person=appointment.mode == Appointment.Mode.IN_PERSON,
    ):
        raise outside_hours()
    with contention_as_conflict(), transaction.atomic(durable=True):
        locked_case, locked_mediator = _lock(case=appointment.case, mediator=appointment.mediator)
        locked = _locked_booked(appointment, now=now)
        check_free(
            case=locked_case, mediator=locked_mediator, meetings=[meeting], ignore=[locked.pk]
        )
        locked.starts_at, locked.ends_at = meeting.starts_at, meeting.ends_at
        locked.sequence += 1
        locked.save(update_fields=["starts_at", "ends_at", "sequence", "updated_at"])
        webhook_event_record(
            type=EventType.APPOINTMENT_RESCHEDULED, case=locked_case, data=appointment_data(locked)
        )
        _cancel_duties(appointment=locked)
        _schedule_duties(appointment=locked, case=locked_case, now=now)
        audit_record(
            action=AuditEvent.Action.APPOINTMENT_RESCHEDULED,
            case_reference=locked_case.reference,
            actor=actor,
            actor_label=by or "system",
            remote_addr=remote_addr,
            detail={"appointment": locked.pk, "sequence": locked.sequence},
        )
    return locked


def appointment_cancel(
    *,
    appointment: Appointment,
    actor: Any = None,
    reason: str = "",
    by: str = "",
    remote_addr: str | None = None,
) -> Appointment:
    """Cancel a booked appointment; the parents get a cancellation (METHOD:CANCEL).

    `by` says who cancelled when it was not a staff user (e.g. "parent:requester").
    """
    now = timezone.now()
    with contention_as_conflict(), transaction.atomic(durable=True):
        set_lock_timeout()
        locked_case = Case.objects.select_for_update().get(pk=appointment.case_id)
        locked = _locked_booked(appointment, now=now)
        appointment_cancel_locked(
            appointment=locked,
            case=locked_case,
            now=now,
            by=by or _actor_label(actor),
            reason=reason,
        )
        # The reason is free text and may name people: it stays on the appointment only.
        audit_record(
            action=AuditEvent.Action.APPOINTMENT_CANCELLED,
            case_reference=locked_case.reference,
            actor=actor,
            actor_label=by or "system",
            remote_addr=remote_addr,
            detail={"appointment": locked.pk},
        )
    return locked


def appointment_cancel_locked(
    *, appointment: Appointment, case: Case, now: datetime, by: str, reason: str = ""
) -> None:
    """Cancel a booked appointment whose case and row the caller holds locked, in the caller's
    transaction: the parents' cancellation notices, the webhook event, the case's status.
    The caller records the audit event (what it means differs: a cancel, a conversion)."""
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancelled_at = now
    appointment.cancelled_by = by[:80]
    appointment.cancel_reason = reason[:500]
    appointment.sequence += 1
    appointment.save(
        update_fields=[
            "status",
            "cancelled_at",
            "cancelled_by",
            "cancel_reason",
            "sequence",
            "updated_at",
        ]
    )
    webhook_event_record(
        type=EventType.APPOINTMENT_CANCELLED, case=case, data=appointment_data(appointment)
    )
    _cancel_duties(appointment=appointment)
    _schedule_duties(appointment=appointment, case=case, now=now)
    still_booked = Appointment.objects.filter(case=case, status=AppointmentStatus.BOOKED).exists()
    if case.status == CaseStatus.SCHEDULED and not still_booked:
        Case.objects.filter(pk=case.pk).update(status=CaseStatus.ASSIGNED)
        case.status = CaseStatus.ASSIGNED


def notice_key(appointment: Appointment, role: str) -> str:
    return f"appointment_notice:{appointment.pk}:{appointment.sequence}:{role}"


def reminder_key(appointment: Appointment, role: str, hours: int) -> str:
    return f"appointment_reminder:{appointment.pk}:{appointment.sequence}:{role}:{hours}h"


def _schedule_duties(*, appointment: Appointment, case: Case, now: datetime) -> None:
    """A notice to each attending parent now, and reminders 72 h and 24 h before."""
    for role in appointment.parent_roles:
        duty_schedule(
            kind="appointment_notice",
            key=notice_key(appointment, role),
            due_at=now,
            case=case,
            target_id=appointment.pk,
            dispatch_now=True,
        )
        if appointment.status != AppointmentStatus.BOOKED:
            continue
        for hours in REMINDER_HOURS:
            due_at = appointment.starts_at - timedelta(hours=hours)
            if due_at > now:
                duty_schedule(
                    kind="appointment_reminder",
                    key=reminder_key(appointment, role, hours),
                    due_at=due_at,
                    case=case,
                    target_id=appointment.pk,
                )


def _cancel_duties(*, appointment: Appointment) -> None:
    """Reminders of every earlier version, and notices not yet sent, no longer apply."""
    duties_cancel(key_prefix=f"appointment_reminder:{appointment.pk}:")
    duties_cancel(key_prefix=f"appointment_notice:{appointment.pk}:")


def _lock(*, case: Case, mediator: Mediator) -> tuple[Case, Mediator]:
    """Lock the case (its hours), then the mediator (their time), in that order."""
    set_lock_timeout()
    locked_case = Case.objects.select_for_update().get(pk=case.pk)
    if locked_case.status in CLOSED_CASE:
        raise Conflict("The case is closed.")
    if not Assignment.objects.filter(
        case=locked_case, mediator=mediator, ended_at__isnull=True
    ).exists():
        raise Conflict("The case's mediator has changed. Reload and try again.")
    return locked_case, Mediator.objects.select_for_update().get(pk=mediator.pk)


def _locked_booked(appointment: Appointment, *, now: datetime) -> Appointment:
    locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if locked.status != AppointmentStatus.BOOKED:
        with translation.override("en"):  # the API's messages are English
            status = str(locked.get_status_display()).lower()
        raise Conflict(f"The appointment is {status}.")
    if locked.starts_at <= now:
        raise Conflict("The appointment has already started.")
    return locked


def set_lock_timeout() -> None:
    """Waiting for a lock longer than this answers 409 ("busy") instead of hanging."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")


@contextmanager
def contention_as_conflict() -> Iterator[None]:
    """Double bookings the constraint caught and lock contention become 409s."""
    try:
        yield
    except IntegrityError as exc:
        if getattr(exc.__cause__, "sqlstate", None) == EXCLUSION_VIOLATION:
            raise SlotTaken(
                "That time has just been taken. Choose another slot.",
                fields={"starts_at": ["No longer free."]},
            ) from exc
        raise
    except OperationalError as exc:
        state = getattr(exc.__cause__, "sqlstate", None)
        if state in CONTENTION or "database is locked" in str(exc):
            raise SchedulingBusy("The calendar is busy. Please try again.") from exc
        raise


def _actor_label(actor: Any) -> str:
    if actor is not None and getattr(actor, "is_authenticated", False):
        return f"staff:{actor.get_username()}"
    return "staff"
