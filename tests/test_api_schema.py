"""The OpenAPI schema and its Swagger UI are served, and the schema builds without errors."""

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient


@pytest.mark.django_db
def test_schema_and_docs_are_served(api_client: APIClient) -> None:
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in (
        "/api/v1/health/",
        "/api/v1/cases/",
        "/api/v1/cases/{reference}/",
        "/api/v1/intake/{token}/",
        "/api/v1/intake/{token}/submit",
        "/api/v1/cases/{reference}/classification/override",
    ):
        assert path in paths
    docs = api_client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content


def test_schema_generation_has_no_warnings(tmp_path: object) -> None:
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")
