"""Events arrive once per change, carry references only, and commit with their change.

The walk goes through the public API with a real local receiver: request → classified
(provisional, then final) → assigned (an offer) → offer accepted with a first meeting (booked)
→ rescheduled → cancelled → booked again → held → a certificate for each parent. Workers run
inline after commit (eager Celery), so the receiver's log is complete when each call returns.
"""

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from intake.models import Case, CaseStatus
from intake.questionnaire import load_questionnaire
from mediators.models import Language, Mediator, Offer, User
from scheduling.duties import duties_dispatch_due
from scheduling.models import Appointment
from scheduling.webhooks.events import ALLOWED_DATA, webhook_event_record
from scheduling.webhooks.models import Delivery, Event, EventType, Subscriber
from tests.factories import CaseFactory, OfficeFactory, UserFactory
from tests.intake.conftest import least_conflict_answers, request_body, tokens_by_recipient
from tests.mediators.conftest import mediator_at, waiting_case
from tests.scheduling.scheduling_setup import weekly
from tests.webhooks.receiver import Receiver, verify

pytestmark = pytest.mark.django_db
Subscribe = Callable[..., Subscriber]


def _national_id(nine: str) -> str:
    """A synthetic fødselsnummer: nine digits and their two check digits."""
    w1, w2 = (3, 7, 6, 1, 8, 9, 4, 5, 2), (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
    k1 = (11 - sum(w * int(d) for w, d in zip(w1, nine, strict=True)) % 11) % 11
    ten = nine + str(k1)
    k2 = (11 - sum(w * int(d) for w, d in zip(w2, ten, strict=True)) % 11) % 11
    return ten + str(k2)


NATIONAL_ID = _national_id("151086950")
CANCEL_REASON = "Syntetisk grunn: Testa kan ikke komme"
DECLINE_REASON = "Syntetisk avslag: inhabil overfor Oppdiktet"

# The keys each event's data carries: references, kinds and times only.
APPOINTMENT_KEYS = {"appointment", "mediator", "kind", "mode", "parent_role", "location"}
APPOINTMENT_KEYS |= {"starts_at", "ends_at", "sequence"}
OFFER_KEYS = {"offer", "mediator", "assignment"}
DATA_KEYS = {
    "case.requested": {"case_type", "requested_at"},
    "case.classified": {"provisional", "overridden"},
    "case.assigned": {"mediator", "assignment", "offer", "method", "deadline"},
    "offer.accepted": OFFER_KEYS,
    "offer.declined": OFFER_KEYS,
    "offer.expired": OFFER_KEYS,
    "appointment.booked": APPOINTMENT_KEYS,
    "appointment.rescheduled": APPOINTMENT_KEYS,
    "appointment.cancelled": APPOINTMENT_KEYS,
    "certificate.issued": {"certificate", "number", "parent_role", "issued_on", "valid_until"},
}


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any, eager_celery: None) -> Callable[..., Any]:
    """Call an API client and run what it left for after commit (the deliveries), inline."""

    def _call(client: APIClient, method: str, path: str, data: Any = None) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            response = getattr(client, method)(path, data, format="json")
        assert response.status_code in (200, 201), (path, response.json())
        return response.json() if response.content else None

    return _call


@pytest.fixture
def everything(receiver: Receiver, subscribe: Subscribe) -> Iterator[Subscriber]:
    yield subscribe(receiver.url)


def _no_personal_data(receiver: Receiver) -> None:
    body = request_body()
    secrets = {NATIONAL_ID, NATIONAL_ID[:6], CANCEL_REASON, DECLINE_REASON, "41234567"}
    for parent in body["parents"]:
        secrets |= {parent["given_name"], parent["family_name"], parent["email"]}
    items = [item.id for item in load_questionnaire("v1").items]
    for received in receiver.received:
        text = (received.body.decode() + str(received.headers)).lower()
        assert not [s for s in secrets if s.lower() in text], received.body
        assert not [i for i in items if i.lower() in text], received.body
        assert set(received.json["data"]) == DATA_KEYS[received.event_type], received.body


def test_a_case_walked_through_the_service_sends_each_event_once(
    national_offices: None,
    receiver: Receiver,
    everything: Subscriber,
    committed: Callable[..., Any],
) -> None:
    anyone, staff_of = APIClient(), APIClient()
    body = request_body()
    body["parents"][0]["national_id"] = NATIONAL_ID
    reference = committed(anyone, "post", "/api/v1/cases/", body)["reference"]
    case = Case.objects.get(reference=reference)
    assert receiver.types() == ["case.requested"]

    tokens = tokens_by_recipient()
    for email in ("requester@test.example", "other@test.example"):
        token = tokens[email]
        committed(anyone, "put", f"/api/v1/intake/{token}/", {"answers": least_conflict_answers()})
        committed(anyone, "post", f"/api/v1/intake/{token}/submit")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.READY
    assert receiver.types()[1:] == ["case.classified", "case.classified"]

    mediator = mediator_at(case, kind="external", weekly_capacity_hours=10)
    mediator.languages.add(Language.objects.get(code="en"))  # the other parent's language
    weekly(mediator, location=mediator.locations.first())
    mediator.user = User.objects.create(username="ext-walk", role=User.Role.EXTERNAL_MEDIATOR)
    mediator.save(update_fields=["user"])
    by_mediator = APIClient()
    by_mediator.force_authenticate(mediator.user)
    staff_of.force_authenticate(UserFactory.create(office=case.office))
    path = f"/api/v1/cases/{reference}/assignment/"
    committed(staff_of, "post", path, {"mediator": mediator.pk})
    offer = Offer.objects.get(case=case)

    first_day = timezone.localdate() + timedelta(days=3)
    slots = committed(
        by_mediator, "get", f"/api/v1/cases/{reference}/slots/?from={first_day}&days=21"
    )["slots"]
    starts = [slot["starts_at"] for slot in slots]
    committed(by_mediator, "post", f"/api/v1/offers/{offer.pk}/accept/", {"starts_at": starts[0]})
    appointment = Appointment.objects.get(case=case)
    committed(
        staff_of,
        "post",
        f"/api/v1/appointments/{appointment.pk}/reschedule/",
        {"starts_at": starts[4]},
    )
    committed(
        staff_of,
        "post",
        f"/api/v1/appointments/{appointment.pk}/cancel/",
        {"reason": CANCEL_REASON},
    )
    booked = committed(
        staff_of,
        "post",
        f"/api/v1/cases/{reference}/appointments/",
        {"starts_at": starts[8], "kind": "joint", "mode": "in_person"},
    )
    second = Appointment.objects.exclude(pk=appointment.pk).get(case=case)
    assert booked
    with time_machine.travel(second.ends_at + timedelta(minutes=5), tick=True):
        committed(
            staff_of,
            "post",
            f"/api/v1/appointments/{second.pk}/attendance/",
            {"requester": True, "other": True},
        )

    assert receiver.types() == [
        "case.requested",
        "case.classified",
        "case.classified",
        "case.assigned",
        "offer.accepted",
        "appointment.booked",
        "appointment.rescheduled",
        "appointment.cancelled",
        "appointment.booked",
        "certificate.issued",
        "certificate.issued",
    ]
    received = receiver.received
    # Once per change: one POST per event, one event per change, every delivery done.
    assert len({r.event_id for r in received}) == len(received) == Event.objects.count()
    assert set(Delivery.objects.values_list("status", "attempts")) == {("succeeded", 1)}
    assert all(verify(everything.secret, r) for r in received[:9])
    # The certificates were signed at the travelled time, weeks ahead.
    assert all(verify(everything.secret, r, tolerance=90 * 24 * 3600) for r in received[9:])
    assert {r.json["case_reference"] for r in received} == {reference}
    assert {r.json["office"] for r in received} == {case.office.pk}

    data = [r.json["data"] for r in received]
    assert [d["provisional"] for d in data[1:3]] == [True, False]
    assert (data[3]["offer"], data[3]["assignment"], data[3]["mediator"]) == (
        offer.pk,
        None,
        mediator.pk,
    )
    assert data[4] == {
        "offer": offer.pk,
        "mediator": mediator.pk,
        "assignment": data[4]["assignment"],
    }
    assert data[4]["assignment"] == case.assignments.get().pk
    moves = [(d["appointment"], d["sequence"], d["starts_at"]) for d in data[5:9]]
    assert [m[:2] for m in moves] == [
        (appointment.pk, 0),
        (appointment.pk, 1),
        (appointment.pk, 2),
        (second.pk, 0),
    ]
    assert moves[1][2] == moves[2][2] != moves[0][2]  # the move, then the cancelled time
    assert sorted(d["parent_role"] for d in data[9:]) == ["other", "requester"]
    _no_personal_data(receiver)


def test_a_declined_and_an_expired_offer_each_send_one_event_then_the_next_offer(
    national_offices: None,
    receiver: Receiver,
    everything: Subscriber,
    committed: Callable[..., Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    case = waiting_case()
    first, *_others = (
        mediator_at(case, kind="external", weekly_capacity_hours=10) for _ in range(3)
    )
    staff = APIClient()
    staff.force_authenticate(UserFactory.create(office=case.office))
    committed(staff, "post", f"/api/v1/cases/{case.reference}/assignment/", {"mediator": first.pk})
    offer = Offer.objects.get(case=case, status="pending")
    first.user = User.objects.create(username="ext-first", role=User.Role.EXTERNAL_MEDIATOR)
    first.save(update_fields=["user"])
    client = APIClient()
    client.force_authenticate(first.user)
    committed(client, "post", f"/api/v1/offers/{offer.pk}/decline/", {"reason": DECLINE_REASON})
    assert receiver.types() == ["case.assigned", "offer.declined", "case.assigned"]

    pending = Offer.objects.get(case=case, status="pending")
    with (
        time_machine.travel(pending.deadline + timedelta(minutes=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        duties_dispatch_due()
    assert receiver.types()[3:] == ["offer.expired", "case.assigned"]
    data = [r.json["data"] for r in receiver.received]
    assert (data[1]["offer"], data[3]["offer"]) == (offer.pk, pending.pk)
    assert data[4]["offer"] == Offer.objects.get(case=case, status="pending").pk
    assert data[2]["mediator"] == pending.mediator_id != first.pk
    assert data[4]["mediator"] not in (first.pk, pending.mediator_id)  # a third mediator
    _no_personal_data(receiver)


def test_a_staff_override_of_the_level_is_a_classification_event(
    national_offices: None,
    receiver: Receiver,
    everything: Subscriber,
    committed: Callable[..., Any],
) -> None:
    case = waiting_case()
    staff = APIClient()
    staff.force_authenticate(UserFactory.create(office=case.office))
    path = f"/api/v1/cases/{case.reference}/classification/override"
    committed(staff, "post", path, {"level": "high", "reason": "Syntetisk grunn"})
    [received] = receiver.received
    assert received.event_type == "case.classified"
    assert received.json["data"] == {"overridden": True, "provisional": False}
    assert "high" not in received.body.decode() and "Syntetisk" not in received.body.decode()


def test_an_event_commits_with_its_change_or_not_at_all(
    national_offices: None,
    receiver: Receiver,
    everything: Subscriber,
    django_capture_on_commit_callbacks: Any,
    eager_celery: None,
) -> None:
    case = waiting_case()
    mediator = mediator_at(case, kind="external", weekly_capacity_hours=10)
    staff = APIClient()
    staff.force_authenticate(UserFactory.create(office=case.office))
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(
            f"/api/v1/cases/{case.reference}/assignment/", {"mediator": mediator.pk}, format="json"
        )
    offer = Offer.objects.get(case=case)
    mediator.user = User.objects.create(username="ext-rollback", role=User.Role.EXTERNAL_MEDIATOR)
    mediator.save(update_fields=["user"])
    client = APIClient()
    client.force_authenticate(mediator.user)
    # No opening hours: the first meeting cannot be booked, so the acceptance (and its
    # offer.accepted event, recorded before the booking failed) is rolled back.
    sunday_night = (timezone.now() + timedelta(days=10)).replace(hour=2, minute=0)
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(
            f"/api/v1/offers/{offer.pk}/accept/",
            {"starts_at": sunday_night.isoformat()},
            format="json",
        )
    assert refused.status_code in (400, 409), refused.json()
    assert list(Event.objects.values_list("type", flat=True)) == ["case.assigned"]
    assert receiver.types() == ["case.assigned"]

    with (
        pytest.raises(RuntimeError),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        webhook_event_record(type=EventType.CASE_REQUESTED, case=case, data={})
        raise RuntimeError("the change failed")
    assert Event.objects.count() == 1 and len(receiver.received) == 1


def test_subscribers_hear_only_their_office_and_their_event_types(
    receiver: Receiver,
    subscribe: Subscribe,
    django_capture_on_commit_callbacks: Any,
    eager_celery: None,
) -> None:
    here, there = OfficeFactory.create(), OfficeFactory.create()
    office_only = subscribe(receiver.url, name="Office system", office=here)
    requests_only = subscribe(receiver.url, name="Court portal", event_types=["case.requested"])
    ours, theirs = (
        CaseFactory.create(catchment_office=here),
        CaseFactory.create(catchment_office=there),
    )
    with django_capture_on_commit_callbacks(execute=True):
        for case in (ours, theirs):
            webhook_event_record(type=EventType.CASE_REQUESTED, case=case, data={})
            webhook_event_record(type=EventType.CASE_CLASSIFIED, case=case, data={})
    heard = {
        subscriber.name: sorted(
            Delivery.objects.filter(subscriber=subscriber).values_list(
                "event__case__reference", "event__type"
            )
        )
        for subscriber in (office_only, requests_only)
    }
    assert heard == {
        "Office system": [(ours.reference, "case.classified"), (ours.reference, "case.requested")],
        "Court portal": [(ours.reference, "case.requested"), (theirs.reference, "case.requested")],
    }
    assert len(receiver.received) == 4


def test_anything_but_references_is_refused_before_it_is_recorded() -> None:
    case = CaseFactory.create()
    refused: list[dict[str, Any]] = [
        {"email": "forelder@test.example"},
        {"answers": {}},
        {"reason": "free text"},
    ]
    for data in refused:
        with pytest.raises(ValueError, match="Not allowed"):
            webhook_event_record(type=EventType.CASE_REQUESTED, case=case, data=data)
    with pytest.raises(ValueError, match="Unknown"):
        webhook_event_record(type="case.deleted", case=case)
    with pytest.raises(TypeError):
        webhook_event_record(type=EventType.CASE_ASSIGNED, case=case, data={"mediator": Mediator()})
    assert not Event.objects.exists()
    assert set(ALLOWED_DATA) == set(EventType.values) == set(DATA_KEYS)
    assert {k: set(v) for k, v in ALLOWED_DATA.items()} == DATA_KEYS


def test_a_deleted_protocol_takes_its_webhook_events_and_their_log_along(
    receiver: Receiver, subscribe: Subscribe
) -> None:
    """meklingsforskriften § 9: nothing of the case outlives its protocol here either."""
    from intake.retention import case_protocol_delete
    from scheduling.webhooks.delivery import webhook_delivery_attempt
    from scheduling.webhooks.models import DeliveryAttempt

    subscribe(receiver.url)
    case, kept = CaseFactory.create(), CaseFactory.create()
    for one in (case, kept):
        event = webhook_event_record(type=EventType.CASE_REQUESTED, case=one)
        webhook_delivery_attempt(delivery_id=Delivery.objects.get(event=event).pk)
    assert case_protocol_delete(case=case)
    assert list(Event.objects.values_list("case", flat=True)) == [kept.pk]
    assert Delivery.objects.count() == DeliveryAttempt.objects.count() == 1
