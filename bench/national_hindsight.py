"""The hindsight bound: all of the year's demand known in advance, placed optimally (HiGHS).

A linear programme (scipy's HiGHS) that relaxes the simulation, so its optimum is a floor no
real policy can beat:
- time in weeks; a case can have its first meeting from the first working day after it is
  ready (both parents answered, or the 10-day intake grace) — the same ready times the
  simulation draws — and its wait is counted in working days from the request to the later
  of that day and the week's Monday (optimistic inside the week);
- capacity: each mediator's opening hours in the week (openings minus planned leave, sick
  days and public holidays), pooled per office (all its mediators, and the qualified ones for
  high-conflict and safety cases, 000 §4.2) and per external
  (only within the journey guidance of one of the office's locations, approved that week);
- a case takes its first meeting's hours (2 for separate meetings, meklingsforskriften § 7)
  in its week and its follow-up meetings' hours in the following weeks;
- relaxed: fractional placements, no languages, court competence, conflicts of interest,
  no-shows, declines or weekly open-case capacity, no order within a week.
The figure compared is the mean working days from request to the offered slot.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_array

WINDOW_WEEKS = 12


@dataclass(frozen=True)
class Bound:
    mean_working_days: float
    median_working_days: float
    p95_working_days: float
    unplaced_share: float
    variables: int
    seconds: float
    status: str


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def hindsight_bound(
    *,
    cases: list[dict[str, Any]],
    weekly_hours: dict[tuple[str, int], dict[date, float]],
    externals_for: dict[int, list[int]],
    qualified_externals: set[int],
    working_days: Any,
    horizon_end: date,
) -> Bound:
    """`cases`: dicts with office, requested (date), earliest (date), needs_hc, hours,
    follow_ups. `weekly_hours[(pool, id)][monday]`: pool "office" (all), "office_hc"
    (qualified) or "external" (id = mediator). `working_days(a, b)`: working days in (a, b]."""
    import time

    started = time.perf_counter()
    groups: dict[tuple[int, date, bool, float], list[dict[str, Any]]] = defaultdict(list)
    for case in cases:
        key = (case["office"], _monday(case["earliest"]), case["needs_hc"], case["hours"])
        groups[key].append(case)
    resources = sorted(weekly_hours)
    index = {r: i for i, r in enumerate(resources)}
    weeks = sorted({w for hours in weekly_hours.values() for w in hours})
    week_index = {w: i for i, w in enumerate(weeks)}
    cap_row = {}
    caps: list[float] = []
    for r in resources:
        for w in weeks:
            cap_row[(index[r], week_index[w])] = len(caps)
            caps.append(weekly_hours[r].get(w, 0.0))
    costs, rows, cols, vals = [], [], [], []
    eq_rows, eq_cols = [], []
    demand = []
    spread: list[list[int]] = []  # per variable: each member case's wait in its week
    n_var = 0
    group_list = list(groups.items())
    for g, ((office, monday, needs_hc, hours), members) in enumerate(group_list):
        demand.append(float(len(members)))
        pools = [("office_hc", office)] + ([] if needs_hc else [("office", office)])
        pools += [("external", e) for e in externals_for.get(office, [])]
        follow = [sum(1 for c in members if c["follow_ups"] >= j) for j in (1, 2, 3)]
        start = week_index.get(monday)
        if start is None:
            continue
        for k in range(WINDOW_WEEKS):
            if start + k >= len(weeks):
                break
            week = weeks[start + k]
            waits = [working_days(c["requested"], max(c["earliest"], week)) for c in members]
            wait = sum(waits)
            for pool in pools:
                if pool not in index:
                    continue
                if pool[0] == "external" and needs_hc and pool[1] not in qualified_externals:
                    continue
                ri = index[pool]
                # one variable = the share of the group placed in this pool and week
                costs.append(wait)
                spread.append(waits)
                eq_rows.append(g)
                eq_cols.append(n_var)
                for j, load in enumerate([len(members), *follow]):
                    if start + k + j < len(weeks) and load:
                        rows.append(cap_row[(ri, start + k + j)])
                        cols.append(n_var)
                        vals.append(hours * load)
                n_var += 1
        # unplaced within the window: waits until the horizon (keeps the LP feasible)
        late = [working_days(c["requested"], horizon_end) for c in members]
        costs.append(sum(late))
        spread.append(late)
        eq_rows.append(g)
        eq_cols.append(n_var)
        n_var += 1
    n_groups = len(group_list)
    a_ub = coo_array((vals, (rows, cols)), shape=(len(caps), n_var)).tocsr()
    a_eq = coo_array(([1.0] * len(eq_cols), (eq_rows, eq_cols)), shape=(n_groups, n_var)).tocsr()
    result = linprog(
        np.asarray(costs),
        A_ub=a_ub,
        b_ub=np.asarray(caps),
        A_eq=a_eq,
        b_eq=np.ones(n_groups),
        bounds=(0, 1),
        method="highs",
    )
    total = sum(demand)
    if result.x is None:
        nan = float("nan")
        return Bound(nan, nan, nan, nan, n_var, time.perf_counter() - started, result.message)
    # Unplaced variables are the last of each group's block.
    unplaced_vars = [i for i in range(n_var) if i + 1 == n_var or eq_rows[i + 1] != eq_rows[i]]
    unplaced = sum(result.x[i] * demand[eq_rows[i]] for i in unplaced_vars)
    values = np.asarray([w for waits in spread for w in waits], dtype=float)
    weights = np.asarray([x for x, waits in zip(result.x, spread, strict=True) for _ in waits])
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    cumulative = np.cumsum(weights[order]) / weights.sum()

    def quantile(q: float) -> float:
        at = int(np.searchsorted(cumulative, q - 1e-9))
        return float(ordered[min(len(ordered) - 1, at)])

    return Bound(
        mean_working_days=float(result.fun) / total,
        median_working_days=quantile(0.5),
        p95_working_days=quantile(0.95),
        unplaced_share=float(unplaced) / total,
        variables=n_var,
        seconds=time.perf_counter() - started,
        status=str(result.message),
    )
