"""The national simulation: a year of Norway's mediation requests through the real service,
policy beside policy, with the hindsight bound as the floor (issue #8, must show 1).

    .venv/bin/python bench/national_year.py --seed 2026            # the full year, all policies
    .venv/bin/python bench/national_year.py --scale 0.1 --weeks 8  # a quick run

What-if switches: --externals +20 / --externals -20, --close-office CODE, --demand 1.2.

How it runs (measured, nothing mocked):
1. A throwaway PostgreSQL database (`mekling_sim_tpl_<pid>`) is migrated and loaded with the
   demo national set (41 offices, ~90 locations, 300 office + 65 external mediators), the
   mediators' weekly openings and planned leave (through the calendar services), and the
   what-if changes. A seeded year of demand is drawn (bench/national_world.py).
2. One copy of it per policy (`CREATE DATABASE ... TEMPLATE`), and one process per policy
   (bench/national_worker.py) runs the year in simulated time (time-machine) through the real
   services: case request, questionnaires and classification, the daily batch placement with
   the policy (`cases_place_batch(policy=...)`), offers with their duty-driven timeouts, slot
   booking, attendance and certificates, closing.
3. Meanwhile the hindsight bound is solved (bench/national_hindsight.py, HiGHS via scipy).
4. The side-by-side table, the goals, a CSV and a PNG (bench/out/); the databases are dropped.

Policies: status quo (catchment office, first come first served), Cal.com-style weighted
round-robin, and this service's optimiser; the baselines use the service's eligibility rules
(every placement is written by `case_place`, which refuses an ineligible one), see
mediators/assigning.py `BATCH_POLICIES`.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from datetime import time as dt_time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.national_hindsight import WINDOW_WORKING_DAYS, hindsight_bound  # noqa: E402

POLICIES = ("status_quo", "round_robin", "optimiser")
LABELS = {
    "status_quo": "status quo",
    "round_robin": "Cal.com RR",
    "optimiser": "this service",
    "hindsight": "hindsight bound",
}
ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
DEMO_SEED = 2026  # the demo national set is always the same set
GOAL_MEDIAN_WORKING_DAYS = 5
THREE_WEEKS = 21


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(sql)


def _db_url(name: str) -> str:
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def django_env(db: str, var_dir: str) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": _db_url(db),
        "DJANGO_DEBUG": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "SMS_BACKEND": "scheduling.notifications.LocmemSmsBackend",
        "CELERY_BROKER_URL": "memory://",
        "MEKLING_VAR_DIR": var_dir,
        "CONN_MAX_AGE": "0",
    }


# --- building the template database (in this process) ---------------------------------------


def build_template(args: argparse.Namespace, db: str, var_dir: str) -> dict[str, Any]:
    _admin(f'CREATE DATABASE "{db}"')
    # A throwaway database: losing the last commits in a crash loses nothing.
    _admin(f'ALTER DATABASE "{db}" SET synchronous_commit = off')
    os.environ.update(django_env(db, var_dir))
    import django

    django.setup()
    import logging

    from django.core.management import call_command

    logging.disable(logging.WARNING)
    call_command("migrate", verbosity=0)
    from bench.assignment_week import read_world
    from bench.national_world import (
        DemandConfig,
        calendars_create,
        demand_plan,
        externals_change,
        leave_create,
        office_close,
        region_select,
        sick_leave_plan,
    )
    from mediators.demo import demo_mediators_create, demo_offices_load
    from mediators.models import Mediator

    demo_offices_load()
    demo_mediators_create(seed=DEMO_SEED)
    rng = random.Random(args.seed)
    changes = []
    share = 1.0
    if args.scale < 1.0:
        share, note = region_select(scale=args.scale, rng=random.Random(f"{args.seed}:region"))
        changes.append(note)
    if args.externals:
        changes.append(externals_change(delta=args.externals, rng=random.Random(f"{args.seed}:x")))
    if args.close_office:
        changes.append(office_close(code=args.close_office))
    calendars_create(rng=random.Random(f"{args.seed}:calendar"))
    leave_create(rng=random.Random(f"{args.seed}:leave"))
    world = read_world()
    cfg = DemandConfig(seed=args.seed, scale=share, weeks=args.weeks, demand=args.demand)
    cases = demand_plan(world=world, cfg=cfg, rng=rng)
    mediator_ids = list(Mediator.objects.order_by("pk").values_list("pk", flat=True))
    sick = sick_leave_plan(
        rng=random.Random(f"{args.seed}:sick"), mediator_ids=mediator_ids, days=args.weeks * 7
    )
    plan = {
        "seed": args.seed,
        "weeks": args.weeks,
        "drain_weeks": args.drain_weeks,
        # mediators.selectors.cases_waiting_in: this service's desk lists a case once a parent
        # has answered; the baselines keep today's wait for both parents' answers.
        "provisional_policies": ["optimiser"] if args.service_gate == "first-answer" else [],
        "cases": cases,
        "sick": sick,
    }
    bound_input = hindsight_input(plan, world)
    from django.db import connections

    connections.close_all()
    return {"plan": plan, "changes": changes, "bound_input": bound_input, "world": world}


def working_days_counter() -> Any:
    import numpy as np

    from scheduling.availability import public_holidays

    holidays = sorted(public_holidays(date(2025, 1, 1), date(2028, 12, 31)))
    marks = np.array(holidays, dtype="datetime64[D]")

    def working_days(a: date, b: date) -> int:
        """Working days in (a, b]: Monday to Friday, not a Norwegian public holiday."""
        if b <= a:
            return 0
        return int(np.busday_count(a + timedelta(days=1), b + timedelta(days=1), holidays=marks))

    return working_days


def _ready(case: dict[str, Any], *, first_answer: bool = False) -> datetime:
    """When the case can first be placed: both answers in, else the intake grace; with
    `first_answer` (a policy that places on provisional answers) the first parent's answers."""
    from bench.national_worker import INTAKE_GRACE_DAYS

    arrive = datetime.fromisoformat(case["arrive"])
    grace = arrive + timedelta(days=INTAKE_GRACE_DAYS)
    delays = [p["delay_h"] for p in case["parents"]]
    answered = [d for d in delays if d is not None]
    if first_answer:
        return min(grace, arrive + timedelta(hours=min(answered))) if answered else grace
    if len(answered) < len(delays):
        return grace
    return arrive + timedelta(hours=max(delays))


def _next_working(day: date, holidays: set[date]) -> date:
    day += timedelta(days=1)
    while day.weekday() >= 5 or day in holidays:
        day += timedelta(days=1)
    return day


def _release(ready: datetime, holidays: set[date]) -> date:
    """The day of the first daily batch (08:00 on a working day) at or after `ready`."""
    from bench.national_worker import BATCH_HOUR
    from bench.national_world import OSLO

    local = ready.astimezone(OSLO)
    day = local.date()
    if local.time() > dt_time(BATCH_HOUR):
        day += timedelta(days=1)
    while day.weekday() >= 5 or day in holidays:
        day += timedelta(days=1)
    return day


def _sick_days(
    plan: dict[str, Any], leave: dict[int, list[tuple[date, date]]]
) -> dict[int, dict[date, date]]:
    """The sick days the simulation enters (a spell overlapping leave or an earlier spell is
    refused by `leave_add`, as in the run), each with its spell's first day."""
    taken = {m: list(spans) for m, spans in leave.items()}
    closed: dict[int, dict[date, date]] = defaultdict(dict)
    for mediator_id, first, length in plan["sick"]:  # the order the run enters them
        begin = date.fromisoformat(first)
        end = begin + timedelta(days=length - 1)
        spans = taken.setdefault(mediator_id, [])
        if any(s <= end and begin <= e for s, e in spans):
            continue
        spans.append((begin, end))
        for d in range(length):
            closed[mediator_id][begin + timedelta(days=d)] = begin
    return dict(closed)


def _opening_hours(windows: list[Any]) -> dict[date, float]:
    """Hours per local date, overlapping openings (two locations at once) counted once."""
    by_day: dict[date, list[tuple[datetime, datetime]]] = defaultdict(list)
    for w in windows:
        by_day[w.local_date].append((w.starts_at, w.ends_at))
    hours: dict[date, float] = {}
    for day, spans in by_day.items():
        total, end = 0.0, None
        for start, stop in sorted(spans):
            if end is not None and start < end:
                start = end
            if stop > start:
                total += (stop - start).total_seconds() / 3600
            end = stop if end is None else max(end, stop)
        hours[day] = total
    return hours


def _classified(case: dict[str, Any], *, first_only: bool = False) -> tuple[str, bool]:
    """The level and the safety flag the service gives the case when staff place it: both
    parents' answers (ready), or the requester's alone (the other never answers); with
    `first_only` the first answers alone (the provisional classification)."""
    from bench.national_world import answers_for
    from intake.classification import classify
    from intake.questionnaire import load_questionnaire

    answered = sorted(
        (p for p in case["parents"] if p["delay_h"] is not None), key=lambda p: p["delay_h"]
    )
    if first_only:
        answered = answered[:1]
    answers = {p["role"]: answers_for(case["level"], p["role"]) for p in answered}
    result = classify(load_questionnaire(), answers)
    return result.level, bool(result.safety_flags or result.separate_meetings_recommended)


def hindsight_input(plan: dict[str, Any], world: Any) -> dict[str, Any]:
    """The bound's inputs, read from the template before it is copied (see the bound's doc):
    per case its request day, release batch day, first meeting's hours and the mediators the
    service's rules allow; per mediator and day the opening hours and the sick days."""
    from dataclasses import replace

    from bench.national_hindsight import JOINT_HOURS, SEPARATE_HOURS, WINDOW_WORKING_DAYS
    from bench.national_world import OSLO, START
    from mediators.assignment import CaseNeed, Place, is_eligible
    from mediators.models import District, Municipality, Office
    from mediators.selectors import catchment_office_for
    from mediators.snapshots import mediator_slots
    from scheduling.availability import public_holidays, windows_for
    from scheduling.models import Leave

    last = START + timedelta(weeks=plan["weeks"] + plan["drain_weeks"]) - timedelta(days=1)
    # Openings past the run's end too: a booking on its last days can take a slot weeks later.
    calendar_end = last + timedelta(days=2 * WINDOW_WORKING_DAYS)
    holidays = public_holidays(START, calendar_end + timedelta(days=30))
    # Loads, capacity and conflicts of interest relaxed (see the bound's doc); active and
    # approval stay, checked by the service's rules.
    slots = [
        replace(s, load_hours=0.0, capacity_hours=1e6, declared_parties=frozenset())
        for s in mediator_slots()
        if s.active
    ]
    capacity: dict[int, dict[date, float]] = {}
    place_capacity: dict[int, dict[tuple[int, date], float]] = {}
    for s in slots:
        windows = windows_for(mediator_id=s.mediator_id, first=START, last=calendar_end)
        capacity[s.mediator_id] = _opening_hours(windows)
        # An opening with no location of its own is open to every place (none in the world).
        place_capacity[s.mediator_id] = {
            (loc.location_id, day): hours
            for loc in s.locations
            for day, hours in _opening_hours(
                [w for w in windows if w.location_id in (loc.location_id, None)]
            ).items()
        }
    leave: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for mediator_id, starts_on, ends_on in Leave.objects.values_list(
        "mediator_id", "starts_on", "ends_on"
    ):
        leave[mediator_id].append((starts_on, ends_on))
    sick_from = _sick_days(plan, leave)
    slot_of = {s.mediator_id: s for s in slots}
    office_by_code = dict(Office.objects.values_list("code", "pk"))
    municipalities = {m.number: m for m in Municipality.objects.all()}
    districts = {d.name: d for d in District.objects.all()}
    cases = []
    for case in plan["cases"]:
        ready_at = _ready(case)
        ready = ready_at.astimezone(OSLO).date()
        municipality = municipalities[case["municipality"]]
        if case["chosen_office"]:
            office = office_by_code[case["chosen_office"]]
        else:
            office = catchment_office_for(
                municipality=municipality,
                district=districts.get(case["district"]) if case["district"] else None,
            ).pk
        requested = datetime.fromisoformat(case["arrive"]).astimezone(OSLO).date()
        provisional = bool(plan.get("provisional_policies"))
        release = _release(_ready(case, first_answer=provisional), holidays)
        # A policy placing on the first answers may book under the provisional classification
        # and keep that slot: the bound allows a mediator eligible under either, and the
        # shorter first meeting (relaxations).
        classes = {
            _classified(case),
            *([_classified(case, first_only=True)] if provisional else []),
        }
        safety = all(flag for _, flag in classes)
        needs = [
            CaseNeed(
                case_id=case["i"],
                reference=str(case["i"]),
                office_id=office,
                home=Place(municipality.latitude, municipality.longitude),
                case_type=case["case_type"],
                level=level,
                safety=flag,
                languages=frozenset(p["language"] for p in case["parents"] if not p["interpreter"]),
                interpreter=any(p["interpreter"] for p in case["parents"]),
                parties=frozenset(),
                requested_on=requested,
                move_date=None,
                court_deadline=None,
                previous_mediator_id=None,
                remote_ok=any(p["abroad"] for p in case["parents"]),
            )
            for level, flag in sorted(classes)
        ]
        eligible = [
            s.mediator_id
            for s in slots
            if any(is_eligible(case=need, mediator=s, today=release) for need in needs)
        ]
        cases.append(
            {
                "i": case["i"],
                "requested": requested,
                "ready": ready,
                # kept as before: the figures' "capacity could have prevented" and censoring
                "earliest": _next_working(ready, holidays),
                "release": release,
                "hours": SEPARATE_HOURS if safety else JOINT_HOURS,
                "mediators": eligible,
                "places": {m: _places(needs[0], slot_of[m]) for m in eligible},
            }
        )
    return {
        "cases": cases,
        "capacity": capacity,
        "place_capacity": place_capacity,
        "sick_from": sick_from,
    }


def _places(need: Any, slot: Any) -> list[int] | None:
    """Where the family may meet this mediator, as the service's rules say: any opening by
    video (`travel`: beyond the guidance, the parents accept it), else the locations of
    `cost.meeting_places` (within the journey guidance, or the nearest alone)."""
    from mediators.assignment.cost import meeting_places
    from mediators.assignment.eligibility import travel

    if travel(case=need, mediator=slot).remote:
        return None
    return sorted(loc.location_id for loc, _ in meeting_places(case=need, mediator=slot))


def world_place(location: Any) -> Any:
    from mediators.assignment import Place

    return Place(location.latitude, location.longitude)


# --- the figures ----------------------------------------------------------------------------


def _quantile(values: list[float], q: float) -> float:
    import numpy as np

    if not values:
        return float("nan")
    return float(np.quantile(np.asarray(values, dtype=float), q, method="inverted_cdf"))


def censor_day(earliest: list[date]) -> date:
    """A case without a slot counts in the mean until this day (the bound uses the same)."""
    return max(earliest) + timedelta(days=70)


def figures(
    result: dict[str, Any],
    plan: dict[str, Any],
    earliest: dict[int, date],
    ready: dict[int, date],
    working_days: Any,
    placeable: set[int] | None = None,
) -> dict[str, Any]:
    """`placeable`: the cases some mediator may take by the service's rules (the bound's
    eligible sets); a relocation miss of any other case is staffing, not capacity."""
    import numpy as np

    from bench.national_world import OSLO

    horizon = censor_day(list(earliest.values()))
    working: list[float] = []
    after_ready: list[float] = []
    calendar: list[float] = []
    censored = within = 0
    no_slot_status: Counter[str] = Counter()
    moves = misses = preventable = unstaffed = 0
    hc = hc_qualified = 0
    journeys = []
    mediators = {int(k): v for k, v in result["mediators"].items()}
    weekly: dict[int, list[float]] = defaultdict(list)
    for row in result["cases"]:
        requested = datetime.fromisoformat(row["requested_at"]).astimezone(OSLO).date()
        if row["first_slot"]:
            slot = datetime.fromisoformat(row["first_slot"]).astimezone(OSLO).date()
            working.append(working_days(requested, slot))
            after_ready.append(working_days(ready[row["i"]], slot))
            calendar.append((slot - requested).days)
            within += (slot - requested).days <= THREE_WEEKS
        else:
            censored += 1
            no_slot_status[row["status"]] += 1
            working.append(float("inf"))
            after_ready.append(float("inf"))
            calendar.append(float("inf"))
        weekly[requested.isocalendar().week].append(working[-1])
        if row["move_date"]:
            moves += 1
            move = date.fromisoformat(row["move_date"])
            held = row["first_held"]
            held_on = datetime.fromisoformat(held).astimezone(OSLO).date() if held else None
            if held_on is None or held_on >= move:
                misses += 1
                # Capacity could have prevented it when the case was ready in time for a
                # meeting on a working day before the move, and some mediator may take it.
                if placeable is not None and row["i"] not in placeable:
                    unstaffed += 1
                else:
                    preventable += earliest[row["i"]] < move
        if (row["level"] == "high" or row["safety"]) and row["mediator"] is not None:
            hc += 1
            hc_qualified += bool(mediators[row["mediator"]]["qualified"])
        if row["mediator"] is not None and not row["remote"]:
            journeys.append(row["journey"])
    use = [
        m["booked_hours"] / m["opening_hours"]
        for m in mediators.values()
        if m["active"] and m["opening_hours"] > 0
    ]
    finite_mean = [
        w
        if w != float("inf")
        else working_days(
            datetime.fromisoformat(r["requested_at"]).astimezone(OSLO).date(), horizon
        )
        for w, r in zip(working, result["cases"], strict=True)
    ]
    n = len(result["cases"])
    return {
        "cases": n,
        "median_wd": _quantile(working, 0.5),
        "p95_wd": _quantile(working, 0.95),
        "mean_wd": float(np.mean(finite_mean)) if finite_mean else float("nan"),
        "ready_median_wd": _quantile(after_ready, 0.5),
        "ready_p95_wd": _quantile(after_ready, 0.95),
        "median_cd": _quantile(calendar, 0.5),
        "p95_cd": _quantile(calendar, 0.95),
        "within_3w": within / n if n else float("nan"),
        "no_slot": censored,
        "relocations": moves,
        "relocation_misses": misses,
        "relocation_preventable": preventable,
        "relocation_unstaffed": unstaffed,
        "hc_cases": hc,
        "hc_qualified": hc_qualified / hc if hc else float("nan"),
        "utilisation_mean": float(np.mean(use)) if use else float("nan"),
        "utilisation_sd": float(np.std(use)) if use else float("nan"),
        "utilisation_p10": _quantile(use, 0.1),
        "utilisation_p90": _quantile(use, 0.9),
        "journey_mean": float(np.mean(journeys)) if journeys else float("nan"),
        "offers_per_case": sum(r["offers"] for r in result["cases"]) / n if n else 0.0,
        "over_capacity": result["over_capacity_count"],
        "max_load_ratio": result["max_load_ratio"],
        "seconds": result["seconds"],
        "weekly_median": {w: _quantile(v, 0.5) for w, v in sorted(weekly.items())},
        "weekly_p95": {w: _quantile(v, 0.95) for w, v in sorted(weekly.items())},
        "counts": {**result["counts"], **{f"no_slot.{k}": v for k, v in no_slot_status.items()}},
    }


ROWS = (
    ("cases", "requests", "{:,.0f}"),
    ("median_wd", "request → offered slot, median (working days)", "{:.0f}"),
    ("p95_wd", "request → offered slot, p95 (working days)", "{:.0f}"),
    ("mean_wd", "request → offered slot, mean (working days)", "{:.2f}"),
    ("ready_median_wd", "  of it after intake (ready → slot), median (wd)", "{:.0f}"),
    ("ready_p95_wd", "  of it after intake (ready → slot), p95 (wd)", "{:.0f}"),
    ("median_cd", "request → offered slot, median (calendar days)", "{:.0f}"),
    ("p95_cd", "request → offered slot, p95 (calendar days)", "{:.0f}"),
    ("within_3w", "offered a slot within 3 weeks (share)", "{:.1%}"),
    ("no_slot", "no slot by the end of the run (cases)", "{:,.0f}"),
    ("relocations", "relocation cases", "{:,.0f}"),
    ("relocation_misses", "  mediated on/after the move date", "{:,.0f}"),
    ("relocation_preventable", "  of those capacity could have prevented", "{:,.0f}"),
    ("relocation_unstaffed", "  of those no mediator may take (staffing)", "{:,.0f}"),
    ("hc_qualified", "high-conflict/safety with a qualified mediator", "{:.1%}"),
    ("utilisation_mean", "mediator utilisation, mean (booked / open hours)", "{:.1%}"),
    ("utilisation_sd", "  spread: standard deviation", "{:.1%}"),
    ("utilisation_p10", "  p10", "{:.1%}"),
    ("utilisation_p90", "  p90", "{:.1%}"),
    ("journey_mean", "mean journey, in person (minutes one way)", "{:.1f}"),
    ("offers_per_case", "external offers per case", "{:.3f}"),
    ("over_capacity", "mediator-days over weekly capacity", "{:,.0f}"),
    ("seconds", "run time of the policy's process (s)", "{:,.0f}"),
)


def _fmt(fmt: str, value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and value != value:
        return "-"
    if value == float("inf"):
        return "> run"
    return fmt.format(value)


def report(
    figs: dict[str, dict[str, Any]], bound: Any, out_dir: Path, stamp: str, args: Any
) -> tuple[Path, Path]:
    policies = [p for p in POLICIES if p in figs]
    width = 50
    print(
        f"{'':<{width}}"
        + "".join(f"{LABELS[p]:>16}" for p in policies)
        + f"{LABELS['hindsight']:>17}"
    )
    for key, label, fmt in ROWS:
        cells = [_fmt(fmt, figs[p][key]) for p in policies]
        hind = {
            "mean_wd": _fmt("{:.2f}", bound.mean_working_days),
            "median_wd": _fmt("{:.0f}", bound.median_working_days),
            "p95_wd": _fmt("{:.0f}", bound.p95_working_days),
        }.get(key, "")
        print(f"{label:<{width}}" + "".join(f"{c:>16}" for c in cells) + f"{hind:>17}")
    csv_path = out_dir / f"national_year_{stamp}.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["figure", *[LABELS[p] for p in policies], LABELS["hindsight"]])
        for key, label, _ in ROWS:
            hind = {
                "mean_wd": bound.mean_working_days,
                "median_wd": bound.median_working_days,
                "p95_wd": bound.p95_working_days,
            }.get(key, "")
            writer.writerow([label, *[figs[p][key] for p in policies], hind])
    png_path = out_dir / f"national_year_{stamp}.png"
    plot(figs, policies, png_path, args)
    return csv_path, png_path


def plot(figs: dict[str, dict[str, Any]], policies: list[str], path: Path, args: Any) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(11, 5))
    for policy in policies:
        weeks = sorted(figs[policy]["weekly_median"])
        median = [figs[policy]["weekly_median"][w] for w in weeks]
        p95 = [figs[policy]["weekly_p95"][w] for w in weeks]
        (line,) = ax.plot(weeks, median, label=f"{LABELS[policy]} median", linewidth=2)
        ax.plot(weeks, p95, linestyle="--", color=line.get_color(), label=f"{LABELS[policy]} p95")
    ax.axhline(GOAL_MEDIAN_WORKING_DAYS, color="grey", linewidth=1, label="goal: median 5")
    ax.set_xlabel("week of the request (2026)")
    ax.set_ylabel("working days, request → offered slot")
    ax.set_title(f"National simulation, seed {args.seed}, scale {args.scale:g}: waiting per week")
    ax.grid(alpha=0.3)
    ax.legend(ncol=3, fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def goals(figs: dict[str, dict[str, Any]], bound: Any) -> None:
    if "optimiser" not in figs:
        return
    ours = figs["optimiser"]
    baselines = [figs[p] for p in ("status_quo", "round_robin") if p in figs]
    print()
    print("goal  (figure: working days from the request to the offered slot, i.e. the start of")
    print("       the first appointment booked for the case; Norwegian working days)")
    met = ours["median_wd"] <= GOAL_MEDIAN_WORKING_DAYS
    verdict = "met" if met else "NOT MET"
    value = _fmt("{:.0f}", ours["median_wd"])
    print(f"goal  median <= 5 working days                {verdict:<8} ({value})")
    if baselines:
        better = min(b["p95_wd"] for b in baselines)
        met = ours["p95_wd"] <= 0.5 * better
        print(
            f"goal  p95 <= 0.5 x the better baseline's p95   {'met' if met else 'NOT MET':<8} "
            f"({_fmt('{:.0f}', ours['p95_wd'])} vs 0.5 x {_fmt('{:.0f}', better)})"
        )
    ratio = ours["mean_wd"] / bound.mean_working_days if bound.mean_working_days else float("inf")
    met = ratio <= 1.10
    print(
        f"goal  mean within 10% of the hindsight bound  {'met' if met else 'NOT MET':<8} "
        f"({ours['mean_wd']:.2f} vs {bound.mean_working_days:.2f}: {ratio:.2f} x)"
    )
    met = ours["relocation_preventable"] == 0
    print(
        f"goal  0 relocation misses capacity allowed     {'met' if met else 'NOT MET':<8} "
        f"({ours['relocation_preventable']} of {ours['relocation_misses']} misses; "
        f"{ours['relocation_unstaffed']} no mediator may take)"
    )
    print(
        "note  a relocation miss is a case whose first held meeting (the certificate) is on or\n"
        "      after the planned move date, or that was never held; capacity could have\n"
        "      prevented it when the case was ready (both answers in) before the working day\n"
        "      before the move and some mediator may take it by the rules (else it is counted\n"
        "      as staffing). The bound's figure is the mean working days (a case without a\n"
        "      slot counts until the censoring day, the last ready day + 70 days, in every\n"
        "      column); the bound keeps the operating rules (daily batch, next-day booking,\n"
        "      opening hours, eligibility) and relaxes the rest (see\n"
        "      bench/national_hindsight.py), so it is a floor, not an achievable plan."
    )


def bound_check(figs: dict[str, dict[str, Any]], bound: Any) -> None:
    """A policy below the bound means the bound is not a valid floor: say so loudly."""
    for policy, fig in figs.items():
        if fig["mean_wd"] < bound.mean_working_days - 1e-6:
            print(
                f"WARNING  {LABELS[policy]}'s mean ({fig['mean_wd']:.2f} working days) is BELOW "
                f"the hindsight bound ({bound.mean_working_days:.2f}): the bound is NOT a valid "
                "lower bound; find the relaxation it is missing before trusting the gap.",
                flush=True,
            )


def bound_cases_check(results: dict[str, Any], bound_cases: list[dict[str, Any]]) -> None:
    """Case by case, what each policy did must be open to the bound: the slot's day after the
    release batch, with a mediator the bound lets take the case. Any exception is a
    relaxation the bound is missing (its mean could then be too high)."""
    from bench.national_world import OSLO

    by_index = {c["i"]: c for c in bound_cases}
    for policy, result in results.items():
        early = foreign = elsewhere = 0
        for row in result["cases"]:
            if not row["first_slot"]:
                continue
            case = by_index[row["i"]]
            slot = datetime.fromisoformat(row["first_slot"]).astimezone(OSLO).date()
            early += slot <= case["release"]
            foreign += row["mediator"] is not None and row["mediator"] not in case["mediators"]
            places = case["places"].get(row["first_mediator"], [])
            elsewhere += places is not None and row["first_place"] not in places
        if early or foreign or elsewhere:
            print(
                f"WARNING  {LABELS[policy]}: {early} slots on or before the bound's release day, "
                f"{foreign} placements with a mediator the bound does not allow, {elsewhere} "
                "first slots at a place it does not allow: the bound misses a relaxation for "
                "them.",
                flush=True,
            )


def wait_breakdown(
    results: dict[str, Any], bound_cases: list[dict[str, Any]], working_days: Any
) -> None:
    """Where each policy's wait after the release went, in mean working days per case with a
    slot (from the worker's per-placement diagnosis, read before each batch): waiting for a
    mediator (release → the batch that placed it), the earliest day any eligible mediator
    had free at that batch, the choice (that day → the chosen mediator's earliest day at any
    of their places), the place (→ the earliest day at the place the assignment chose: the
    journey bought with waiting), and the booking (→ the slot booked: what the same batch's
    other cases and the time until the booking took). Also how often the weekly open-case capacity
    (`capacity.full`) hid an earlier day."""
    from bench.national_world import OSLO

    def signed(a: date, b: date) -> int:
        return working_days(a, b) if b >= a else -working_days(b, a)

    by_index = {c["i"]: c for c in bound_cases}
    print("where the wait after release went (mean working days per case with a slot):")
    print(
        f"{'':14}{'cases':>7}{'unplaced':>10}{'earliest':>10}{'choice':>8}{'place':>7}"
        f"{'booking':>9}"
        f"{'total':>7}   capacity hid an earlier day"
    )
    for policy, result in results.items():
        parts: list[tuple[int, int, int, int, int]] = []
        hidden = hidden_days = 0
        elsewhere: list[int] = []
        for row in result["cases"]:
            found = row.get("diagnosis") or {}
            if not row["first_slot"]:
                continue
            slot = datetime.fromisoformat(row["first_slot"]).astimezone(OSLO).date()
            if found.get("slot_any_location"):
                elsewhere.append(signed(date.fromisoformat(found["slot_any_location"]), slot))
            if not found.get("placed_on") or not found.get("best"):
                continue
            release = by_index[row["i"]]["release"]
            placed = date.fromisoformat(found["placed_on"])
            best = date.fromisoformat(found["best"])
            chosen = date.fromisoformat(found["chosen"]) if found.get("chosen") else slot
            place = (
                date.fromisoformat(found["chosen_place"]) if found.get("chosen_place") else chosen
            )
            parts.append(
                (
                    signed(release, placed),
                    signed(placed, best),
                    signed(best, chosen),
                    signed(chosen, place),
                    signed(place, slot),
                )
            )
            if (
                found.get("best_without_capacity")
                and found["best_without_capacity"] < found["best"]
            ):
                hidden += 1
                hidden_days += signed(date.fromisoformat(found["best_without_capacity"]), best)
        if not parts:
            continue
        if elsewhere:
            print(
                f"  {LABELS[policy]}: booking at the assigned location cost "
                f"{sum(elsewhere) / len(elsewhere):.2f} wd a case against any place the "
                f"family may meet the mediator ({sum(1 for d in elsewhere if d > 0)} cases later)"
            )
        n = len(parts)
        means = [sum(p[k] for p in parts) / n for k in range(5)]
        print(
            f"{LABELS[policy]:<14}{n:>7,}{means[0]:>10.2f}{means[1]:>10.2f}{means[2]:>8.2f}"
            f"{means[3]:>7.2f}{means[4]:>9.2f}{sum(means):>7.2f}   {hidden} cases"
            + (f", {hidden_days / hidden:.1f} wd each" if hidden else "")
        )


# --- orchestration --------------------------------------------------------------------------


def rows_keep(
    out_dir: Path, plan: dict[str, Any], results: dict[str, Any], bound_cases: list[Any]
) -> None:
    """Each case as drawn, as the bound saw it, and as each policy served it (one JSON file)."""
    path = out_dir / "rows.json"
    path.write_text(
        json.dumps({"plan": plan, "bound_cases": bound_cases, "results": results}, default=str),
        encoding="utf-8",
    )
    print(f"rows   {path}")


def run_workers(
    policies: list[str], template: str, plan_path: Path, work: Path, jobs: int, var_dir: str
) -> dict[str, Any]:
    pending = list(policies)
    running: dict[str, tuple[subprocess.Popen[bytes], str, Path]] = {}
    results: dict[str, Any] = {}
    while pending or running:
        while pending and len(running) < jobs:
            policy = pending.pop(0)
            db = f"{template.replace('_tpl_', '_')}_{policy}"
            _admin(f'CREATE DATABASE "{db}" TEMPLATE "{template}"')
            _admin(f'ALTER DATABASE "{db}" SET synchronous_commit = off')
            out = work / f"{policy}.json"
            env = {**os.environ, **django_env(db, var_dir)}
            proc = subprocess.Popen(  # noqa: S603 - this script itself, our own arguments
                [
                    sys.executable,
                    str(Path(__file__)),
                    "--worker",
                    policy,
                    "--plan",
                    str(plan_path),
                    "--out",
                    str(out),
                ],
                env=env,
                cwd=str(ROOT),
            )
            running[policy] = (proc, db, out)
        time.sleep(1)
        for policy, (proc, db, out) in list(running.items()):
            if proc.poll() is None:
                continue
            del running[policy]
            _admin(f'DROP DATABASE IF EXISTS "{db}"')
            if proc.returncode != 0:
                raise SystemExit(f"the {policy} run failed (exit {proc.returncode})")
            results[policy] = json.loads(out.read_text(encoding="utf-8"))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--scale", type=float, default=1.0, help="share of the yearly demand")
    parser.add_argument("--weeks", type=int, default=52, help="weeks of arrivals from 1 January")
    parser.add_argument(
        "--drain-weeks", type=int, default=10, help="weeks without arrivals at the end"
    )
    parser.add_argument("--demand", type=float, default=1.0, help="what-if: 1.2 = demand +20%%")
    parser.add_argument("--externals", type=int, default=0, help="what-if: +N / -N externals")
    parser.add_argument("--close-office", default="", help="what-if: an office code that closes")
    parser.add_argument("--policies", default=",".join(POLICIES))
    parser.add_argument(
        "--service-gate",
        choices=("first-answer", "both-answers"),
        default="first-answer",
        help="when this service places a case: once a parent has answered (its desk queue), "
        "or, as the baselines, once both have (or the intake grace)",
    )
    parser.add_argument("--jobs", type=int, default=2, help="policy processes at once")
    parser.add_argument("--out-dir", default=str(ROOT / "bench" / "out"))
    parser.add_argument("--json", default="", help="also write the figures as JSON here")
    parser.add_argument(
        "--rows",
        action="store_true",
        help="also keep each policy's per-case rows (and the plan) in --out-dir, to trace a case",
    )
    parser.add_argument("--worker", default="", help=argparse.SUPPRESS)
    parser.add_argument("--plan", default="", help=argparse.SUPPRESS)
    parser.add_argument("--out", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        from bench.national_worker import worker_main

        worker_main(policy=args.worker, plan_path=args.plan, out_path=args.out)
        return
    run(args)


def run(args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    policies = [p for p in args.policies.split(",") if p]
    template = f"mekling_sim_tpl_{os.getpid()}"
    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mekling-sim-") as tmp:
        work = Path(tmp)
        try:
            built = build_template(args, template, tmp)
            plan = built["plan"]
            plan_path = work / "plan.json"
            plan_path.write_text(json.dumps(plan), encoding="utf-8")
            prepared = time.perf_counter() - started
            cases = plan["cases"]
            high = sum(1 for c in cases if c["level"] in ("high", "safety")) / max(1, len(cases))
            print(
                f"National simulation, seed {args.seed}: {len(cases):,} requests over "
                f"{args.weeks} weeks from 2026-01-01 (scale {args.scale:g}, demand "
                f"x{args.demand:g}), {high:.0%} high conflict; demo national set; template "
                f"built in {prepared:.0f} s."
            )
            for change in built["changes"]:
                print(f"what-if: {change}")
            sys.stdout.flush()
            import threading

            bound_box: dict[str, Any] = {}
            working_days = working_days_counter()

            def solve() -> None:

                bi = built["bound_input"]
                bound_box["bound"] = hindsight_bound(
                    cases=bi["cases"],
                    capacity=bi["capacity"],
                    place_capacity=bi["place_capacity"],
                    sick_from=bi["sick_from"],
                    working_days=working_days,
                    censor_day=censor_day([c["earliest"] for c in bi["cases"]]),
                )

            solver = threading.Thread(target=solve)
            solver.start()
            results = run_workers(policies, template, plan_path, work, args.jobs, tmp)
            solver.join()
        finally:
            from django.db import connections

            connections.close_all()
            _admin(f'DROP DATABASE IF EXISTS "{template}"')
    bound = bound_box["bound"]
    if args.rows:
        rows_keep(out_dir, plan, results, built["bound_input"]["cases"])
    earliest = {c["i"]: c["earliest"] for c in built["bound_input"]["cases"]}
    ready = {c["i"]: c["ready"] for c in built["bound_input"]["cases"]}
    placeable = {c["i"] for c in built["bound_input"]["cases"] if c["mediators"]}
    figs = {
        p: figures(results[p], plan, earliest, ready, working_days, placeable) for p in policies
    }
    stamp = (
        f"seed{args.seed}_scale{args.scale:g}_w{args.weeks}"
        + (f"_x{args.externals:+d}" if args.externals else "")
        + (f"_closed-{args.close_office}" if args.close_office else "")
        + (f"_d{args.demand:g}" if args.demand != 1.0 else "")
        + ("_gate-both" if args.service_gate == "both-answers" else "")
        + ("" if policies == list(POLICIES) else "_" + "-".join(policies))
    )
    print()
    csv_path, png_path = report(figs, bound, out_dir, stamp, args)
    goals(figs, bound)
    print()
    print(
        f"bound  HiGHS LP over (case, mediator, place, day): {bound.variables:,} variables, "
        f"{bound.constraints:,} constraints, {bound.seconds:.1f} s, {bound.unplaced_share:.1%} "
        f"unplaced within {WINDOW_WORKING_DAYS} working days of release ({bound.status})"
    )
    bound_check(figs, bound)
    bound_cases_check(results, built["bound_input"]["cases"])
    wait_breakdown(results, built["bound_input"]["cases"], working_days)
    for policy in policies:
        counts = " ".join(f"{k}={v:g}" for k, v in sorted(figs[policy]["counts"].items()))
        print(f"events {LABELS[policy]}: {counts}")
    total = time.perf_counter() - started
    print(f"time   {total:.0f} s wall clock in all ({len(policies)} policies, {args.jobs} at once)")
    print(f"csv    {csv_path}")
    print(f"plot   {png_path}")
    summary = {
        "figures": {
            p: {k: v for k, v in f.items() if not k.startswith("weekly")} for p, f in figs.items()
        },
        "bound_mean_wd": bound.mean_working_days,
        "bound_median_wd": bound.median_working_days,
        "bound_p95_wd": bound.p95_working_days,
        "requests": len(plan["cases"]),
        "seconds": total,
    }
    if args.json:
        Path(args.json).write_text(json.dumps(summary, default=str), encoding="utf-8")
    return summary


if __name__ == "__main__":
    main()
