"""External mediators confirm: accept (one winner), decline or expire → the next in the ranking."""

import threading
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from intake.models import Case, CaseStatus
from mediators.models import Assignment, Mediator, Offer, User
from scheduling.duties import duties_dispatch_due
from scheduling.models import Duty
from tests.factories import UserFactory
from tests.mediators.conftest import mediator_at, waiting_case

pytestmark = pytest.mark.django_db


def _login(mediator: Mediator) -> APIClient:
    user = User.objects.create(username=f"ext-{mediator.pk}", role=User.Role.EXTERNAL_MEDIATOR)
    mediator.user = user
    mediator.save(update_fields=["user"])
    client = APIClient()
    client.force_authenticate(user)
    return client


def _offer(case: Case, mediator: Mediator, capture: Any) -> Offer:
    staff = APIClient()
    staff.force_authenticate(UserFactory.create(office=case.office))
    with capture(execute=True):
        response = staff.post(
            f"/api/v1/cases/{case.reference}/assignment/", {"mediator": mediator.pk}, format="json"
        )
    assert response.status_code == 201, response.json()
    return Offer.objects.get(case=case, mediator=mediator)


@pytest.fixture
def world(national_offices: None, eager_celery: None) -> dict[str, Any]:
    case = waiting_case()
    case.office.email = "kontor@test.example"
    case.office.save()
    first = mediator_at(case, kind="external", weekly_capacity_hours=10)
    second = mediator_at(case, kind="external", weekly_capacity_hours=10)
    return {"case": case, "first": first, "second": second}


def test_the_mediator_is_told_at_once_and_accepting_assigns_the_case(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    offer = _offer(world["case"], world["first"], django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [[world["first"].email]]
    client = _login(world["first"])
    assert [o["id"] for o in client.get("/api/v1/offers/").json()] == [offer.pk]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/offers/{offer.pk}/accept/")
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    assignment = Assignment.objects.get(case=world["case"])
    assert (assignment.mediator_id, assignment.method) == (world["first"].pk, "offer_accepted")
    world["case"].refresh_from_db()
    assert world["case"].status == CaseStatus.ASSIGNED
    pending = Duty.objects.filter(key__startswith=f"offer:{offer.pk}:", status="pending")
    assert not pending.exists()  # reminder and expiry are cancelled


def test_declining_offers_the_next_mediator_and_tells_the_office(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    offer = _offer(world["case"], world["first"], django_capture_on_commit_callbacks)
    mail.outbox.clear()
    client = _login(world["first"])
    assert client.post(f"/api/v1/offers/{offer.pk}/decline/", {}, format="json").status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/offers/{offer.pk}/decline/",
            {"reason": "Fully booked this month."},
            format="json",
        )
    assert response.status_code == 200
    nxt = Offer.objects.get(case=world["case"], status="pending")
    assert nxt.mediator_id == world["second"].pk
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([world["second"].email, "kontor@test.example"])
    again = client.post(f"/api/v1/offers/{offer.pk}/accept/")
    assert again.status_code == 409


def test_at_the_deadline_the_offer_expires_and_the_next_is_offered(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    offer = _offer(world["case"], world["first"], django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with (
        time_machine.travel(offer.deadline - timedelta(hours=11), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        duties_dispatch_due()
    assert [m.to[0] for m in mail.outbox] == [world["first"].email]  # the reminder, once
    with time_machine.travel(offer.deadline + timedelta(minutes=1), tick=False):
        for _ in range(2):  # a second sweep changes nothing
            with django_capture_on_commit_callbacks(execute=True):
                duties_dispatch_due()
    offer.refresh_from_db()
    assert offer.status == "expired"
    assert Offer.objects.get(case=world["case"], status="pending").mediator_id == world["second"].pk
    assert "kontor@test.example" in [m.to[0] for m in mail.outbox]
    assert Offer.objects.filter(case=world["case"]).count() == 2


def test_another_mediator_cannot_see_or_answer_the_offer(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    offer = _offer(world["case"], world["first"], django_capture_on_commit_callbacks)
    other = _login(world["second"])
    assert other.get("/api/v1/offers/").json() == []
    assert other.post(f"/api/v1/offers/{offer.pk}/accept/").status_code == 404
    assert other.post("/api/v1/offers/999999/accept/").status_code == 404
    assert APIClient().post(f"/api/v1/offers/{offer.pk}/accept/").status_code in (401, 403)


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_accepts_of_one_offer_have_one_winner(
    national_offices: None, django_capture_on_commit_callbacks: Any
) -> None:
    """PostgreSQL race: the offer row is locked; exactly one 200, the other 49 get 409."""
    assert connection.vendor == "postgresql"
    case = waiting_case()
    mediator = mediator_at(case, kind="external", weekly_capacity_hours=10)
    offer = _offer(case, mediator, django_capture_on_commit_callbacks)
    user = User.objects.create(username="ext-race", role=User.Role.EXTERNAL_MEDIATOR)
    Mediator.objects.filter(pk=mediator.pk).update(user=user)
    start = threading.Barrier(50)
    codes: list[int] = []

    def accept() -> None:
        client = APIClient()
        client.force_authenticate(user)
        try:
            start.wait()
            codes.append(client.post(f"/api/v1/offers/{offer.pk}/accept/").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [200] + [409] * 49
    assert Assignment.objects.filter(case=case).count() == 1


def _next_weekday_10am() -> datetime:
    """10:00 Oslo time on a weekday at least a week ahead (not a public holiday in tests)."""
    day = timezone.localdate() + timedelta(days=7)
    while day.weekday() >= 5 or day in holidays.country_holidays("NO", years=day.year):
        day += timedelta(days=1)
    return datetime.combine(day, time(10), tzinfo=ZoneInfo("Europe/Oslo"))


def test_accepting_with_a_slot_books_the_first_meeting(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    from scheduling.models import Appointment
    from tests.scheduling.scheduling_setup import weekly

    mediator = world["first"]
    weekly(mediator, location=mediator.locations.first())
    offer = _offer(world["case"], mediator, django_capture_on_commit_callbacks)
    client = _login(mediator)
    starts_at = _next_weekday_10am()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/offers/{offer.pk}/accept/",
            {"starts_at": starts_at.isoformat()},
            format="json",
        )
    assert response.status_code == 200, response.json()
    appointment = Appointment.objects.get(case=world["case"])
    assert appointment.starts_at == starts_at and appointment.mediator_id == mediator.pk
    world["case"].refresh_from_db()
    assert world["case"].status == CaseStatus.SCHEDULED


def test_accepting_with_an_unavailable_slot_accepts_nothing(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    from scheduling.models import Appointment

    mediator = world["first"]  # no availability at all
    offer = _offer(world["case"], mediator, django_capture_on_commit_callbacks)
    response = _login(mediator).post(
        f"/api/v1/offers/{offer.pk}/accept/",
        {"starts_at": _next_weekday_10am().isoformat()},
        format="json",
    )
    assert response.status_code in (400, 409)
    offer.refresh_from_db()
    assert offer.status == "pending"
    assert not Assignment.objects.filter(case=world["case"]).exists()
    assert not Appointment.objects.exists()
