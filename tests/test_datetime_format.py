"""One date and time format (config/datetime_format.py): Oslo wall-clock time for everyone.

bokmål/nynorsk "tirsdag 5. januar 2027 kl. 09.00" (Språkrådet: "kl." and a full stop between
hours and minutes), English "Tuesday 5 January 2027, 09:00"; right on both sides of the
daylight-saving changes (29 March and 25 October 2026).
"""

from datetime import UTC, date, datetime, time
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import translation

from config.datetime_format import (
    date_text,
    datetime_range_text,
    datetime_text,
    short_date_text,
    short_datetime_text,
    time_range_text,
    time_text,
)

WINTER_9 = datetime(2027, 1, 5, 8, tzinfo=UTC)  # Tuesday 5 January 2027, 09:00 in Oslo (CET)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nb", "tirsdag 5. januar 2027 kl. 09.00"),
        ("nn", "tysdag 5. januar 2027 kl. 09.00"),
        ("en", "Tuesday 5 January 2027, 09:00"),
    ],
)
def test_a_moment_reads_the_same_way_in_every_audience(language: str, expected: str) -> None:
    assert datetime_text(WINTER_9, language) == expected


def test_dates_times_and_ranges_in_each_language() -> None:
    ends = datetime(2027, 1, 5, 9, 30, tzinfo=UTC)
    assert datetime_range_text(WINTER_9, ends, "nb") == "tirsdag 5. januar 2027 kl. 09.00–10.30"
    assert datetime_range_text(WINTER_9, ends, "en") == "Tuesday 5 January 2027, 09:00–10:30"
    assert time_range_text(time(9), time(12), "nn") == "09.00–12.00"
    assert date_text(date(2027, 5, 17), "nn", weekday=False) == "17. mai 2027"
    assert date_text(date(2027, 5, 15), "nn", year=False) == "laurdag 15. mai"
    assert date_text(date(2027, 5, 15), "en", weekday=False) == "15 May 2027"
    assert short_date_text(date(2027, 5, 7)) == "07.05.2027"
    assert short_datetime_text(WINTER_9, "nb") == "05.01.2027 kl. 09.00"
    assert short_datetime_text(WINTER_9, "en") == "05.01.2027, 09:00"


def test_the_language_is_the_active_one_when_not_given() -> None:
    with translation.override("en"):
        assert time_text(WINTER_9) == "09:00"
    with translation.override("nn"):
        assert date_text(WINTER_9) == "tysdag 5. januar 2027"
    with translation.override("de"):  # anything else: bokmål
        assert datetime_text(WINTER_9) == "tirsdag 5. januar 2027 kl. 09.00"


def test_spring_forward_29_march_2026() -> None:
    """02:00 CET becomes 03:00 CEST: 00:30 UTC is 01.30 in Oslo, 01:30 UTC is 03.30."""
    before = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    after = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert datetime_text(before, "nb") == "søndag 29. mars 2026 kl. 01.30"
    assert datetime_text(after, "nb") == "søndag 29. mars 2026 kl. 03.30"
    # One real hour, shown as two on the clock.
    assert time_range_text(before, after, "en") == "01:30–03:30"
    # Summer time the day after: 09:00 in Oslo is 07:00 UTC.
    assert time_text(datetime(2026, 3, 30, 7, tzinfo=UTC), "nb") == "09.00"


def test_fall_back_25_october_2026() -> None:
    """03:00 CEST becomes 02:00 CET: 00:30 and 01:30 UTC are both 02.30 in Oslo."""
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert datetime_text(first, "nn") == "søndag 25. oktober 2026 kl. 02.30"
    assert datetime_text(second, "nn") == "søndag 25. oktober 2026 kl. 02.30"
    assert time_text(datetime(2026, 10, 26, 8, tzinfo=UTC), "en") == "09:00"  # CET again


def test_the_oslo_date_not_the_utc_date_is_shown_around_midnight() -> None:
    assert date_text(datetime(2026, 3, 28, 23, 30, tzinfo=UTC), "nb") == "søndag 29. mars 2026"
    assert short_date_text(datetime(2026, 6, 30, 22, 30, tzinfo=UTC)) == "01.07.2026"


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        datetime_text(datetime(2027, 1, 5, 9))  # naive: the point of the test


def test_the_template_filters_follow_the_page_language() -> None:
    template = Template(
        "{% load datetime_format %}{{ at|oslo_datetime }}|{{ at|oslo_datetime:'short' }}|"
        "{{ at|oslo_date:'no_weekday' }}|{{ at|oslo_time }}|{{ row|oslo_span:'times' }}|"
        "{{ row|oslo_span:'short' }}|{{ day|oslo_date:'short' }}|{{ missing|oslo_datetime }}"
    )
    row = SimpleNamespace(starts_at=WINTER_9, ends_at=datetime(2027, 1, 5, 9, tzinfo=UTC))
    context = Context({"at": WINTER_9, "row": row, "day": date(2027, 1, 5), "missing": None})
    with translation.override("nb"):
        assert template.render(context) == (
            "tirsdag 5. januar 2027 kl. 09.00|05.01.2027 kl. 09.00|5. januar 2027|09.00|"
            "09.00–10.00|05.01.2027 kl. 09.00–10.00|05.01.2027|"
        )
    with translation.override("en"):
        assert template.render(context) == (
            "Tuesday 5 January 2027, 09:00|05.01.2027, 09:00|5 January 2027|09:00|"
            "09:00–10:00|05.01.2027, 09:00–10:00|05.01.2027|"
        )
