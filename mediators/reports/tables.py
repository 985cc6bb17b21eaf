"""One report: a scope (office, region or country) and a period, as rows of figures per unit.

The columns are the scope's parts and the scope itself: for the country its regions, for a
region its offices, for an office the office alone. Counts come from the year's cube; derived
figures (shares, median and p90 of the waiting days) are computed from the counts and the day
histograms, and hidden whenever a count they rest on is hidden (suppressed reports).
"""

from collections import Counter
from dataclasses import dataclass
from typing import Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from intake.models import CaseType
from mediators.models import Region
from mediators.reports.figures import (
    HOURS_BUCKETS,
    PARTITIONS,
    year_figures,
)
from mediators.reports.periods import Period
from mediators.reports.suppression import (
    COUNTRY,
    THRESHOLD,
    YEAR,
    Cell,
    Cube,
    Unit,
    cube_build,
    suppressed_cells,
)

Level = Literal["office", "region", "country"]
HIDDEN = "–"


@dataclass(frozen=True)
class Scope:
    level: Level
    code: str = ""  # office code or region code; empty for the country

    @property
    def unit(self) -> Unit:
        return (self.level, self.code)

    @property
    def key(self) -> str:
        return f"{self.level}:{self.code}" if self.code else self.level


@dataclass(frozen=True)
class Figure:
    value: float | int | None  # None: hidden (or no cases to compute it from)
    hidden: bool = False

    @property
    def text(self) -> str:
        if self.hidden:
            return HIDDEN
        if self.value is None:
            return ""
        if isinstance(self.value, float):
            return str(int(self.value)) if self.value.is_integer() else f"{self.value:.1f}"
        return str(self.value)


@dataclass(frozen=True)
class Row:
    key: str
    label: str | Promise
    kind: Literal["count", "share", "days"]
    section: str | Promise
    figures: list[Figure]


@dataclass(frozen=True)
class Column:
    unit: Unit
    name: str


@dataclass(frozen=True)
class Report:
    scope: Scope
    period: Period
    suppressed: bool
    columns: list[Column]
    rows: list[Row]
    months: list[tuple[int, Figure, Figure]]  # the scope's requests and held per month

    def row(self, key: str) -> Row:
        return next(row for row in self.rows if row.key == key)

    def total(self, key: str) -> Figure:
        """The scope's own figure (the last column)."""
        return self.row(key).figures[-1]


SECTION_REQUESTS = _("Requests")
SECTION_HELD = _("Mediations held")
SECTION_WAIT = _("Waiting time")
SECTION_OTHER = _("Children, certificates and special cases")
CASE_TYPE_LABELS = dict(CaseType.choices)
HOURS_LABELS = {"1": _("1 hour"), "2-4": _("2–4 hours"), "5-7": _("5–7 hours")}
COUNTS: tuple[tuple[str, str | Promise, str | Promise], ...] = (
    ("requests.total", _("Requests, all case types"), SECTION_REQUESTS),
    *(
        (f"requests.{value}", CASE_TYPE_LABELS[value], SECTION_REQUESTS)
        for value in CaseType.values
    ),
    ("held.total", _("Mediations held"), SECTION_HELD),
    *((f"hours.{b}", HOURS_LABELS[b], SECTION_HELD) for b in HOURS_BUCKETS),
    ("level.low", _("Conflict level low"), SECTION_HELD),
    ("level.medium", _("Conflict level medium"), SECTION_HELD),
    ("level.high", _("Conflict level high"), SECTION_HELD),
    ("level.none", _("Conflict level not classified"), SECTION_HELD),
    ("held.external", _("Held by external mediators"), SECTION_HELD),
)
SHARE_EXTERNAL = ("share.external", _("Share held by external mediators (%)"), SECTION_HELD)
# prefix → labels of its median, p90 and share within 3 weeks (short enough for a terminal)
WAIT_ROWS: tuple[tuple[str, tuple[str | Promise, str | Promise, str | Promise]], ...] = (
    (
        "offered",
        (
            _("Median days to first meeting offered"),
            _("90th pct., days to first meeting offered"),
            _("First meeting offered within 3 weeks (%)"),
        ),
    ),
    (
        "held",
        (
            _("Median days to first meeting held"),
            _("90th pct., days to first meeting held"),
            _("First meeting held within 3 weeks (%)"),
        ),
    ),
)
OTHER_COUNTS: tuple[tuple[str, str | Promise], ...] = (
    ("child_talks", _("Child talks held")),
    ("certificates.issued", _("Certificates issued")),
    ("certificates.refused", _("Certificates refused")),
    ("relocation.held", _("Relocation cases mediated")),
    ("relocation.before_move", _("… of them before the planned move date")),
    ("court_referral.held", _("Court-referred cases mediated (bl. § 61)")),
)


def percentile(histogram: Counter[int], q: float) -> float | None:
    """Linear interpolation between the closest ranks (as numpy's default and PostgreSQL's
    percentile_cont), over a histogram of whole days."""
    n = sum(histogram.values())
    if n == 0:
        return None
    position = (n - 1) * q
    lower, upper = int(position), min(int(position) + 1, n - 1)
    values: list[int] = []
    for day in sorted(histogram):
        values.extend([day] * histogram[day])
        if len(values) > upper:
            break
    return round(values[lower] + (values[upper] - values[lower]) * (position - lower), 1)


class _Builder:
    def __init__(self, cube: Cube, hidden: set[Cell] | None) -> None:
        self.cube = cube
        self.hidden = hidden  # None: unsuppressed

    def is_hidden(self, cell: Cell) -> bool:
        return self.hidden is not None and cell in self.hidden

    def count(self, unit: Unit, month: int, measure: str) -> Figure:
        cell = (unit, month, measure)
        if self.is_hidden(cell):
            return Figure(None, hidden=True)
        return Figure(self.cube.value(*cell))

    def _any_hidden(self, unit: Unit, month: int, measures: tuple[str, ...]) -> bool:
        return any(self.is_hidden((unit, month, m)) for m in measures)

    def share(
        self, unit: Unit, month: int, part: str, total: str, group: tuple[str, ...]
    ) -> Figure:
        if self._any_hidden(unit, month, (total, *group)):
            return Figure(None, hidden=True)
        n = self.cube.value(unit, month, total)
        if n == 0:
            return Figure(None)
        return Figure(round(100.0 * self.cube.value(unit, month, part) / n, 1))

    def days(self, unit: Unit, month: int, prefix: str, q: float) -> Figure:
        total = f"{prefix}.total"
        n = self.cube.value(unit, month, total)
        if self.hidden is not None and (self.is_hidden((unit, month, total)) or n < THRESHOLD):
            return Figure(None, hidden=n > 0)
        return Figure(percentile(self.cube.histogram(unit, month, f"{prefix}.days"), q))


def _group_of(total: str, part: str) -> tuple[str, ...]:
    return next(parts for t, parts in PARTITIONS if t == total and part in parts)


def _rows(builder: _Builder, units: list[Unit], month: int) -> list[Row]:
    def counts(key: str) -> list[Figure]:
        return [builder.count(u, month, key) for u in units]

    rows = [Row(key, label, "count", section, counts(key)) for key, label, section in COUNTS]
    key, label, section = SHARE_EXTERNAL
    group = _group_of("held.total", "held.external")
    rows.append(
        Row(
            key,
            label,
            "share",
            section,
            [builder.share(u, month, "held.external", "held.total", group) for u in units],
        )
    )
    for prefix, (median_label, p90_label, share_label) in WAIT_ROWS:
        total = "held.total" if prefix == "held" else "offered.total"
        if prefix == "offered":
            rows.append(
                Row(total, _("Cases offered a first meeting"), "count", SECTION_WAIT, counts(total))
            )
        for q, name in ((0.5, median_label), (0.9, p90_label)):
            rows.append(
                Row(
                    f"{prefix}.{'median' if q == 0.5 else 'p90'}_days",
                    name,
                    "days",
                    SECTION_WAIT,
                    [builder.days(u, month, prefix, q) for u in units],
                )
            )
        group = _group_of(total, f"{prefix}.within")
        rows.append(
            Row(
                f"{prefix}.within_share",
                share_label,
                "share",
                SECTION_WAIT,
                [builder.share(u, month, f"{prefix}.within", total, group) for u in units],
            )
        )
    group = _group_of("relocation.held", "relocation.before_move")
    for other_key, other_label in OTHER_COUNTS:
        rows.append(Row(other_key, other_label, "count", SECTION_OTHER, counts(other_key)))
        if other_key == "relocation.before_move":
            rows.append(
                Row(
                    "relocation.before_move_share",
                    _("… share before the move date (%)"),
                    "share",
                    SECTION_OTHER,
                    [
                        builder.share(u, month, "relocation.before_move", "relocation.held", group)
                        for u in units
                    ],
                )
            )
    label = _("Notes sent to the court (bl. § 61)")
    rows.append(Row("court_notes.sent", label, "count", SECTION_OTHER, counts("court_notes.sent")))
    return rows


def _columns(cube: Cube, scope: Scope) -> list[Column]:
    regions = dict(Region.choices)
    if scope.level == "country":
        parts = [Column(("region", r), str(regions[r])) for r in Region.values]
        return [*parts, Column(COUNTRY, str(_("Norway")))]
    if scope.level == "region":
        parts = [Column(u, cube.offices[u[1]][0]) for u in cube.offices_in(scope.code)]
        return [*parts, Column(scope.unit, str(regions[scope.code]))]
    return [Column(scope.unit, cube.offices[scope.code][0])]


def report_build(*, scope: Scope, period: Period, suppressed: bool) -> Report:
    """The report of a scope and period; `suppressed` for anything leaving the office."""
    cube = cube_build(period.year, year_figures(period.year))
    return report_from_cube(cube=cube, scope=scope, period=period, suppressed=suppressed)


def report_from_cube(*, cube: Cube, scope: Scope, period: Period, suppressed: bool) -> Report:
    builder = _Builder(cube, suppressed_cells(cube) if suppressed else None)
    columns = _columns(cube, scope)
    month = period.month or YEAR
    rows = _rows(builder, [c.unit for c in columns], month)
    months = [
        (
            m,
            builder.count(scope.unit, m, "requests.total"),
            builder.count(scope.unit, m, "held.total"),
        )
        for m in range(1, 13)
    ]
    return Report(scope, period, suppressed, columns, rows, months)
