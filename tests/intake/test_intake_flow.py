"""End to end through the API: request → each parent's own link by email → answers → level."""

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from rest_framework.test import APIClient

from intake.models import AuditEvent, Case, CaseStatus
from scheduling.notifications import LocmemSmsBackend
from tests.factories import UserFactory
from tests.intake.conftest import least_conflict_answers, request_body, tokens_by_recipient

pytestmark = pytest.mark.django_db

HIGH_PATTERN = {
    "trust_care": "not_at_all",
    "communication_contact": "never",
    "cooperation_willingness": "not_at_all",
}
MEDIUM_PATTERN = {"recency_separation": "under_6_months", "child_wellbeing": "quite"}


def _answer(call: Callable[..., Any], token: str, answers: dict[str, str]) -> Any:
    saved = call("put", f"/api/v1/intake/{token}/", {"answers": answers})
    assert saved.status_code == 200, saved.json()
    return call("post", f"/api/v1/intake/{token}/submit")


@pytest.mark.parametrize(
    ("requester_answers", "other_answers", "level", "separate", "flags"),
    [
        pytest.param({}, {}, "low", False, [], id="low"),
        pytest.param(MEDIUM_PATTERN, {}, "medium", False, [], id="medium"),
        pytest.param({}, HIGH_PATTERN, "high", False, [], id="high"),
        pytest.param({"safety_fear": "often"}, {}, "high", True, ["fear"], id="safety"),
    ],
)
def test_request_links_answers_and_final_level(
    call: Callable[..., Any],
    api_client: APIClient,
    national_offices: None,
    requester_answers: dict[str, str],
    other_answers: dict[str, str],
    level: str,
    separate: bool,
    flags: list[str],
) -> None:
    LocmemSmsBackend.outbox.clear()
    created = call("post", "/api/v1/cases/", request_body())
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["reference"].startswith("MK-")
    assert body["catchment_office"]["code"] and body["duty"]["required"] is True
    assert "/intake/" not in str(body) and "token" not in str(body)

    # Each parent gets their own link, in their own language; SMS only where a phone was given.
    tokens = tokens_by_recipient()
    assert set(tokens) == {"requester@test.example", "other@test.example"}
    assert tokens["requester@test.example"] != tokens["other@test.example"]
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert subjects["requester@test.example"] != subjects["other@test.example"]
    assert [sms.to for sms in LocmemSmsBackend.outbox] == ["+4741234567"]

    base = least_conflict_answers()
    first = _answer(call, tokens["requester@test.example"], {**base, **requester_answers})
    assert first.status_code == 200
    case = Case.objects.get(reference=body["reference"])
    assert case.classification.provisional is True

    second = _answer(call, tokens["other@test.example"], {**base, **other_answers})
    assert second.status_code == 200
    case.refresh_from_db()
    classification = case.classification
    assert classification.provisional is False
    assert (classification.level, classification.separate_meetings_recommended) == (level, separate)
    assert classification.safety_flags == flags
    assert case.status == CaseStatus.READY

    api_client.force_authenticate(UserFactory.create(office=case.office))
    detail = api_client.get(f"/api/v1/cases/{case.reference}/").json()
    assert detail["conflict_level"] == level
    assert detail["classification"]["computed_level"] == level
    assert detail["classification"]["separate_meetings_recommended"] is separate
    assert AuditEvent.objects.filter(case_reference=case.reference, action="case_read").exists()


def test_submitted_answers_are_immutable(call: Callable[..., Any], national_offices: None) -> None:
    call("post", "/api/v1/cases/", request_body())
    token = tokens_by_recipient()["requester@test.example"]
    assert _answer(call, token, least_conflict_answers()).status_code == 200
    again = call("post", f"/api/v1/intake/{token}/submit")
    assert again.status_code == 409
    change = call("put", f"/api/v1/intake/{token}/", {"answers": {"trust_care": "little"}})
    assert change.status_code == 409
    assert call("get", f"/api/v1/intake/{token}/").json()["answers"]["trust_care"] == "yes"


def test_incomplete_submit_lists_the_missing_items(
    call: Callable[..., Any], national_offices: None
) -> None:
    call("post", "/api/v1/cases/", request_body())
    token = tokens_by_recipient()["requester@test.example"]
    call("put", f"/api/v1/intake/{token}/", {"answers": {"trust_care": "yes"}})
    response = call("post", f"/api/v1/intake/{token}/submit")
    assert response.status_code == 400
    missing = response.json()["error"]["fields"]
    assert "safety_violence" in missing and "trust_care" not in missing
    assert "anything_else" not in missing  # optional


def test_draft_is_saved_in_parts_and_resumed(
    call: Callable[..., Any], national_offices: None
) -> None:
    call("post", "/api/v1/cases/", request_body())
    token = tokens_by_recipient()["other@test.example"]
    call("put", f"/api/v1/intake/{token}/", {"answers": {"trust_care": "mostly"}})
    call("put", f"/api/v1/intake/{token}/", {"answers": {"safety_fear": "no"}})
    answers = call("get", f"/api/v1/intake/{token}/").json()["answers"]
    assert answers == {"trust_care": "mostly", "safety_fear": "no"}


def test_unknown_item_or_choice_is_refused_per_item(
    call: Callable[..., Any], national_offices: None
) -> None:
    call("post", "/api/v1/cases/", request_body())
    token = tokens_by_recipient()["other@test.example"]
    response = call(
        "put",
        f"/api/v1/intake/{token}/",
        {"answers": {"trust_care": "maybe-ish", "favourite_colour": "blue"}},
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"trust_care", "favourite_colour"}
    assert call("get", f"/api/v1/intake/{token}/").json()["answers"] == {}


def test_staff_override_keeps_the_computed_level_visible(
    call: Callable[..., Any], national_offices: None, api_client: Any
) -> None:
    reference = call("post", "/api/v1/cases/", request_body()).json()["reference"]
    tokens = tokens_by_recipient()
    for token in tokens.values():
        _answer(call, token, least_conflict_answers())
    case = Case.objects.get(reference=reference)
    staff = UserFactory.create(office=case.office, username="saksbehandler")
    api_client.force_authenticate(staff)
    url = f"/api/v1/cases/{reference}/classification/override"
    assert api_client.post(url, {"level": "high"}, format="json").status_code == 400
    response = api_client.post(
        url, {"level": "high", "reason": "Court papers describe threats."}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["conflict_level"] == "high"
    assert body["classification"]["computed_level"] == "low"
    assert body["classification"]["override"]["by"] == "saksbehandler"
    assert body["classification"]["override"]["reason"] == "Court papers describe threats."
    assert AuditEvent.objects.filter(action="classification_overridden").count() == 1


def test_staff_resend_gives_a_new_link_and_the_old_one_stops(
    call: Callable[..., Any], national_offices: None, api_client: Any
) -> None:
    reference = call("post", "/api/v1/cases/", request_body()).json()["reference"]
    old = tokens_by_recipient()["other@test.example"]
    case = Case.objects.get(reference=reference)
    api_client.force_authenticate(UserFactory.create(office=case.office))
    mail.outbox.clear()
    response = call("post", f"/api/v1/cases/{reference}/parents/other/resend-link")
    assert response.status_code == 202
    new = tokens_by_recipient()["other@test.example"]
    assert new != old
    assert call("get", f"/api/v1/intake/{old}/").status_code == 404
    assert call("get", f"/api/v1/intake/{new}/").status_code == 200


def test_short_move_notice_is_accepted_but_flagged(
    call: Callable[..., Any], national_offices: None
) -> None:
    """barneloven § 42a: 3 months' notice; a shorter one is accepted and flagged for staff."""
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    body = request_body(
        case_type="relocation",
        relocation={
            "planned_move_date": (today + timedelta(days=40)).isoformat(),
            "notice_given_on": (today - timedelta(days=5)).isoformat(),
        },
    )
    response = call("post", "/api/v1/cases/", body)
    assert response.status_code == 201
    assert response.json()["duty"]["flags"] == ["short_move_notice"]
    case = Case.objects.get(reference=response.json()["reference"])
    assert case.planned_move_date == today + timedelta(days=40)


def test_free_choice_of_office_is_recorded_beside_the_catchment_office(
    call: Callable[..., Any], national_offices: None
) -> None:
    """002 §4.2: parents choose their office freely; the catchment office stays the default."""
    body = request_body(municipality="0301", district="Grorud", preferred_office="christiania")
    created = call("post", "/api/v1/cases/", body).json()
    assert created["catchment_office"]["code"] == "oslo-nord"
    assert created["chosen_office"]["code"] == "christiania"
    assert created["office"]["code"] == "christiania"


def test_case_requests_are_throttled(
    call: Callable[..., Any], national_offices: None, settings: Any
) -> None:
    from django.core.cache import cache

    cache.clear()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"case_request": "2/min", "intake": "1000/min"},
    }
    codes = [call("post", "/api/v1/cases/", request_body()).status_code for _ in range(3)]
    assert codes == [201, 201, 429]
    cache.clear()
