"""The two policies the optimiser is measured against, implemented as fairly as we can.

(a) `status_quo` — placing by hand today: catchment office, first come first served.
(b) `weighted_round_robin(rules=False)` — Cal.com's weighted round-robin (packages/features/
    bookings/lib/getLuckyUser.ts: largest booking shortfall against weight, then weight, then
    priority, then least recently booked) over the office's team, hosts filtered by
    availability only, as Cal.com does.
(b+) `weighted_round_robin()` — the same pick with our eligibility rules as its host filter: a
    stronger baseline than the issue asks for, so the optimisation's own gain shows.
Both return a `BatchResult` evaluated with the same cost model as the optimiser (`evaluate`).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from mediators.assignment.batch import evaluate, index_cases, index_mediators, request_order
from mediators.assignment.eligibility import case_hours, is_eligible
from mediators.assignment.journey import nearest_location
from mediators.assignment.types import BatchResult, CaseNeed, MediatorSlot

OFFICE_PRIORITY, EXTERNAL_PRIORITY = 2, 1


@dataclass
class _RoundRobin:
    """Bookings (hours) per mediator and who was booked when in this run."""

    booked: dict[int, float]
    run_sequence: dict[int, int] = field(default_factory=dict)

    def recency(self, m: MediatorSlot) -> tuple[int, int, float]:
        # Smaller is less recent: never in this run, never booked, then the oldest booking.
        last = m.last_assigned_at
        stamp = last.timestamp() if last is not None else 0.0
        return (self.run_sequence.get(m.mediator_id, -1), 0 if last is None else 1, stamp)

    def available(self, m: MediatorSlot, case: CaseNeed, today: date, *, rules: bool) -> bool:
        booked = self.booked[m.mediator_id]
        if rules:
            return is_eligible(case=case, mediator=replace(m, load_hours=booked), today=today)
        approved = m.kind == "office" or _approved(m, today)
        return m.active and approved and _fits(m, booked - m.load_hours, case_hours(case))

    def lucky(self, *, available: list[MediatorSlot], team: list[MediatorSlot]) -> MediatorSlot:
        """getLuckyUser: largest shortfall, weight, priority, least recently booked, id."""
        weight = sum(m.capacity_hours for m in team)
        total = sum(self.booked[m.mediator_id] for m in team)

        def rank(m: MediatorSlot) -> tuple[float, float, int, tuple[int, int, float], int]:
            target = total * m.capacity_hours / weight if weight else 0.0
            shortfall = target - self.booked[m.mediator_id]
            priority = OFFICE_PRIORITY if m.kind == "office" else EXTERNAL_PRIORITY
            return (-shortfall, -m.capacity_hours, -priority, self.recency(m), m.mediator_id)

        return min(available, key=rank)

    def book(self, m: MediatorSlot, hours: float, sequence: int) -> None:
        self.booked[m.mediator_id] += hours
        self.run_sequence[m.mediator_id] = sequence


def _fits(mediator: MediatorSlot, added: float, hours: float) -> bool:
    return mediator.load_hours + added + hours <= mediator.capacity_hours + 1e-9


def _approved(mediator: MediatorSlot, today: date) -> bool:
    return mediator.approved_until is not None and mediator.approved_until >= today


def _result(
    policy: str,
    placement: dict[int, int],
    unassigned: dict[int, str],
    cases: Sequence[CaseNeed],
    mediators: Sequence[MediatorSlot],
    today: date,
    started: float,
) -> BatchResult:
    elapsed = time.perf_counter() - started  # the policy's own decision time, not the evaluation
    choices = evaluate(placement=placement, cases=cases, mediators=mediators, today=today)
    return BatchResult(policy, choices, unassigned, elapsed)


def status_quo(
    *,
    cases: Sequence[CaseNeed],
    mediators: Sequence[MediatorSlot],
    today: date,
    rules: bool = False,
) -> BatchResult:
    """Catchment office, first come first served, as staff place cases by hand today.

    Cases in request order (request date, then id). Each goes to the first active office
    mediator of the case's office (by id) with room for the case's hours, whatever their
    competence, languages or journey. If nobody there has room: the nearest active, approved
    external with room (by journey, anywhere). If nobody has room at all: the office mediator with
    the most free hours, even if that overruns their capacity (the office must still take the
    case). Only an office with no active mediator leaves a case unassigned. It does not check
    competence, language, conflict of interest or the journey limit: the measure shows the cost.

    With `rules=True` (staff placing by hand who know the rules table, as in the national
    simulation, where the service writes every placement and refuses an ineligible one): the
    first office mediator of the case's office (by id) who passes every eligibility rule with
    their current load, else the nearest eligible external (by journey), else the case waits
    (unassigned). Still catchment office and first come first served, no optimisation.
    """
    if rules:
        return _status_quo_by_the_rules(cases=cases, mediators=mediators, today=today)
    started = time.perf_counter()
    index_cases(cases)
    index_mediators(mediators)
    staff: dict[int, list[MediatorSlot]] = defaultdict(list)
    for mediator in sorted(mediators, key=lambda m: m.mediator_id):
        if mediator.kind == "office" and mediator.active:
            staff[mediator.office_id].append(mediator)
    externals = [
        m
        for m in mediators
        if m.kind == "external" and m.active and _approved(m, today) and m.locations
    ]
    added: dict[int, float] = defaultdict(float)
    placement: dict[int, int] = {}
    unassigned: dict[int, str] = {}
    for case in request_order(cases):
        hours = case_hours(case)
        pick = next(
            (m for m in staff[case.office_id] if _fits(m, added[m.mediator_id], hours)), None
        )
        if pick is None:
            room = [m for m in externals if _fits(m, added[m.mediator_id], hours)]
            if room:
                pick = min(
                    room,
                    key=lambda m: (nearest_location(case.home, m.locations)[1], m.mediator_id),
                )
        if pick is None and staff[case.office_id]:
            pick = max(
                staff[case.office_id],
                key=lambda m: (
                    m.capacity_hours - m.load_hours - added[m.mediator_id],
                    -m.mediator_id,
                ),
            )
        if pick is None:
            unassigned[case.case_id] = "the office has no active mediator"
            continue
        placement[case.case_id] = pick.mediator_id
        added[pick.mediator_id] += hours
    return _result("status_quo", placement, unassigned, cases, mediators, today, started)


def _status_quo_by_the_rules(
    *, cases: Sequence[CaseNeed], mediators: Sequence[MediatorSlot], today: date
) -> BatchResult:
    started = time.perf_counter()
    index_cases(cases)
    index_mediators(mediators)
    ordered = sorted(mediators, key=lambda m: m.mediator_id)
    staff: dict[int, list[MediatorSlot]] = defaultdict(list)
    for mediator in ordered:
        if mediator.kind == "office":
            staff[mediator.office_id].append(mediator)
    externals = [m for m in ordered if m.kind == "external"]
    booked = {m.mediator_id: m.load_hours for m in mediators}

    def eligible(m: MediatorSlot, case: CaseNeed) -> bool:
        running = replace(m, load_hours=booked[m.mediator_id])
        return is_eligible(case=case, mediator=running, today=today)

    placement: dict[int, int] = {}
    unassigned: dict[int, str] = {}
    for case in request_order(cases):
        pick = next((m for m in staff[case.office_id] if eligible(m, case)), None)
        if pick is None:
            room = [m for m in externals if eligible(m, case)]
            if room:
                pick = min(
                    room,
                    key=lambda m: (nearest_location(case.home, m.locations)[1], m.mediator_id),
                )
        if pick is None:
            unassigned[case.case_id] = "no eligible mediator has room"
            continue
        placement[case.case_id] = pick.mediator_id
        booked[pick.mediator_id] += case_hours(case)
    return _result("status_quo_rules", placement, unassigned, cases, mediators, today, started)


def weighted_round_robin(
    *,
    cases: Sequence[CaseNeed],
    mediators: Sequence[MediatorSlot],
    today: date,
    rules: bool = True,
) -> BatchResult:
    """Cal.com-style weighted round-robin, one case at a time in request order.

    With `rules=True` (the default, baseline (b+)): the team ("round-robin hosts") of a case
    is the office mediators of the case's office plus all external mediators, and the available
    hosts are those who pass every eligibility rule with their current load (`is_eligible`:
    competence, language, conflict of interest, approval, capacity, journey limit). Cal.com
    itself filters hosts by calendar availability, not competence; we give it our full filter
    (as hosts split by attribute routing could) so that it never breaks a rule and the
    comparison is about the choice among eligible mediators.
    With `rules=False` (baseline (b), Cal.com as it is): the team is the mediators of the case's
    office (employees and the externals it supervises) and a host is available when active,
    approved (externals) and with room for the case's hours; nothing else is checked.
    Weight = capacity hours. Bookings = committed hours (load, then each new case's hours), as
    Cal.com counts the interval's bookings. Choice, as in getLuckyUser: the largest shortfall
    (team bookings × weight / team weight − own bookings), then the larger weight, then the
    higher priority (office employee before external), then the least recently booked (never
    booked first; bookings in this run count as most recent), then the lowest id. No journey
    optimisation. No available host leaves the case unassigned (Cal.com shows no slot).
    """
    started = time.perf_counter()
    index_cases(cases)
    index_mediators(mediators)
    teams: dict[int, list[MediatorSlot]] = defaultdict(list)
    externals = [m for m in mediators if m.kind == "external"]
    for mediator in mediators:
        if mediator.kind == "office" or not rules:
            teams[mediator.office_id].append(mediator)
    state = _RoundRobin(booked={m.mediator_id: m.load_hours for m in mediators})
    placement: dict[int, int] = {}
    unassigned: dict[int, str] = {}
    for case in request_order(cases):
        team = teams[case.office_id] + externals if rules else teams[case.office_id]
        available = [m for m in team if state.available(m, case, today, rules=rules)]
        if not available:
            unassigned[case.case_id] = "no available round-robin host"
            continue
        pick = state.lucky(available=available, team=team)
        placement[case.case_id] = pick.mediator_id
        state.book(pick, case_hours(case), len(placement))
    policy = "weighted_round_robin" if rules else "weighted_round_robin_calcom"
    return _result(policy, placement, unassigned, cases, mediators, today, started)
