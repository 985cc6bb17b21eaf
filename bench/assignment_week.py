"""Benchmark: one synthetic national week of waiting cases, the placement policies side by side.

    .venv/bin/python bench/assignment_week.py [--seed N] [--cases 500]

Policies (docs/assignment-rules.md, "The policies compared"):
- (a) status quo: catchment office, first come first served, as staff place cases by hand;
- (b) Cal.com-style weighted round-robin as the issue describes it (largest shortfall →
  priority → least recently booked) over the office's team, hosts filtered by availability
  (active, approved, room) as Cal.com filters them: the goal cost <= 0.8 x (b) is measured here;
- (b+) the same round-robin given our whole eligibility filter (competence, language, conflict
  of interest, journey): not a goal, shown so the gain from the optimisation alone is visible;
- (c) the optimiser.

Offices, locations, catchment and mediators are THE DEMO SET's: Django runs once against a
throwaway SQLite database, migrates, runs `load_demo_data`, and the rows are read (read-only)
into the pure assignment dataclasses. Everything else is drawn from a seeded RNG:

- committed load: each mediator's open cases fill a seeded share of their weekly hours
  (uniform between --load-low and --load-high, rounded to half hours), so capacity is scarce in
  places, as in a real week; last booking a seeded 0–30 days ago;
- cases: the office of each case is drawn in proportion to the office's mediator hours (the demo
  set staffs offices by size), the municipality inside the office's catchment by a rough
  population proxy (rounded 2024 populations of the larger municipalities, 6 000 otherwise),
  in Oslo a city district uniformly; 5% choose another office freely (the nearest other one);
- mix: 45% separation, 25% cohabitants' break-up, 10% before court, 8% relocation (move 2–16
  weeks out), 7% court referral (deadline 2–8 weeks), 5% enforcement (deadline 1–3 weeks);
  8% safety (never enforcement) and high conflict to 25% in all; 10% need English, 8% have an
  interpreter, 2% need Swedish, German or Polish without one; 25% accept video; 5% met a
  mediator of the office before; requests 1–30 days ago; 8 conflict-of-interest declarations.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import random
import sys
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TODAY = date(2026, 3, 2)  # a Monday
OSLO = "0301"
# Rounded 2024 populations (thousands) of the larger municipalities: a rough demand proxy.
POPULATION_K = {
    "0301": 717, "4601": 291, "5001": 214, "1103": 149, "3201": 131, "4204": 116, "3301": 103,
    "3203": 98, "3205": 92, "3107": 85, "1108": 83, "5501": 79, "1508": 67, "3907": 65,
    "3207": 63, "3105": 58, "3905": 58, "4003": 56, "1804": 53, "3103": 51, "3909": 48,
    "3222": 46, "3118": 46, "4203": 46, "1149": 43, "3209": 42, "4626": 39, "1106": 38,
    "4001": 37, "3411": 35, "3403": 33, "3101": 32, "1506": 32, "3407": 31, "3305": 31,
    "4627": 30, "3405": 29, "3303": 28, "3901": 28, "3312": 28, "1124": 28, "3911": 27,
    "1833": 26, "3903": 26, "4624": 26, "5503": 25, "5035": 25, "3232": 25, "1505": 24,
    "5006": 24, "4202": 24, "4205": 24, "1806": 22, "5601": 21, "3420": 21, "3218": 21,
    "5037": 20, "1121": 19, "4614": 19, "3401": 18, "1101": 15,
}  # fmt: skip
OTHER_POPULATION_K = 6
CASE_TYPES = (
    ("separation", 0.45),
    ("cohabitation_breakup", 0.25),
    ("court", 0.10),
    ("relocation", 0.08),
    ("court_referral", 0.07),
    ("enforcement", 0.05),
)


def load_demo_set(var_dir: str) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        MEKLING_VAR_DIR=var_dir,
        DATABASE_URL=f"sqlite:///{var_dir}/bench.sqlite3",
        CELERY_BROKER_URL="memory://",
    )
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("load_demo_data", "--no-history", stdout=io.StringIO())


@dataclass
class World:
    mediators: list  # MediatorSlot with load 0
    office_codes: dict[int, str]
    locations: list  # LocationRef
    municipalities: dict[str, tuple[str, float, float]]
    catchment: dict[tuple[str, str | None], int]


def read_world() -> World:
    """Read the demo set's rows (read-only) into the pure dataclasses."""
    from mediators.assignment import LocationRef, Place
    from mediators.models import Catchment, Location, Municipality, Office
    from mediators.snapshots import mediator_slots

    office_codes = dict(Office.objects.values_list("pk", "code"))
    refs = {
        loc.pk: LocationRef(loc.pk, loc.office_id, loc.name, Place(loc.latitude, loc.longitude))
        for loc in Location.objects.all()
    }
    # The same reader the service uses, so the benchmark measures what staff would get.
    slots = mediator_slots()
    municipalities = {
        n: (name, lat, lon)
        for n, name, lat, lon in Municipality.objects.values_list(
            "number", "name", "latitude", "longitude"
        )
    }
    catchment = {
        (row.municipality_id, row.district.name if row.district else None): row.office_id
        for row in Catchment.objects.select_related("district")
    }
    return World(slots, office_codes, list(refs.values()), municipalities, catchment)


def with_load(world: World, rng: random.Random, low: float, high: float) -> list:
    slots = []
    for m in world.mediators:
        load = round(m.capacity_hours * rng.uniform(low, high) * 2) / 2
        booked = datetime(2026, 3, 1, 16, tzinfo=UTC) - timedelta(hours=rng.randint(0, 30 * 24))
        slots.append(replace(m, load_hours=load, last_assigned_at=booked))
    return slots


def _pick(rng: random.Random, weighted: Sequence[tuple[T, float]]) -> T:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def _party(rng: random.Random, serial: str) -> tuple[str, frozenset[str]]:
    from mediators.assignment import party_keys
    from mediators.demo import FAMILY_NAMES, GIVEN_NAMES

    given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
    born = date(1975, 1, 1) + timedelta(days=rng.randint(0, 25 * 365))
    digest = hashlib.sha256(f"bench-{serial}".encode()).hexdigest()
    keys = party_keys(
        national_id_digest=digest, given_name=given, family_name=family, birth_date=born
    )
    return f"{given} {family}", keys


def _municipality_weights(world: World) -> dict[int, list[tuple[tuple[str, str | None], float]]]:
    """Per office: its catchment areas weighted by population (Oslo districts share Oslo's)."""
    oslo_districts = sum(1 for (number, _) in world.catchment if number == OSLO)
    areas: dict[int, list[tuple[tuple[str, str | None], float]]] = defaultdict(list)
    for (number, district), office_id in sorted(world.catchment.items(), key=str):
        population = float(POPULATION_K.get(number, OTHER_POPULATION_K))
        if number == OSLO:
            population /= oslo_districts
        areas[office_id].append(((number, district), population))
    return areas


def _nearest_other_office(world: World, home, office_id: int) -> int:
    from mediators.assignment import journey_minutes

    others = [loc for loc in world.locations if loc.office_id != office_id]
    return min(others, key=lambda loc: journey_minutes(home, loc.place)).office_id


def _kind_and_level(rng: random.Random) -> tuple[str, str, bool]:
    case_type = _pick(rng, CASE_TYPES)
    safety = case_type != "enforcement" and rng.random() < 0.08
    if safety or rng.random() < (0.25 - 0.08) / 0.92:
        return case_type, "high", safety
    return case_type, ("medium" if rng.random() < 0.6 else "low"), safety


def _languages(rng: random.Random) -> tuple[frozenset[str], bool]:
    draw = rng.random()
    if draw < 0.10:
        return frozenset({"nb", "en"}), False
    if draw < 0.18:
        return frozenset({"nb"}), True
    if draw < 0.20:
        return frozenset({"nb", rng.choice(("sv", "de", "pl"))}), False
    return frozenset({"nb"}), False


def draw_cases(world: World, mediators: list, rng: random.Random, count: int) -> list:
    from mediators.assignment import CaseNeed, Place, resolve_office

    office_hours: dict[int, float] = defaultdict(float)
    staff: dict[int, list[int]] = defaultdict(list)
    for m in mediators:
        if m.kind == "office":
            office_hours[m.office_id] += m.capacity_hours
            staff[m.office_id].append(m.mediator_id)
    areas = _municipality_weights(world)
    offices = sorted(office_hours.items())
    cases = []
    for serial in range(1, count + 1):
        office_id = _pick(rng, offices)
        number, district = _pick(rng, areas[office_id])
        _, lat, lon = world.municipalities[number]
        home = Place(lat, lon)
        chosen = _nearest_other_office(world, home, office_id) if rng.random() < 0.05 else None
        holding = resolve_office(
            catchment=world.catchment,
            municipality=number,
            district=district,
            chosen_office_id=chosen,
        )
        case_type, level, safety = _kind_and_level(rng)
        languages, interpreter = _languages(rng)
        move = TODAY + timedelta(days=rng.randint(14, 112)) if case_type == "relocation" else None
        deadline = None
        if case_type == "court_referral":
            deadline = TODAY + timedelta(days=rng.randint(14, 56))
        elif case_type == "enforcement":
            deadline = TODAY + timedelta(days=rng.randint(7, 21))
        previous = rng.choice(staff[holding]) if rng.random() < 0.05 else None
        _, first = _party(rng, f"{serial}-1")
        _, second = _party(rng, f"{serial}-2")
        cases.append(
            CaseNeed(
                case_id=serial,
                reference=f"MEK-2026-{serial:05d}",
                office_id=holding,
                home=home,
                case_type=case_type,
                level=level,
                safety=safety,
                languages=languages,
                interpreter=interpreter,
                parties=first | second,
                requested_on=TODAY - timedelta(days=rng.randint(1, 30)),
                move_date=move,
                court_deadline=deadline,
                previous_mediator_id=previous,
                remote_ok=rng.random() < 0.25,
            )
        )
    return cases


def declare_conflicts(cases: list, mediators: list, rng: random.Random, count: int = 8) -> list:
    """A few mediators declare a party of a waiting case of their own office."""
    by_id = {m.mediator_id: m for m in mediators}
    for case in rng.sample(cases, count):
        own = [m for m in mediators if m.kind == "office" and m.office_id == case.office_id]
        mediator = rng.choice(own)
        key = rng.choice(sorted(case.parties))
        by_id[mediator.mediator_id] = replace(
            mediator, declared_parties=mediator.declared_parties | {key}
        )
    return [by_id[m.mediator_id] for m in mediators]


COLUMNS = ["(a) status quo", "(b) Cal.com RR", "(b+) RR + rules", "(c) optimiser"]


def _row(label: str, values: list[str]) -> str:
    return f"{label:<38}" + "".join(f"{v:>17}" for v in values)


def _unplaceable(cases: list, mediators: list) -> list:
    """Cases with no eligible mediator at all at the week's start: no rule-abiding policy can
    place them, so their unassigned cost is the same in (b+) and (c)."""
    from mediators.assignment import is_eligible

    return [
        c for c in cases if not any(is_eligible(case=c, mediator=m, today=TODAY) for m in mediators)
    ]


def _table(ms: list, results: list) -> None:
    print(_row("", COLUMNS))
    print(_row("total cost", [f"{m.total_cost:,.0f}" for m in ms]))
    print(_row("  placements (eligible)", [f"{m.placement_cost:,.0f}" for m in ms]))
    print(_row("  ineligible placements", [f"{m.ineligible_cost:,.0f}" for m in ms]))
    print(_row("  unassigned cases", [f"{m.unassigned_cost:,.0f}" for m in ms]))
    print(_row("mean journey (min, in person)", [f"{m.mean_journey:.1f}" for m in ms]))
    print(_row("video/phone placements", [str(m.remote) for m in ms]))
    print(
        _row(
            "high-conflict/safety qualified (%)",
            [
                f"{100 * m.share_high_conflict_qualified:.1f} "
                f"({m.high_conflict_qualified}/{m.high_conflict_assigned})"
                for m in ms
            ],
        )
    )
    print(_row("ineligible placements (cases)", [str(m.ineligible_pairs) for m in ms]))
    print(
        _row(
            "capacity overruns (mediators / h)",
            [f"{m.overrun_mediators} / {m.overrun_hours:g}" for m in ms],
        )
    )
    print(_row("unassigned (cases)", [str(m.unassigned) for m in ms]))
    print(_row("solve time (ms)", [f"{1000 * m.solve_seconds:.0f}" for m in ms]))
    gaps = ["-" if r.optimality_gap is None else f"{100 * r.optimality_gap:.4f}%" for r in results]
    print(_row("optimality gap (proven)", gaps))


def report(results: list, cases: list, mediators: list) -> None:
    from mediators.assignment import metrics, unassigned_cost

    ms = [metrics(result=r, cases=cases, mediators=mediators, today=TODAY) for r in results]
    _table(ms, results)
    a, b, b_rules, c = ms
    stuck = _unplaceable(cases, mediators)
    fixed = sum(unassigned_cost(case=case, today=TODAY) for case in stuck)
    print()
    print(
        f"ratios  cost     (c)/(a) = {c.total_cost / a.total_cost:.3f}   "
        f"(c)/(b) = {c.total_cost / b.total_cost:.3f}   "
        f"(c)/(b+) = {c.total_cost / b_rules.total_cost:.3f}"
    )
    print(
        f"        journey  (c)/(a) = {c.mean_journey / a.mean_journey:.3f}   "
        f"(c)/(b) = {c.mean_journey / b.mean_journey:.3f}   "
        f"(c)/(b+) = {c.mean_journey / b_rules.mean_journey:.3f}"
    )
    print(
        "note    (b+) is (b) given every eligibility rule of ours as its host filter: what is "
        "left of the gain when round-robin breaks no rule."
    )
    print(
        f"note    {len(stuck)} cases have no eligible mediator at all (cost {fixed:,.0f} in every "
        f"total); without them (c)/(b+) = "
        f"{(c.total_cost - fixed) / (b_rules.total_cost - fixed):.3f}"
    )
    goals = [
        ("0 capacity overruns", c.overrun_mediators == 0, f"{c.overrun_mediators}"),
        (
            "100% high-conflict qualified",
            c.high_conflict_qualified == c.high_conflict_assigned,
            f"{100 * c.share_high_conflict_qualified:.1f}%",
        ),
        (
            "cost <= 0.8 x (b)",
            c.total_cost <= 0.8 * b.total_cost,
            f"{c.total_cost / b.total_cost:.3f} x (b)",
        ),
        ("solve <= 1 s", c.solve_seconds <= 1.0, f"{1000 * c.solve_seconds:.0f} ms"),
    ]
    print()
    for label, met, value in goals:
        print(f"goal    {label:<30} {'met' if met else 'NOT MET':<8} ({value})")
    print(
        f"info    cost vs (b+)                   {c.total_cost / b_rules.total_cost:.3f} x (b+)"
        f" (no goal; see docs/assignment-rules.md)"
    )


def _optimise_median(cases: list, mediators: list, solves: int):
    """The optimiser's result with the median solve time of `solves` runs (same input, same
    answer): one run's time on a shared 2-core machine says more about the neighbours."""
    from statistics import median

    from mediators.assignment import optimise

    runs = [optimise(cases=cases, mediators=mediators, today=TODAY) for _ in range(max(1, solves))]
    return replace(runs[0], solve_seconds=median(r.solve_seconds for r in runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--load-low", type=float, default=0.55)
    parser.add_argument("--load-high", type=float, default=0.95)
    parser.add_argument(
        "--solves", type=int, default=3, help="optimiser runs; the median solve time is shown"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mekling-bench-") as var_dir:
        load_demo_set(var_dir)
        world = read_world()
    from mediators.assignment import case_hours, status_quo, weighted_round_robin

    rng = random.Random(args.seed)
    mediators = with_load(world, rng, args.load_low, args.load_high)
    cases = draw_cases(world, mediators, rng, args.cases)
    mediators = declare_conflicts(cases, mediators, rng)
    capacity = sum(m.capacity_hours for m in mediators)
    load = sum(m.load_hours for m in mediators)
    offices = len({m.office_id for m in mediators if m.kind == "office"})
    print(
        f"Synthetic national week {TODAY.isoformat()} (seed {args.seed}): {len(cases)} cases, "
        f"{offices} offices, {len(world.locations)} locations, "
        f"{sum(m.kind == 'office' for m in mediators)} office + "
        f"{sum(m.kind == 'external' for m in mediators)} external mediators (demo set)."
    )
    print(
        f"Capacity {capacity:,.0f} h/week, committed {load:,.0f} h ({100 * load / capacity:.0f}%),"
        f" free {capacity - load:,.0f} h; the week's cases need "
        f"{sum(case_hours(c) for c in cases):,.1f} h."
    )
    print()
    results = [
        status_quo(cases=cases, mediators=mediators, today=TODAY),
        weighted_round_robin(cases=cases, mediators=mediators, today=TODAY, rules=False),
        weighted_round_robin(cases=cases, mediators=mediators, today=TODAY),
        _optimise_median(cases, mediators, args.solves),
    ]
    report(results, cases, mediators)


if __name__ == "__main__":
    main()
