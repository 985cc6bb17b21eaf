"""The two baselines do what docs/assignment-rules.md says, and metrics measure all alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings

from mediators.assignment import (
    metrics,
    status_quo,
    unassigned_cost,
    weighted_round_robin,
)
from mediators.assignment.rules import number
from tests.mediators.test_assignment_builders import (
    DRAMMEN,
    LILLEHAMMER,
    TODAY,
    case,
    external,
    instances,
    location,
    mediator,
)

# --- (a) status quo: catchment office, first come first served ---


def test_status_quo_takes_the_first_office_mediator_by_id_whatever_the_competence():
    unqualified = mediator(mediator_id=1, high_conflict=False)
    qualified = mediator(mediator_id=2)
    result = status_quo(cases=[case(level="high")], mediators=[qualified, unqualified], today=TODAY)
    assert result.assignments[1].mediator_id == 1
    assert not result.assignments[1].eligible
    measured = metrics(
        result=result, cases=[case(level="high")], mediators=[unqualified, qualified], today=TODAY
    )
    assert measured.share_high_conflict_qualified == 0.0
    assert measured.ineligible_pairs == 1


def test_status_quo_serves_cases_in_request_order():
    slot = mediator(capacity_hours=1.0)
    late = case(case_id=1, requested_on=TODAY - timedelta(days=1))
    early = case(case_id=2, requested_on=TODAY - timedelta(days=9), parties=frozenset())
    other = external(mediator_id=50, locations=(location(5, 2, DRAMMEN, "Drammen"),))
    result = status_quo(cases=[late, early], mediators=[slot, other], today=TODAY)
    assert result.assignments[2].mediator_id == 10
    assert result.assignments[1].mediator_id == 50


def test_status_quo_falls_back_to_the_nearest_external_with_room():
    full = mediator(load_hours=10.0)
    far = external(mediator_id=51, locations=(location(6, 2, LILLEHAMMER, "Lillehammer"),))
    near = external(mediator_id=52, locations=(location(7, 2, DRAMMEN, "Drammen"),))
    lapsed = external(mediator_id=53, approved_until=TODAY - timedelta(days=1))
    result = status_quo(cases=[case()], mediators=[full, far, near, lapsed], today=TODAY)
    assert result.assignments[1].mediator_id == 52


def test_status_quo_overruns_when_nobody_has_room():
    fuller = mediator(mediator_id=1, load_hours=10.0)
    full = mediator(mediator_id=2, load_hours=9.5)
    cases = [case()]
    result = status_quo(cases=cases, mediators=[fuller, full], today=TODAY)
    assert result.assignments[1].mediator_id == 2  # the most free hours
    measured = metrics(result=result, cases=cases, mediators=[fuller, full], today=TODAY)
    assert (measured.overrun_mediators, measured.overrun_hours) == (1, 0.5)
    assert measured.ineligible_pairs == 1


def test_status_quo_leaves_a_case_only_when_the_office_has_no_active_mediator():
    result = status_quo(cases=[case()], mediators=[mediator(active=False)], today=TODAY)
    assert result.assignments == {} and 1 in result.unassigned


# --- (b) and (b+) weighted round-robin (Cal.com getLuckyUser; (b+) with our rules) ---


def test_round_robin_picks_the_largest_shortfall_against_weight():
    big = mediator(mediator_id=1, capacity_hours=20.0, load_hours=10.0)
    small = mediator(mediator_id=2, capacity_hours=10.0, load_hours=4.0)
    # Team bookings 14 h over weight 30: targets 9.33 and 4.67; shortfalls -0.67 and +0.67.
    result = weighted_round_robin(cases=[case()], mediators=[big, small], today=TODAY)
    assert result.assignments[1].mediator_id == 2


def test_round_robin_ties_go_to_weight_then_office_then_least_recently_booked():
    long_ago = datetime(2026, 1, 5, 9, tzinfo=UTC)
    recent = datetime(2026, 2, 27, 9, tzinfo=UTC)
    a = mediator(mediator_id=1, last_assigned_at=recent)
    b = mediator(mediator_id=2, last_assigned_at=long_ago)
    c = external(mediator_id=3, capacity_hours=10.0, locations=(location(),))
    result = weighted_round_robin(cases=[case()], mediators=[a, b, c], today=TODAY)
    assert result.assignments[1].mediator_id == 2
    never = mediator(mediator_id=4, last_assigned_at=None)
    result = weighted_round_robin(cases=[case()], mediators=[a, b, never], today=TODAY)
    assert result.assignments[1].mediator_id == 4


def test_round_robin_rotates_through_equal_hosts():
    hosts = [mediator(mediator_id=i) for i in (1, 2, 3)]
    cases = [case(case_id=i, parties=frozenset()) for i in range(1, 7)]
    result = weighted_round_robin(cases=cases, mediators=hosts, today=TODAY)
    assert [result.assignments[i].mediator_id for i in range(1, 7)] == [1, 2, 3, 1, 2, 3]


def test_round_robin_with_rules_never_breaks_one():
    unqualified = mediator(mediator_id=1, high_conflict=False, capacity_hours=20.0)
    result = weighted_round_robin(cases=[case(level="high")], mediators=[unqualified], today=TODAY)
    assert result.assignments == {} and 1 in result.unassigned


def test_round_robin_as_calcom_filters_by_availability_not_competence():
    unqualified = mediator(mediator_id=1, high_conflict=False, capacity_hours=20.0)
    full = mediator(mediator_id=2, load_hours=10.0)
    result = weighted_round_robin(
        cases=[case(level="high")], mediators=[unqualified, full], today=TODAY, rules=False
    )
    assert result.assignments[1].mediator_id == 1
    assert not result.assignments[1].eligible


@settings(max_examples=100, deadline=None)
@given(instance=instances())
def test_round_robin_with_rules_never_overruns_nor_places_ineligibly(instance):
    cases, mediators = instance
    result = weighted_round_robin(cases=cases, mediators=mediators, today=TODAY)
    measured = metrics(result=result, cases=cases, mediators=mediators, today=TODAY)
    assert measured.overrun_mediators == 0 and measured.ineligible_pairs == 0


@settings(max_examples=100, deadline=None)
@given(instance=instances())
def test_calcom_round_robin_never_overruns(instance):
    cases, mediators = instance
    result = weighted_round_robin(cases=cases, mediators=mediators, today=TODAY, rules=False)
    assert metrics(result=result, cases=cases, mediators=mediators, today=TODAY).overrun_hours == 0


# --- metrics ---


def test_an_ineligible_placement_costs_more_than_leaving_the_case():
    need = case(level="high")
    unqualified = mediator(high_conflict=False)
    placed = status_quo(cases=[need], mediators=[unqualified], today=TODAY)
    measured = metrics(result=placed, cases=[need], mediators=[unqualified], today=TODAY)
    waiting = unassigned_cost(case=need, today=TODAY)
    # Raw cost (at least 10 min journey + 1 day's wait − the continuity bonus) + waiting + 100.
    assert measured.ineligible_cost > waiting + number("cost.ineligible") + number(
        "cost.continuity"
    )
    assert measured.total_cost > waiting


def test_metrics_count_unassigned_and_mean_in_person_journey():
    near = mediator(mediator_id=1)
    cases = [case(case_id=1), case(case_id=2, level="high", parties=frozenset())]
    result = weighted_round_robin(cases=cases, mediators=[near], today=TODAY)
    measured = metrics(result=result, cases=cases, mediators=[near], today=TODAY)
    assert measured.assigned == 2 and measured.unassigned == 0
    assert measured.mean_journey == pytest.approx(10.0)
    assert measured.high_conflict_cases == measured.high_conflict_qualified == 1
    assert measured.total_cost == pytest.approx(measured.placement_cost)


def test_status_quo_by_the_rules_skips_the_unqualified_and_waits_when_nobody_fits():
    """rules=True (the national simulation's status quo): still the catchment office first
    come first served, but only eligible mediators; no room anywhere means the case waits."""
    unqualified = mediator(mediator_id=1, high_conflict=False)
    qualified = mediator(mediator_id=2, high_conflict=True, separate_meetings=True)
    high = case(case_id=1, level="high")
    placed = status_quo(cases=[high], mediators=[unqualified, qualified], today=TODAY, rules=True)
    assert placed.assignments[1].mediator_id == 2
    assert placed.assignments[1].eligible
    full = mediator(mediator_id=3, capacity_hours=1.0, load_hours=1.0)
    waiting = status_quo(cases=[case(case_id=2)], mediators=[full], today=TODAY, rules=True)
    assert waiting.assignments == {}
    assert 2 in waiting.unassigned
