"""Issue #7, must show 2: schemathesis over the whole OpenAPI schema, as every role.

Every operation in /api/schema/ gets generated requests (derandomized: the same ones each run),
sent in-process through the WSGI app to the real PostgreSQL test database, as anonymous, an
office staff member and an external mediator (token auth). The path's reference, token,
appointment and offer are those of a small seeded world, so the requests reach real objects.
Checks: no 5xx, every response matches the schema (body and status code).
"""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from config.wsgi import application
from tests.security.world import World, world_build

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)

ROLES = ("anonymous", "api:staff", "api:mediator")
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]


@pytest.fixture
def world(db: Any) -> Iterator[World]:
    # The raw WSGI app closes the connection after each request, which would end the test's
    # transaction; django's own test client unhooks the same handler.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield world_build()
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


def _real_objects(case: Any, world: World) -> None:
    """Point the path at the world's objects (random ones would all be 404)."""
    path = case.operation.path
    values = {
        "reference": world.case.reference,
        "appointment_id": world.appointment.pk,
        "offer_id": world.offer.pk,
        "role": "requester",
        "token": world.tokens["appointment:requester" if "by-link" in path else "intake:requester"],
    }
    for name in list(case.path_parameters or {}):
        if name in values:
            case.path_parameters[name] = values[name]


@schema.parametrize()
@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema(case: Any, world: World) -> None:
    _real_objects(case, world)
    for role in ROLES:
        cache.clear()  # the throttles count per test run, not across examples
        headers = {} if role == "anonymous" else {"Authorization": f"Token {world.tokens[role]}"}
        case.call_and_validate(headers=headers, checks=CHECKS)
