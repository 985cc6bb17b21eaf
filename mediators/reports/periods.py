"""A report period: one calendar month or one calendar year, bounded in Oslo time."""

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

from config.api_errors import ApplicationError

PERIOD_PATTERN = re.compile(r"^(?P<year>20[0-9]{2})(?:-(?P<month>0[1-9]|1[0-2]))?$")


def oslo() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True)
class Period:
    year: int
    month: int | None = None  # None: the whole year

    @property
    def label(self) -> str:
        return f"{self.year}-{self.month:02d}" if self.month else str(self.year)

    @property
    def months(self) -> list[int]:
        return [self.month] if self.month else list(range(1, 13))

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as aware datetimes at Oslo midnight."""
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
