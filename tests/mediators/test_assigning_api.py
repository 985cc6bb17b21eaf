"""Assigning through the API: reasons kept, offers for externals, capacity and access guarded."""

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from intake.models import Case, CaseStatus
from mediators.models import Assignment, ConflictDeclaration, Mediator, Offer, Office, User
from tests.factories import UserFactory
from tests.mediators.conftest import mediator_at, waiting_case

pytestmark = pytest.mark.django_db


def staff_client(case: Case) -> APIClient:
    client = APIClient()
    client.force_authenticate(UserFactory.create(office=case.office))
    return client


def test_office_mediator_is_assigned_directly_with_who_and_why(case: Case) -> None:
    mediator = mediator_at(case)
    client = staff_client(case)
    response = client.post(
        f"/api/v1/cases/{case.reference}/assignment/", {"mediator": mediator.pk}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["mediator"], body["method"]) == ("assignment", mediator.pk, "manual")
    assert body["chosen_by"] and body["reasons"]
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSIGNED
    assert Assignment.objects.get(case=case).chosen_by is not None


def test_external_mediator_gets_an_offer_with_a_48_hour_deadline(case: Case) -> None:
    external = mediator_at(case, kind="external")
    response = staff_client(case).post(
        f"/api/v1/cases/{case.reference}/assignment/", {"mediator": external.pk}, format="json"
    )
    assert response.status_code == 201, response.json()
    offer = Offer.objects.get(case=case)
    assert offer.status == "pending" and response.json()["kind"] == "offer"
    assert timedelta(hours=47) < offer.deadline - timezone.now() <= timedelta(hours=48)
    case.refresh_from_db()
    assert case.status == CaseStatus.OFFERED


def test_offer_deadline_is_shorter_when_the_move_is_near(national_offices: None) -> None:
    near = timezone.localdate() + timedelta(days=15)
    case = waiting_case(
        case_type="relocation",
        planned_move_date=near,
        move_notice_given_on=timezone.localdate() - timedelta(days=60),
    )
    external = mediator_at(case, kind="external")
    staff_client(case).post(
        f"/api/v1/cases/{case.reference}/assignment/", {"mediator": external.pk}, format="json"
    )
    offer = Offer.objects.get(case=case)
    assert offer.deadline - timezone.now() <= timedelta(hours=24)


def test_auto_takes_the_top_suggestion(case: Case) -> None:
    mediator_at(case)
    response = staff_client(case).post(
        f"/api/v1/cases/{case.reference}/assignment/", {"auto": True}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["method"] == "suggested"


def test_a_mediator_with_a_declared_conflict_is_never_suggested_nor_assignable(case: Case) -> None:
    mediator = mediator_at(case)
    requester = case.parents.get(role="requester")
    ConflictDeclaration.objects.create(
        mediator=mediator,
        given_name=requester.given_name,
        family_name=requester.family_name,
        birth_date=requester.birth_date,
    )
    client = staff_client(case)
    suggested = client.get(f"/api/v1/cases/{case.reference}/assignment/suggestions/?explain=1")
    assert mediator.pk not in [s["mediator"] for s in suggested.json()["suggestions"]]
    excluded = {e["mediator"]: e["reasons"] for e in suggested.json()["excluded"]}
    assert excluded[mediator.pk]
    response = client.post(
        f"/api/v1/cases/{case.reference}/assignment/", {"mediator": mediator.pk}, format="json"
    )
    assert response.status_code == 400
    assert not Assignment.objects.exists()


def test_suggestions_are_ranked_with_reasons_and_explain_lists_the_excluded(case: Case) -> None:
    near = mediator_at(case, weekly_capacity_hours=20)
    inactive = mediator_at(case, active=False)
    body = (
        staff_client(case)
        .get(f"/api/v1/cases/{case.reference}/assignment/suggestions/?explain=1")
        .json()
    )
    ranked = body["suggestions"]
    assert near.pk in [s["mediator"] for s in ranked]
    scores = [s["score"] for s in ranked]
    assert scores == sorted(scores, reverse=True)
    for suggestion in ranked:
        assert {
            "mediator",
            "kind",
            "office",
            "location",
            "score",
            "journey_minutes",
            "earliest_free",
            "reasons",
        } <= set(suggestion)
    assert inactive.pk in {e["mediator"] for e in body["excluded"]}


def test_a_full_mediator_answers_409(case: Case) -> None:
    mediator = mediator_at(case, weekly_capacity_hours=0)
    response = staff_client(case).post(
        f"/api/v1/cases/{case.reference}/assignment/", {"mediator": mediator.pk}, format="json"
    )
    assert response.status_code in (400, 409)
    assert not Assignment.objects.exists()


def test_an_assigned_case_cannot_be_assigned_again(case: Case) -> None:
    first, second = mediator_at(case), mediator_at(case)
    client = staff_client(case)
    url = f"/api/v1/cases/{case.reference}/assignment/"
    assert client.post(url, {"mediator": first.pk}, format="json").status_code == 201
    again = client.post(url, {"mediator": second.pk}, format="json")
    assert again.status_code == 409
    assert Assignment.objects.filter(case=case).count() == 1


def test_staff_of_another_office_cannot_assign(case: Case) -> None:
    mediator = mediator_at(case)
    client = APIClient()
    elsewhere = Office.objects.exclude(pk=case.office.pk).first()
    client.force_authenticate(UserFactory.create(office=elsewhere))
    response = client.post(
        f"/api/v1/cases/{case.reference}/assignment/", {"mediator": mediator.pk}, format="json"
    )
    assert response.status_code == 404
    assert not Assignment.objects.exists()


def test_external_mediator_sees_only_cases_offered_to_them(national_offices: None) -> None:
    offered, other = waiting_case(), waiting_case()
    external = mediator_at(offered, kind="external")
    staff_client(offered).post(
        f"/api/v1/cases/{offered.reference}/assignment/", {"mediator": external.pk}, format="json"
    )
    user = User.objects.create(username="ekstern-test", role=User.Role.EXTERNAL_MEDIATOR)
    external.user = user
    external.save()
    client = APIClient()
    client.force_authenticate(user)
    assert client.get(f"/api/v1/cases/{offered.reference}/").status_code == 200
    assert client.get(f"/api/v1/cases/{other.reference}/").status_code == 404
    assert client.get("/api/v1/cases/").status_code == 403
    suggestions = client.get(f"/api/v1/cases/{offered.reference}/assignment/suggestions/")
    assert suggestions.status_code == 403


def test_batch_assigns_every_waiting_case_of_the_office_within_capacity(
    national_offices: None,
) -> None:
    cases = [waiting_case() for _ in range(4)]
    mediators = [mediator_at(cases[0], weekly_capacity_hours=2) for _ in range(3)]
    client = staff_client(cases[0])
    response = client.post(
        "/api/v1/assignments/batch/",
        {"scope": "office", "office": cases[0].office.code},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["cases"] == 4
    assert len(body["placed"]) + len(body["unassigned"]) == 4
    for mediator in mediators:
        load = sum(a.hours for a in Assignment.objects.filter(mediator=mediator))
        assert load <= mediator.weekly_capacity_hours
    assert all(p["method"] == "batch" for p in body["placed"].values())


@pytest.mark.django_db(transaction=True)
def test_two_staff_taking_the_last_hour_of_a_mediator_at_once(national_offices: None) -> None:
    """PostgreSQL race: exactly one assignment wins, the other gets 409 with a clear message."""
    assert connection.vendor == "postgresql"
    first, second = waiting_case(), waiting_case()
    mediator = mediator_at(first, weekly_capacity_hours=1)
    staff = [UserFactory.create(office=first.office) for _ in range(2)]
    start = threading.Barrier(2)
    results: list[Any] = []

    def assign(case: Case, user: User) -> None:
        client = APIClient()
        client.force_authenticate(user)
        try:
            start.wait()
            response = client.post(
                f"/api/v1/cases/{case.reference}/assignment/",
                {"mediator": mediator.pk},
                format="json",
            )
            results.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=assign, args=pair)
        for pair in zip((first, second), staff, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    codes = sorted(code for code, _ in results)
    assert codes == [201, 409], results
    conflict = next(body for code, body in results if code == 409)
    assert "capacity" in conflict["error"]["message"]
    assert Assignment.objects.filter(mediator=mediator).count() == 1
    assert Mediator.objects.get(pk=mediator.pk).weekly_capacity_hours == 1
