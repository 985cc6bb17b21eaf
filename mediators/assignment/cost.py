"""The cost of placing a case with a mediator, part by part, with reasons staff can read.

Parts (weights `cost.*` in the rules table; 1 point ≈ 1 minute of one-way journey):
- journey: minutes to the mediator's nearest location (0 when remote), or `cost.remote`;
- expected wait: days to the earliest free hour × (1 + urgency), so urgent cases go to open
  calendars (the 3-week offer guidance);
- load balance: utilisation after adding the case, squared;
- continuity: a bonus when the family met this mediator before;
- external: a small preference for the office's own employees.
In a batch, each mediator also carries a convex congestion cost of the hours the batch adds
(`congestion`), because each further case waits longer and fills the calendar.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta

from config.datetime_format import date_text
from mediators.assignment.eligibility import (
    case_hours,
    is_eligible,
    language_names,
    needs_court_competence,
    needs_high_conflict,
    required_languages,
    travel,
)
from mediators.assignment.journey import journey_minutes
from mediators.assignment.rules import number
from mediators.assignment.types import CaseNeed, Cost, LocationRef, MediatorSlot, Reason
from mediators.assignment.urgency import urgency

MIN_CAPACITY = 0.5  # a capacity of 0 is treated as half an hour to keep ratios finite


def meeting_hours(case: CaseNeed | None) -> float:
    """Free opening time the case's first meeting needs (`wait.*meeting_hours`): one hour, or
    two separate meetings with the gap between them for a safety case (forskrift § 7)."""
    if case is not None and case.safety:
        return number("wait.separate_meeting_hours")
    return number("wait.meeting_hours")


def calendar_day(
    free_time: Sequence[tuple[date, float]], *, today: date, hours: float
) -> date | None:
    """The first day after the lead time with a free part of an opening of `hours`, or None
    if there is none within the calendar looked at (`wait.calendar_days`)."""
    first = today + timedelta(days=int(number("wait.lead_days")))
    for day, free in free_time:
        if day >= first and free >= hours - 1e-9:
            return day
    return None


def take_free_time(
    free_time: tuple[tuple[date, float], ...], *, day: date, hours: float
) -> tuple[tuple[date, float], ...]:
    """The free time left after a meeting of `hours` is booked at the start of the first
    free part on `day` that holds it (rounded up to the half-hour grid slots start on)."""
    used = math.ceil(hours * 2 - 1e-9) / 2
    left = list(free_time)
    for i, (free_day, free) in enumerate(left):
        if free_day == day and free >= hours - 1e-9:
            left[i] = (free_day, max(0.0, free - used))
            break
    return tuple(part for part in left if part[1] > 1e-9)


def earliest_free(
    *,
    mediator: MediatorSlot,
    today: date,
    load: float | None = None,
    case: CaseNeed | None = None,
    location_id: int | None = None,
) -> date:
    """The earliest day the case's first meeting could be held with this mediator, at
    `location_id` (None: anywhere, a video or phone meeting).

    With a calendar (`free_time`): the first day from tomorrow with free opening time for the
    meeting (`calendar_day`) at that location; none within `wait.calendar_days` counts as the
    day after them.
    Without one, estimated: today + max(lead, ceil(7 × load / capacity)) days (`wait.*`):
    committed hours fill the calendar evenly at `capacity` hours a week; a mediator on leave
    counts from their last day away (`away_until`) instead of today."""
    if mediator.free_time is not None:
        free = mediator.free_time_for(location_id) or ()
        found = calendar_day(free, today=today, hours=meeting_hours(case))
        if found is not None:
            return found
        return today + timedelta(days=int(number("wait.calendar_days")) + 1)
    load = mediator.load_hours if load is None else load
    capacity = max(mediator.capacity_hours, MIN_CAPACITY)
    days = math.ceil(number("wait.week_days") * load / capacity - 1e-9)
    start = today
    if mediator.away_until is not None and mediator.away_until > today:
        start = mediator.away_until
    return start + timedelta(days=max(int(number("wait.lead_days")), days))


def free_day_text(
    *, mediator: MediatorSlot, day: date, today: date, place: str = ""
) -> dict[str, str]:
    """The earliest-free sentence staff read: the calendar's day (at `place`, when the
    meeting is in person there), or the estimate's."""
    if mediator.free_time is None:
        return _text(
            f"Første ledige time ca. {date_text(day, 'nb', weekday=False)} (anslått ut fra "
            "belastningen; mekleren har ingen åpningstider i kalenderen).",
            f"Earliest free about {date_text(day, 'en', weekday=False)} (estimated from the "
            "load; the mediator has no opening hours in the calendar).",
        )
    horizon = int(number("wait.calendar_days"))
    at_nb, at_en = (f" på {place}", f" at {place}") if place else ("", "")
    if day > today + timedelta(days=horizon):
        return _text(
            f"Ingen ledig tid i kalenderen{at_nb} de neste {horizon} dagene.",
            f"No free time in the calendar{at_en} in the next {horizon} days.",
        )
    return _text(
        f"Første ledige time i kalenderen{at_nb}: {date_text(day, 'nb')}.",
        f"Earliest free time in the calendar{at_en}: {date_text(day, 'en')}.",
    )


def unassigned_cost(*, case: CaseNeed, today: date) -> float:
    """The cost of leaving the case unassigned: base + weight × urgency (`cost.unassigned_*`)."""
    return number("cost.unassigned_base") + number("cost.unassigned_urgency") * urgency(
        case=case, today=today
    )


def congestion_marginal(*, mediator: MediatorSlot, k: int) -> float:
    """Cost per hour of the k-th batch hour (k = 0, 1, ...) given to this mediator.

    The k-th hour pushes every later case's first meeting by 7 / capacity days (weight
    `cost.wait`) and raises utilisation (`cost.balance`); increasing in k, so convex.
    """
    capacity = max(mediator.capacity_hours, MIN_CAPACITY)
    load = mediator.load_hours
    wait = number("cost.wait") * number("wait.week_days") * k / capacity
    balance = number("cost.balance") * (
        ((load + k + 1) / capacity) ** 2 - ((load + 1) / capacity) ** 2
    )
    return wait + balance


def congestion(*, mediator: MediatorSlot, hours: float) -> float:
    """The convex, piecewise-linear congestion cost of `hours` added in one batch."""
    total, k = 0.0, 0
    while hours > k:
        total += congestion_marginal(mediator=mediator, k=k) * min(1.0, hours - k)
        k += 1
    return total


def _text(nb: str, en: str) -> dict[str, str]:
    return {"nb": nb, "en": en}


def _reasons(
    case: CaseNeed, mediator: MediatorSlot, cost: Cost, utilisation: float, today: date
) -> list[Reason]:
    reasons = []
    limit = int(number("travel.max_journey"))
    place = ""
    for loc in mediator.locations:
        if loc.location_id == cost.location_id:
            place = loc.name
    if cost.is_remote:
        reasons.append(
            Reason(
                "travel.remote",
                _text(
                    f"Video/telefon: reisen til {place} (ca. {cost.journey_minutes} min) er over "
                    f"veiledende {limit} min, og foreldrene har godtatt det.",
                    f"Video/phone: the journey to {place} (about {cost.journey_minutes} min) "
                    f"exceeds the {limit} min guidance and the parents accept it.",
                ),
            )
        )
    else:
        reasons.append(
            Reason(
                "travel.max_journey",
                _text(
                    f"Reisetid ca. {cost.journey_minutes} min til {place}.",
                    f"Journey about {cost.journey_minutes} min to {place}.",
                ),
            )
        )
    in_calendar_at = place if not cost.is_remote and mediator.free_time_at is not None else ""
    reasons.append(
        Reason(
            "cost.wait",
            free_day_text(
                mediator=mediator, day=cost.earliest_free, today=today, place=in_calendar_at
            ),
        )
    )
    pct = round(utilisation * 100)
    reasons.append(
        Reason(
            "cost.balance",
            _text(
                f"Belastning etter saken: {pct} % av {mediator.capacity_hours:g} t/uke.",
                f"Load after this case: {pct}% of {mediator.capacity_hours:g} h/week.",
            ),
        )
    )
    if needs_high_conflict(case):
        reasons.append(
            Reason(
                "competence.high_conflict",
                _text(
                    "Har kompetanse på høy konflikt og kan holde separate møter.",
                    "High-conflict competence; can hold separate meetings.",
                ),
            )
        )
    if needs_court_competence(case):
        reasons.append(
            Reason(
                "competence.court_referral",
                _text(
                    "Har kompetanse på saker fra retten og tvangsfullbyrdelse.",
                    "Competence in court referral and enforcement cases.",
                ),
            )
        )
    nb, en = language_names(required_languages(case))
    interpreter_nb = " Tolk er bestilt." if case.interpreter else ""
    interpreter_en = " An interpreter is booked." if case.interpreter else ""
    reasons.append(
        Reason(
            "language.shared",
            _text(f"Snakker {nb}.{interpreter_nb}", f"Speaks {en}.{interpreter_en}"),
        )
    )
    if cost.continuity:
        reasons.append(
            Reason(
                "cost.continuity",
                _text(
                    "Familien har møtt denne mekleren før.", "The family met this mediator before."
                ),
            )
        )
    if cost.external:
        reasons.append(Reason("cost.external", _text("Ekstern mekler.", "External mediator.")))
    return reasons


def _wait_cost(free_on: date, today: date, urgency_value: float) -> float:
    return number("cost.wait") * (free_on - today).days * (1.0 + urgency_value)


def meeting_places(*, case: CaseNeed, mediator: MediatorSlot) -> list[tuple[LocationRef, int]]:
    """The mediator's locations where the family may meet in person, with their journey
    minutes: those within the journey guidance (`travel.max_journey`, domain brief: about 2
    hours each way), or the nearest alone when none is. Empty when the mediator has none."""
    limit = number("travel.max_journey")
    trips = [(loc, journey_minutes(case.home, loc.place)) for loc in mediator.locations]
    within = [trip for trip in trips if trip[1] <= limit]
    if within or not trips:
        return within
    return [min(trips, key=lambda trip: (trip[1], trip[0].location_id))]


def meeting_place(
    *, case: CaseNeed, mediator: MediatorSlot, today: date, urgency_value: float
) -> tuple[LocationRef, int, date]:
    """Where an in-person meeting with this mediator is best held: of their locations within
    the journey guidance (`travel.max_journey`), the one with the lowest journey + wait cost
    by its own calendar (ties: the shorter journey, then the lower id); the nearest when none
    is within the guidance. A satellite open one day a week is then chosen only when the
    shorter journey is worth the wait. Returns the location, its journey minutes and the
    earliest day there."""
    within = meeting_places(case=case, mediator=mediator)
    options = [
        (
            loc,
            minutes,
            earliest_free(mediator=mediator, today=today, case=case, location_id=loc.location_id),
        )
        for loc, minutes in within
    ]
    return min(
        options,
        key=lambda option: (
            number("cost.journey") * option[1] + _wait_cost(option[2], today, urgency_value),
            option[1],
            option[0].location_id,
        ),
    )


def cost_parts(
    *,
    case: CaseNeed,
    mediator: MediatorSlot,
    today: date,
    load: float | None = None,
    urgency_value: float | None = None,
    explain: bool = True,
) -> Cost:
    """The cost of the pair ignoring eligibility (`pair_cost` checks it first).

    `load` overrides the mediator's committed hours; `urgency_value` saves recomputing the
    case's urgency in a loop; `explain=False` skips the reasons (the optimiser's fast path).
    """
    load = mediator.load_hours if load is None else load
    if urgency_value is None:
        urgency_value = urgency(case=case, today=today)
    trip = travel(case=case, mediator=mediator)
    location, minutes = trip.location, trip.minutes
    if trip.remote or location is None or mediator.free_time_at is None:
        free_on = earliest_free(mediator=mediator, today=today, load=load, case=case)
    else:
        location, minutes, free_on = meeting_place(
            case=case, mediator=mediator, today=today, urgency_value=urgency_value
        )
    utilisation = (load + case_hours(case)) / max(mediator.capacity_hours, MIN_CAPACITY)
    journey = 0.0 if trip.remote else number("cost.journey") * minutes
    remote = number("cost.remote") if trip.remote else 0.0
    wait = _wait_cost(free_on, today, urgency_value)
    balance = number("cost.balance") * utilisation**2
    continuity = (
        number("cost.continuity") if case.previous_mediator_id == mediator.mediator_id else 0.0
    )
    external = number("cost.external") if mediator.kind == "external" else 0.0
    cost = Cost(
        journey=journey,
        remote=remote,
        wait=wait,
        balance=balance,
        continuity=continuity,
        external=external,
        congestion=0.0,
        penalty=0.0,
        total=journey + remote + wait + balance + continuity + external,
        journey_minutes=minutes,
        location_id=location.location_id if location else None,
        is_remote=trip.remote,
        earliest_free=free_on,
    )
    if explain:
        cost.reasons.extend(_reasons(case, mediator, cost, utilisation, today))
    return cost


def pair_cost(*, case: CaseNeed, mediator: MediatorSlot, today: date) -> Cost | None:
    """The cost of placing the case with the mediator, or None if the mediator is ineligible."""
    if not is_eligible(case=case, mediator=mediator, today=today):
        return None
    return cost_parts(case=case, mediator=mediator, today=today)


def score(cost: float) -> float:
    """Higher is better: clamp(100 − cost / `score.scale`, 0, 100), one decimal."""
    return round(min(100.0, max(0.0, 100.0 - cost / number("score.scale"))), 1)
