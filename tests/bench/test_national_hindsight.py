"""The hindsight bound (bench/national_hindsight.py) on a world small enough to solve by hand."""

from datetime import date, timedelta

from bench.national_hindsight import WINDOW_WORKING_DAYS, hindsight_bound

MONDAY = date(2026, 3, 2)
TUESDAY, WEDNESDAY = MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)
FRIDAY_BEFORE = MONDAY - timedelta(days=3)


def _working_days(a: date, b: date) -> int:
    days, day = 0, a
    while day < b:
        day += timedelta(days=1)
        days += day.weekday() < 5
    return days


def _case(i: int, *, mediators: list[int], hours: float = 1.0, places: dict | None = None) -> dict:
    # requested the Friday before, released in Monday's batch: first meeting Tuesday at best;
    # places: by mediator, where the family may meet them (default: anywhere, by video)
    return {"i": i, "requested": FRIDAY_BEFORE, "release": MONDAY, "hours": hours,
            "mediators": mediators,
            "places": {m: (places or {}).get(m) for m in mediators}}  # fmt: skip


def _bound(
    cases: list[dict],
    capacity: dict,
    sick_from: dict | None = None,
    place_capacity: dict | None = None,
):
    return hindsight_bound(
        cases=cases,
        capacity=capacity,
        place_capacity=place_capacity or {},
        sick_from=sick_from or {},
        working_days=_working_days,
        censor_day=MONDAY + timedelta(days=120),
    )


def test_a_mediators_day_holds_its_opening_hours_and_nothing_before_the_day_after_release():
    # Monday's hour is before the first possible day; Tuesday's hour holds one case.
    capacity = {7: {MONDAY: 5.0, TUESDAY: 1.0, WEDNESDAY: 1.0}}
    bound = _bound([_case(1, mediators=[7]), _case(2, mediators=[7])], capacity)
    # Tuesday is 2 working days after the Friday, Wednesday 3.
    assert bound.mean_working_days == (2 + 3) / 2
    assert (bound.median_working_days, bound.p95_working_days) == (2, 3)
    assert bound.unplaced_share == 0


def test_a_case_goes_only_to_the_mediators_the_rules_allow():
    capacity = {7: {TUESDAY: 1.0}, 8: {TUESDAY: 4.0, WEDNESDAY: 4.0}}
    # Case 2 may only go to mediator 7; case 1 to either: the bound gives 7 to case 2.
    bound = _bound([_case(1, mediators=[7, 8]), _case(2, mediators=[7])], capacity)
    assert bound.mean_working_days == 2


def test_separate_meetings_take_two_hours_of_the_day_fractionally():
    separate = [_case(1, mediators=[7], hours=2.0)]
    assert _bound(separate, {7: {TUESDAY: 2.0}}).mean_working_days == 2
    # 1.5 hours on Tuesday hold three quarters of it (a relaxation), the rest goes Wednesday
    short = _bound(separate, {7: {TUESDAY: 1.5, WEDNESDAY: 2.0}})
    assert short.mean_working_days == 0.75 * 2 + 0.25 * 3


def test_a_sick_day_is_closed_only_to_cases_released_after_the_spell_was_entered():
    capacity = {7: {TUESDAY: 1.0, WEDNESDAY: 1.0}}
    # entered on Monday (07:00, before the batch): closed to Monday's cases
    closed = _bound([_case(1, mediators=[7])], capacity, {7: {TUESDAY: MONDAY}})
    assert closed.mean_working_days == 3
    # entered on Tuesday: a Monday booking for Tuesday stays
    later = _bound([_case(1, mediators=[7])], capacity, {7: {TUESDAY: TUESDAY}})
    assert later.mean_working_days == 2


def test_a_case_without_room_in_its_window_is_unplaced_at_the_windows_end():
    bound = _bound([_case(1, mediators=[7])], {7: {}})
    last = MONDAY
    for _ in range(WINDOW_WORKING_DAYS):
        last += timedelta(days=1)
        while last.weekday() >= 5:
            last += timedelta(days=1)
    assert bound.mean_working_days == _working_days(FRIDAY_BEFORE, last)
    assert bound.unplaced_share == 1


def test_a_case_no_mediator_may_take_counts_until_censoring_as_in_the_simulation():
    bound = _bound([_case(1, mediators=[])], {})
    assert bound.mean_working_days == _working_days(FRIDAY_BEFORE, MONDAY + timedelta(days=120))


# The journey guidance (domain brief: about 2 hours each way; `cost.meeting_places`): in person,
# a family meets a mediator only at the places within it, on the hours open there.
NEAR, FAR = 101, 102


def test_in_person_a_case_takes_only_the_hours_open_at_its_places():
    # Mediator 7 is at the far place on Tuesday and at the near one on Wednesday.
    capacity = {7: {TUESDAY: 1.0, WEDNESDAY: 1.0}}
    places = {7: {(FAR, TUESDAY): 1.0, (NEAR, WEDNESDAY): 1.0}}
    near_only = _case(1, mediators=[7], places={7: [NEAR]})
    assert _bound([near_only], capacity, place_capacity=places).mean_working_days == 3
    # by video, Tuesday's hour anywhere will do
    video = _case(1, mediators=[7])
    assert _bound([video], capacity, place_capacity=places).mean_working_days == 2


def test_a_mediator_open_at_two_places_at_once_still_meets_one_family_at_a_time():
    # Tuesday 09-10 at both places (one hour of the mediator's day), Wednesday 09-10 near.
    capacity = {7: {TUESDAY: 1.0, WEDNESDAY: 1.0}}
    places = {7: {(NEAR, TUESDAY): 1.0, (FAR, TUESDAY): 1.0, (NEAR, WEDNESDAY): 1.0}}
    cases = [
        _case(1, mediators=[7], places={7: [NEAR]}),
        _case(2, mediators=[7], places={7: [FAR]}),
    ]
    bound = _bound(cases, capacity, place_capacity=places)
    # one of them on Tuesday, the near family on Wednesday: not both on Tuesday
    assert bound.mean_working_days == (2 + 3) / 2
