"""Batch assignment of all waiting cases at once: a capacitated min-cost assignment.

Why a MILP and not `linear_sum_assignment` with capacity columns: capacity columns are exact
only when every case takes the same hours; here a case takes 1, 1.5 or 2 hours a week
(`case_hours`), which makes this a generalised assignment problem. We solve it exactly with
`scipy.optimize.milp` (the HiGHS solver shipped with SciPy):

    minimise   Σ cost[c,m]·x[c,m] + Σ unassigned[c]·u[c] + Σ congestion[m,k]·t[m,k]
    subject to Σ_m x[c,m] + u[c] = 1                       for every case c
               Σ_c hours[c]·x[c,m] = Σ_k t[m,k]              for every mediator m
               0 ≤ t[m,k] ≤ 1 (the last tier ≤ what is left), Σ_k t[m,k] ≤ capacity − load
               x binary, only for eligible pairs (`is_eligible`)

The tiers t[m,k] price the k-th hour a mediator receives with an increasing marginal cost
(`congestion_marginal`), the exact piecewise-linear convex congestion the evaluation uses, so the
solver's objective is the measured total cost. `unassigned[c]` grows with urgency, so urgent
cases win scarce capacity. Capacity can never be exceeded (tier bounds; checked again after).

The solver has a time budget (`SOLVER_SECONDS`); a national week (500 cases, 365 mediators)
is usually proven optimal within it. If the budget runs out, HiGHS's best solution is used and
its proven relative gap is reported in `BatchResult.optimality_gap` (0 = proven optimal).
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from mediators.assignment.batch import (
    booking_order,
    evaluate,
    index_cases,
    index_mediators,
)
from mediators.assignment.cost import (
    congestion_marginal,
    cost_parts,
    unassigned_cost,
)
from mediators.assignment.eligibility import case_hours, exclusions, is_eligible
from mediators.assignment.types import BatchResult, CaseNeed, MediatorSlot
from mediators.assignment.urgency import urgency

SOLVER_SECONDS = 0.5  # HiGHS time budget; on expiry its best solution and its gap are used
MIP_REL_GAP = 1e-6
CAPACITY_TOLERANCE = 1e-9
NOT_PLACED = "eligible mediators' capacity went to more urgent cases this round"


@dataclass(frozen=True)
class _Model:
    pairs: list[tuple[int, int]]  # (case index, mediator index)
    pair_costs: list[float]
    tiers: list[tuple[int, int, float, float]]  # (mediator index, k, upper bound, cost/hour)


_EXTERNALS = -1


def _pools(mediators: list[MediatorSlot]) -> dict[int, list[int]]:
    """Candidate mediator indices per office: its own office mediators plus every external.

    Office mediators of other offices are excluded by the office rule (`office.own_office`);
    leaving them out before the full check is a shortcut with the same result.
    """
    externals = [mi for mi, m in enumerate(mediators) if m.kind != "office"]
    pools: dict[int, list[int]] = {_EXTERNALS: externals}
    for mi, m in enumerate(mediators):
        if m.kind == "office":
            pools.setdefault(m.office_id, list(externals)).append(mi)
    return pools


def _build(cases: list[CaseNeed], mediators: list[MediatorSlot], today: date) -> _Model:
    pairs, pair_costs = [], []
    pools = _pools(mediators)
    for ci, case in enumerate(cases):
        urgent = urgency(case=case, today=today)
        for mi in pools.get(case.office_id, pools[_EXTERNALS]):
            mediator = mediators[mi]
            if is_eligible(case=case, mediator=mediator, today=today):
                pairs.append((ci, mi))
                cost = cost_parts(
                    case=case, mediator=mediator, today=today, urgency_value=urgent, explain=False
                )
                pair_costs.append(cost.total)
    demand: dict[int, float] = {}
    for ci, mi in pairs:
        demand[mi] = demand.get(mi, 0.0) + case_hours(cases[ci])
    tiers = []
    for mi in sorted(demand):
        mediator = mediators[mi]
        # No more tiers than the hours this mediator could possibly receive.
        free = min(mediator.capacity_hours - mediator.load_hours, demand[mi])
        for k in range(math.ceil(free - CAPACITY_TOLERANCE)):
            upper = min(1.0, free - k)
            tiers.append((mi, k, upper, congestion_marginal(mediator=mediator, k=k)))
    return _Model(pairs, pair_costs, tiers)


def _solve(
    model: _Model, cases: list[CaseNeed], today: date, seconds: float
) -> tuple[list[int], float] | None:
    """Indices into model.pairs of the chosen pairs and the solver's relative optimality gap
    (0 when proven optimal), or None if the solver returned no solution."""
    n_pairs, n_cases, n_tiers = len(model.pairs), len(cases), len(model.tiers)
    if n_pairs == 0:
        return [], 0.0
    c = np.concatenate(
        [
            np.asarray(model.pair_costs, dtype=float),
            np.asarray([unassigned_cost(case=case, today=today) for case in cases]),
            np.asarray([tier[3] for tier in model.tiers], dtype=float),
        ]
    )
    mediator_rows = {mi: row for row, mi in enumerate(sorted({t[0] for t in model.tiers}))}
    rows, cols, vals = [], [], []
    for p, (ci, mi) in enumerate(model.pairs):
        rows += [ci, n_cases + mediator_rows[mi]]
        cols += [p, p]
        vals += [1.0, case_hours(cases[ci])]
    for ci in range(n_cases):
        rows.append(ci)
        cols.append(n_pairs + ci)
        vals.append(1.0)
    for t, (mi, _, _, _) in enumerate(model.tiers):
        rows.append(n_cases + mediator_rows[mi])
        cols.append(n_pairs + n_cases + t)
        vals.append(-1.0)
    n_rows = n_cases + len(mediator_rows)
    n_vars = n_pairs + n_cases + n_tiers
    matrix = coo_array((vals, (rows, cols)), shape=(n_rows, n_vars)).tocsr()
    equal = np.concatenate([np.ones(n_cases), np.zeros(len(mediator_rows))])
    upper = np.concatenate([np.ones(n_pairs + n_cases), [t[2] for t in model.tiers]])
    integrality = np.concatenate([np.ones(n_pairs), np.zeros(n_cases + n_tiers)])
    result = milp(
        c,
        constraints=LinearConstraint(matrix, equal, equal),
        integrality=integrality,
        bounds=Bounds(np.zeros(n_vars), upper),
        options={"time_limit": seconds, "mip_rel_gap": MIP_REL_GAP},
    )
    if result.x is None:
        return None
    gap = float(result.mip_gap) if result.mip_gap is not None else 0.0
    return [p for p in range(n_pairs) if result.x[p] > 0.5], max(0.0, gap)


def _greedy(
    model: _Model, cases: list[CaseNeed], mediators: list[MediatorSlot], today: date
) -> list[int]:
    """Fallback if the solver returns nothing: most urgent first, cheapest pair that fits."""
    free = [m.capacity_hours - m.load_hours for m in mediators]
    options: dict[int, list[int]] = {}
    for p, (ci, _) in enumerate(model.pairs):
        options.setdefault(ci, []).append(p)
    position = {case.case_id: ci for ci, case in enumerate(cases)}
    chosen = []
    for case in booking_order(cases, today):
        ci = position[case.case_id]
        for p in sorted(options.get(ci, []), key=lambda p: model.pair_costs[p]):
            mi = model.pairs[p][1]
            if case_hours(case) <= free[mi] + CAPACITY_TOLERANCE:
                free[mi] -= case_hours(case)
                chosen.append(p)
                break
    return chosen


def _within_capacity(
    chosen: list[int], model: _Model, cases: list[CaseNeed], mediators: list[MediatorSlot]
) -> list[int]:
    """Defensive: drop the least urgent cases of any mediator the rounding put over capacity."""
    added = [0.0] * len(mediators)
    kept = []
    for p in chosen:
        ci, mi = model.pairs[p]
        hours = case_hours(cases[ci])
        if mediators[mi].load_hours + added[mi] + hours <= mediators[mi].capacity_hours + 1e-9:
            added[mi] += hours
            kept.append(p)
    return kept


def _why_unassigned(case: CaseNeed, pool: list[MediatorSlot], today: date) -> str:
    """Which rules excluded the case's candidates (its office's mediators and the externals)."""
    counts: Counter[str] = Counter()
    for mediator in pool:
        for exclusion in exclusions(case=case, mediator=mediator, today=today):
            counts[exclusion.rule] += 1
    summary = ", ".join(f"{rule}: {n}" for rule, n in counts.most_common())
    return f"no eligible mediator among {len(pool)} candidates ({summary})"


def optimise(
    *,
    cases: Sequence[CaseNeed],
    mediators: Sequence[MediatorSlot],
    today: date,
    solver_seconds: float = SOLVER_SECONDS,
) -> BatchResult:
    """Min-cost assignment of all cases at once; never over capacity, never ineligible.

    Optimal when the solver proves it within `solver_seconds` (`optimality_gap` 0); otherwise
    the best solution found, with its proven relative gap. If the solver returns nothing at
    all, a greedy fallback (most urgent first, cheapest pair that fits; gap unknown: None).
    """
    started = time.perf_counter()
    index_cases(cases)
    index_mediators(mediators)
    case_list, mediator_list = list(cases), list(mediators)
    model = _build(case_list, mediator_list, today)
    solved = _solve(model, case_list, today, solver_seconds)
    gap: float | None
    if solved is None:
        chosen, gap = _greedy(model, case_list, mediator_list, today), None
    else:
        chosen, gap = solved
    # The chosen pairs are taken most urgent first, so a drop (never expected) hits the least.
    urgent_first = {c.case_id: i for i, c in enumerate(booking_order(case_list, today))}
    chosen.sort(key=lambda p: urgent_first[case_list[model.pairs[p][0]].case_id])
    chosen = _within_capacity(chosen, model, case_list, mediator_list)
    placement = {
        case_list[ci].case_id: mediator_list[mi].mediator_id
        for ci, mi in (model.pairs[p] for p in chosen)
    }
    choices = evaluate(placement=placement, cases=case_list, mediators=mediator_list, today=today)
    has_pair = {ci for ci, _ in model.pairs}
    pools = _pools(mediator_list)
    unassigned = {
        case.case_id: (
            NOT_PLACED
            if ci in has_pair
            else _why_unassigned(
                case,
                [mediator_list[mi] for mi in pools.get(case.office_id, pools[_EXTERNALS])],
                today,
            )
        )
        for ci, case in enumerate(case_list)
        if case.case_id not in placement
    }
    return BatchResult(
        policy="optimiser",
        assignments=choices,
        unassigned=unassigned,
        solve_seconds=time.perf_counter() - started,
        optimality_gap=gap,
    )
