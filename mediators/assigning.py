"""Placing a case with a mediator: direct for office mediators, an offer for external ones.

The capacity check runs with the mediator's row locked (case first, then mediator: one
fixed order), so two staff taking the last hour of a mediator at once cannot both win.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language

from config.api_errors import ApplicationError, Conflict
from intake.audit import audit_record
from intake.models import AuditEvent, Case, CaseStatus
from mediators.assignment import (
    BatchResult,
    CaseNeed,
    MediatorSlot,
    case_hours,
    exclusions,
    optimise,
    pair_cost,
    status_quo,
    suggest,
    weighted_round_robin,
)
from mediators.models import Assignment, Mediator, Offer
from mediators.offers import offer_duties_schedule
from mediators.snapshots import case_need, mediator_loads, mediator_slots
from scheduling.webhooks.events import EventType, placement_data, webhook_event_record

CAPACITY_RULE = "capacity.full"
OFFER_HOURS = 48
URGENT_OFFER_HOURS = 24
URGENT_WITHIN_DAYS = 21
ASSIGNABLE = (CaseStatus.INTAKE, CaseStatus.READY)


class NoCapacity(Conflict):
    code = "no_capacity"


@dataclass(frozen=True)
class PlacementResult:
    """What an assignment produced: an assignment (office) or an offer (external)."""

    assignment: Assignment | None
    offer: Offer | None

    @property
    def row(self) -> Assignment | Offer:
        row = self.assignment or self.offer
        if row is None:
            raise ValueError("A placement is an assignment or an offer.")
        return row


def offer_deadline(*, case: Case, today: date) -> timedelta:
    """48 hours to answer; 24 when a move or a court deadline is near."""
    near = [d for d in (case.planned_move_date, case.court_deadline) if d is not None]
    if any((d - today).days <= URGENT_WITHIN_DAYS for d in near):
        return timedelta(hours=URGENT_OFFER_HOURS)
    return timedelta(hours=OFFER_HOURS)


def _reasons_json(reasons: Any) -> list[Any]:
    return [r.as_dict() if hasattr(r, "as_dict") else r for r in reasons]


def case_place(
    *,
    case: Case,
    mediator: Mediator,
    method: str,
    actor: Any = None,
    remote_addr: str | None = None,
) -> PlacementResult:
    """Assign (office mediator) or offer (external mediator) one case, with its reasons."""
    today = timezone.localdate()
    need = case_need(case)
    (slot,) = mediator_slots(mediator_ids=[mediator.pk])
    excluded = exclusions(case=need, mediator=slot, today=today)
    language = "en" if (get_language() or "nb").startswith("en") else "nb"
    texts = [e.text[language] for e in excluded]
    if excluded and all(e.rule == CAPACITY_RULE for e in excluded):
        raise NoCapacity(f"{mediator} has no capacity left this week. {' '.join(texts)}")
    cost = pair_cost(case=need, mediator=slot, today=today)
    if excluded or cost is None:
        raise ApplicationError("This mediator cannot take the case.", fields={"mediator": texts})
    hours = Decimal(str(case_hours(need)))
    # Not durable: the offer engine calls this from inside a duty's transaction.
    with transaction.atomic():
        locked_case = Case.objects.select_for_update().get(pk=case.pk)
        if (
            locked_case.status not in ASSIGNABLE
            or locked_case.assignments.filter(ended_at__isnull=True).exists()
            or locked_case.offers.filter(status=Offer.Status.PENDING).exists()
        ):
            raise Conflict("The case is already assigned or offered.")
        locked = Mediator.objects.select_for_update().get(pk=mediator.pk)
        load = mediator_loads([locked.pk]).get(locked.pk, Decimal(0))
        if load + hours > locked.weekly_capacity_hours:
            raise NoCapacity(
                f"{locked} has no capacity left this week ({load} of "
                f"{locked.weekly_capacity_hours} hours taken, the case needs {hours})."
            )
        common = {
            "case": locked_case,
            "mediator": locked,
            "location_id": cost.location_id,
            "remote": cost.is_remote,
            "hours": hours,
            "method": method,
            "chosen_by": actor if _is_user(actor) else None,
            "reasons": _reasons_json(cost.reasons),
            "journey_minutes": cost.journey_minutes,
        }
        if locked.kind == Mediator.Kind.EXTERNAL:
            offer = Offer.objects.create(
                deadline=timezone.now() + offer_deadline(case=locked_case, today=today), **common
            )
            offer_duties_schedule(offer=offer)
            placement = PlacementResult(assignment=None, offer=offer)
            locked_case.status = CaseStatus.OFFERED
        else:
            placement = PlacementResult(assignment=Assignment.objects.create(**common), offer=None)
            locked_case.status = CaseStatus.ASSIGNED
        locked_case.save(update_fields=["status"])
        audit_record(
            action=AuditEvent.Action.CASE_ASSIGNED,
            case_reference=locked_case.reference,
            actor=actor,
            remote_addr=remote_addr,
            detail={"mediator": locked.pk, "method": method, "offer": placement.offer is not None},
        )
        webhook_event_record(
            type=EventType.CASE_ASSIGNED,
            case=locked_case,
            data=placement_data(assignment=placement.assignment, offer=placement.offer),
        )
    return placement


def case_place_auto(
    *, case: Case, actor: Any = None, remote_addr: str | None = None
) -> PlacementResult:
    """Place the case with its top suggestion (method `suggested`)."""
    ranked = case_suggestions(case=case, limit=1).ranked
    if not ranked:
        raise ApplicationError(
            "No eligible mediator has capacity for this case.",
            fields={"auto": ["No eligible mediator."]},
        )
    mediator = Mediator.objects.get(pk=ranked[0].mediator_id)
    return case_place(
        case=case,
        mediator=mediator,
        method=Assignment.Method.SUGGESTED,
        actor=actor,
        remote_addr=remote_addr,
    )


def case_place_manual(
    *, case: Case, mediator_id: int, actor: Any = None, remote_addr: str | None = None
) -> PlacementResult:
    """Place the case with the mediator staff chose (method `manual`)."""
    mediator = Mediator.objects.filter(pk=mediator_id).first()
    if mediator is None:
        raise ApplicationError("Unknown mediator.", fields={"mediator": ["Unknown mediator."]})
    return case_place(
        case=case,
        mediator=mediator,
        method=Assignment.Method.MANUAL,
        actor=actor,
        remote_addr=remote_addr,
    )


def _is_user(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def _status_quo(
    *, cases: list[CaseNeed], mediators: list[MediatorSlot], today: date
) -> BatchResult:
    return status_quo(cases=cases, mediators=mediators, today=today, rules=True)


def _round_robin(
    *, cases: list[CaseNeed], mediators: list[MediatorSlot], today: date
) -> BatchResult:
    return weighted_round_robin(cases=cases, mediators=mediators, today=today, rules=True)


# How a batch chooses its placements (docs/assignment-rules.md, "The policies compared").
# "optimiser" is the service; the others are the baselines given the same eligibility rules
# (the service writes every placement through `case_place`, which refuses an ineligible one),
# so the national simulation (bench/national_year.py) can run them through the real services.
BATCH_POLICIES: dict[str, Callable[..., BatchResult]] = {
    "optimiser": optimise,
    "status_quo": _status_quo,
    "round_robin": _round_robin,
}


@dataclass(frozen=True)
class BatchOutcome:
    placed: dict[str, PlacementResult]
    unassigned: dict[str, str]
    solve_seconds: float


def cases_place_batch(
    *,
    cases: list[Case],
    actor: Any = None,
    remote_addr: str | None = None,
    policy: str = "optimiser",
) -> BatchOutcome:
    """Assign all these waiting cases at once with the optimiser (or another of
    `BATCH_POLICIES`), then place each one."""
    choose = BATCH_POLICIES.get(policy)
    if choose is None:
        raise ValueError(f"Unknown assignment policy {policy!r}.")
    today = timezone.localdate()
    needs = [case_need(case) for case in cases]
    slots = mediator_slots(office_ids={need.office_id for need in needs})
    result: BatchResult = choose(cases=needs, mediators=slots, today=today)
    mediators = Mediator.objects.in_bulk([c.mediator_id for c in result.assignments.values()])
    placed: dict[str, PlacementResult] = {}
    unassigned = {
        case.reference: result.unassigned[case.pk] for case in cases if case.pk in result.unassigned
    }
    for case in cases:
        choice = result.assignments.get(case.pk)
        if choice is None:
            continue
        try:
            placed[case.reference] = case_place(
                case=case,
                mediator=mediators[choice.mediator_id],
                method=Assignment.Method.BATCH,
                actor=actor,
                remote_addr=remote_addr,
            )
        except (Conflict, ApplicationError) as exc:
            # Someone placed it (or filled the mediator) since we read: report, never overbook.
            unassigned[case.reference] = exc.message
    return BatchOutcome(placed=placed, unassigned=unassigned, solve_seconds=result.solve_seconds)


def case_suggestions(*, case: Case, explain: bool = False, limit: int = 10) -> Any:
    need = case_need(case)
    slots = mediator_slots(office_ids=[need.office_id])
    return suggest(
        case=need, mediators=slots, today=timezone.localdate(), limit=limit, explain=explain
    )
