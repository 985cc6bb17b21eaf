"""Staff close a case (or record that it was withdrawn); closing starts the retention clocks
(meklingsforskriften § 9) and is refused while a meeting or an offer is still open."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from intake.models import AuditEvent, Case, CaseStatus
from mediators.models import Offer
from scheduling.appointments import appointment_book
from scheduling.duties import duty_schedule
from scheduling.models import Duty
from tests.factories import MediatorFactory
from tests.pages.auth import verified_login
from tests.scheduling.scheduling_setup import World, assigned_case, weekly

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 1, 4, 9, tzinfo=UTC)  # Monday 4 January 2027, 10:00 in Oslo


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world() -> World:
    return assigned_case()


def _close(world: World, body: dict[str, str]) -> Any:
    client = APIClient()
    client.force_authenticate(world.staff)
    return client.post(
        f"/api/v1/cases/{world.case.reference}/close",
        body,
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )


def _duty(world: World, kind: str) -> Duty:
    duty_schedule(
        kind=kind, key=f"{kind}:{world.case.pk}", due_at=NOW + timedelta(days=1), case=world.case
    )
    return Duty.objects.get(key=f"{kind}:{world.case.pk}")


def test_staff_close_a_case_and_reminders_stop_but_certificate_notices_go() -> None:
    world = assigned_case()
    reminder, expiry = _duty(world, "intake_reminder"), _duty(world, "certificate_expiry")

    response = _close(world, {"status": "closed"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "closed"
    assert body["closed_at"] == "2027-01-04T10:00:00+01:00"
    assert body["answers_purged_at"] is None
    reminder.refresh_from_db()
    expiry.refresh_from_db()
    assert (reminder.status, expiry.status) == (Duty.Status.CANCELLED, Duty.Status.PENDING)
    event = AuditEvent.objects.get(action="case_closed", case_reference=world.case.reference)
    assert (event.actor_id, event.detail) == (world.staff.pk, {"status": "closed"})

    # Closing again changes nothing (and is not audited twice).
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        assert _close(world, {"status": "withdrawn"}).json()["status"] == "closed"
    assert AuditEvent.objects.filter(action="case_closed").count() == 1


def test_withdrawn_and_unknown_status(world: World) -> None:
    bad = _close(world, {"status": "deleted"})
    assert bad.status_code == 400
    assert list(bad.json()["error"]["fields"]) == ["status"]
    assert Case.objects.get(pk=world.case.pk).closed_at is None
    assert _close(world, {"status": "withdrawn"}).json()["status"] == "withdrawn"


def test_a_booked_future_meeting_blocks_closing(world: World) -> None:
    weekly(world.mediator, start=time(8), end=time(16), location=world.location)
    appointment_book(
        case=world.case,
        starts_at=datetime(2027, 1, 6, 9, tzinfo=UTC),
        kind="joint",
        mode="in_person",
        actor=world.staff,
    )
    response = _close(world, {"status": "closed"})
    assert response.status_code == 409
    assert "booked appointments" in response.json()["error"]["message"]
    case = Case.objects.get(pk=world.case.pk)
    assert (case.status, case.closed_at) == (CaseStatus.SCHEDULED, None)
    assert not AuditEvent.objects.filter(action="case_closed").exists()


def test_an_unanswered_offer_blocks_closing(world: World) -> None:
    external = MediatorFactory.create(
        kind="external",
        office=None,
        approved_from=date(2026, 1, 1),
        approved_until=date(2030, 12, 31),
    )
    Offer.objects.create(
        case=world.case,
        mediator=external,
        hours=1,
        method="manual",
        deadline=timezone.now() + timedelta(days=2),
    )
    response = _close(world, {"status": "withdrawn"})
    assert response.status_code == 409
    assert Case.objects.get(pk=world.case.pk).closed_at is None


def test_staff_of_another_office_cannot_close(world: World) -> None:
    other = assigned_case()
    client = APIClient()
    client.force_authenticate(other.staff)
    response = client.post(f"/api/v1/cases/{world.case.reference}/close", {}, format="json")
    assert response.status_code == 404
    assert Case.objects.get(pk=world.case.pk).closed_at is None


def test_the_desk_closes_the_case_from_its_page(world: World) -> None:
    client = verified_login(Client(), world.staff)
    url = f"/desk/cases/{world.case.reference}/"
    page = client.get(url)
    assert b"Avslutt saken" in page.content

    response = client.post(f"{url}close/", {"close-status": "withdrawn"})

    assert response.status_code == 302
    assert response["Location"] == f"{url}#closing"
    case = Case.objects.get(pk=world.case.pk)
    assert (case.status, case.closed_at) == (CaseStatus.WITHDRAWN, NOW)
    after = client.get(url)
    assert b"Avslutt saken" not in after.content
    assert b"Avsluttet 04.01.2027" in after.content
