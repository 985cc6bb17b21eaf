"""The input and output dataclasses of the assignment core (tildeling av mekler).

Pure data, no Django: the service layer turns database rows into `CaseNeed` and `MediatorSlot`
and turns the results back into rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

CASE_TYPES = (
    "separation",
    "cohabitation_breakup",
    "court",
    "relocation",
    "court_referral",
    "enforcement",
)
LEVELS = ("low", "medium", "high")
KINDS = ("office", "external")


@dataclass(frozen=True)
class Place:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class LocationRef:
    """A place where a mediator holds meetings (an office location, 000 §2.3)."""

    location_id: int
    office_id: int
    name: str
    place: Place


@dataclass(frozen=True)
class CaseNeed:
    """What one waiting case needs from a mediator."""

    case_id: int
    reference: str
    office_id: int
    home: Place
    case_type: str
    level: str
    safety: bool
    languages: frozenset[str]
    interpreter: bool
    parties: frozenset[str]
    requested_on: date
    move_date: date | None
    court_deadline: date | None
    previous_mediator_id: int | None
    remote_ok: bool = False

    def __post_init__(self) -> None:
        if self.case_type not in CASE_TYPES:
            raise ValueError(f"Unknown case type {self.case_type!r}.")
        if self.level not in LEVELS:
            raise ValueError(f"Unknown conflict level {self.level!r}.")


@dataclass(frozen=True)
class MediatorSlot:
    """One mediator (mekler) as the assignment core sees them, with their current load."""

    mediator_id: int
    name: str
    kind: str
    office_id: int
    locations: tuple[LocationRef, ...]
    high_conflict: bool
    child_talk: bool
    court_referral: bool
    separate_meetings: bool
    languages: frozenset[str]
    capacity_hours: float
    load_hours: float
    active: bool
    approved_until: date | None
    declared_parties: frozenset[str]
    last_assigned_at: datetime | None
    # Last day of the leave (holiday, sick days) the mediator is on at the next working day:
    # no first meeting before the day after (found by the national simulation: a mediator
    # back from three summer weeks looked free at once).
    away_until: date | None = None
    # The free parts of the mediator's openings from tomorrow, (date, hours) in time order:
    # openings minus leave, public holidays and booked appointments, `wait.calendar_days`
    # ahead. None = no calendar entered: the wait is then estimated from the load.
    free_time: tuple[tuple[date, float], ...] | None = None
    # The same, per meeting location: (location id, its free time). The family meets at one
    # place, and a satellite location may be open on some days only (the national simulation:
    # booking at the nearest location cost 1.4 working days a case against the mediator's
    # first free hour anywhere).
    free_time_at: tuple[tuple[int, tuple[tuple[date, float], ...]], ...] | None = None

    def free_time_for(self, location_id: int | None) -> tuple[tuple[date, float], ...] | None:
        """Free time at this location (None: anywhere, a video or phone meeting)."""
        if location_id is None or self.free_time_at is None:
            return self.free_time
        for at, free in self.free_time_at:
            if at == location_id:
                return free
        return ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Unknown mediator kind {self.kind!r}.")


@dataclass(frozen=True)
class Reason:
    """One explained part of a suggestion: a key of the rules table and a staff sentence."""

    rule: str
    text: dict[str, str]

    def as_dict(self) -> dict[str, object]:
        return {"rule": self.rule, "text": dict(self.text)}


@dataclass(frozen=True)
class Exclusion:
    """Why a mediator cannot take a case: a key of the rules table and a staff sentence."""

    rule: str
    text: dict[str, str]

    def as_dict(self) -> dict[str, object]:
        return {"rule": self.rule, "text": dict(self.text)}


@dataclass(frozen=True)
class Cost:
    """The cost of one (case, mediator) pair, part by part (lower is better).

    `congestion` is the share of the batch's congestion cost this case carries (0 outside a
    batch); `penalty` is non-zero only when a baseline's ineligible pair is evaluated.
    """

    journey: float
    remote: float
    wait: float
    balance: float
    continuity: float
    external: float
    congestion: float
    penalty: float
    total: float
    journey_minutes: int
    location_id: int | None
    is_remote: bool
    earliest_free: date
    reasons: list[Reason] = field(default_factory=list)


@dataclass(frozen=True)
class Suggestion:
    mediator_id: int
    name: str
    kind: str
    office_id: int
    location_id: int | None
    location_name: str
    remote: bool
    score: float
    cost: float
    journey_minutes: int
    earliest_free: date
    reasons: list[Reason]


@dataclass(frozen=True)
class Suggestions:
    case_id: int
    ranked: list[Suggestion]
    excluded: list[tuple[int, list[Exclusion]]]


@dataclass(frozen=True)
class Choice:
    """One case's placement in a batch result."""

    mediator_id: int
    location_id: int | None
    cost: float
    journey_minutes: int
    reasons: list[Reason]
    remote: bool = False
    earliest_free: date | None = None
    eligible: bool = True


@dataclass(frozen=True)
class BatchResult:
    policy: str
    assignments: dict[int, Choice]
    unassigned: dict[int, str]
    solve_seconds: float
    optimality_gap: float | None = None  # optimiser only: 0 = proven optimal


@dataclass(frozen=True)
class Metrics:
    """One policy's result measured with the same cost model (see `metrics`)."""

    policy: str
    cases: int
    assigned: int
    unassigned: int
    total_cost: float
    placement_cost: float
    unassigned_cost: float
    ineligible_cost: float
    ineligible_pairs: int
    mean_journey: float
    remote: int
    high_conflict_cases: int
    high_conflict_assigned: int
    high_conflict_qualified: int
    share_high_conflict_qualified: float
    overrun_mediators: int
    overrun_hours: float
    solve_seconds: float
