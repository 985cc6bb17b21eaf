"""The protocol counts of one year, per office and month, aggregated in SQL.

What is counted (and in which month; all dates in Oslo time):

- requests by case type: cases by the month of `requested_at`.
- mediations held: cases by the month of their first held mediation meeting (a joint or
  separate meeting with status held; a child talk is never the first, meklingsforskriften § 1).
  For those: the hours used (held meetings, per parent as the booking rules count them, the
  larger of the two; 1 / 2–4 / 5–7, meklingsforskriften § 1), the conflict level (the staff
  override, else the computed level; "not classified" without one), whether the first held
  meeting was with an external mediator, days from the request to that meeting, whether a
  relocation case met before the planned move date (barneloven § 42a), and court-referred
  cases (barneloven § 61 første ledd nr. 2).
- first meeting offered: cases by the month of the earliest meeting ever booked for them
  (whatever became of it), with the days from the request (guidance: within 3 weeks).
- child talks held: child-talk meetings with status held, by the month of the meeting.
- certificates issued and refused: by `issued_on` (the decision date; meklingsforskriften § 8).
- notes sent to the court: cases whose first note (scheduling.CourtNote, when installed) was
  sent in the month (barneloven § 61 første ledd nr. 2).

The unit is the office holding the case (the parents' choice, else the catchment office). Every
query groups in the database; Python only adds the grouped rows up.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import (
    Case as When_,
)
from django.db.models import (
    CharField,
    Count,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import (
    Coalesce,
    ExtractMonth,
    Greatest,
    NullIf,
    TruncDate,
)

from config.legal import rule_value
from intake.models import Case, CaseType
from mediators.models import Mediator
from mediators.reports.periods import Period, current_month_start, oslo
from scheduling.models import Appointment, AppointmentStatus, Certificate, CourtNote

MEDIATION_KINDS = (Appointment.Kind.JOINT, Appointment.Kind.SEPARATE)
HOURS_BUCKETS = ("1", "2-4", "5-7")  # meklingsforskriften § 1: 1 compulsory, 3 more, 3 more
LEVELS = ("low", "medium", "high", "none")

# Additive counts. Each name is one cell per (unit, month); see `PARTITIONS` for which add up.
REQUEST_MEASURES = tuple(f"requests.{t}" for t in CaseType.values)
MEASURES = (
    "requests.total",
    *REQUEST_MEASURES,
    "held.total",
    *(f"hours.{b}" for b in HOURS_BUCKETS),
    *(f"level.{lv}" for lv in LEVELS),
    "held.external",
    "held.office",
    "held.within",
    "held.later",
    "offered.total",
    "offered.within",
    "offered.later",
    "child_talks",
    "certificates.issued",
    "certificates.refused",
    "relocation.held",
    "relocation.before_move",
    "relocation.not_before_move",
    "court_referral.held",
    "court_notes.sent",
)
# total = sum of the parts, for every unit and month. Certificates issued and refused have no
# published total, so nothing links them (a small refused count hides no issued count).
PARTITIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("requests.total", REQUEST_MEASURES),
    ("held.total", tuple(f"hours.{b}" for b in HOURS_BUCKETS)),
    ("held.total", tuple(f"level.{lv}" for lv in LEVELS)),
    ("held.total", ("held.external", "held.office")),
    ("held.total", ("held.within", "held.later")),
    ("offered.total", ("offered.within", "offered.later")),
    ("relocation.held", ("relocation.before_move", "relocation.not_before_move")),
)
DISTRIBUTIONS = ("offered.days", "held.days")


def within_days() -> int:
    """The guidance: an appointment offered within 3 weeks of the request."""
    return rule_value("offer_within_weeks") * 7


@dataclass
class OfficeMonth:
    """The counts of one office in one month, and the waiting days as histograms."""

    counts: Counter[str] = field(default_factory=Counter)
    days: dict[str, Counter[int]] = field(
        default_factory=lambda: {name: Counter() for name in DISTRIBUTIONS}
    )


YearFigures = dict[tuple[int, int], OfficeMonth]  # (office id, month 1–12) → figures


def _office() -> Any:
    return Coalesce("chosen_office_id", "catchment_office_id")


def _held_meetings() -> QuerySet[Appointment]:
    return Appointment.objects.filter(
        case=OuterRef("pk"), status=AppointmentStatus.HELD, kind__in=MEDIATION_KINDS
    ).order_by("starts_at", "pk")


def _hours_of(roles: tuple[str, ...]) -> Subquery:
    held = (
        Appointment.objects.filter(
            case=OuterRef("pk"), status=AppointmentStatus.HELD, parent_role__in=roles
        )
        .order_by()
        .values("case")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    return Subquery(held, output_field=DecimalField(max_digits=6, decimal_places=2))


def _days_between(later: Any, earlier: str) -> Any:
    zone = oslo()
    return TruncDate(later, tzinfo=zone) - TruncDate(earlier, tzinfo=zone)


def _cases_held_in(period: Period) -> QuerySet[Case]:
    start, end = period.bounds()
    zone = oslo()
    first = _held_meetings()
    hours = Greatest(
        Coalesce(_hours_of(("", "requester")), Value(0), output_field=DecimalField()),
        Coalesce(_hours_of(("", "other")), Value(0), output_field=DecimalField()),
    )
    return (
        Case.objects.order_by()
        .annotate(first_held=Subquery(first.values("starts_at")[:1]))
        .filter(first_held__gte=start, first_held__lt=end)
        .alias(hours_used=hours)
        .annotate(
            holder=_office(),
            month=ExtractMonth("first_held", tzinfo=zone),
            hours_bucket=When_(
                When(Q(hours_used__lte=1), then=Value("1")),
                When(Q(hours_used__lte=4), then=Value("2-4")),
                default=Value("5-7"),
                output_field=CharField(),
            ),
            level=Coalesce(
                NullIf("classification__override_level", Value("")),
                "classification__level",
                Value("none"),
                output_field=CharField(),
            ),
            held_on=TruncDate("first_held", tzinfo=zone),
        )
    )


def _held(period: Period, figures: YearFigures) -> None:
    cases = _cases_held_in(period)
    # `external` is the mediator of the very first held meeting, not of any held meeting.
    first_kind = Subquery(_held_meetings().values("mediator__kind")[:1])
    rows = (
        cases.annotate(
            first_kind=first_kind,
            before_move=When_(
                When(Q(planned_move_date__gt=F("held_on")), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
        .values(
            "holder", "month", "hours_bucket", "level", "first_kind", "case_type", "before_move"
        )
        .annotate(n=Count("pk"))
    )
    for row in rows:
        counts = figures[(row["holder"], row["month"])].counts
        n = row["n"]
        counts["held.total"] += n
        counts[f"hours.{row['hours_bucket']}"] += n
        counts[f"level.{row['level']}"] += n
        external = row["first_kind"] == Mediator.Kind.EXTERNAL
        counts["held.external" if external else "held.office"] += n
        if row["case_type"] == CaseType.RELOCATION:
            counts["relocation.held"] += n
            key = "before_move" if row["before_move"] else "not_before_move"
            counts[f"relocation.{key}"] += n
        if row["case_type"] == CaseType.COURT_REFERRAL:
            counts["court_referral.held"] += n
    days = (
        cases.annotate(wait=_days_between("first_held", "requested_at"))
        .values("holder", "month", "wait")
        .annotate(n=Count("pk"))
    )
    _add_days(figures, days, "held")


def _add_days(figures: YearFigures, rows: Any, prefix: str) -> None:
    limit = within_days()
    for row in rows:
        wait = row["wait"]
        day_count = wait.days if isinstance(wait, timedelta) else int(wait)
        entry = figures[(row["holder"], row["month"])]
        entry.days[f"{prefix}.days"][day_count] += row["n"]
        entry.counts[f"{prefix}.within" if day_count <= limit else f"{prefix}.later"] += row["n"]
        if prefix == "offered":
            entry.counts["offered.total"] += row["n"]


def _offered(period: Period, figures: YearFigures) -> None:
    start, end = period.bounds()
    first = Appointment.objects.filter(case=OuterRef("pk"), kind__in=MEDIATION_KINDS).order_by(
        "starts_at", "pk"
    )
    rows = (
        Case.objects.order_by()
        .annotate(first_offered=Subquery(first.values("starts_at")[:1]))
        .filter(first_offered__gte=start, first_offered__lt=end)
        .annotate(
            holder=_office(),
            month=ExtractMonth("first_offered", tzinfo=oslo()),
            wait=_days_between("first_offered", "requested_at"),
        )
        .values("holder", "month", "wait")
        .annotate(n=Count("pk"))
    )
    _add_days(figures, rows, "offered")


def _requests(period: Period, figures: YearFigures) -> None:
    start, end = period.bounds()
    rows = (
        Case.objects.order_by()
        .filter(requested_at__gte=start, requested_at__lt=end)
        .annotate(holder=_office(), month=ExtractMonth("requested_at", tzinfo=oslo()))
        .values("holder", "month", "case_type")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        counts = figures[(row["holder"], row["month"])].counts
        counts["requests.total"] += row["n"]
        counts[f"requests.{row['case_type']}"] += row["n"]


def _child_talks(period: Period, figures: YearFigures) -> None:
    start, end = period.bounds()
    rows = (
        Appointment.objects.order_by()
        .filter(
            kind=Appointment.Kind.CHILD_TALK,
            status=AppointmentStatus.HELD,
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .annotate(
            holder=Coalesce("case__chosen_office_id", "case__catchment_office_id"),
            month=ExtractMonth("starts_at", tzinfo=oslo()),
        )
        .values("holder", "month")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        figures[(row["holder"], row["month"])].counts["child_talks"] += row["n"]


def _certificates(period: Period, figures: YearFigures) -> None:
    start, end = period.bounds()
    rows = (
        Certificate.objects.order_by()
        .filter(issued_on__gte=start.date(), issued_on__lt=end.date())
        .annotate(
            holder=Coalesce("case__chosen_office_id", "case__catchment_office_id"),
            month=ExtractMonth("issued_on"),
        )
        .values("holder", "month", "status")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        counts = figures[(row["holder"], row["month"])].counts
        counts[f"certificates.{row['status']}"] += row["n"]


def _court_notes(period: Period, figures: YearFigures) -> None:
    """Cases whose first note to the court (barneloven § 61 første ledd nr. 2) was sent in the
    month; corrections (later versions) are not new referrals."""
    start, end = period.bounds()
    rows = (
        CourtNote.objects.order_by()
        .filter(version=1, sent_at__gte=start, sent_at__lt=end)
        .annotate(
            holder=Coalesce("case__chosen_office_id", "case__catchment_office_id"),
            month=ExtractMonth("sent_at", tzinfo=oslo()),
        )
        .values("holder", "month")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        figures[(row["holder"], row["month"])].counts["court_notes.sent"] += row["n"]


def year_figures(year: int, *, now: datetime | None = None) -> YearFigures:
    """Every office's counts for every whole month of the year: seven grouped queries in all.
    The month not yet over is left out (periods.current_month_start)."""
    period = Period(year=year, until=current_month_start(now))
    figures: YearFigures = defaultdict(OfficeMonth)
    _requests(period, figures)
    _held(period, figures)
    _offered(period, figures)
    _child_talks(period, figures)
    _certificates(period, figures)
    _court_notes(period, figures)
    return dict(figures)
