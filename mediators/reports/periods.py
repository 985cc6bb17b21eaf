"""A report period: one calendar month or one calendar year, bounded in Oslo time."""

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from config.api_errors import ApplicationError

PERIOD_PATTERN = re.compile(r"^(?P<year>20[0-9]{2})(?:-(?P<month>0[1-9]|1[0-2]))?$")


def oslo() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True)
class Period:
    year: int
    month: int | None = None  # None: the whole year
    until: datetime | None = None  # counts stop here (the start of the month not yet over)

    @property
    def label(self) -> str:
        return f"{self.year}-{self.month:02d}" if self.month else str(self.year)

    @property
    def months(self) -> list[int]:
        return [self.month] if self.month else list(range(1, 13))

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as aware datetimes at Oslo midnight, the end capped by `until`."""
        start, end = self._bounds()
        return start, min(end, self.until) if self.until else end

    def _bounds(self) -> tuple[datetime, datetime]:
        zone = oslo()
        if self.month is None:
            return datetime(self.year, 1, 1, tzinfo=zone), datetime(
                self.year + 1, 1, 1, tzinfo=zone
            )
        start = datetime(self.year, self.month, 1, tzinfo=zone)
        if self.month == 12:
            return start, datetime(self.year + 1, 1, 1, tzinfo=zone)
        return start, datetime(self.year, self.month + 1, 1, tzinfo=zone)


def period_parse(value: str, *, field: str = "period") -> Period:
    """`2026-10` (a month) or `2026` (a year); anything else is a 400 naming the field."""
    match = PERIOD_PATTERN.match((value or "").strip())
    if not match:
        raise ApplicationError(
            _("The period must be a month (YYYY-MM) or a year (YYYY)."),
            fields={field: [_("Use YYYY-MM or YYYY, e.g. 2026-10.")]},
        )
    month = match.group("month")
    return Period(year=int(match.group("year")), month=int(month) if month else None)


def current_month_start(now: datetime | None = None) -> datetime:
    """Reports count whole months only: the month not yet over is left out everywhere (so a
    small, young month never forces a finished one to be hidden)."""
    local = (now or timezone.now()).astimezone(oslo())
    return datetime(local.year, local.month, 1, tzinfo=oslo())


def period_check_over(
    period: Period, *, now: datetime | None = None, field: str = "period"
) -> None:
    """A month must be over; a year may be the current one (counted to its last whole month)."""
    start = current_month_start(now)
    first = period._bounds()[0]
    if (period.month is not None and first >= start) or period.year > start.year:
        raise ApplicationError(
            _("Reports cover whole months: that period is not over yet."),
            fields={field: [_("Choose a month that is over, or a year.")]},
        )
