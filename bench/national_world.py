"""The national simulation's world: the demo set in a throwaway PostgreSQL database, the
mediators' calendars and planned leave, the what-if changes, and a year of seeded demand.

Runs inside Django (set up by bench/national_year.py). Every person is synthetic: names come
from the demo set's lists, emails use the reserved .example domain, there are no national ids.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")
YEAR = 2026
START = date(YEAR, 1, 1)
YEARLY_REQUESTS = 20_500  # SSB: about 20,000–21,000 mediations a year (domain brief)
NEVER_ANSWERS = 0.04  # the other parent never submits; staff assign on the provisional level
LEVEL_TARGETS = (("low", 0.40), ("medium", 0.35), ("high", 0.17), ("safety", 0.08))
# Follow-up meetings after the first hour: 3 more encouraged, at most 7 in all
# (meklingsforskriften § 1); most parents stop after the compulsory hour.
FOLLOW_UPS = ((0, 0.55), (1, 0.25), (2, 0.12), (3, 0.08))
INTERPRETER_LANGUAGES = ("ar", "so", "pl", "uk", "ti", "fa")


def _pick(rng: random.Random, weighted: Any) -> Any:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def season(day: date) -> float:
    """Relative demand on a date: peaks after new year and after summer, troughs in July and
    at Christmas (the pattern family counselling offices report; our estimate of its size)."""
    week = day.isocalendar().week
    if week == 1:
        factor = 0.8
    elif 2 <= week <= 7:
        factor = 1.35
    elif 27 <= week <= 31:
        factor = 0.5
    elif 33 <= week <= 40:
        factor = 1.3
    elif week >= 51:
        factor = 0.45
    else:
        factor = 1.0
    weekday = (1.25, 1.15, 1.05, 1.0, 0.9, 0.3, 0.35)[day.weekday()]
    return factor * weekday


# --- calendars and leave (the same for every policy: built once in the template database) ---


def _blocks(capacity: float, external: bool) -> list[tuple[int, float]]:
    """Weekly openings (weekday, hours) adding up to the weekly capacity, in blocks of about
    four hours so that separate meetings (2 h 15 min) fit; externals keep one or two days."""
    days = max(1, round(capacity / 4))
    if external:
        days = 1 if capacity <= 4 else 2
    hours = max(2.5, round(capacity / days * 2) / 2)
    weekdays = [(0, 2, 4, 1, 3)[i % 5] for i in range(days)]
    return [(weekday, hours) for weekday in sorted(weekdays)]


def calendars_create(*, rng: random.Random) -> None:
    """Weekly openings for every mediator (the real `availability_add`), at the office's
    locations in turn, so satellites are open on some days only (000 §2.3)."""
    from mediators.models import Mediator
    from scheduling.availability_services import availability_add

    for mediator in Mediator.objects.prefetch_related("locations").order_by("pk"):
        locations = sorted(mediator.locations.all(), key=lambda loc: (loc.satellite, loc.pk))
        if not locations:
            continue
        external = mediator.kind == Mediator.Kind.EXTERNAL
        start_hour = rng.choice((8, 9, 9, 10, 12)) if not external else rng.choice((9, 12, 15))
        for n, (weekday, hours) in enumerate(
            _blocks(float(mediator.weekly_capacity_hours), external)
        ):
            begin = datetime.combine(START, time(start_hour))
            end = begin + timedelta(hours=hours)
            availability_add(
                mediator=mediator,
                weekday=weekday,
                start_time=begin.time(),
                end_time=end.time(),
                location=locations[n % len(locations)],
                valid_from=START - timedelta(days=60),
            )


def leave_create(*, rng: random.Random) -> None:
    """Planned leave (the real `leave_add`): three summer weeks for everyone, Christmas for
    most, a winter or autumn week for some. Public holidays come from `holidays`."""
    from mediators.models import Mediator
    from scheduling.availability_services import leave_add
    from scheduling.models import Leave

    monday_week_27 = date.fromisocalendar(YEAR, 27, 1)
    for mediator in Mediator.objects.order_by("pk"):
        summer = monday_week_27 + timedelta(weeks=rng.randint(0, 4))
        spans = [(summer, summer + timedelta(days=20))]
        if rng.random() < 0.7:
            spans.append((date(YEAR, 12, 21), date(YEAR, 12, 31)))
        if rng.random() < 0.3:
            week = rng.choice((8, 9, 40))
            monday = date.fromisocalendar(YEAR, week, 1)
            spans.append((monday, monday + timedelta(days=4)))
        for starts_on, ends_on in spans:
            leave_add(
                mediator=mediator,
                starts_on=starts_on,
                ends_on=ends_on,
                kind=Leave.Kind.LEAVE,
                today=START,
            )


def sick_leave_plan(*, rng: random.Random, mediator_ids: list[int], days: int) -> list[list[Any]]:
    """Sick days, known only when they start: 0–3 spells a year of 1–10 working days."""
    spells = []
    for mediator_id in mediator_ids:
        for _ in range(_pick(rng, ((0, 0.3), (1, 0.35), (2, 0.25), (3, 0.1)))):
            first = START + timedelta(days=rng.randrange(days))
            length = _pick(rng, ((1, 0.3), (2, 0.2), (3, 0.2), (5, 0.15), (10, 0.15)))
            spells.append([mediator_id, first.isoformat(), length])
    return sorted(spells, key=lambda s: (s[1], s[0]))


# --- what-if switches -----------------------------------------------------------------------


def externals_change(*, delta: int, rng: random.Random) -> str:
    """+N: N more externals like the demo set's; -N: N externals stop (inactive)."""
    from mediators.demo import _languages_for, _person
    from mediators.models import Language, Location, Mediator

    if delta < 0:
        ids = list(
            Mediator.objects.filter(kind="external", active=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        stopped = rng.sample(ids, min(-delta, len(ids)))
        Mediator.objects.filter(pk__in=stopped).update(active=False)
        return f"{len(stopped)} external mediators stopped"
    languages = {language.code: language for language in Language.objects.all()}
    locations = list(Location.objects.order_by("pk"))
    for serial in range(delta):
        home = rng.choice(locations)
        mediator = Mediator.objects.create(
            kind=Mediator.Kind.EXTERNAL,
            office=home.office,
            approved_from=START - timedelta(days=rng.randint(30, 700)),
            approved_until=START + timedelta(days=rng.randint(400, 1500)),
            high_conflict=rng.random() < 0.3,
            child_talk=rng.random() < 0.4,
            court_referral=rng.random() < 0.25,
            separate_meetings=rng.random() < 0.9,
            weekly_capacity_hours=rng.choice((2, 3, 4, 5, 6)),
            **_person(rng, 90_000 + serial, "ekstern-mekler.example"),
        )
        mediator.locations.set([home])
        mediator.languages.set(_languages_for(rng, languages))
    return f"{delta} more external mediators"


def office_close(*, code: str) -> str:
    """An office closes: its mediators stop, its catchment goes to the nearest other office."""
    from mediators.assignment import Place, journey_minutes
    from mediators.models import Catchment, Location, Mediator, Office

    office = Office.objects.get(code=code)
    Mediator.objects.filter(office=office, kind="office").update(active=False)
    mine = list(Location.objects.filter(office=office))
    others = list(Location.objects.exclude(office=office))
    moved = 0
    for row in Catchment.objects.filter(office=office).select_related("municipality"):
        home = Place(row.municipality.latitude, row.municipality.longitude)
        nearest = min(
            others, key=lambda loc: journey_minutes(home, Place(loc.latitude, loc.longitude))
        )
        row.office_id = nearest.office_id
        row.save(update_fields=["office"])
        moved += 1
    return f"office {code} closed ({len(mine)} locations, {moved} catchment areas moved)"


def region_select(*, scale: float, rng: random.Random) -> tuple[float, str]:
    """A smaller country for quick runs: a seeded share of the offices (by their mediators'
    hours) with their own and their external mediators; the others stop. Demand is drawn for
    the chosen offices only, so load per mediator stays as in the full country."""
    from django.db.models import Sum

    from mediators.models import Mediator, Office

    hours = dict(
        Mediator.objects.filter(kind="office")
        .values("office_id")
        .annotate(h=Sum("weekly_capacity_hours"))
        .values_list("office_id", "h")
    )
    total = float(sum(hours.values()))
    offices = list(Office.objects.order_by("code").values_list("pk", "code"))
    rng.shuffle(offices)
    chosen, taken = [], 0.0
    for office_id, code in offices:
        if taken >= scale * total:
            break
        chosen.append(code)
        taken += float(hours.get(office_id, 0))
    Mediator.objects.exclude(office__code__in=chosen).update(active=False)
    share = taken / total
    return share, f"scale {scale:g}: {len(chosen)} offices ({share:.1%} of office hours)"


# --- demand ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemandConfig:
    seed: int
    scale: float
    weeks: int
    demand: float


def _arrival_times(rng: random.Random, cfg: DemandConfig) -> list[datetime]:
    days = [START + timedelta(days=d) for d in range(cfg.weeks * 7)]
    weights = [season(day) for day in days]
    yearly_weight = sum(season(START + timedelta(days=d)) for d in range(364))
    total = YEARLY_REQUESTS * cfg.scale * cfg.demand * sum(weights) / yearly_weight
    count = round(total)
    picks = rng.choices(days, weights=weights, k=count)
    times = []
    for day in picks:
        minute = rng.randint(7 * 60, 23 * 60 - 1)
        local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=OSLO)
        times.append(local.astimezone(UTC))
    return sorted(times)


def _answer_delay_hours(rng: random.Random, role: str) -> float | None:
    """Hours from the link to the submitted questionnaire (reminders at 3 and 7 days)."""
    if role == "other" and rng.random() < NEVER_ANSWERS:
        return None
    median = 8.0 if role == "requester" else 40.0
    return min(rng.lognormvariate(math.log(median), 1.0), 9 * 24.0)


def demand_plan(*, world: Any, cfg: DemandConfig, rng: random.Random) -> list[dict[str, Any]]:
    """A year of requests, seeded: when, where, what kind, how the parents answer."""
    from bench.assignment_week import CASE_TYPES, _municipality_weights
    from mediators.demo import FAMILY_NAMES, GIVEN_NAMES

    office_hours: dict[int, float] = defaultdict(float)
    for m in world.mediators:
        if m.kind == "office" and m.active:
            office_hours[m.office_id] += m.capacity_hours
    areas = _municipality_weights(world)
    offices = sorted((o, h) for o, h in office_hours.items() if areas.get(o))
    office_codes = world.office_codes
    cases = []
    for serial, arrive in enumerate(_arrival_times(rng, cfg)):
        office_id = _pick(rng, offices)
        number, district = _pick(rng, areas[office_id])
        case_type = _pick(rng, CASE_TYPES)
        level = _pick(rng, LEVEL_TARGETS)
        if case_type == "enforcement" and level == "safety":
            level = "high"  # enforcement is not used where there is risk of violence (§ 65a)
        requested = arrive.astimezone(OSLO).date()
        move = notice = deadline = None
        if case_type == "relocation":
            # Notice at least 3 months before the move (barneloven § 42a); some come late.
            notice = requested - timedelta(days=rng.randint(0, 20))
            if rng.random() < 0.2:
                move = requested + timedelta(days=rng.randint(21, 60))
            else:
                move = notice + timedelta(days=rng.randint(92, 150))
        elif case_type == "court_referral":
            deadline = requested + timedelta(days=rng.randint(14, 56))  # barneloven § 61
        elif case_type == "enforcement":
            deadline = requested + timedelta(days=rng.randint(7, 21))  # § 65a: about 2 weeks
        oldest = 17 if case_type in ("court", "court_referral", "enforcement") else 15
        children = [
            rng.randint(0, oldest) for _ in range(_pick(rng, ((1, 0.5), (2, 0.38), (3, 0.12))))
        ]
        parents = []
        for role in ("requester", "other"):
            draw = rng.random()
            parents.append(
                {
                    "role": role,
                    "given": rng.choice(GIVEN_NAMES),
                    "family": rng.choice(FAMILY_NAMES),
                    "language": "en" if draw < 0.08 else ("nn" if draw < 0.12 else "nb"),
                    "interpreter": rng.choice(INTERPRETER_LANGUAGES)
                    if 0.12 <= draw < 0.18
                    else None,
                    "abroad": rng.random() < (0.015 if role == "requester" else 0.035),
                    "delay_h": _answer_delay_hours(rng, role),
                }
            )
        cases.append(
            {
                "i": serial,
                "arrive": arrive.isoformat(),
                "municipality": number,
                "district": district,
                "chosen_office": office_codes[office_id] if rng.random() < 0.05 else None,
                "case_type": case_type,
                "move_date": move.isoformat() if move else None,
                "notice_on": notice.isoformat() if notice else None,
                "court_deadline": deadline.isoformat() if deadline else None,
                "level": level,
                "children": children,
                "parents": parents,
                "follow_ups": _pick(rng, FOLLOW_UPS),
            }
        )
    return cases


BASE_ANSWERS = {
    "agreement_overall": "agree",
    "agreement_living_plan": "works",
    "communication_contact": "as_needed",
    "communication_tone": "calm",
    "trust_agreements": "yes",
    "trust_care": "yes",
    "cooperation_willingness": "yes",
    "motivation_hope": "yes",
    "recency_separation": "over_a_year",
    "child_wellbeing": "not_worried",
    "child_in_the_middle": "no",
    "safety_violence": "no",
    "safety_fear": "no",
    "safety_threats": "no",
    "safety_abduction": "no",
    "safety_substance": "no",
    "safety_control": "no",
}
MEDIUM = {
    "agreement_overall": "several",
    "agreement_living_plan": "not_agreed",
    "communication_contact": "sometimes",
    "communication_tone": "often_tense",
    "trust_agreements": "mostly",
    "recency_separation": "under_6_months",
    "child_wellbeing": "quite",
}
HIGH = {
    "agreement_overall": "most",
    "agreement_living_plan": "disputed",
    "communication_contact": "rarely",
    "communication_tone": "hostile",
    "trust_agreements": "little",
    "trust_care": "little",
    "cooperation_willingness": "little",
    "motivation_hope": "little",
}
SAFETY = {**MEDIUM, "safety_fear": "sometimes", "safety_control": "sometimes"}


def answers_for(level: str, role: str) -> dict[str, str]:
    """A parent's answers for the case's conflict profile; the service classifies them.

    The requester reports the profile; the other parent one step milder (they seldom agree).
    """
    milder = {"low": {}, "medium": {}, "high": MEDIUM, "safety": MEDIUM}
    profile = {"low": {}, "medium": MEDIUM, "high": HIGH, "safety": SAFETY}
    chosen = profile[level] if role == "requester" else milder[level]
    return {**BASE_ANSWERS, **chosen}
