"""Ranked suggestions for one case, and, when staff ask, every excluded mediator with why."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from mediators.assignment.cost import cost_parts, score
from mediators.assignment.eligibility import exclusions, is_eligible
from mediators.assignment.types import (
    CaseNeed,
    Exclusion,
    MediatorSlot,
    Suggestion,
    Suggestions,
)


def suggest(
    *,
    case: CaseNeed,
    mediators: Sequence[MediatorSlot],
    today: date,
    limit: int = 10,
    explain: bool = False,
) -> Suggestions:
    """Eligible mediators, cheapest first (score = clamp(100 − cost / 4, 0, 100), higher is
    better; ties by mediator id), at most `limit`; with `explain`, every excluded mediator
    with every rule that excludes them."""
    ranked: list[Suggestion] = []
    excluded: list[tuple[int, list[Exclusion]]] = []
    for mediator in sorted(mediators, key=lambda m: m.mediator_id):
        if explain:
            found = exclusions(case=case, mediator=mediator, today=today)
            if found:
                excluded.append((mediator.mediator_id, found))
                continue
        elif not is_eligible(case=case, mediator=mediator, today=today):
            continue
        cost = cost_parts(case=case, mediator=mediator, today=today)
        location_name = next(
            (loc.name for loc in mediator.locations if loc.location_id == cost.location_id), ""
        )
        ranked.append(
            Suggestion(
                mediator_id=mediator.mediator_id,
                name=mediator.name,
                kind=mediator.kind,
                office_id=mediator.office_id,
                location_id=cost.location_id,
                location_name=location_name,
                remote=cost.is_remote,
                score=score(cost.total),
                cost=round(cost.total, 2),
                journey_minutes=cost.journey_minutes,
                earliest_free=cost.earliest_free,
                reasons=cost.reasons,
            )
        )
    ranked.sort(key=lambda s: (s.cost, s.mediator_id))
    return Suggestions(case_id=case.case_id, ranked=ranked[: max(0, limit)], excluded=excluded)
