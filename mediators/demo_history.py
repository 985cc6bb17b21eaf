"""Synthetic protocol history for the demo: months of requests, meetings held, certificates.

So the reports (mediators/reports/) have something to show: about the national volume
(~20,500 mediations a year, SSB; ~19% by external mediators; children in ~16%; a quarter in
high conflict; domain brief "Volumes"), spread over the offices by their number of mediators.
Deterministic for a seed and a `now`; every person is invented (common names, .example
emails). No questionnaire answers are made: the conflict level is set as a protocol fact.

Meetings are placed on weekdays that are not Norwegian public holidays (`holidays`), in
whole hours 09–15 Oslo time, never two at once for a mediator (the exclusion constraint).
Meetings before `now` are held (attendance recorded, certificates issued after the first
hour, meklingsforskriften § 8); later ones are booked.
"""

import random
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import holidays
from django.db import transaction
from django.utils import timezone

from intake.models import (
    Case,
    CaseReferenceCounter,
    CaseStatus,
    CaseType,
    Child,
    Classification,
    Parent,
)
from mediators.demo import FAMILY_NAMES, GIVEN_NAMES
from mediators.models import Assignment, Catchment, Mediator, Office
from mediators.reports.periods import oslo
from scheduling.models import Appointment, AppointmentStatus, Certificate

NATIONAL_REQUESTS_PER_MONTH = 1700
CASE_TYPES = (
    (CaseType.SEPARATION, 0.45),
    (CaseType.COHABITATION_BREAKUP, 0.35),
    (CaseType.COURT, 0.08),
    (CaseType.RELOCATION, 0.05),
    (CaseType.COURT_REFERRAL, 0.04),
    (CaseType.ENFORCEMENT, 0.03),
)
LEVELS = (("low", 0.40), ("medium", 0.30), ("high", 0.25), ("", 0.05))  # "": not classified
EXTERNAL_SHARE = 0.19
CHILD_TALK_SHARE = 0.16
MEETING_HOURS = range(9, 16)


@dataclass(frozen=True)
class HistoryCounts:
    cases: int
    appointments: int
    certificates: int


def _pick(rng: random.Random, weighted: tuple[tuple[Any, float], ...]) -> Any:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


class _Calendar:
    """Free whole hours per mediator on working days (no weekends, no public holidays)."""

    def __init__(self, years: list[int]) -> None:
        self.holidays = holidays.country_holidays("NO", years=years)
        self.taken: dict[int, set[tuple[date, int]]] = defaultdict(set)

    def working(self, day: date) -> date:
        while day.weekday() >= 5 or day in self.holidays:
            day += timedelta(days=1)
        return day

    def book(self, mediator_id: int, day: date, hours: int = 1) -> datetime:
        day = self.working(day)
        while True:
            for start in MEETING_HOURS:
                span = {(day, h) for h in range(start, start + hours)}
                if start + hours <= 16 and not span & self.taken[mediator_id]:
                    self.taken[mediator_id] |= span
                    return datetime.combine(day, time(start), tzinfo=oslo())
            day = self.working(day + timedelta(days=1))


def _months(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    months, (year, month) = [], first
    while (year, month) <= last:
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _references(year: int, n: int) -> list[str]:
    CaseReferenceCounter.objects.get_or_create(year=year)
    counter = CaseReferenceCounter.objects.select_for_update().get(year=year)
    first = counter.last_number + 1
    counter.last_number += n
    counter.save(update_fields=["last_number"])
    return [f"MK-{year:04d}-{number:06d}" for number in range(first, first + n)]


@transaction.atomic
def demo_history_create(
    *,
    seed: int = 2026,
    first_month: tuple[int, int] = (2026, 8),
    last_month: tuple[int, int] = (2026, 10),
    now: datetime | None = None,
    per_month: int = NATIONAL_REQUESTS_PER_MONTH,
) -> HistoryCounts:
    """Requests in the months given, their meetings (up to ~2 months later) and certificates."""
    rng = random.Random(seed)  # noqa: S311 - demo data, reproducible by seed # nosec B311
    now = now or timezone.now()
    offices = list(Office.objects.filter(active=True).order_by("code"))
    office_mediators: dict[int, list[Mediator]] = defaultdict(list)
    externals: dict[int, list[Mediator]] = defaultdict(list)
    for one in Mediator.objects.filter(active=True, office__isnull=False).order_by("pk"):
        home = externals if one.kind == "external" else office_mediators
        home[one.office_id or 0].append(one)
    all_externals = [m for ms in externals.values() for m in ms]
    catchment: dict[int, list[tuple[str, int | None]]] = defaultdict(list)
    for office_id, number, district_id in Catchment.objects.order_by("pk").values_list(
        "office_id", "municipality_id", "district_id"
    ):
        catchment[office_id].append((number, district_id))
    weights = [len(office_mediators[o.pk]) or 1 for o in offices]
    months = _months(first_month, last_month)
    calendar = _Calendar(sorted({y for y, _ in months} | {y + 1 for y, _ in months}))
    zone = oslo()

    plans: list[dict[str, Any]] = []
    for year, month in months:
        start = date(year, month, 1)
        days = ((date(year + month // 12, month % 12 + 1, 1)) - start).days
        for office in rng.choices(offices, weights=weights, k=per_month):
            if not office_mediators[office.pk] or not catchment[office.pk]:
                continue
            requested = datetime.combine(
                start + timedelta(days=rng.randrange(days)),
                time(rng.randint(7, 21), rng.randrange(60)),
                tzinfo=zone,
            )
            plans.append({"office": office, "requested": requested})
    plans.sort(key=lambda p: p["requested"])
    by_year: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for plan in plans:
        by_year[plan["requested"].year].append(plan)
    for year, year_plans in by_year.items():
        for plan, reference in zip(year_plans, _references(year, len(year_plans)), strict=True):
            plan["reference"] = reference

    cases: list[Case] = []
    for plan in plans:
        office, requested = plan["office"], plan["requested"]
        case_type = _pick(rng, CASE_TYPES)
        municipality, district = rng.choice(catchment[office.pk])
        day = requested.date()
        cases.append(
            Case(
                reference=plan["reference"],
                case_type=case_type,
                status=CaseStatus.READY,
                municipality_id=municipality,
                district_id=district,
                catchment_office=office,
                planned_move_date=day + timedelta(days=rng.randint(25, 110))
                if case_type == CaseType.RELOCATION
                else None,
                move_notice_given_on=day - timedelta(days=rng.randint(5, 40))
                if case_type == CaseType.RELOCATION
                else None,
                court_name="Demo tingrett"
                if case_type in (CaseType.COURT_REFERRAL, CaseType.ENFORCEMENT)
                else "",
                court_deadline=day + timedelta(days=60)
                if case_type in (CaseType.COURT_REFERRAL, CaseType.ENFORCEMENT)
                else None,
                duty_required=True,
            )
        )
    Case.objects.bulk_create(cases, batch_size=500)
    for case, plan in zip(cases, plans, strict=True):
        case.requested_at = plan["requested"]  # auto_now_add set it to now
    Case.objects.bulk_update(cases, ["requested_at"], batch_size=500)

    parents: list[Parent] = []
    children: list[Child] = []
    classifications: list[Classification] = []
    for serial, case in enumerate(cases, start=1):
        family = rng.choice(FAMILY_NAMES)
        for role in Parent.Role.values:
            given = rng.choice(GIVEN_NAMES)
            parents.append(
                Parent(
                    case=case,
                    role=role,
                    given_name=given,
                    family_name=family if rng.random() < 0.6 else rng.choice(FAMILY_NAMES),
                    email=f"demo.{role}.{serial}@historikk.example",
                )
            )
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            age_days = rng.randint(200, 15 * 365)
            children.append(
                Child(case=case, birth_date=case.requested_at.date() - timedelta(days=age_days))
            )
        level = _pick(rng, LEVELS)
        if level:
            classifications.append(
                Classification(
                    case=case,
                    level=level,
                    provisional=False,
                    rules_version="demo",
                    questionnaire_version="demo",
                    computed_at=case.requested_at + timedelta(days=2),
                    separate_meetings_recommended=level == "high" and rng.random() < 0.3,
                )
            )
    Parent.objects.bulk_create(parents, batch_size=1000)
    Child.objects.bulk_create(children, batch_size=1000)
    Classification.objects.bulk_create(classifications, batch_size=1000)
    separate = {c.case_id for c in classifications if c.separate_meetings_recommended}
    parents_of: dict[int, dict[str, Parent]] = defaultdict(dict)
    for parent in parents:
        parents_of[parent.case_id][parent.role] = parent

    appointments: list[Appointment] = []
    certificates: list[Certificate] = []
    assignments: list[Assignment] = []
    withdrawn: set[int] = set()
    last_meeting: dict[int, datetime] = {}
    for case in cases:
        if rng.random() < 0.07:  # withdrawn before any meeting
            withdrawn.add(case.pk)
            continue
        external = rng.random() < EXTERNAL_SHARE and bool(all_externals)
        pool = externals.get(case.catchment_office_id) or all_externals
        mediator = rng.choice(pool if external else office_mediators[case.catchment_office_id])
        assignments.append(
            Assignment(
                case=case,
                mediator=mediator,
                remote=True,
                hours=Decimal("1.5"),
                method=Assignment.Method.MANUAL,
                reasons=[{"code": "demo_history"}],
            )
        )
        wait = int(rng.triangular(3, 45, 12))
        first_day = case.requested_at.astimezone(zone).date() + timedelta(days=wait)
        kind = "separate" if case.pk in separate else "joint"
        if rng.random() < 0.08:  # the first time offered is cancelled, a new one a week later
            starts = calendar.book(mediator.pk, first_day)
            appointments.extend(
                _meetings(case, mediator, starts, kind, AppointmentStatus.CANCELLED, 1, calendar)
            )
            first_day += timedelta(days=7)
        if rng.random() < 0.04:  # nobody came
            starts = calendar.book(mediator.pk, first_day)
            appointments.extend(
                _meetings(case, mediator, starts, kind, AppointmentStatus.NO_SHOW, 1, calendar)
            )
            first_day += timedelta(days=7)
        total = _pick(rng, ((1, 0.55), (2, 0.12), (3, 0.12), (4, 0.11), (5, 0.05), (7, 0.05)))
        day = first_day
        used = 0
        first_held: date | None = None
        while used < total:
            hours = 2 if total - used >= 2 and used > 0 else 1
            starts = calendar.book(mediator.pk, day, hours)
            status = AppointmentStatus.HELD if starts < now else AppointmentStatus.BOOKED
            appointments.extend(_meetings(case, mediator, starts, kind, status, hours, calendar))
            if status == AppointmentStatus.HELD:
                last_meeting[case.pk] = starts
                first_held = first_held or starts.date()
            used += hours
            day = starts.date() + timedelta(days=rng.randint(6, 15))
            if used == 1 and rng.random() < CHILD_TALK_SHARE and mediator.child_talk:
                talk = calendar.book(mediator.pk, day)
                status = AppointmentStatus.HELD if talk < now else AppointmentStatus.BOOKED
                appointments.append(_appointment(case, mediator, talk, "child_talk", status, 1))
                day = talk.date() + timedelta(days=7)
        if first_held is not None:
            refused = rng.random() < 0.01
            for role, parent in parents_of[case.pk].items():
                certificates.append(
                    Certificate(
                        case=case,
                        parent=parent,
                        status="refused" if refused and role == "other" else "issued",
                        number=f"{case.reference}-{'A' if role == 'requester' else 'B'}",
                        first_meeting_on=first_held,
                        issued_on=first_held,
                        valid_until=None
                        if refused and role == "other"
                        else first_held + timedelta(days=182),
                        refusal_reason="Demo: did not take part in the mediation"
                        if refused and role == "other"
                        else "",
                    )
                )
    Appointment.objects.bulk_create(appointments, batch_size=1000)
    Certificate.objects.bulk_create(certificates, batch_size=1000)
    _statuses(cases, appointments, last_meeting, withdrawn, now)
    ended = {c.pk: c.closed_at for c in cases if c.closed_at}
    for assignment in assignments:
        assignment.ended_at = ended.get(assignment.case_id)
    Assignment.objects.bulk_create(assignments, batch_size=1000)
    return HistoryCounts(len(cases), len(appointments), len(certificates))


def _appointment(
    case: Case,
    mediator: Mediator,
    starts: datetime,
    kind: str,
    status: str,
    hours: int,
    role: str = "",
) -> Appointment:
    held = status == AppointmentStatus.HELD
    return Appointment(
        case=case,
        mediator=mediator,
        mode="video",
        kind=kind,
        parent_role=role,
        starts_at=starts,
        ends_at=starts + timedelta(hours=hours),
        hours=Decimal(hours),
        status=status,
        attended_requester=True if held else None,
        attended_other=True if held else None,
        cancelled_at=starts - timedelta(days=3) if status == AppointmentStatus.CANCELLED else None,
        cancelled_by="demo" if status == AppointmentStatus.CANCELLED else "",
        link_salt=secrets.token_urlsafe(16),
    )


def _meetings(
    case: Case,
    mediator: Mediator,
    starts: datetime,
    kind: str,
    status: str,
    hours: int,
    calendar: _Calendar,
) -> list[Appointment]:
    if kind != "separate":
        return [_appointment(case, mediator, starts, kind, status, hours)]
    # Separate meetings (meklingsforskriften § 7): one per parent, the other right after.
    later = calendar.book(mediator.pk, starts.date(), hours)
    return [
        _appointment(case, mediator, starts, kind, status, hours, "requester"),
        _appointment(case, mediator, later, kind, status, hours, "other"),
    ]


def _statuses(
    cases: list[Case],
    appointments: list[Appointment],
    last: dict[int, datetime],
    withdrawn: set[int],
    now: datetime,
) -> None:
    booked = {a.case_id for a in appointments if a.status == AppointmentStatus.BOOKED}
    for case in cases:
        if case.pk in withdrawn:
            case.status = CaseStatus.WITHDRAWN
            case.closed_at = min(case.requested_at + timedelta(days=20), now)
        elif case.pk in booked:
            case.status = CaseStatus.IN_MEDIATION if case.pk in last else CaseStatus.SCHEDULED
        elif case.pk in last:
            case.status = CaseStatus.CLOSED
            case.closed_at = min(last[case.pk] + timedelta(days=1), now)
    Case.objects.bulk_update(cases, ["status", "closed_at"], batch_size=500)
