"""What every page shares: languages, the quick exit on parents' pages only, login by role."""

import base64
from typing import Any

import pytest
from django_otp.oath import totp

from mediators.models import User

pytestmark = pytest.mark.django_db(transaction=True)


def _code_for(base32_secret: str) -> str:
    """What an authenticator app shows now for a key typed in by hand (RFC 6238, 30 s)."""
    return str(totp(base64.b32decode(base32_secret))).zfill(6)


def test_login_page_is_accessible_and_switches_language(
    desktop: Any, assert_accessible: Any
) -> None:
    desktop.goto("/login/")
    assert desktop.locator("html").get_attribute("lang") == "nb"
    assert desktop.get_by_role("heading", level=1).inner_text() == "Logg inn"
    assert desktop.locator("[data-quick-exit]").count() == 0  # staff pages have no quick exit
    assert_accessible(desktop)
    desktop.get_by_role("button", name="English").click()
    assert desktop.get_by_role("heading", level=1).inner_text() == "Log in"
    # Staff pages offer bokmål and English, not nynorsk.
    assert desktop.locator(".language-switch button").all_inner_texts() == [
        "Norsk bokmål",
        "English",
    ]


def test_staff_login_without_javascript_lands_on_the_desk(
    no_js: Any, national_offices: None
) -> None:
    from mediators.models import Office

    office = Office.objects.order_by("pk").first()
    User.objects.create_user(
        username="desk-test",
        password="a-long-test-password",
        role=User.Role.OFFICE_STAFF,
        office=office,
    )
    no_js.goto("/login/")
    no_js.get_by_label("Brukernavn").fill("desk-test")
    no_js.get_by_label("Passord").fill("wrong")
    no_js.get_by_role("button", name="Logg inn").click()
    assert no_js.get_by_role("alert").is_visible()
    no_js.get_by_label("Passord").fill("a-long-test-password")
    no_js.get_by_role("button", name="Logg inn").click()
    # No authenticator yet: the setup page shows the key as text and confirms it with a code.
    assert "/login/setup/" in no_js.url
    assert "/login/setup/" in no_js.goto("/desk/").url  # the password alone does not open it
    secret = no_js.locator("#otp-secret").inner_text().replace(" ", "")
    no_js.get_by_label("Kode fra autentiseringsappen").fill(_code_for(secret))
    no_js.get_by_role("button", name="Bekreft").click()
    assert no_js.url.endswith("/desk/")
