"""Evaluating a batch placement with one cost model, whichever policy produced it.

A placement (case → mediator) costs, per case: the static pair cost (with the mediator's load
before the batch), plus that case's share of the mediator's batch congestion. Cases of one
mediator are taken most urgent first (then by request date), so the share and the earliest free
date a case sees follow the order staff would book them in. An ineligible pair (a baseline may
choose one) costs its raw cost + the case's unassigned cost + `cost.ineligible`: such a placement
has to be redone, so it is never cheaper than waiting. An unassigned case costs
`unassigned_cost`. This is exactly the objective the optimiser minimises.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date

from mediators.assignment.cost import (
    congestion,
    cost_parts,
    earliest_free,
    free_day_text,
    meeting_hours,
    take_free_time,
    unassigned_cost,
)
from mediators.assignment.eligibility import case_hours, exclusions
from mediators.assignment.rules import number
from mediators.assignment.types import CaseNeed, Choice, MediatorSlot, Reason
from mediators.assignment.urgency import urgency


def index_cases(cases: Iterable[CaseNeed]) -> dict[int, CaseNeed]:
    found: dict[int, CaseNeed] = {}
    for case in cases:
        if case.case_id in found:
            raise ValueError(f"Duplicate case id {case.case_id}.")
        found[case.case_id] = case
    return found


def index_mediators(mediators: Iterable[MediatorSlot]) -> dict[int, MediatorSlot]:
    found: dict[int, MediatorSlot] = {}
    for mediator in mediators:
        if mediator.mediator_id in found:
            raise ValueError(f"Duplicate mediator id {mediator.mediator_id}.")
        found[mediator.mediator_id] = mediator
    return found


def booking_order(cases: Sequence[CaseNeed], today: date) -> list[CaseNeed]:
    """Most urgent first, then earliest request, then case id."""
    return sorted(cases, key=lambda c: (-urgency(case=c, today=today), c.requested_on, c.case_id))


def request_order(cases: Iterable[CaseNeed]) -> list[CaseNeed]:
    """First come, first served: request date, then case id."""
    return sorted(cases, key=lambda c: (c.requested_on, c.case_id))


def _text(nb: str, en: str) -> dict[str, str]:
    return {"nb": nb, "en": en}


def evaluate(
    *,
    placement: Mapping[int, int],
    cases: Sequence[CaseNeed],
    mediators: Sequence[MediatorSlot],
    today: date,
) -> dict[int, Choice]:
    """The Choice (cost, journey, reasons, eligibility) of every placed case."""
    by_case = index_cases(cases)
    by_mediator = index_mediators(mediators)
    grouped: dict[int, list[CaseNeed]] = defaultdict(list)
    for case_id, mediator_id in placement.items():
        grouped[mediator_id].append(by_case[case_id])
    choices: dict[int, Choice] = {}
    for mediator_id, group in grouped.items():
        mediator = by_mediator[mediator_id]
        added = 0.0
        free_time, free_time_at = mediator.free_time, mediator.free_time_at
        ordered = booking_order(group, today)
        for position, case in enumerate(ordered, start=1):
            hours = case_hours(case)
            running = replace(mediator, load_hours=mediator.load_hours + added)
            excluded = exclusions(case=case, mediator=running, today=today)
            parts = cost_parts(case=case, mediator=mediator, today=today)
            share = congestion(mediator=mediator, hours=added + hours) - congestion(
                mediator=mediator, hours=added
            )
            total = parts.total + share
            reasons = list(parts.reasons)
            # The cases before this one in the round take their meetings first: the day this
            # case can expect is after theirs (the calendar's free time, else the estimate).
            running = replace(running, free_time=free_time, free_time_at=free_time_at)
            place = None if parts.is_remote else parts.location_id
            free_on = earliest_free(
                mediator=running,
                today=today,
                load=running.load_hours,
                case=case,
                location_id=place,
            )
            if free_time is not None:
                hours_needed = meeting_hours(case)
                free_time = take_free_time(free_time, day=free_on, hours=hours_needed)
                if free_time_at is not None and place is not None:
                    free_time_at = tuple(
                        (at, take_free_time(free, day=free_on, hours=hours_needed))
                        if at == place
                        else (at, free)
                        for at, free in free_time_at
                    )
            if len(ordered) > 1:
                when = free_day_text(mediator=running, day=free_on, today=today)
                reasons.append(
                    Reason(
                        "batch.congestion",
                        _text(
                            f"Sak {position} av {len(ordered)} nye hos mekleren i denne "
                            f"runden. {when['nb']}",
                            f"Case {position} of {len(ordered)} new for this mediator this "
                            f"round. {when['en']}",
                        ),
                    )
                )
            if excluded:
                total += unassigned_cost(case=case, today=today) + number("cost.ineligible")
                reasons.extend(Reason(e.rule, e.text) for e in excluded)
            choices[case.case_id] = Choice(
                mediator_id=mediator_id,
                location_id=parts.location_id,
                cost=total,
                journey_minutes=parts.journey_minutes,
                reasons=reasons,
                remote=parts.is_remote,
                earliest_free=free_on,
                eligible=not excluded,
            )
            added += hours
    return choices
