"""An external mediator's offer: accept (only one acceptance can win), decline, or expire.

When an offer is declined or expires, the next mediator in the ranking is offered the case
automatically (or assigned, if that is an office mediator), and the office is told.
"""

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from config.api_errors import Conflict
from intake.audit import audit_record
from intake.models import AuditEvent, Case, CaseStatus
from mediators.models import Assignment, Mediator, Offer
from scheduling.duties import duties_cancel, duty_schedule
from scheduling.webhooks.events import EventType, offer_data, webhook_event_record

# The mediator is reminded this long before the deadline (or halfway, for short deadlines).
REMINDER_BEFORE = timedelta(hours=12)


class OfferClosed(Conflict):
    code = "offer_closed"


def offer_duties_schedule(*, offer: Offer) -> None:
    """Tell the mediator now, remind before the deadline, expire at the deadline."""
    now = timezone.now()
    reminder_at = max(offer.deadline - REMINDER_BEFORE, now + (offer.deadline - now) / 2)
    for kind, due_at in (
        ("offer_notice", now),
        ("offer_reminder", reminder_at),
        ("offer_expiry", offer.deadline),
    ):
        duty_schedule(
            kind=kind,
            key=f"{_duty_prefix(offer)}{kind}",
            due_at=due_at,
            case=offer.case,
            target_id=offer.pk,
            dispatch_now=kind == "offer_notice",
        )


def _duty_prefix(offer: Offer) -> str:
    """All of one offer's duties share this key prefix (the trailing colon keeps 1 from 12)."""
    return f"offer:{offer.pk}:"


def _locked_pending(offer_id: int) -> Offer:
    offer = Offer.objects.select_for_update().select_related("case", "mediator").get(pk=offer_id)
    if offer.status != Offer.Status.PENDING:
        raise OfferClosed(f"This offer is already {offer.status}.")
    return offer


def offer_accept(
    *,
    offer: Offer,
    starts_at: datetime | None = None,
    actor: Any = None,
    remote_addr: str | None = None,
) -> Assignment:
    """The mediator takes the case, and books the first meeting at `starts_at` if given.

    The offer row is locked, so one acceptance wins; a taken slot undoes the acceptance too.
    """
    with transaction.atomic():
        locked = _locked_pending(offer.pk)
        if locked.deadline <= timezone.now():
            raise OfferClosed("The deadline for this offer has passed.")
        locked.status = Offer.Status.ACCEPTED
        locked.responded_at = timezone.now()
        locked.save(update_fields=["status", "responded_at"])
        assignment = Assignment.objects.create(
            case=locked.case,
            mediator=locked.mediator,
            location=locked.location,
            remote=locked.remote,
            hours=locked.hours,
            method=Assignment.Method.OFFER_ACCEPTED,
            chosen_by=locked.chosen_by,
            reasons=locked.reasons,
            journey_minutes=locked.journey_minutes,
        )
        Case.objects.filter(pk=locked.case_id).update(status=CaseStatus.ASSIGNED)
        webhook_event_record(
            type=EventType.OFFER_ACCEPTED, case=locked.case, data=offer_data(locked, assignment)
        )
        duties_cancel(key_prefix=_duty_prefix(locked))
        if starts_at is not None:
            _first_meeting_book(offer=locked, starts_at=starts_at, actor=actor)
        audit_record(
            action=AuditEvent.Action.OFFER_ACCEPTED,
            case_reference=locked.case.reference,
            actor=actor,
            remote_addr=remote_addr,
            detail={"offer": locked.pk},
        )
    return assignment


def _first_meeting_book(*, offer: Offer, starts_at: datetime, actor: Any) -> None:
    from scheduling.appointments import appointment_book
    from scheduling.models import Appointment
    from scheduling.slots import separate_required

    separate = separate_required(case=offer.case)
    appointment_book(
        case=offer.case,
        starts_at=starts_at,
        kind=Appointment.Kind.SEPARATE if separate else Appointment.Kind.JOINT,
        mode=Appointment.Mode.VIDEO if offer.remote else Appointment.Mode.IN_PERSON,
        location=offer.location,
        actor=actor,
    )


def offer_decline(
    *, offer: Offer, reason: str, actor: Any = None, remote_addr: str | None = None
) -> None:
    with transaction.atomic():
        locked = _locked_pending(offer.pk)
        _close(locked, Offer.Status.DECLINED, reason=reason)
        webhook_event_record(
            type=EventType.OFFER_DECLINED, case=locked.case, data=offer_data(locked)
        )
        audit_record(
            action=AuditEvent.Action.OFFER_DECLINED,
            case_reference=locked.case.reference,
            actor=actor,
            remote_addr=remote_addr,
            detail={"offer": locked.pk},
        )
    offer_next(case=locked.case)


def offer_expire(*, offer: Offer) -> bool:
    """At the deadline: expire a still pending offer and move on. False if it was answered."""
    with transaction.atomic():
        locked = Offer.objects.select_for_update().select_related("case").get(pk=offer.pk)
        if locked.status != Offer.Status.PENDING:
            return False
        _close(locked, Offer.Status.EXPIRED, reason="")
        webhook_event_record(
            type=EventType.OFFER_EXPIRED, case=locked.case, data=offer_data(locked)
        )
        audit_record(
            action=AuditEvent.Action.OFFER_EXPIRED,
            case_reference=locked.case.reference,
            detail={"offer": locked.pk},
        )
    offer_next(case=locked.case)
    return True


def offer_withdraw_locked(*, offer: Offer) -> None:
    """Withdraw a pending offer whose row (and case) the caller holds locked: its reminder and
    expiry stop, and the mediator's inbox says the office withdrew it. The caller audits it and
    sets the case's status."""
    _close(offer, Offer.Status.WITHDRAWN, reason="")


def _close(offer: Offer, status: str, *, reason: str) -> None:
    offer.status = status
    offer.responded_at = timezone.now()
    offer.decline_reason = reason[:500]
    offer.save(update_fields=["status", "responded_at", "decline_reason"])
    duties_cancel(key_prefix=_duty_prefix(offer))
    Case.objects.filter(pk=offer.case_id, status=CaseStatus.OFFERED).update(status=CaseStatus.READY)


def offer_next(*, case: Case) -> Offer | Assignment | None:
    """Place the case with the best-ranked mediator who has not already had an offer for it."""
    from mediators.assigning import case_place, case_suggestions

    tried = set(Offer.objects.filter(case=case).values_list("mediator_id", flat=True))
    case.refresh_from_db()
    for suggestion in case_suggestions(case=case, limit=len(tried) + 10).ranked:
        if suggestion.mediator_id in tried:
            continue
        try:
            placement = case_place(
                case=case,
                mediator=Mediator.objects.get(pk=suggestion.mediator_id),
                method=Assignment.Method.SUGGESTED,
            )
        except Conflict:
            continue
        _tell_office(case, round_number=len(tried))
        return placement.row
    _tell_office(case, round_number=len(tried))
    return None


def _tell_office(case: Case, *, round_number: int) -> None:
    duty_schedule(
        kind="offer_staff_notice",
        key=f"offer_staff_notice:{case.pk}:{round_number}",
        due_at=timezone.now(),
        case=case,
        target_id=case.pk,
        dispatch_now=True,
    )
