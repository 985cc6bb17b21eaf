"""Alarms to the office when a case is at risk of waiting too long or missing a date.

- waiting: no meeting booked 2 weeks after the request (guidance: offer within 3 weeks);
- relocation: the planned move is near and no certificate exists (barneloven § 42a);
- court: a court or enforcement deadline is near and no certificate exists.
Each is a duty row created with the case; the handler re-checks and skips when all is well.
- rebook: a joint meeting was cancelled because separate meetings are recommended
  (meklingsforskriften § 7) and no separate times could be booked in its place
  (scheduling/separating.py creates it, due at once).
- reassign: the classification rose (the other parent's answers) and the mediator holding the
  case lacks the competence it now needs (000 §4.2; meklingsforskriften § 7), so the placement
  was undone and the case waits to be placed again (mediators/reassigning.py, due at once).
"""

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from config.datetime_format import date_text
from intake.models import Case, CaseStatus
from mediators.models import Offer
from scheduling.duties import DutySkipped, duty_handler, duty_schedule, duty_target
from scheduling.models import AppointmentStatus, Certificate, Duty
from scheduling.notifications import notify
from scheduling.selectors import appointments_to_rebook

WAITING_ALARM_DAYS = 14
MOVE_ALARM_DAYS_BEFORE = 21
COURT_ALARM_DAYS_BEFORE = 7
CLOSED = (CaseStatus.CLOSED, CaseStatus.WITHDRAWN)


def at_nine_oslo(day: date) -> datetime:
    """Office-hours delivery: 09:00 local time on the day (DST-correct through zoneinfo)."""
    return datetime.combine(day, time(9), tzinfo=ZoneInfo(settings.TIME_ZONE))


def case_alarms_schedule(*, case: Case) -> None:
    """Create the case's alarm duties (called in the transaction that creates the case)."""
    alarms = [("waiting", case.requested_at + timedelta(days=WAITING_ALARM_DAYS))]
    if case.planned_move_date:
        alarms.append(
            (
                "relocation",
                at_nine_oslo(case.planned_move_date - timedelta(days=MOVE_ALARM_DAYS_BEFORE)),
            )
        )
    if case.court_deadline:
        alarms.append(
            ("court", at_nine_oslo(case.court_deadline - timedelta(days=COURT_ALARM_DAYS_BEFORE)))
        )
    for name, due_at in alarms:
        duty_schedule(
            kind=f"alarm_{name}",
            key=f"alarm:{case.pk}:{name}",
            due_at=max(due_at, timezone.now()),
            case=case,
            target_id=case.pk,
        )


def _open_case(duty: Duty) -> Case:
    case = (
        Case.objects.select_related("catchment_office", "chosen_office")
        .filter(pk=duty_target(duty))
        .first()
    )
    if case is None or case.status in CLOSED:
        raise DutySkipped("case closed")
    return case


def notify_office(*, case: Case, template: str, context: dict[str, Any]) -> None:
    """Email the office holding the case (in bokmål); an office without email ends the duty."""
    if not case.office.email:
        raise DutySkipped("office has no email")
    notify(
        template=template,
        language="nb",
        context={"reference": case.reference, **context},
        email=case.office.email,
        phone=None,
    )


def _date(value: date | datetime | None) -> str:
    """The office's notices are in bokmål (notify_office): "5. januar 2027", Oslo date."""
    return date_text(value, "nb", weekday=False) if value else ""


def _tell_office(case: Case, alarm: str) -> None:
    notify_office(
        case=case,
        template="case_alarm",
        context={
            "alarm": alarm,
            "move_date": _date(case.planned_move_date),
            "court_deadline": _date(case.court_deadline),
            "requested": _date(case.requested_at),
        },
    )


def _has_certificate(case: Case) -> bool:
    return case.certificates.filter(status=Certificate.Status.ISSUED).exists()


@duty_handler("alarm_waiting")
def waiting_alarm(duty: Duty) -> str:
    case = _open_case(duty)
    if case.appointments.exclude(status=AppointmentStatus.CANCELLED).exists():
        raise DutySkipped("a meeting is booked")
    _tell_office(case, "waiting")
    return "office alarmed: waiting"


def _alarm_unless_certificate(duty: Duty, alarm: str) -> None:
    case = _open_case(duty)
    if _has_certificate(case):
        raise DutySkipped("certificate exists")
    _tell_office(case, alarm)


@duty_handler("alarm_relocation")
def relocation_alarm(duty: Duty) -> str:
    _alarm_unless_certificate(duty, "relocation")
    return "office alarmed: move near"


@duty_handler("alarm_court")
def court_alarm(duty: Duty) -> str:
    _alarm_unless_certificate(duty, "court")
    return "office alarmed: court deadline near"


@duty_handler("alarm_rebook")
def rebook_alarm(duty: Duty) -> str:
    case = _open_case(duty)
    if not appointments_to_rebook(case=case):
        raise DutySkipped("separate meetings booked")
    _tell_office(case, "rebook")
    return "office alarmed: book separate meetings"


@duty_handler("alarm_reassign")
def reassign_alarm(duty: Duty) -> str:
    case = _open_case(duty)
    placed = (
        case.assignments.filter(ended_at__isnull=True).exists()
        or case.offers.filter(status=Offer.Status.PENDING).exists()
    )
    if placed:
        raise DutySkipped("placed again")
    _tell_office(case, "reassign")
    return "office alarmed: place the case again"
