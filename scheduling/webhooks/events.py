"""Recording webhook events: one call from each service whose change subscribers hear about.

`webhook_event_record` must run inside the transaction of the change (the outbox): the event
and its deliveries commit or roll back with it, and the deliveries go to a worker only after
commit. Payloads carry references only — case reference, office id, ids of offers,
appointments and certificates, times and kinds — never answers, national ids, names, phone
numbers, emails or free text (reasons); `ALLOWED_DATA` is the whole list, and anything else
is refused.
"""

import json
import logging
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnreachable

from scheduling.webhooks.models import Delivery, Event, EventType, Subscriber

if TYPE_CHECKING:
    from intake.models import Case, Classification
    from mediators.models import Assignment, Offer
    from scheduling.models import Appointment, Certificate

logger = logging.getLogger(__name__)

Scalar = str | int | bool | None
_APPOINTMENT: tuple[str, ...] = ("appointment", "mediator", "kind", "mode", "parent_role")
_APPOINTMENT += ("location", "starts_at", "ends_at", "sequence")
_OFFER = ("offer", "mediator", "assignment")
ALLOWED_DATA: dict[str, frozenset[str]] = {
    EventType.CASE_REQUESTED: frozenset({"case_type", "requested_at"}),
    EventType.CASE_CLASSIFIED: frozenset({"provisional", "overridden"}),
    EventType.CASE_ASSIGNED: frozenset({"mediator", "assignment", "offer", "method", "deadline"}),
    EventType.OFFER_ACCEPTED: frozenset(_OFFER),
    EventType.OFFER_DECLINED: frozenset(_OFFER),
    EventType.OFFER_EXPIRED: frozenset(_OFFER),
    EventType.APPOINTMENT_BOOKED: frozenset(_APPOINTMENT),
    EventType.APPOINTMENT_RESCHEDULED: frozenset(_APPOINTMENT),
    EventType.APPOINTMENT_CANCELLED: frozenset(_APPOINTMENT),
    EventType.CERTIFICATE_ISSUED: frozenset(
        {"certificate", "number", "parent_role", "issued_on", "valid_until"}
    ),
}


def _utc(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _scalar(key: str, value: Any) -> Scalar:
    if isinstance(value, datetime):
        return _utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | bool):
        return value
    raise TypeError(f"Webhook data {key!r} must be a plain value, not {type(value).__name__}.")


def event_body(
    *, event_id: UUID, type: str, case: "Case", office_id: int, occurred_at: datetime, data: Any
) -> str:
    """The JSON subscribers receive, with sorted keys (so the stored text is stable)."""
    document = {
        "id": str(event_id),
        "type": type,
        "occurred_at": _utc(occurred_at),
        "case_reference": case.reference,
        "office": office_id,
        "data": data,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def webhook_event_record(*, type: str, case: "Case", data: dict[str, Any] | None = None) -> Event:
    """Record one event of `case` and a delivery to each active subscriber that wants it."""
    if type not in EventType.values:
        raise ValueError(f"Unknown webhook event type {type!r}.")
    data = data or {}
    unknown = set(data) - ALLOWED_DATA[type]
    if unknown:
        # A guard for future callers: only references leave the service.
        raise ValueError(f"Not allowed in a {type} event: {sorted(unknown)}.")
    clean = {key: _scalar(key, value) for key, value in sorted(data.items())}
    office_id = case.chosen_office_id or case.catchment_office_id
    now = timezone.now()
    with transaction.atomic():
        event = Event(type=type, case=case, office_id=office_id, occurred_at=now)
        event.body = event_body(
            event_id=event.uuid,
            type=type,
            case=case,
            office_id=office_id,
            occurred_at=now,
            data=clean,
        )
        event.save()
        subscribers = [
            pk
            for pk, wanted, office in Subscriber.objects.filter(active=True).values_list(
                "pk", "event_types", "office_id"
            )
            if type in wanted and office in (None, office_id)
        ]
        deliveries = Delivery.objects.bulk_create(
            [Delivery(event=event, subscriber_id=pk, next_attempt_at=now) for pk in subscribers]
        )
        deliveries_enqueue_on_commit([d.pk for d in deliveries])
    return event


def deliveries_enqueue_on_commit(ids: Sequence[int]) -> None:
    if ids:
        chosen = list(ids)
        transaction.on_commit(lambda: _enqueue_unsafe(chosen))


def _enqueue_unsafe(ids: list[int]) -> None:
    """Send a delivery task per id; outside a commit hook it could send uncommitted rows."""
    from scheduling.webhooks.tasks import deliver  # the task module imports the services

    for sent, delivery_id in enumerate(ids):
        try:
            deliver.delay(delivery_id)
        except BrokerUnreachable:
            logger.warning(
                "broker unreachable: %d webhook deliveries left for the sweep", len(ids) - sent
            )
            return


# What each service passes as `data`: small readers of its rows, references only.


def case_requested_data(case: "Case") -> dict[str, Any]:
    return {"case_type": case.case_type, "requested_at": case.requested_at}


def classification_data(classification: "Classification") -> dict[str, Any]:
    # No level, score, reasons or safety flags: the level is read through the API, which
    # audits who looked (intake/api/cases.py).
    return {
        "provisional": classification.provisional,
        "overridden": bool(classification.override_level),
    }


def placement_data(*, assignment: "Assignment | None", offer: "Offer | None") -> dict[str, Any]:
    row = assignment or offer
    if row is None:
        raise ValueError("A placement is an assignment or an offer.")
    return {
        "mediator": row.mediator_id,
        "assignment": assignment.pk if assignment else None,
        "offer": offer.pk if offer else None,
        "method": row.method,
        "deadline": offer.deadline if offer else None,
    }


def offer_data(offer: "Offer", assignment: "Assignment | None" = None) -> dict[str, Any]:
    return {
        "offer": offer.pk,
        "mediator": offer.mediator_id,
        "assignment": assignment.pk if assignment else None,
    }


def appointment_data(appointment: "Appointment") -> dict[str, Any]:
    return {
        "appointment": appointment.pk,
        "mediator": appointment.mediator_id,
        "kind": appointment.kind,
        "mode": appointment.mode,
        "parent_role": appointment.parent_role,
        "location": appointment.location_id,
        "starts_at": appointment.starts_at,
        "ends_at": appointment.ends_at,
        "sequence": appointment.sequence,
    }


def certificate_data(certificate: "Certificate") -> dict[str, Any]:
    return {
        "certificate": certificate.pk,
        "number": certificate.number,
        "parent_role": certificate.parent.role,
        "issued_on": certificate.issued_on,
        "valid_until": certificate.valid_until,
    }
