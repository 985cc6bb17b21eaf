"""A generated October 2026 whose true figures are known (written out by hand in the tests).

Office A (christiania, region East) holds eleven cases that touch October; office B
(enerhaugen, also East) three separation requests, nothing held. All people are synthetic.

Case by case (type; requested, Oslo time; meetings; conflict level; who held the first):

- a1 separation; Oct 1; joint held Oct 8, 1 h; low; office mediator
- a2 separation; Oct 2; joint held Oct 20 1 h and Oct 27 2 h, child talk held Oct 29 1 h;
  medium; office
- a3 separation; Oct 3; joint held Oct 30, 1 h; high; external
- a4 cohabitants; Oct 5; joint Oct 12 cancelled, joint held Oct 26 1 h; not classified; office
- a5 relocation, moving Oct 25; Oct 6; joint held Oct 20, 1 h; low; office
- a6 relocation, moving Oct 15; Oct 6; joint held Oct 22, 1 h; high overridden to medium;
  external
- a7 court referral; Oct 7; separate held Oct 14 (1 h each) and Oct 21 (2 h each), child
  talk held Oct 28 1 h, joint held Oct 30 2 h, child talk booked Nov 3; high; office
- a8 separation; Sep 28; joint held Oct 2, 1 h; low; office
- a9 separation; Oct 20; joint booked Nov 5
- a10 enforcement; Oct 31 23:30; nothing yet
- a11 separation; Oct 9; joint Oct 16, nobody came (no-show)
- a12 separation; Nov 1 00:30 Oslo (Oct 31 23:30 UTC); nothing yet

Certificates: a1, a2, a3, a6, a8 two issued each in October; a5 one issued, one refused
(Oct 20); a7 two issued on Nov 2 (not October).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

from intake.models import Case, CaseType, Classification, Parent
from mediators.models import Mediator, Office, User
from scheduling.models import Appointment, Certificate
from tests.factories import CaseFactory, MediatorFactory, ParentFactory, UserFactory

OSLO = ZoneInfo("Europe/Oslo")
_serial = count(1)


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=OSLO)


@dataclass
class World:
    office_a: Office
    office_b: Office
    staff_a: User
    staff_b: User
    cases: dict[str, Case]


def _case(
    office: Office, requested: datetime, case_type: str = CaseType.SEPARATION, **kw: Any
) -> Case:
    if case_type == CaseType.RELOCATION:
        kw.setdefault("move_notice_given_on", date(2026, 7, 1))
    if case_type in (CaseType.COURT_REFERRAL, CaseType.ENFORCEMENT):
        kw.setdefault("court_deadline", date(2026, 12, 31))
        kw.setdefault("court_name", "Test tingrett")
    case = CaseFactory.create(catchment_office=office, case_type=case_type, **kw)
    Case.objects.filter(pk=case.pk).update(requested_at=requested)  # auto_now_add
    for role in Parent.Role.values:
        ParentFactory.create(case=case, role=role)
    return case


def _meeting(
    case: Case,
    mediator: Mediator,
    starts: datetime,
    *,
    hours: str = "1",
    kind: str = "joint",
    status: str = "held",
    parent_role: str = "",
) -> Appointment:
    length = Decimal(hours)
    return Appointment.objects.create(
        case=case,
        mediator=mediator,
        mode="video",
        kind=kind,
        parent_role=parent_role,
        starts_at=starts,
        ends_at=starts + timedelta(hours=float(length)),
        hours=length,
        status=status,
        cancelled_at=starts - timedelta(days=2) if status == "cancelled" else None,
        link_salt="report-test",
    )


def _level(case: Case, level: str, override: str = "", by: User | None = None) -> None:
    Classification.objects.create(
        case=case,
        level=level,
        provisional=False,
        rules_version="test",
        questionnaire_version="test",
        computed_at=at(10, 1),
        override_level=override,
        override_reason="Synthetic override" if override else "",
        overridden_by=by if override else None,
    )


def _certificates(case: Case, on: date, refused: tuple[str, ...] = ()) -> None:
    for parent in case.parents.all():
        is_refused = parent.role in refused
        Certificate.objects.create(
            case=case,
            parent=parent,
            status="refused" if is_refused else "issued",
            number=f"RPT-{next(_serial):06d}",
            first_meeting_on=on,
            issued_on=on,
            valid_until=None if is_refused else on + timedelta(days=182),
            refusal_reason="Synthetic refusal" if is_refused else "",
        )


def october_build() -> World:
    a = Office.objects.get(code="christiania")
    b = Office.objects.get(code="enerhaugen")
    staff_a = UserFactory.create(office=a, username="report-staff-a")
    staff_b = UserFactory.create(office=b, username="report-staff-b")
    office_mediator = MediatorFactory.create(office=a)
    external = MediatorFactory.create(
        office=a,
        kind="external",
        approved_from=date(2025, 1, 1),
        approved_until=date(2028, 1, 1),
    )
    c: dict[str, Case] = {}
    c["a1"] = _case(a, at(10, 1))
    _meeting(c["a1"], office_mediator, at(10, 8))
    _level(c["a1"], "low")
    _certificates(c["a1"], date(2026, 10, 8))

    c["a2"] = _case(a, at(10, 2))
    _meeting(c["a2"], office_mediator, at(10, 20))
    _meeting(c["a2"], office_mediator, at(10, 27), hours="2")
    _meeting(c["a2"], office_mediator, at(10, 29), kind="child_talk")
    _level(c["a2"], "medium")
    _certificates(c["a2"], date(2026, 10, 20))

    c["a3"] = _case(a, at(10, 3))
    _meeting(c["a3"], external, at(10, 30))
    _level(c["a3"], "high")
    _certificates(c["a3"], date(2026, 10, 30))

    c["a4"] = _case(a, at(10, 5), CaseType.COHABITATION_BREAKUP)
    _meeting(c["a4"], office_mediator, at(10, 12), status="cancelled")
    _meeting(c["a4"], office_mediator, at(10, 26))

    c["a5"] = _case(a, at(10, 6), CaseType.RELOCATION, planned_move_date=date(2026, 10, 25))
    _meeting(c["a5"], office_mediator, at(10, 20, 13))
    _level(c["a5"], "low")
    _certificates(c["a5"], date(2026, 10, 20), refused=("other",))

    c["a6"] = _case(a, at(10, 6), CaseType.RELOCATION, planned_move_date=date(2026, 10, 15))
    _meeting(c["a6"], external, at(10, 22))
    _level(c["a6"], "high", override="medium", by=staff_a)
    _certificates(c["a6"], date(2026, 10, 22))

    c["a7"] = _case(a, at(10, 7), CaseType.COURT_REFERRAL)
    _meeting(c["a7"], office_mediator, at(10, 14, 9), kind="separate", parent_role="requester")
    _meeting(c["a7"], office_mediator, at(10, 14, 11), kind="separate", parent_role="other")
    _meeting(
        c["a7"], office_mediator, at(10, 21, 9), hours="2", kind="separate", parent_role="requester"
    )
    _meeting(
        c["a7"], office_mediator, at(10, 21, 12), hours="2", kind="separate", parent_role="other"
    )
    _meeting(c["a7"], office_mediator, at(10, 28), kind="child_talk")
    _meeting(c["a7"], office_mediator, at(10, 30, 13), hours="2")
    _meeting(c["a7"], office_mediator, at(11, 3), kind="child_talk", status="booked")
    _level(c["a7"], "high")
    _certificates(c["a7"], date(2026, 11, 2))

    c["a8"] = _case(a, at(9, 28))
    _meeting(c["a8"], office_mediator, at(10, 2))
    _level(c["a8"], "low")
    _certificates(c["a8"], date(2026, 10, 2))

    c["a9"] = _case(a, at(10, 20))
    _meeting(c["a9"], office_mediator, at(11, 5), status="booked")
    c["a10"] = _case(a, at(10, 31, 23, 30), CaseType.ENFORCEMENT)
    c["a11"] = _case(a, at(10, 9))
    _meeting(c["a11"], office_mediator, at(10, 16), status="no_show")
    c["a12"] = _case(a, at(11, 1, 0, 30))

    for n in range(3):
        c[f"b{n + 1}"] = _case(b, at(10, 10 + n))
    return World(a, b, staff_a, staff_b, c)
