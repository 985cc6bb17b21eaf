"""NUL (U+0000) never reaches PostgreSQL, which refuses it in text: a 4xx naming the field."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.security.world import World, world_build

pytestmark = pytest.mark.django_db

NUL = "Text cannot contain the NUL character (U+0000)."


@pytest.fixture
def world() -> World:
    return world_build()


def _staff(world: World) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens['api:staff']}")
    return client


def test_nul_in_a_related_key_is_a_400_naming_the_field(world: World) -> None:
    """Found by schemathesis: the interpreter language's key went to the database (500)."""
    body: dict[str, Any] = {
        "interpreter_language": "\x00nb",
        "kind": "joint",
        "mode": "video",
        "starts_at": "2026-12-14T09:00:00+01:00",
    }
    response = _staff(world).post(
        f"/api/v1/cases/{world.case.reference}/appointments/", body, format="json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"] == {"interpreter_language": [NUL]}


def test_nul_deep_in_a_body_and_in_a_key(world: World) -> None:
    response = APIClient().put(
        f"/api/v1/intake/{world.tokens['intake:other']}/",
        {"answers": {"anything_else": "a\x00b", "x\x00": "y"}},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "answers": {"anything_else": [NUL], "non_field_errors": [NUL]}
    }


def test_nul_in_a_case_reference_is_a_plain_404(world: World) -> None:
    missing = _staff(world).get("/api/v1/cases/MK-2099-000000/")
    response = _staff(world).get("/api/v1/cases/MK%00/")
    assert (response.status_code, response.content) == (404, missing.content)
