"""Failed logins are throttled (django-axes): five wrong passwords for one username from one
address lock that pair for 15 minutes; even the right password is then refused."""

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from tests.factories import OfficeFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"


@pytest.fixture(autouse=True)
def _staff() -> None:
    user = UserFactory.create(username="sperret", office=OfficeFactory.create())
    user.set_password(PASSWORD)
    user.save()


def _login(client: Client, password: str, addr: str = "203.0.113.5", lang: str = "nb") -> Any:
    return client.post(
        "/login/",
        {"username": "sperret", "password": password},
        REMOTE_ADDR=addr,
        HTTP_ACCEPT_LANGUAGE=lang,
    )


def test_five_wrong_passwords_lock_the_username_from_that_address(client: Client) -> None:
    for _ in range(4):
        assert _login(client, "wrong").status_code == 200  # the form again, with its error
    locked = _login(client, "wrong")
    assert locked.status_code == 429
    right = _login(client, PASSWORD)
    assert right.status_code == 429
    html = right.content.decode()
    assert "Innloggingen er sperret en stund" in html and "15 minutter" in html
    assert "_auth_user_id" not in client.session
    # Another address (another office network) is not locked out for this username.
    assert _login(Client(), PASSWORD, addr="198.51.100.7").status_code == 302


def test_the_lockout_page_speaks_english_too(client: Client) -> None:
    for _ in range(5):
        _login(client, "wrong")
    with translation.override("en"):
        response = _login(client, PASSWORD, lang="en")
    assert response.status_code == 429
    assert "Try again in 15 minutes" in response.content.decode()


def test_a_good_login_resets_the_count(client: Client) -> None:
    for _ in range(4):
        _login(client, "wrong")
    assert _login(client, PASSWORD).status_code == 302
    other = Client()
    for _ in range(4):
        assert _login(other, "wrong").status_code == 200
