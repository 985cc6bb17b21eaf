"""Security headers, CSP, CSRF on forms and `check --deploy` with the production settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests.factories import OfficeFactory, UserFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; object-src 'none'; base-uri 'none'"
)


def _directives(header: str) -> set[str]:
    return {part.strip() for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("url", ["/login/", "/"])
def test_pages_carry_the_csp_and_the_other_headers(client: Client, url: str) -> None:
    response = client.get(url, follow=True)
    assert response.status_code == 200
    assert _directives(response["Content-Security-Policy"]) == _directives(CSP)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_templates_have_no_inline_script_or_style() -> None:
    """The CSP allows no inline code: every template keeps script and style in static files."""
    offenders = []
    for folder in [ROOT / "templates", *ROOT.glob("*/pages/templates")]:
        for template in folder.rglob("*.html"):
            text = template.read_text()
            for bad in ("<script>", "style=", " onclick=", " onsubmit=", " onchange=", "<style"):
                if bad in text:
                    offenders.append(f"{template.relative_to(ROOT)}: {bad}")
            for line in text.splitlines():
                if "<script" in line and "src=" not in line:
                    offenders.append(f"{template.relative_to(ROOT)}: inline <script")
    assert offenders == []


def test_the_api_docs_page_alone_goes_without_the_csp(client: Client) -> None:
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert "Content-Security-Policy" not in response


def test_a_form_post_without_the_csrf_token_is_refused() -> None:
    user = UserFactory.create(username="csrf-test", office=OfficeFactory.create())
    user.set_password("a-long-test-password")
    user.save()
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "csrf-test", "password": "a-long-test-password"})
    assert response.status_code == 403
    # With the token from the form it goes through (to the code step).
    client.get("/login/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/login/",
        {"username": "csrf-test", "password": "a-long-test-password", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302 and response["Location"].startswith("/login/code/")


def test_check_deploy_with_the_production_settings_is_clean() -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "CELERY_", "TEST_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="deploy-check-" + "x" * 60,
        NATIONAL_ID_HASH_KEY="deploy-check-national-id-key",
        ANSWERS_ENCRYPTION_KEYS="aW5zZWN1cmUtbG9jYWwtYW5zd2Vycy1rZXktMDAwMDE=",
        DJANGO_ALLOWED_HOSTS="mekling.example",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/mekling",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/15",
        SMS_BACKEND="scheduling.notifications.LocmemSmsBackend",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
