"""One measure for every policy: the same evaluation (`evaluate`) of whatever it placed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from mediators.assignment.batch import evaluate, index_cases, index_mediators
from mediators.assignment.cost import unassigned_cost
from mediators.assignment.eligibility import case_hours, needs_high_conflict
from mediators.assignment.types import BatchResult, CaseNeed, MediatorSlot, Metrics


def metrics(
    *,
    result: BatchResult,
    cases: Sequence[CaseNeed],
    mediators: Sequence[MediatorSlot],
    today: date,
) -> Metrics:
    """Total cost (placements + ineligible placements + unassigned cases), mean in-person
    journey, high-conflict/safety cases given a qualified mediator (high-conflict competence
    and separate meetings), capacity overruns (mediators, hours), unassigned, solve time.

    The policy's own costs are not trusted: the placement is evaluated again here.
    """
    by_case = index_cases(cases)
    by_mediator = index_mediators(mediators)
    placement = {cid: choice.mediator_id for cid, choice in result.assignments.items()}
    choices = evaluate(placement=placement, cases=cases, mediators=mediators, today=today)
    placement_cost = sum(c.cost for c in choices.values() if c.eligible)
    ineligible_cost = sum(c.cost for c in choices.values() if not c.eligible)
    unplaced = [case for cid, case in by_case.items() if cid not in choices]
    waiting_cost = sum(unassigned_cost(case=case, today=today) for case in unplaced)
    in_person = [c.journey_minutes for c in choices.values() if not c.remote]
    added: dict[int, float] = defaultdict(float)
    for cid, choice in choices.items():
        added[choice.mediator_id] += case_hours(by_case[cid])
    over = {
        mid: by_mediator[mid].load_hours
        + hours
        - max(by_mediator[mid].capacity_hours, by_mediator[mid].load_hours)
        for mid, hours in added.items()
    }
    over = {mid: hours for mid, hours in over.items() if hours > 1e-9}
    high = [case for case in by_case.values() if needs_high_conflict(case)]
    high_assigned = [case for case in high if case.case_id in choices]
    high_qualified = [
        case
        for case in high_assigned
        if by_mediator[choices[case.case_id].mediator_id].high_conflict
        and by_mediator[choices[case.case_id].mediator_id].separate_meetings
    ]
    return Metrics(
        policy=result.policy,
        cases=len(by_case),
        assigned=len(choices),
        unassigned=len(unplaced),
        total_cost=placement_cost + ineligible_cost + waiting_cost,
        placement_cost=placement_cost,
        unassigned_cost=waiting_cost,
        ineligible_cost=ineligible_cost,
        ineligible_pairs=sum(1 for c in choices.values() if not c.eligible),
        mean_journey=sum(in_person) / len(in_person) if in_person else 0.0,
        remote=sum(1 for c in choices.values() if c.remote),
        high_conflict_cases=len(high),
        high_conflict_assigned=len(high_assigned),
        high_conflict_qualified=len(high_qualified),
        share_high_conflict_qualified=(
            len(high_qualified) / len(high_assigned) if high_assigned else 1.0
        ),
        overrun_mediators=len(over),
        overrun_hours=sum(over.values()),
        solve_seconds=result.solve_seconds,
    )
