"""Bad requests: 400 with a message per field, and nothing stored (issue 3, must show 4)."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from intake.models import AuditEvent, Case, Child, IntakeLink, Parent
from scheduling.models import Duty
from tests.intake.conftest import request_body

pytestmark = pytest.mark.django_db


def _nothing_stored() -> None:
    assert Case.objects.count() == 0
    assert Parent.objects.count() == 0
    assert Child.objects.count() == 0
    assert IntakeLink.objects.count() == 0
    assert Duty.objects.count() == 0
    assert AuditEvent.objects.count() == 0
    assert mail.outbox == []


def _parents(**changes: Any) -> list[dict[str, Any]]:
    parents: list[dict[str, Any]] = request_body()["parents"]
    parents[0].update(changes)
    return parents


def _days(n: int) -> str:
    return (timezone.localdate() + timedelta(days=n)).isoformat()


BAD_REQUESTS = {
    "national_id_wrong_check_digits": (
        {"parents": _parents(national_id="15108695077")},
        ["parents", 0, "national_id"],
    ),
    "child_born_in_the_future": (
        {"children": [{"birth_date": _days(30)}]},
        ["children", 0, "birth_date"],
    ),
    "move_date_in_the_past": (
        {
            "case_type": "relocation",
            "relocation": {"planned_move_date": _days(-1), "notice_given_on": _days(-100)},
        },
        ["relocation", "planned_move_date"],
    ),
    "third_parent": (
        {"parents": [*_parents(), {**_parents()[1], "email": "third@test.example"}]},
        ["parents"],
    ),
    "one_parent_only": ({"parents": _parents()[:1]}, ["parents"]),
    "two_requesters": (
        {"parents": [_parents()[0], {**_parents()[1], "role": "requester"}]},
        ["parents"],
    ),
    "unknown_municipality": ({"municipality": "9999"}, ["municipality"]),
    "municipality_not_4_digits": ({"municipality": "46O1"}, ["municipality"]),
    "oslo_without_district": ({"municipality": "0301"}, ["district"]),
    "district_outside_oslo": ({"district": "Grorud"}, ["district"]),
    "unknown_case_type": ({"case_type": "divorce_party"}, ["case_type"]),
    "relocation_without_dates": ({"case_type": "relocation"}, ["relocation"]),
    "court_referral_without_court": ({"case_type": "court_referral"}, ["court"]),
    "court_deadline_in_the_past": (
        {
            "case_type": "enforcement",
            "court": {"court_name": "Test tingrett", "deadline": _days(-3)},
        },
        ["court", "deadline"],
    ),
    "no_children": ({"children": []}, ["children"]),
    "bad_email": ({"parents": _parents(email="not-an-email")}, ["parents", 0, "email"]),
    "bad_phone": ({"parents": _parents(phone="12")}, ["parents", 0, "phone"]),
    "unknown_interpreter_language": (
        {"parents": _parents(interpreter_language="klingon")},
        ["parents", 0, "interpreter_language"],
    ),
    "unknown_office": ({"preferred_office": "no-such-office"}, ["preferred_office"]),
    "nul_in_name": ({"parents": _parents(given_name="Te\x00sta")}, ["parents", 0, "given_name"]),
}


@pytest.mark.parametrize(("changes", "field_path"), BAD_REQUESTS.values(), ids=BAD_REQUESTS.keys())
def test_bad_request_gets_a_field_message_and_stores_nothing(
    call: Callable[..., Any],
    national_offices: None,
    changes: dict[str, Any],
    field_path: list[Any],
) -> None:
    response = call("post", "/api/v1/cases/", request_body(**changes))
    assert response.status_code == 400, response.json()
    node: Any = response.json()["error"]["fields"]
    for step in field_path:
        node = node[str(step)] if isinstance(node, dict) else node[step]
    messages = node if isinstance(node, list) else [node]
    assert messages and all(isinstance(message, str) and message for message in messages)
    _nothing_stored()


def test_messages_follow_the_users_language(
    call: Callable[..., Any], national_offices: None
) -> None:
    body = request_body(municipality="9999")
    nb = call("post", "/api/v1/cases/", body, HTTP_ACCEPT_LANGUAGE="nb")
    en = call("post", "/api/v1/cases/", body, HTTP_ACCEPT_LANGUAGE="en")
    assert en.json()["error"]["fields"]["municipality"] == ["Unknown municipality number."]
    assert nb.json()["error"]["fields"]["municipality"] == ["Ukjent kommunenummer."]


def test_oversized_body_is_refused(call: Callable[..., Any], national_offices: None) -> None:
    body = request_body()
    body["parents"][0]["family_name"] = "x" * (70 * 1024)
    response = call("post", "/api/v1/cases/", body)
    assert response.status_code == 413
    _nothing_stored()


def test_malformed_json_is_a_400(api_client: Any, national_offices: None) -> None:
    response = api_client.post("/api/v1/cases/", "{not json", content_type="application/json")
    assert response.status_code == 400
    _nothing_stored()
