"""One parent never sees the other's answers; wrong, expired and anonymous calls see nothing.

Denied responses must not differ by what exists (issue 3, must show 3).
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from intake.models import Case
from tests.factories import OfficeFactory, UserFactory
from tests.intake.conftest import least_conflict_answers, request_body, tokens_by_recipient

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered_case(call: Callable[..., Any], national_offices: None) -> dict[str, Any]:
    """A case where the requester reported fear (a safety item) and submitted."""
    reference = call("post", "/api/v1/cases/", request_body()).json()["reference"]
    tokens = tokens_by_recipient()
    requester = tokens["requester@test.example"]
    call(
        "put",
        f"/api/v1/intake/{requester}/",
        {"answers": {**least_conflict_answers(), "safety_fear": "often"}},
    )
    assert call("post", f"/api/v1/intake/{requester}/submit").status_code == 200
    return {"reference": reference, "requester": requester, "other": tokens["other@test.example"]}


def test_other_parent_sees_only_their_own_empty_answers(
    call: Callable[..., Any], answered_case: dict[str, Any]
) -> None:
    body = call("get", f"/api/v1/intake/{answered_case['other']}/").json()
    assert body["answers"] == {} and body["submitted_at"] is None
    assert body["parent"]["given_name"] == "Testo"
    assert set(body) == {
        "reference",
        "parent",
        "link_expires_at",
        "questionnaire",
        "answers",
        "submitted_at",
    }
    assert "Testa" not in str(body)  # not even the other parent's name


def test_other_parents_view_is_the_same_whether_or_not_the_requester_answered(
    call: Callable[..., Any], national_offices: None
) -> None:
    """Nothing in the response leaks whether a safety item was answered by the other."""
    call("post", "/api/v1/cases/", request_body())
    tokens = tokens_by_recipient()
    before = call("get", f"/api/v1/intake/{tokens['other@test.example']}/").json()
    requester = tokens["requester@test.example"]
    call(
        "put",
        f"/api/v1/intake/{requester}/",
        {"answers": {**least_conflict_answers(), "safety_violence": "last_year"}},
    )
    call("post", f"/api/v1/intake/{requester}/submit")
    after = call("get", f"/api/v1/intake/{tokens['other@test.example']}/").json()
    assert before == after


def test_wrong_tampered_and_expired_tokens_get_the_same_404(
    call: Callable[..., Any], answered_case: dict[str, Any]
) -> None:
    token = answered_case["requester"]
    wrong = call("get", "/api/v1/intake/not-a-token/")
    tampered = call("get", f"/api/v1/intake/{token[:-2]}xy/")
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        expired = call("get", f"/api/v1/intake/{token}/")
        expired_put = call("put", f"/api/v1/intake/{token}/", {"answers": {}})
        expired_submit = call("post", f"/api/v1/intake/{token}/submit")
    responses = [wrong, tampered, expired, expired_put, expired_submit]
    assert {response.status_code for response in responses} == {404}
    assert len({response.content for response in responses}) == 1
    assert b"often" not in expired.content


def test_one_parents_token_cannot_write_or_submit_for_the_other(
    call: Callable[..., Any], answered_case: dict[str, Any]
) -> None:
    other = answered_case["other"]
    call("put", f"/api/v1/intake/{other}/", {"answers": {"safety_fear": "no"}})
    case = Case.objects.get(reference=answered_case["reference"])
    requester = case.parents.get(role="requester")
    assert requester.response.answers["safety_fear"] == "often"


def test_anonymous_and_foreign_staff_see_nothing_of_the_case(
    answered_case: dict[str, Any], national_offices: None
) -> None:
    reference = answered_case["reference"]
    anonymous = APIClient()
    exists = anonymous.get(f"/api/v1/cases/{reference}/")
    missing = anonymous.get("/api/v1/cases/MK-2026-999999/")
    assert exists.status_code == missing.status_code in (401, 403)
    assert exists.content == missing.content

    foreign = APIClient()
    foreign.force_authenticate(UserFactory.create(office=OfficeFactory.create()))
    exists = foreign.get(f"/api/v1/cases/{reference}/")
    missing = foreign.get("/api/v1/cases/MK-2026-999999/")
    assert exists.status_code == missing.status_code == 404
    assert exists.content == missing.content
    assert foreign.get("/api/v1/cases/").json() == []
    override = foreign.post(
        f"/api/v1/cases/{reference}/classification/override",
        {"level": "low", "reason": "x"},
        format="json",
    )
    assert override.status_code == 404


def test_anonymous_cannot_list_cases(answered_case: dict[str, Any]) -> None:
    response = APIClient().get("/api/v1/cases/")
    assert response.status_code in (401, 403)
    assert answered_case["reference"] not in response.content.decode()


def test_case_request_response_never_carries_a_link(
    call: Callable[..., Any], national_offices: None
) -> None:
    body = call("post", "/api/v1/cases/", request_body()).content.decode()
    for token in tokens_by_recipient().values():
        assert token not in body
