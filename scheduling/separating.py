"""Joint meetings booked before the screen turned to safety become separate meetings.

Where there is violence, fear or threats the parents meet the mediator separately
(meklingsforskriften § 7, "sterke grunner"). Booking refuses a joint meeting once the
classification recommends separate meetings, but a joint meeting booked earlier (on the
requester's provisional answers, before the other parent's arrived) would still bring the
parents together. `appointments_enforce_separate` cancels each future booked joint meeting
of the case and books separate meetings in its place with the same mediator: at the same
start if the calendar allows, else at the mediator's first fitting pair of times. If none
fits, the joint meeting is cancelled all the same (safety first) and the office gets an
alarm to rebook.

Parents hear of it through the ordinary notices (cancelled, booked), which say nothing of
why: one parent must never learn from us what the other answered.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from config.api_errors import ApplicationError
from intake.audit import audit_record
from intake.models import AuditEvent, Case
from mediators.models import Location, Mediator
from scheduling.appointments import (
    appointment_book,
    appointment_cancel_locked,
    contention_as_conflict,
    set_lock_timeout,
)
from scheduling.availability import local_date
from scheduling.duties import duty_schedule
from scheduling.models import Appointment, AppointmentStatus
from scheduling.slots import Slot, separate_required, slots_available_for

# Who cancelled, on the appointment: the desk reads it to show the conversion.
CANCELLED_BY_SAFETY = "system:separate_meetings"
REBOOK_ALARM = "alarm_rebook"
# How far from the joint meeting's day to look for a pair of separate times.
SEARCH_DAYS = 21
# Free times found are tried in order; a refusal of one (e.g. the hours rule) is rare.
TRIES = 5


@dataclass
class Conversion:
    """One joint meeting: cancelled, and the separate meetings booked in its place (if any)."""

    cancelled: Appointment
    booked: list[Appointment] = field(default_factory=list)

    @property
    def needs_rebooking(self) -> bool:
        return not self.booked


def rebook_alarm_key(*, case: Case, appointment_id: int) -> str:
    return f"alarm:{case.pk}:rebook:{appointment_id}"


def rebook_alarm_id(key: str) -> int:
    """The cancelled joint meeting a rebook alarm's key names."""
    return int(key.rsplit(":", 1)[1])


def appointments_enforce_separate(*, case: Case) -> list[Conversion]:
    """Turn the case's future booked joint meetings into separate ones (meklingsforskriften
    § 7); nothing when separate meetings are not recommended or no joint meeting is left.

    One transaction (the caller's, if any) under the order the booking code locks in: the
    case, then the mediators (by id), then the appointments. A booking that raced the screen
    waits for the case's lock and re-checks the kind under it. Running it again finds no
    joint meeting left, so it changes nothing more.
    """
    now = timezone.now()
    with contention_as_conflict(), transaction.atomic():
        set_lock_timeout()
        locked_case = Case.objects.select_for_update().get(pk=case.pk)
        if not separate_required(case=locked_case):
            return []
        joint = _future_joint(locked_case, now)
        if not joint.exists():
            return []
        mediator_ids = sorted(set(joint.values_list("mediator_id", flat=True)))
        list(Mediator.objects.select_for_update().filter(pk__in=mediator_ids).order_by("pk"))
        rows = list(joint.select_for_update().order_by("starts_at", "pk"))
        return [_convert(case=locked_case, appointment=row, now=now) for row in rows]


def _future_joint(case: Case, now: datetime) -> QuerySet[Appointment]:
    return Appointment.objects.filter(
        case=case,
        kind=Appointment.Kind.JOINT,
        status=AppointmentStatus.BOOKED,
        starts_at__gt=now,
    )


def _convert(*, case: Case, appointment: Appointment, now: datetime) -> Conversion:
    appointment_cancel_locked(appointment=appointment, case=case, now=now, by=CANCELLED_BY_SAFETY)
    conversion = Conversion(cancelled=appointment, booked=_book_separate(case, appointment, now))
    if conversion.needs_rebooking:
        duty_schedule(
            kind=REBOOK_ALARM,
            key=rebook_alarm_key(case=case, appointment_id=appointment.pk),
            due_at=now,
            case=case,
            target_id=case.pk,
            dispatch_now=True,
        )
    # Ids and times only: why the meetings are separate lives in the classification.
    audit_record(
        action=AuditEvent.Action.APPOINTMENT_MADE_SEPARATE,
        case_reference=case.reference,
        actor_label="system",
        detail={
            "cancelled": appointment.pk,
            "booked": [row.pk for row in conversion.booked],
            "needs_rebooking": conversion.needs_rebooking,
        },
    )
    return conversion


def _book_separate(case: Case, joint: Appointment, now: datetime) -> list[Appointment]:
    """The separate pair: at the joint meeting's start, else the mediator's first free pair."""
    same_start = _try_book(case, joint, joint.starts_at, joint.location_id)
    if same_start:
        return same_start
    for slot in _candidates(case, joint, now)[:TRIES]:
        booked = _try_book(case, joint, slot.starts_at, slot.location_id)
        if booked:
            return booked
    return []


def _candidates(case: Case, joint: Appointment, now: datetime) -> list[Slot]:
    """The mediator's free separate pairs from the joint meeting's day: at its place first."""
    in_person = joint.mode == Appointment.Mode.IN_PERSON

    def search(location_id: int | None) -> list[Slot]:
        return slots_available_for(
            case=case,
            start=local_date(max(joint.starts_at, now)),
            days=SEARCH_DAYS,
            duration=joint.duration,
            kind=Appointment.Kind.SEPARATE,
            mediator=joint.mediator,
            location_id=location_id,
            now=now,
        )

    if not in_person:
        return search(None)
    # An in-person meeting needs a location; the same place first, then the mediator's others.
    here = search(joint.location_id) if joint.location_id else []
    return here or [slot for slot in search(None) if slot.location_id is not None]


def _try_book(
    case: Case, joint: Appointment, starts_at: datetime, location_id: int | None
) -> list[Appointment]:
    """Book the pair through the ordinary booking (its rules and notices), or [] if refused."""
    location = None
    if joint.mode == Appointment.Mode.IN_PERSON and location_id is not None:
        location = Location.objects.get(pk=location_id)
    try:
        # A savepoint inside appointment_book: a refusal leaves nothing behind.
        return appointment_book(
            case=case,
            starts_at=starts_at,
            kind=Appointment.Kind.SEPARATE,
            mode=joint.mode,
            mediator=joint.mediator,
            location=location,
            duration=joint.duration,
        )
    except ApplicationError:
        return []
