"""How urgent a waiting case is: who gets scarce capacity first.

Order (issue rule "Urgency"): cases with a deadline first, by how close it is — relocation by
days left to the move (barneloven § 42a: the certificate must exist before the move; 3 months'
notice), court referral and enforcement by the court's deadline (barneloven § 61, § 65a) — then
every case by waiting time against the 3-week offer guidance (domain brief).
"""

from __future__ import annotations

from datetime import date

from mediators.assignment.rules import number
from mediators.assignment.types import CaseNeed

DEADLINE_TYPES = frozenset({"relocation", "court_referral", "enforcement"})
WAITING_CAP = 2.0  # waiting counts up to twice the guidance
WAITING_SHARE = 0.99  # the waiting part stays below 1, under every deadline case


def deadline(case: CaseNeed) -> tuple[date, float] | None:
    """The case's deadline and its horizon in days, or None."""
    return deadline_of(
        case_type=case.case_type, move_date=case.move_date, court_deadline=case.court_deadline
    )


def deadline_of(
    *, case_type: str, move_date: date | None, court_deadline: date | None
) -> tuple[date, float] | None:
    """`deadline` over plain values, for readers that have rows rather than a CaseNeed."""
    if case_type == "relocation" and move_date is not None:
        return move_date, number("urgency.relocation_horizon_days")
    if case_type in ("court_referral", "enforcement") and court_deadline is not None:
        return court_deadline, number("urgency.court_horizon_days")
    return None


def urgency(*, case: CaseNeed, today: date) -> float:
    """A score in [0, 3): deadline pressure in [1, 2] for deadline cases, plus waiting in [0, 1).

    - deadline part (relocation, court referral, enforcement): 1 + clamp(1 − days_left / horizon)
      — 1 when the deadline is beyond the horizon (90 days for a move, 21 for a court deadline),
      2 when it is today or passed. Cases without a deadline have 0.
    - waiting part: 0.99 × min(days waiting / 21, 2) / 2 — half at the 3-week guidance.
    So any deadline case outranks any case without one, and among deadline cases the nearer
    deadline wins unless the two are within a few days and one has waited much longer.
    """
    return urgency_of(
        case_type=case.case_type,
        move_date=case.move_date,
        court_deadline=case.court_deadline,
        requested_on=case.requested_on,
        today=today,
    )


def urgency_of(
    *,
    case_type: str,
    move_date: date | None,
    court_deadline: date | None,
    requested_on: date,
    today: date,
) -> float:
    """`urgency` over plain values (the staff desk orders its case list by it)."""
    part = 0.0
    found = deadline_of(case_type=case_type, move_date=move_date, court_deadline=court_deadline)
    if found is not None:
        when, horizon = found
        days_left = (when - today).days
        part = 1.0 + min(1.0, max(0.0, 1.0 - days_left / horizon))
    waited = max(0, (today - requested_on).days)
    guidance = number("urgency.waiting_guidance_days")
    part += WAITING_SHARE * min(waited / guidance, WAITING_CAP) / WAITING_CAP
    return part
