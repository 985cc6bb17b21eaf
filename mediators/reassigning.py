"""A placement made on the requester's provisional answers, checked again when the
classification changes.

The office may place and book a case as soon as the requester has answered: both parents
answer "before the first meeting" (000 §4.2), not before booking. The other parent's answers
can raise the level to high or add a safety flag, and then the case needs a mediator with
high-conflict competence and the ability to hold separate meetings (rules
`competence.high_conflict`, 000 §4.2, and `competence.separate_meetings`, meklingsforskriften
§ 7). If the mediator holding the case (or offered it) lacks them, the placement breaks the
service's own eligibility rules, so `assignment_recheck` undoes it: the assignment ends (or the
offer is withdrawn), the case's future booked meetings with that mediator are cancelled through
the ordinary cancel (the parents' notices never say why: one parent must never learn from us
what the other answered), the case goes back to the waiting queue, and the office is alarmed
to place it again.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from intake.audit import audit_record
from intake.models import AuditEvent, Case, CaseStatus, Classification
from mediators.assignment import exclusions
from mediators.models import Assignment, Mediator, Offer
from mediators.offers import offer_withdraw_locked
from mediators.snapshots import case_need, mediator_slots
from scheduling.appointments import (
    appointment_cancel_locked,
    contention_as_conflict,
    set_lock_timeout,
)
from scheduling.duties import duty_schedule
from scheduling.models import Appointment, AppointmentStatus

# Who cancelled, on the appointment: read by staff only; the parents' notices never show it.
CANCELLED_BY_RECHECK = "system:reassign"
REASSIGN_ALARM = "alarm_reassign"
# The rules a classification decides (its level and safety flags). The others (the office,
# approval, travel, languages, conflicts of interest) do not change with the answers, and
# staff deal with them elsewhere; capacity is left out because the mediator's load already
# counts this very case, and a family already placed is not taken away for a weekly estimate.
RECHECKED_RULES = frozenset({"competence.high_conflict", "competence.separate_meetings"})
# Statuses in which a case holds a placement that the recheck may undo.
PLACED = (CaseStatus.OFFERED, CaseStatus.ASSIGNED, CaseStatus.SCHEDULED, CaseStatus.IN_MEDIATION)


@dataclass
class Recheck:
    """A placement undone: the ended assignment or withdrawn offer, and the meetings cancelled."""

    mediator_id: int
    rules: list[str]
    status: str
    assignment: Assignment | None = None
    offer: Offer | None = None
    cancelled: list[Appointment] = field(default_factory=list)


def reassign_alarm_key(*, case: Case, placement: Assignment | Offer) -> str:
    kind = "offer" if isinstance(placement, Offer) else "assignment"
    return f"alarm:{case.pk}:reassign:{kind}:{placement.pk}"


def assignment_recheck(*, case: Case) -> Recheck | None:
    """Undo the case's placement if its mediator no longer meets the competence the current
    classification requires (000 §4.2; meklingsforskriften § 7); None when the mediator still
    qualifies or the case holds no placement.

    One transaction (the caller's, if any) in the order booking locks: the case, then the
    mediator, then the appointments. Running it again finds no placement left: a no-op.
    """
    now = timezone.now()
    with contention_as_conflict(), transaction.atomic():
        set_lock_timeout()
        locked_case = Case.objects.select_for_update().get(pk=case.pk)
        if locked_case.status not in PLACED:
            return None
        placement = _placement(locked_case)
        if placement is None:
            return None
        broken = _broken_rules(locked_case, placement.mediator_id)
        if not broken:
            return None
        Mediator.objects.select_for_update().get(pk=placement.mediator_id)
        return _undo(case=locked_case, placement=placement, rules=broken, now=now)


def _placement(case: Case) -> Assignment | Offer | None:
    assignment = (
        Assignment.objects.select_for_update().filter(case=case, ended_at__isnull=True).first()
    )
    if assignment is not None:
        return assignment
    return Offer.objects.select_for_update().filter(case=case, status=Offer.Status.PENDING).first()


def _broken_rules(case: Case, mediator_id: int) -> list[str]:
    """The classification's rules this mediator now fails, by the assignment's own checks (the
    same builders and `exclusions` that placing a case uses: one rule source)."""
    (slot,) = mediator_slots(mediator_ids=[mediator_id])
    found = exclusions(case=case_need(case), mediator=slot, today=timezone.localdate())
    return sorted({exclusion.rule for exclusion in found if exclusion.rule in RECHECKED_RULES})


def _undo(*, case: Case, placement: Assignment | Offer, rules: list[str], now: datetime) -> Recheck:
    future = Appointment.objects.select_for_update().filter(
        case=case,
        mediator_id=placement.mediator_id,
        status=AppointmentStatus.BOOKED,
        starts_at__gt=now,
    )
    cancelled = list(future.order_by("starts_at", "pk"))
    for appointment in cancelled:
        # The ordinary cancel: notices (METHOD:CANCEL), webhook event, reminders stop.
        appointment_cancel_locked(
            appointment=appointment, case=case, now=now, by=CANCELLED_BY_RECHECK
        )
    assignment, offer = (None, placement) if isinstance(placement, Offer) else (placement, None)
    if offer is not None:
        offer_withdraw_locked(offer=offer)
    if assignment is not None:
        assignment.ended_at = now
        assignment.save(update_fields=["ended_at"])
    # Back to where placing starts: READY once both parents have answered, else INTAKE.
    final = Classification.objects.filter(case=case, provisional=False).exists()
    status = CaseStatus.READY if final else CaseStatus.INTAKE
    Case.objects.filter(pk=case.pk).update(status=status)
    case.status = status
    result = Recheck(
        mediator_id=placement.mediator_id,
        rules=rules,
        status=status,
        assignment=assignment,
        offer=offer,
        cancelled=cancelled,
    )
    duty_schedule(
        kind=REASSIGN_ALARM,
        key=reassign_alarm_key(case=case, placement=placement),
        due_at=now,
        case=case,
        target_id=case.pk,
        dispatch_now=True,
    )
    audit_record(
        action=AuditEvent.Action.CASE_UNASSIGNED,
        case_reference=case.reference,
        actor_label="system",
        detail={
            "mediator": placement.mediator_id,
            "assignment": result.assignment.pk if result.assignment else None,
            "offer": result.offer.pk if result.offer else None,
            "cancelled": [row.pk for row in cancelled],
            "rules": rules,
            "status": result.status,
        },
    )
    return result
