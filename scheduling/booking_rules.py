"""The rules a booking keeps, checked by the services in scheduling/appointments.py.

Values come from config.legal (meklingsforskriften § 1: the compulsory first hour and at most
7 hours; barneloven § 51: both parents consent to a child talk with a child under 16).

Hours: each parent's hours are the joint meetings, child talks and their own separate meetings
that are not cancelled (held and no-show count: the time was given to the case); the case's
hours are the larger of the two. So a pair of separate one-hour meetings uses one hour of each
parent's seven, like a joint hour does.
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from config.api_errors import ApplicationError, Conflict
from config.legal import rule_value
from intake.models import Case, CaseStatus, Parent
from mediators.models import Assignment, Language, Location, Mediator
from scheduling.availability import busy_for
from scheduling.models import Appointment, AppointmentStatus
from scheduling.slots import Meeting, meetings_free, parents_busy, separate_required, window_for

DURATION_UNIT = timedelta(minutes=15)
LONGEST_MEETING = timedelta(hours=4)
# The hours that count against the limit (meklingsforskriften § 1: at most 7 hours of
# mediation): booked and held meetings. A meeting nobody came to was no mediation; counting it
# shut a family out after seven missed slots (found by the national simulation).
COUNTED = (AppointmentStatus.BOOKED, AppointmentStatus.HELD)
CLOSED_CASE = (CaseStatus.CLOSED, CaseStatus.WITHDRAWN)


class SlotTaken(Conflict):
    code = "slot_taken"


class SchedulingBusy(Conflict):
    code = "busy"


class HoursLimit(ApplicationError):
    code = "hours_limit"


class ConsentMissing(ApplicationError):
    code = "consent_missing"


def case_hours(*, case: Case, ignore: Sequence[int] = ()) -> dict[str, Decimal]:
    """Hours per parent role of the appointments that are not cancelled."""
    used = {role: Decimal(0) for role in Appointment.ParentRole.values}
    rows = (
        Appointment.objects.filter(case=case, status__in=COUNTED)
        .exclude(pk__in=list(ignore))
        .values_list("parent_role", "hours")
    )
    for role, hours in rows:
        for attendee in [role] if role else used:
            used[attendee] += hours
    return used


def check_kind(*, case: Case, kind: str) -> None:
    if kind not in Appointment.Kind.values:
        raise ApplicationError("Unknown kind of appointment.", fields={"kind": ["Unknown."]})
    if case.status in CLOSED_CASE:
        raise Conflict("The case is closed.")
    if kind == Appointment.Kind.JOINT and separate_required(case=case):
        raise ApplicationError(
            "Separate meetings are recommended for this case (meklingsforskriften § 7): "
            "book separate meetings, never a joint one.",
            fields={"kind": ["Joint meetings are not allowed for this case."]},
        )


def check_child_talk(*, case: Case, mediator: Mediator, day: date, consents: Sequence[str]) -> None:
    if not mediator.child_talk:
        raise ApplicationError(
            "The mediator does not hold child talks.", fields={"kind": ["No competence."]}
        )
    age_limit = rule_value("child_talk_consent_age")
    young = any(_age(child.birth_date, day) < age_limit for child in case.children.all())
    missing = sorted(set(Appointment.ParentRole.values) - set(consents))
    if young and missing:
        raise ConsentMissing(
            f"Both parents must consent to a child talk with a child under {age_limit} "
            "(barneloven § 51).",
            fields={"consents": [f"No recorded consent from: {', '.join(missing)}."]},
        )


def check_duration(duration: timedelta) -> None:
    if duration <= timedelta(0) or duration % DURATION_UNIT or duration > LONGEST_MEETING:
        raise ApplicationError(
            "A meeting lasts whole quarter hours, at most 4 hours.",
            fields={"minutes": ["Use 15, 30, 45, … up to 240 minutes."]},
        )


def check_hours(*, case: Case, kind: str, meetings: Sequence[Meeting], duration: timedelta) -> None:
    """The first booking is the compulsory hour with the parents; no booking goes over 7."""
    used = case_hours(case=case)
    compulsory = rule_value("compulsory_hours")
    if not any(used.values()) and (
        kind == Appointment.Kind.CHILD_TALK or duration < timedelta(hours=compulsory)
    ):
        raise ApplicationError(
            f"The first meeting is the compulsory hour with the parents: book a joint or "
            f"separate meeting of at least {compulsory} hour (meklingsforskriften § 1).",
            fields={"minutes": ["The first meeting must be the compulsory hour."]},
        )
    after = dict(used)
    for meeting in meetings:
        for role in [meeting.parent_role] if meeting.parent_role else after:
            after[role] += hours_of(duration)
    limit = rule_value("max_hours")
    if max(after.values()) > limit:
        raise HoursLimit(
            f"Mediation lasts at most {limit} hours (meklingsforskriften § 1); this case has "
            f"used {_plain(max(used.values()))} and this booking would take it to "
            f"{_plain(max(after.values()))}.",
            fields={"starts_at": [f"Over the limit of {limit} hours."]},
        )


def check_free(
    *, case: Case, mediator: Mediator, meetings: Sequence[Meeting], ignore: Sequence[int] = ()
) -> None:
    """Recount under the locks: the mediator's time and the parents' stagger."""
    busy = busy_for(
        mediator_id=mediator.pk,
        starts_at=meetings[0].starts_at,
        ends_at=meetings[-1].ends_at,
        ignore=ignore,
    )
    if not meetings_free(meetings, busy, parents_busy(case=case, ignore=ignore)):
        raise SlotTaken(
            "That time has just been taken. Choose another slot.",
            fields={"starts_at": ["No longer free."]},
        )


def location_for(
    *,
    mediator: Mediator,
    meetings: Sequence[Meeting],
    mode: str,
    location: Location | None,
    now: datetime,
) -> int | None:
    """Where they meet: the given location, or the one of the opening (in person only)."""
    if mode not in Appointment.Mode.values:
        raise ApplicationError("Unknown mode.", fields={"mode": ["Unknown."]})
    if meetings[0].starts_at <= now:
        raise ApplicationError(
            "Choose a time in the future.", fields={"starts_at": ["In the past."]}
        )
    in_person = mode == Appointment.Mode.IN_PERSON
    window = window_for(
        mediator_id=mediator.pk,
        starts_at=meetings[0].starts_at,
        ends_at=meetings[-1].ends_at,
        location_id=location.pk if location and in_person else None,
        in_person=in_person,
    )
    if window is None:
        raise outside_hours()
    return window.location_id if in_person else None


def interpreters_for(
    *, case: Case, meetings: Sequence[Meeting], chosen: Language | None
) -> list[Language | None]:
    """The interpreter of each meeting: the chosen language, else the attending parent's
    (for a meeting of both, the requester's, else the other parent's)."""
    if chosen is not None:
        return [chosen] * len(meetings)
    needs = {
        p.role: p.interpreter_language
        for p in Parent.objects.filter(case=case).select_related("interpreter_language")
    }
    order = Appointment.ParentRole.values
    return [
        needs.get(m.parent_role)
        if m.parent_role
        else next((needs[r] for r in order if needs.get(r)), None)
        for m in meetings
    ]


def assigned_mediator(*, case: Case) -> Mediator:
    assignment = (
        Assignment.objects.select_related("mediator")
        .filter(case=case, ended_at__isnull=True)
        .first()
    )
    if assignment is None:
        raise ApplicationError(
            "The case has no assigned mediator yet.", fields={"mediator": ["None assigned."]}
        )
    return assignment.mediator


def outside_hours() -> ApplicationError:
    return ApplicationError(
        "That time is outside the mediator's opening hours, on leave or a public holiday.",
        fields={"starts_at": ["Not an available time."]},
    )


def hours_of(duration: timedelta) -> Decimal:
    return (Decimal(int(duration.total_seconds())) / 3600).quantize(Decimal("0.01"))


def _plain(hours: Decimal) -> str:
    return f"{hours.normalize():f}"


def _age(birth_date: date, on: date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def as_utc(moment: datetime) -> datetime:
    if timezone.is_naive(moment):
        raise ApplicationError(
            "Give the time with its UTC offset.", fields={"starts_at": ["No UTC offset."]}
        )
    return moment.astimezone(UTC)
