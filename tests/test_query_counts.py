"""The busiest endpoints' database queries, pinned so they cannot regress (issue #8).

Each count is exact, and each endpoint is asked with few and with many rows (cases, mediators,
offers, children, answers): the same count for both means no query per row. A count here
includes the SAVEPOINT/RELEASE pairs that the test's own transaction adds around each atomic
block; in production those are one BEGIN/COMMIT that Django does not count.

Where a count changes on purpose, change it here and say why in the commit.
"""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from intake.links import link_issue, link_token
from intake.models import Case, CaseType, Child, Classification, Parent
from intake.questionnaire import load_questionnaire
from mediators.models import Assignment, Mediator, Offer, User
from tests.factories import ChildFactory, UserFactory
from tests.intake.conftest import least_conflict_answers, request_body
from tests.mediators.conftest import mediator_at, waiting_case
from tests.pages.auth import verified_login

pytestmark = pytest.mark.django_db

FEW, MANY = 3, 30


def _staff(case: Case) -> User:
    return UserFactory.create(office=case.office, role=User.Role.OFFICE_STAFF)


def _staff_client(case: Case) -> Client:
    return verified_login(Client(), _staff(case))


def _staff_api(case: Case) -> APIClient:
    client = APIClient()
    client.force_authenticate(_staff(case))
    return client


def _placed(case: Case, mediator: Mediator, *, kind: str) -> None:
    """An active assignment (office mediator) or a pending offer (external) of the case."""
    common: dict[str, Any] = {
        "case": case,
        "mediator": mediator,
        "location": mediator.locations.first(),
        "hours": Decimal("1.5"),
        "method": Assignment.Method.MANUAL,
        "reasons": [{"rule": "test"}],
    }
    if kind == "assignment":
        Assignment.objects.create(**common)
    elif kind == "offer":
        Offer.objects.create(**common, deadline=timezone.now() + timedelta(hours=48))
    else:
        Offer.objects.create(
            **common,
            status=Offer.Status.DECLINED,
            deadline=timezone.now() + timedelta(hours=48),
            responded_at=timezone.now(),
            decline_reason="Ingen kapasitet.",
        )


def _desk_cases(n: int) -> list[Case]:
    """n cases of one office, every kind of row the desk shows: classified or not, overridden,
    assigned, offered, a relocation with its move date."""
    today = timezone.localdate()
    relocation: dict[str, Any] = {
        "case_type": CaseType.RELOCATION,
        "planned_move_date": today + timedelta(days=40),
        "move_notice_given_on": today - timedelta(days=50),
    }
    cases = [
        waiting_case(level=("low", "medium", "high")[i % 3], **(relocation if i % 3 == 2 else {}))
        for i in range(n)
    ]
    office_mediator = mediator_at(cases[0])
    external = mediator_at(cases[0], kind="external")
    staff = _staff(cases[0])
    for i, case in enumerate(cases):
        if i % 4 == 0:
            _placed(case, office_mediator, kind="assignment")
        elif i % 4 == 1:
            _placed(case, external, kind="offer")
        elif i % 4 == 2:
            Classification.objects.filter(case=case).update(
                override_level="high", override_reason="Vurdert av kontoret.", overridden_by=staff
            )
        else:
            Classification.objects.filter(case=case).delete()
    return cases


# --- parents: request, questionnaire -----------------------------------------------------------


@pytest.mark.parametrize("children", [1, 4])
def test_case_request(
    children: int,
    national_offices: None,
    api_client: APIClient,
    django_assert_num_queries: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Two parents with a link each, their reminders, the alarms, the children in one insert."""
    today = timezone.localdate()
    body = request_body(
        children=[
            {"birth_date": (today - timedelta(days=(3 + i) * 365)).isoformat()}
            for i in range(children)
        ]
    )
    api_client.post("/api/v1/cases/", request_body(), format="json")  # the year's counter row
    # 54: the webhook outbox adds its event row and the subscriber lookup (+ savepoints).
    with django_capture_on_commit_callbacks(), django_assert_num_queries(54):
        response = api_client.post("/api/v1/cases/", body, format="json")
    assert response.status_code == 201, response.json()
    assert Child.objects.filter(case__reference=response.json()["reference"]).count() == children


@pytest.fixture
def token(national_offices: None) -> str:
    case = waiting_case()
    return link_token(link_issue(parent=case.parents.get(role=Parent.Role.REQUESTER)))


def _put(client: APIClient, token: str, answers: dict[str, str]) -> Any:
    response = client.put(f"/api/v1/intake/{token}/", {"answers": answers}, format="json")
    assert response.status_code == 200, response.json()
    return response


def test_questionnaire_read(
    token: str, api_client: APIClient, django_assert_num_queries: Any
) -> None:
    """The link with the parent, the case and the parent's response: one query."""
    with django_assert_num_queries(1):
        assert api_client.get(f"/api/v1/intake/{token}/").status_code == 200
    _put(api_client, token, _one_answer())
    with django_assert_num_queries(1):
        assert api_client.get(f"/api/v1/intake/{token}/").json()["answers"]


def _one_answer() -> dict[str, str]:
    item = next(item for item in load_questionnaire("v1").items if item.choices)
    return {item.id: item.choices[0].value}


@pytest.mark.parametrize("how_many", ["one", "all"])
def test_questionnaire_save(
    how_many: str, token: str, api_client: APIClient, django_assert_num_queries: Any
) -> None:
    """First save: link, lock (none yet), insert in a savepoint, update. Later saves: the link
    with the response, one UPDATE while the row is as read (intake/answers.py). As many
    answers as the parent gives at once: the same."""
    answers = _one_answer() if how_many == "one" else least_conflict_answers()
    with django_assert_num_queries(8):
        _put(api_client, token, answers)
    with django_assert_num_queries(2):
        saved = _put(api_client, token, answers)
    assert saved.json()["answers"] == answers


def test_questionnaire_autosave_asks_for_the_minimal_reply(
    token: str, api_client: APIClient, django_assert_num_queries: Any
) -> None:
    """`Prefer: return=minimal` (RFC 7240): the same 2 queries, and a body of two timestamps
    instead of the whole questionnaire in three languages (bench/load_questionnaires.py)."""
    _put(api_client, token, _one_answer())
    with django_assert_num_queries(2):
        saved = api_client.put(
            f"/api/v1/intake/{token}/",
            {"answers": least_conflict_answers()},
            format="json",
            HTTP_PREFER="handling=lenient, return=minimal",
        )
    assert saved.status_code == 200
    assert set(saved.json()) == {"saved_at", "submitted_at"}
    assert saved.json()["submitted_at"] is None
    assert saved["Preference-Applied"] == "return=minimal"
    assert "Prefer" in saved["Vary"]
    full = api_client.get(f"/api/v1/intake/{token}/").json()
    assert full["answers"] == least_conflict_answers()  # the minimal save did save
    assert (
        len(saved.content)
        < len(api_client.put(f"/api/v1/intake/{token}/", {"answers": {}}, format="json").content)
        / 20
    )


def test_questionnaire_submit(
    token: str,
    api_client: APIClient,
    django_assert_num_queries: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Link, lock, update, the classify duty (get or create), the audit row."""
    _put(api_client, token, least_conflict_answers())
    with django_capture_on_commit_callbacks(), django_assert_num_queries(10):
        response = api_client.post(f"/api/v1/intake/{token}/submit")
    assert response.status_code == 200, response.json()
    assert response.json()["submitted_at"]


# --- staff: case detail, desk, suggestions ----------------------------------------------------


@pytest.mark.parametrize("children", [1, 5])
def test_case_detail(children: int, national_offices: None, django_assert_num_queries: Any) -> None:
    """The case with its offices, district, classification; parents with their responses;
    children; the audit row."""
    case = waiting_case()
    ChildFactory.create_batch(children, case=case)
    client = _staff_api(case)
    with django_assert_num_queries(4):
        response = client.get(f"/api/v1/cases/{case.reference}/")
    assert response.status_code == 200
    assert len(response.json()["children"]) == children


@pytest.mark.parametrize("n", [FEW, MANY])
@pytest.mark.parametrize("query", ["", "?level=high", "?status=ready"])
def test_desk_case_list(
    n: int, query: str, national_offices: None, django_assert_num_queries: Any
) -> None:
    """Session, user, two-factor device; the cases with what they join; active assignments and
    pending offers, each one query for all rows."""
    cases = _desk_cases(n)
    client = _staff_client(cases[0])
    with django_assert_num_queries(6):
        response = client.get(f"/desk/{query}")
    assert response.status_code == 200
    if not query:
        page = response.content.decode()
        assert all(case.reference in page for case in cases)


def _opening_hours(mediator: Mediator, *, booked: Case) -> None:
    """Weekday openings, a week of leave and a booked meeting: every part of the calendar the
    suggestions read."""
    from datetime import time

    from scheduling.availability import oslo_to_utc
    from scheduling.models import Appointment, Leave
    from tests.scheduling.scheduling_setup import weekly

    today = timezone.localdate()
    weekly(mediator, start=time(9), end=time(13), valid_from=today - timedelta(days=7))
    Leave.objects.create(
        mediator=mediator,
        starts_on=today + timedelta(days=8),
        ends_on=today + timedelta(days=12),
    )
    day = today + timedelta(days=3)
    Appointment.objects.create(
        case=booked,
        mediator=mediator,
        starts_at=oslo_to_utc(day, time(9)),
        ends_at=oslo_to_utc(day, time(10)),
        hours=1,
        mode=Appointment.Mode.VIDEO,
        kind=Appointment.Kind.JOINT,
    )


@pytest.mark.parametrize("n", [FEW, MANY])
@pytest.mark.parametrize("explain", [False, True])
def test_desk_case_page(
    n: int, explain: bool, national_offices: None, django_assert_num_queries: Any
) -> None:
    """n mediators to rank and n offers in the case's history: the same queries."""
    (case,) = _desk_cases(1)
    Offer.objects.filter(case=case).delete()
    Assignment.objects.filter(case=case).delete()
    for i in range(n):
        mediator = mediator_at(case, kind="external" if i % 2 else "office")
        _opening_hours(mediator, booked=case)
        if i % 2:
            _placed(case, mediator, kind="declined")
    client = _staff_client(case)
    # 24: the suggestions read mediators' calendars once (openings, leave, appointments: three
    # queries), not per mediator; one more asks whether a joint meeting cancelled for separate
    # meetings needs rebooking.
    with django_assert_num_queries(24):
        response = client.get(f"/desk/cases/{case.reference}/" + ("?explain=1" if explain else ""))
    assert response.status_code == 200


@pytest.mark.parametrize("n", [FEW, MANY])
@pytest.mark.parametrize("explain", [False, True])
def test_assignment_suggestions(
    n: int, explain: bool, national_offices: None, django_assert_num_queries: Any
) -> None:
    """n mediators around the case (office and external, a few not eligible): the same."""
    case = waiting_case(level="high")
    for i in range(n):
        mediator = mediator_at(
            case, kind="external" if i % 3 == 0 else "office", high_conflict=i % 2 == 0
        )
        _opening_hours(mediator, booked=case)
    client = _staff_api(case)
    url = f"/api/v1/cases/{case.reference}/assignment/suggestions/" + (
        "?explain=1" if explain else ""
    )
    # Explaining adds one: the excluded mediators' names. Mediators' calendars (openings, leave,
    # appointments) are read in three queries, whatever the number of mediators.
    with django_assert_num_queries(16 if explain else 15):
        response = client.get(url)
    assert response.status_code == 200
    assert response.json()["suggestions"]
    if explain:
        assert response.json()["excluded"]
