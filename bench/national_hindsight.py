"""The hindsight bound: all of the run's demand known in advance, placed optimally (HiGHS),
under the same operating rules as every policy in the simulation.

A linear programme (scipy's HiGHS) over (case, mediator, place, day): each case's first meeting
goes to one eligible mediator at one place on one day (or stays "unplaced"); each mediator's
day holds at most its opening hours, and each of its places at most the hours open there.
It is a relaxation of what any policy in bench/national_worker.py can do,
so its optimum is a floor no policy can beat: every simulated outcome maps to a feasible LP
solution of no greater cost (the figure is the mean working days, request → first booked
slot, as the simulation measures it).

The operating rules it keeps (no foresight changes them):
- release: staff place cases only in the daily batch at 08:00 on working days (ready cases:
  both answers in; or cases in intake ≥ 10 days), the same ready times the simulation draws;
  the first batch at or after the ready time is the earliest placement, and the first meeting
  is on a day after that batch's day (an office mediator's case is booked from tomorrow,
  an external answers later still);
- capacity: per mediator and day, the opening hours (the weekly openings as the simulation's
  calendars, minus planned leave and public holidays, overlapping openings counted once);
  a sick day is closed to a case only when the sick spell was entered (its first day, 07:00)
  before the case's release batch, because a meeting booked before a spell is entered stays
  booked and counts as the offered slot; spells the simulation refuses (overlapping leave)
  are not counted;
- eligibility: the service's own rules (`mediators.assignment.is_eligible`) on the same
  inputs the service would see: the case's office, home and classification (computed from the
  drawn answers with the service's classifier: both parents', or the requester's alone when
  the other never answers), competences for high conflict / safety, court cases, languages and
  interpreters, journey guidance and video, externals approved on the release day;
- place: in person, only at the mediator's locations the family may meet at
  (`cost.meeting_places`: within the journey guidance, or the nearest alone), on the hours
  open there; by video (beyond the guidance, parents who accept it) at any opening. The
  simulation books at the assigned place, else at another of those places, never beyond.

Relaxations (each only makes placing easier, so the bound stays a lower bound):
- fractional placements and fractional hours in a day (no slot packing, no 30-minute grid,
  no 15-minute gap between separate meetings: they take 2 hours, 1 for a joint meeting);
- follow-up meetings, no-shows and re-bookings are dropped (they only take hours);
- no declines, no silent or late answers by externals, no external on leave not answering;
- conflicts of interest are ignored; the weekly open-case capacity (`capacity.full`) is ignored;
- an external is eligible if approved on the release day (the simulation checks the later day
  it actually places the case); sick days as above (the release batch, not the actual one);
- each case's days are limited to a window of `WINDOW_WORKING_DAYS` working days after its
  release; a case may instead stay "unplaced" at the cost of the window's last day (any slot
  after the window costs at least that), or of the simulation's censoring day if earlier (a
  case without a slot counts until then in the simulation's mean). A case with no eligible
  mediator at all counts until the censoring day, as it does in the simulation: the bound's
  eligibility is wider than the service's on any day, so no policy can place it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_array

WINDOW_WORKING_DAYS = 30
SEPARATE_HOURS = 2.0
JOINT_HOURS = 1.0


@dataclass(frozen=True)
class Bound:
    mean_working_days: float
    median_working_days: float
    p95_working_days: float
    unplaced_share: float
    variables: int
    constraints: int
    seconds: float
    status: str


def hindsight_bound(
    *,
    cases: list[dict[str, Any]],
    capacity: dict[int, dict[date, float]],
    place_capacity: dict[int, dict[tuple[int, date], float]],
    sick_from: dict[int, dict[date, date]],
    working_days: Any,
    censor_day: date,
) -> Bound:
    """`cases`: dicts with requested (date), release (the batch day, date), hours and
    mediators (the eligible mediator ids). `capacity[m][day]`: opening hours;
    `sick_from[m][day]`: the first day of the sick spell that closes the day (see the module
    doc); `place_capacity[m][(location, day)]`: the opening hours at one location, and each
    case's `places[m]`: the locations it may meet mediator m at (None: any, by video).
    `working_days(a, b)`: working days in (a, b]. `censor_day`: the simulation counts a
    case without a slot until this day."""
    started = time.perf_counter()
    cap_row: dict[tuple[int, date, int | None], int] = {}
    caps: list[float] = []
    costs: list[float] = []
    rows: list[int] = []  # capacity rows
    cols: list[int] = []
    vals: list[float] = []
    eq_cols: list[int] = []
    eq_rows: list[int] = []
    unplaced_vars: list[int] = []
    day_cost: dict[tuple[date, date], int] = {}

    def cost(requested: date, day: date) -> int:
        key = (requested, day)
        if key not in day_cost:
            day_cost[key] = working_days(requested, day)
        return day_cost[key]

    n_var = 0
    for ci, case in enumerate(cases):
        release: date = case["release"]
        requested: date = case["requested"]
        last = release
        counted = 0
        while counted < WINDOW_WORKING_DAYS:
            last += timedelta(days=1)
            counted += working_days(last - timedelta(days=1), last)
        first = release + timedelta(days=1)
        for mediator_id in case["mediators"]:
            days = capacity.get(mediator_id, {})
            at_place = place_capacity.get(mediator_id, {})
            places: list[int] | None = case["places"][mediator_id]
            sick = sick_from.get(mediator_id, {})
            day = first
            while day <= last:
                hours = days.get(day, 0.0)
                if hours > 0 and not (day in sick and sick[day] <= release):
                    # A variable per place open that day (one, by video: the day's hours
                    # anywhere), in the mediator's day and in that place's day.
                    for place in [None] if places is None else places:
                        place_hours = hours if place is None else at_place.get((place, day), 0.0)
                        if place_hours <= 0:
                            continue
                        keys: list[tuple[tuple[int, date, int | None], float]] = [
                            ((mediator_id, day, None), hours)
                        ]
                        if place is not None:
                            keys.append(((mediator_id, day, place), place_hours))
                        for key, limit in keys:
                            row = cap_row.get(key)
                            if row is None:
                                row = cap_row[key] = len(caps)
                                caps.append(limit)
                            rows.append(row)
                            cols.append(n_var)
                            vals.append(case["hours"])
                        costs.append(cost(requested, day))
                        eq_rows.append(ci)
                        eq_cols.append(n_var)
                        n_var += 1
                day += timedelta(days=1)
        # Unplaced within the window: no slot in the simulation costs less than this. A case
        # no mediator may ever take (the bound's eligibility is wider than the service's on
        # any later day) has no slot in the simulation either: it counts until censoring.
        unplaced = cost(requested, censor_day)
        if case["mediators"]:
            unplaced = min(cost(requested, last), unplaced)
        costs.append(unplaced)
        eq_rows.append(ci)
        eq_cols.append(n_var)
        unplaced_vars.append(n_var)
        n_var += 1
    n_cases = len(cases)
    a_ub = coo_array((vals, (rows, cols)), shape=(len(caps), n_var)).tocsr()
    a_eq = coo_array(([1.0] * len(eq_cols), (eq_rows, eq_cols)), shape=(n_cases, n_var)).tocsr()
    result = linprog(
        np.asarray(costs, dtype=float),
        A_ub=a_ub,
        b_ub=np.asarray(caps),
        A_eq=a_eq,
        b_eq=np.ones(n_cases),
        bounds=(0, 1),
        method="highs",
    )
    n_rows = len(caps) + n_cases
    if result.x is None:
        nan = float("nan")
        seconds = time.perf_counter() - started
        return Bound(nan, nan, nan, nan, n_var, n_rows, seconds, str(result.message))
    x = np.asarray(result.x)
    values = np.asarray(costs, dtype=float)
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(x[order]) / x.sum()

    def quantile(q: float) -> float:
        at = int(np.searchsorted(cumulative, q - 1e-9))
        return float(values[order][min(len(order) - 1, at)])

    return Bound(
        mean_working_days=float(result.fun) / n_cases,
        median_working_days=quantile(0.5),
        p95_working_days=quantile(0.95),
        unplaced_share=float(x[unplaced_vars].sum()) / n_cases,
        variables=n_var,
        constraints=n_rows,
        seconds=time.perf_counter() - started,
        status=str(result.message),
    )
