"""Journey estimate, case hours, urgency and the pair cost with its reasons.

Sources: the domain brief (2 hours' journey, 3-week offer guidance), barneloven § 42a (3 months'
notice before a move), § 61 and § 65a (court deadlines), meklingsforskriften § 7 (separate
meetings double the hours). Pure tests.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from config.legal import rule_value
from mediators.assignment import (
    RULES,
    LocationRef,
    MediatorSlot,
    Place,
    case_hours,
    earliest_free,
    journey_minutes,
    pair_cost,
    score,
    unassigned_cost,
    urgency,
)
from mediators.assignment.cost import congestion, congestion_marginal
from mediators.assignment.journey import haversine_km
from mediators.assignment.rules import number
from tests.mediators.test_assignment_builders import (
    DRAMMEN,
    OSLO,
    TODAY,
    TROMSO,
    case,
    external,
    location,
    mediator,
)

# --- Journey ---


def test_journey_is_haversine_times_road_factor_at_speed_plus_overhead():
    km = haversine_km(OSLO, DRAMMEN)
    assert 30 < km < 40  # Oslo–Drammen, straight line
    expected = math.ceil(10 + km * 1.35 / 65 * 60)
    assert journey_minutes(OSLO, DRAMMEN) == expected


def test_journey_to_the_same_place_is_the_overhead():
    assert journey_minutes(OSLO, OSLO) == 10


def test_journey_limit_is_the_legal_tables_guidance():
    assert number("travel.max_journey") == rule_value("max_journey_minutes") == 120


@settings(max_examples=100, deadline=None)
@given(
    lat=st.floats(min_value=58.0, max_value=71.0),
    lon=st.floats(min_value=5.0, max_value=30.0),
)
def test_journey_is_symmetric_and_at_least_the_overhead(lat: float, lon: float):
    place = Place(lat, lon)
    assert journey_minutes(OSLO, place) == journey_minutes(place, OSLO) >= 10


# --- Case hours ---


@pytest.mark.parametrize(
    ("level", "safety", "hours"),
    [("low", False, 1.0), ("medium", False, 1.0), ("high", False, 1.5), ("low", True, 2.0)],
)
def test_case_hours(level: str, safety: bool, hours: float):
    assert case_hours(case(level=level, safety=safety)) == hours


# --- Urgency ---


def relocation(days_left: int, waited: int = 5):
    return case(
        case_type="relocation",
        move_date=TODAY + timedelta(days=days_left),
        requested_on=TODAY - timedelta(days=waited),
    )


def court(days_left: int, case_type: str = "court_referral", waited: int = 5):
    return case(
        case_type=case_type,
        court_deadline=TODAY + timedelta(days=days_left),
        requested_on=TODAY - timedelta(days=waited),
    )


def waiting(days: int):
    return case(requested_on=TODAY - timedelta(days=days))


URGENT_FIRST = [
    ("relocation moving tomorrow", relocation(1)),
    ("enforcement deadline in 3 days", court(3, "enforcement")),
    ("relocation in 3 weeks", relocation(21)),
    ("court referral deadline in 2 weeks", court(14)),
    ("relocation in 10 weeks", relocation(70)),
    ("court referral beyond the horizon", court(60)),
    ("separation waiting 5 weeks", waiting(35)),
    ("separation waiting the 3-week guidance", waiting(21)),
    ("separation waiting 10 days", waiting(10)),
    ("separation requested today", waiting(0)),
]


def test_urgency_orders_deadlines_then_waiting_time():
    scores = [urgency(case=need, today=TODAY) for _, need in URGENT_FIRST]
    assert scores == sorted(scores, reverse=True), list(
        zip([n for n, _ in URGENT_FIRST], scores, strict=True)
    )


def test_any_deadline_case_outranks_any_waiting_case():
    far_move = relocation(400, waited=0)
    long_wait = waiting(400)
    assert urgency(case=far_move, today=TODAY) > urgency(case=long_wait, today=TODAY)


def test_relocation_horizon_is_the_3_month_notice():
    assert number("urgency.relocation_horizon_days") == rule_value("relocation_notice_months") * 30
    beyond = urgency(case=relocation(91, waited=0), today=TODAY)
    at_horizon = urgency(case=relocation(90, waited=0), today=TODAY)
    assert beyond == at_horizon == 1.0


def test_passed_deadline_is_most_urgent_not_negative():
    assert urgency(case=relocation(-5, waited=0), today=TODAY) == 2.0


def test_waiting_counts_against_the_3_week_guidance():
    guidance = rule_value("offer_within_weeks") * 7
    assert urgency(case=waiting(guidance), today=TODAY) == pytest.approx(0.99 / 2)


@settings(max_examples=100, deadline=None)
@given(a=st.integers(min_value=0, max_value=100), b=st.integers(min_value=0, max_value=100))
def test_urgency_never_falls_as_a_case_waits_or_a_deadline_nears(a: int, b: int):
    early, late = min(a, b), max(a, b)
    assert urgency(case=waiting(late), today=TODAY) >= urgency(case=waiting(early), today=TODAY)
    assert urgency(case=relocation(early), today=TODAY) >= urgency(
        case=relocation(late), today=TODAY
    )


def test_unassigned_cost_grows_with_urgency_and_exceeds_eligible_pair_costs():
    calm, urgent = waiting(1), relocation(3)
    assert unassigned_cost(case=urgent, today=TODAY) > unassigned_cost(case=calm, today=TODAY)
    worst = pair_cost(
        case=case(level="high", remote_ok=True),
        mediator=mediator(locations=(location(2, 1, TROMSO),), load_hours=8.5),
        today=TODAY,
    )
    assert worst is not None and worst.is_remote
    assert worst.total < unassigned_cost(case=calm, today=TODAY)


# --- Expected wait ---


@pytest.mark.parametrize(
    ("load", "capacity", "days"),
    [(0.0, 10.0, 1), (5.0, 10.0, 4), (9.0, 10.0, 7), (3.0, 12.0, 2)],
)
def test_earliest_free_fills_the_calendar_evenly(load: float, capacity: float, days: int):
    slot = mediator(load_hours=load, capacity_hours=capacity)
    assert earliest_free(mediator=slot, today=TODAY) == TODAY + timedelta(days=days)


# --- Pair cost ---


def test_pair_cost_is_none_for_an_ineligible_mediator():
    assert pair_cost(case=case(), mediator=mediator(active=False), today=TODAY) is None


def test_pair_cost_parts_add_up_and_follow_the_rules_table():
    cost = pair_cost(case=case(), mediator=mediator(load_hours=5.0), today=TODAY)
    assert cost is not None
    parts = cost.journey + cost.remote + cost.wait + cost.balance + cost.continuity
    assert cost.total == pytest.approx(parts + cost.external)
    assert cost.journey == journey_minutes(OSLO, OSLO) * number("cost.journey")
    assert cost.balance == pytest.approx(number("cost.balance") * (6.0 / 10.0) ** 2)
    assert cost.wait == pytest.approx(
        number("cost.wait") * 4 * (1 + urgency(case=case(), today=TODAY))
    )
    assert (cost.continuity, cost.external, cost.remote) == (0.0, 0.0, 0.0)


def test_continuity_is_a_bonus_for_the_mediator_the_family_met_before():
    again = pair_cost(case=case(previous_mediator_id=10), mediator=mediator(), today=TODAY)
    fresh = pair_cost(case=case(), mediator=mediator(), today=TODAY)
    assert again is not None and fresh is not None
    assert again.total == pytest.approx(fresh.total + number("cost.continuity"))
    assert "cost.continuity" in {r.rule for r in again.reasons}


def test_external_use_has_a_small_penalty():
    cost = pair_cost(case=case(), mediator=external(locations=(location(),)), today=TODAY)
    assert cost is not None and cost.external == number("cost.external")


def test_remote_costs_the_remote_weight_instead_of_the_journey():
    slot = mediator(locations=(location(3, 1, TROMSO, "Tromsø"),))
    cost = pair_cost(case=case(remote_ok=True), mediator=slot, today=TODAY)
    assert cost is not None
    assert cost.is_remote and cost.journey == 0.0 and cost.remote == number("cost.remote")
    assert "travel.remote" in {r.rule for r in cost.reasons}


def test_urgent_cases_weigh_waiting_more():
    slot = mediator(load_hours=6.0)
    calm = pair_cost(case=waiting(0), mediator=slot, today=TODAY)
    urgent = pair_cost(case=relocation(2, waited=0), mediator=slot, today=TODAY)
    assert calm is not None and urgent is not None
    assert urgent.wait > calm.wait


def test_reasons_name_rules_of_the_table_in_both_languages():
    need = case(level="high", case_type="court_referral", court_deadline=TODAY, interpreter=True)
    cost = pair_cost(case=need, mediator=mediator(), today=TODAY)
    assert cost is not None
    rules = [r.rule for r in cost.reasons]
    assert {"travel.max_journey", "cost.wait", "cost.balance"} <= set(rules)
    assert {"competence.high_conflict", "competence.court_referral", "language.shared"} <= set(
        rules
    )
    assert all(r.rule in RULES and r.text["nb"] and r.text["en"] for r in cost.reasons)
    assert any("Tolk er bestilt" in r.text["nb"] for r in cost.reasons)


def test_score_is_higher_for_lower_cost_and_clamped():
    assert score(0.0) == 100.0
    assert score(40.0) > score(80.0)
    assert score(-100.0) == 100.0 and score(10_000.0) == 0.0


# --- Batch congestion ---


def test_congestion_is_convex_and_zero_for_no_hours():
    slot = mediator(capacity_hours=10.0, load_hours=2.0)
    marginals = [congestion_marginal(mediator=slot, k=k) for k in range(8)]
    assert marginals == sorted(marginals)
    assert congestion(mediator=slot, hours=0.0) == 0.0
    assert congestion(mediator=slot, hours=2.5) == pytest.approx(
        marginals[0] + marginals[1] + 0.5 * marginals[2]
    )


def test_earliest_free_counts_from_the_last_day_of_leave():
    """A mediator back from three summer weeks is not free tomorrow (national simulation)."""
    back = TODAY + timedelta(days=21)
    away = mediator(load_hours=0.0, away_until=back)
    assert earliest_free(mediator=away, today=TODAY) == back + timedelta(days=1)
    assert earliest_free(mediator=mediator(load_hours=0.0), today=TODAY) == TODAY + timedelta(
        days=1
    )


def test_with_a_calendar_the_earliest_free_day_is_the_calendars():
    """The wait counts to the first day with free opening time for the meeting (from
    tomorrow), not to the load estimate: a mediator with little load but a full fortnight
    waits, one with a high load but a free hour tomorrow does not."""
    in_a_week = TODAY + timedelta(days=7)
    busy_fortnight = mediator(load_hours=0.0, free_time=((in_a_week, 1.5),))
    assert earliest_free(mediator=busy_fortnight, today=TODAY) == in_a_week
    loaded = mediator(load_hours=9.0, free_time=((TODAY + timedelta(days=1), 1.0),))
    assert earliest_free(mediator=loaded, today=TODAY) == TODAY + timedelta(days=1)
    # Free time today is too soon (the first meeting is tomorrow at the earliest).
    today_only = mediator(free_time=((TODAY, 4.0), (in_a_week, 4.0)))
    assert earliest_free(mediator=today_only, today=TODAY) == in_a_week


def test_separate_meetings_need_a_free_part_long_enough_for_both():
    """Two one-hour meetings 15 minutes apart (meklingsforskriften § 7, scheduling/slots.py)."""
    short, long = TODAY + timedelta(days=1), TODAY + timedelta(days=3)
    slot = mediator(free_time=((short, 2.0), (long, 2.5)))
    assert earliest_free(mediator=slot, today=TODAY, case=case()) == short
    assert earliest_free(mediator=slot, today=TODAY, case=case(safety=True)) == long


def test_no_free_time_in_the_calendar_counts_past_its_end_and_says_so():
    horizon = int(number("wait.calendar_days"))
    full = mediator(free_time=())
    assert earliest_free(mediator=full, today=TODAY) == TODAY + timedelta(days=horizon + 1)
    cost = pair_cost(case=case(), mediator=full, today=TODAY)
    assert cost is not None
    (wait,) = [r for r in cost.reasons if r.rule == "cost.wait"]
    assert f"next {horizon} days" in wait.text["en"]


def test_the_wait_reason_names_the_calendars_day():
    """The explanation staff read is the day the cost used, stated as the calendar's."""
    day = TODAY + timedelta(days=4)  # Friday 6 March 2026
    cost = pair_cost(case=case(), mediator=mediator(free_time=((day, 3.0),)), today=TODAY)
    assert cost is not None and cost.earliest_free == day
    (wait,) = [r for r in cost.reasons if r.rule == "cost.wait"]
    assert "6 March 2026" in wait.text["en"] and "calendar" in wait.text["en"]
    assert "6. mars 2026" in wait.text["nb"]
    estimated = pair_cost(case=case(), mediator=mediator(), today=TODAY)
    assert estimated is not None
    (wait,) = [r for r in estimated.reasons if r.rule == "cost.wait"]
    assert "estimated" in wait.text["en"]


# --- Where the family meets: the wait at each location (national simulation, #8) ---

OSLO_LOC, DRAMMEN_LOC, TROMSO_LOC = (
    location(1, 1, OSLO, "Oslo"),
    location(2, 1, DRAMMEN, "Drammen"),
    location(3, 1, TROMSO, "Tromsø"),
)


def two_places(nearest_in: int, other_in: int, other: LocationRef = DRAMMEN_LOC) -> MediatorSlot:
    """A mediator at Oslo (nearest to the parents) and another location, each with its own
    calendar; the free time anywhere is both together."""
    near = ((TODAY + timedelta(days=nearest_in), 4.0),)
    far = ((TODAY + timedelta(days=other_in), 4.0),)
    return mediator(
        locations=(OSLO_LOC, other),
        free_time=tuple(sorted(near + far)),
        free_time_at=((1, near), (other.location_id, far)),
    )


def test_the_family_meets_where_the_journey_and_the_wait_cost_least():
    """The nearest location, open only in three weeks, loses to one 45 minutes further away
    that is open tomorrow (`cost.wait` 8 points a day × 20 days > `cost.journey` 1 point a
    minute × 45): the assignment's location and its wait are that location's, and the
    reason names it."""
    cost = pair_cost(case=case(), mediator=two_places(21, 1), today=TODAY)
    assert cost is not None
    assert cost.location_id == DRAMMEN_LOC.location_id
    assert cost.earliest_free == TODAY + timedelta(days=1)
    assert cost.journey_minutes == journey_minutes(OSLO, DRAMMEN)
    (wait,) = [r for r in cost.reasons if r.rule == "cost.wait"]
    assert "at Drammen" in wait.text["en"] and "på Drammen" in wait.text["nb"]


def test_a_short_wait_is_not_worth_a_longer_journey():
    cost = pair_cost(case=case(), mediator=two_places(2, 1), today=TODAY)
    assert cost is not None
    assert cost.location_id == OSLO_LOC.location_id
    assert cost.earliest_free == TODAY + timedelta(days=2)


def test_the_journey_allowance_is_worth_the_working_days_of_the_offer_guidance():
    """Domain brief (Bufdir guidance): an offer within 3 weeks, a journey of at most about 2
    hours each way. The working days of the waiting allowance (15) cost what the whole journey
    allowance does."""
    assert number("cost.wait") * 15 == pytest.approx(
        number("cost.journey") * number("travel.max_journey")
    )


def test_the_places_a_family_may_meet_are_those_within_the_guidance_else_the_nearest():
    from mediators.assignment.cost import meeting_places

    both = mediator(locations=(OSLO_LOC, DRAMMEN_LOC, TROMSO_LOC))
    assert [loc for loc, _ in meeting_places(case=case(), mediator=both)] == [
        OSLO_LOC,
        DRAMMEN_LOC,
    ]
    far = mediator(locations=(TROMSO_LOC,))
    assert meeting_places(case=case(), mediator=far) == [
        (TROMSO_LOC, journey_minutes(OSLO, TROMSO_LOC.place))
    ]
    assert meeting_places(case=case(), mediator=mediator(locations=())) == []


def test_a_location_beyond_the_journey_guidance_is_never_chosen_for_its_calendar():
    """Tromsø is free tomorrow but far beyond `travel.max_journey` from Oslo: the family
    meets at Oslo, and waits for Oslo's opening (not the mediator's first hour anywhere)."""
    cost = pair_cost(case=case(), mediator=two_places(20, 1, TROMSO_LOC), today=TODAY)
    assert cost is not None
    assert cost.location_id == OSLO_LOC.location_id
    assert cost.earliest_free == TODAY + timedelta(days=20)


def test_a_video_meeting_waits_for_the_first_free_hour_anywhere():
    slot = two_places(20, 1, TROMSO_LOC)
    abroad = case(home=TROMSO, remote_ok=True)
    far = replace(slot, locations=(OSLO_LOC,))
    cost = pair_cost(case=abroad, mediator=far, today=TODAY)
    assert cost is not None and cost.is_remote
    assert cost.earliest_free == TODAY + timedelta(days=1)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=1, max_value=31),
    st.integers(min_value=1, max_value=31),
    st.sampled_from((DRAMMEN_LOC, TROMSO_LOC)),
)
def test_the_chosen_place_is_within_the_guidance_and_never_dearer_than_the_nearest(
    nearest_in: int, other_in: int, other: LocationRef
):
    slot = two_places(nearest_in, other_in, other)
    cost = pair_cost(case=case(), mediator=slot, today=TODAY)
    assert cost is not None
    assert cost.journey_minutes <= number("travel.max_journey")
    assert slot.free_time_at is not None
    only_nearest = replace(slot, locations=(OSLO_LOC,), free_time_at=slot.free_time_at[:1])
    nearest = pair_cost(case=case(), mediator=only_nearest, today=TODAY)
    assert nearest is not None
    assert cost.journey + cost.wait <= nearest.journey + nearest.wait + 1e-9


def test_taking_free_time_books_the_first_part_that_holds_the_meeting():
    from mediators.assignment.cost import take_free_time

    one, two = TODAY + timedelta(days=1), TODAY + timedelta(days=2)
    free = ((one, 0.5), (one, 2.0), (two, 4.0))
    assert take_free_time(free, day=one, hours=1.0) == ((one, 0.5), (one, 1.0), (two, 4.0))
    # 2 h 15 min uses 2 h 30 min of the half-hour grid
    assert take_free_time(free, day=two, hours=2.25) == ((one, 0.5), (one, 2.0), (two, 1.5))
    assert take_free_time(free, day=one, hours=2.0) == ((one, 0.5), (two, 4.0))


def test_in_a_round_each_further_case_expects_the_calendars_next_free_time():
    """Two cases for one mediator with one free hour tomorrow and one the day after: the
    second is told the day after, as booking them in order would give."""
    from mediators.assignment import evaluate

    one, two = TODAY + timedelta(days=1), TODAY + timedelta(days=2)
    slot = mediator(free_time=((one, 1.0), (two, 1.0)))
    first, second = case(case_id=1), case(case_id=2, reference="MEK-2026-00002")
    choices = evaluate(
        placement={1: slot.mediator_id, 2: slot.mediator_id},
        cases=[first, second],
        mediators=[slot],
        today=TODAY,
    )
    assert [choices[1].earliest_free, choices[2].earliest_free] == [one, two]
    (note,) = [r for r in choices[2].reasons if r.rule == "batch.congestion"]
    assert "4 March 2026" in note.text["en"]
