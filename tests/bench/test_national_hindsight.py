"""The hindsight bound (bench/national_hindsight.py) on a world small enough to solve by hand."""

from datetime import date, timedelta

from bench.national_hindsight import hindsight_bound

MONDAY = date(2026, 3, 2)


def _working_days(a: date, b: date) -> int:
    days, day = 0, a
    while day < b:
        day += timedelta(days=1)
        days += day.weekday() < 5
    return days


def _case(i: int, *, needs_hc: bool = False) -> dict:
    return {
        "i": i,
        "office": 1,
        "requested": MONDAY - timedelta(days=3),  # the Friday before
        "earliest": MONDAY,
        "needs_hc": needs_hc,
        "hours": 1.0,
        "follow_ups": 0,
    }


def test_one_hour_a_week_places_one_case_a_week_and_the_qualified_pool_goes_first() -> None:
    next_monday = MONDAY + timedelta(days=7)
    bound = hindsight_bound(
        cases=[_case(1), _case(2, needs_hc=True)],
        weekly_hours={
            ("office_hc", 1): {MONDAY: 1.0, next_monday: 1.0},
            ("office", 1): {MONDAY: 0.0, next_monday: 0.0},
        },
        externals_for={},
        qualified_externals=set(),
        working_days=_working_days,
        horizon_end=MONDAY + timedelta(days=60),
    )
    # One case on Monday (1 working day after the Friday), the other a week later (6).
    assert bound.mean_working_days == (1 + 6) / 2
    assert (bound.median_working_days, bound.p95_working_days) == (1, 6)
    assert bound.unplaced_share == 0
