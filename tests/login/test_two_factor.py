"""Staff and mediators log in with a password and a TOTP code (config.two_factor, django-otp).

Until the code step is done the desk, the inbox, the admin and the staff API over a session
refuse the session; a token (machine clients) is not affected.
"""

import base64
import re
from datetime import timedelta

import pytest
import segno
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from mediators.models import User
from tests.factories import OfficeFactory, UserFactory
from tests.pages.auth import current_code, totp_device, verified_login

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"


@pytest.fixture
def staff() -> User:
    user = UserFactory.create(username="tofaktor", office=OfficeFactory.create())
    user.set_password(PASSWORD)
    user.save()
    return user


def _password_step(client: Client, next_url: str = "/desk/") -> str:
    response = client.post(
        f"/login/?next={next_url}", {"username": "tofaktor", "password": PASSWORD}
    )
    assert response.status_code == 302
    return str(response["Location"])


def test_the_password_alone_does_not_open_the_desk_the_code_does(
    client: Client, staff: User
) -> None:
    device = totp_device(staff)
    location = _password_step(client)
    assert location.startswith("/login/code/")
    # Password only: every staff page and the session API send the person to the code step.
    desk = client.get("/desk/")
    assert desk.status_code == 302 and desk["Location"].startswith("/login/code/?next=%2Fdesk%2F")
    assert client.get("/home/")["Location"].startswith("/login/code/")
    assert client.get("/api/v1/cases/").status_code in (401, 403)
    assert client.get("/admin/").status_code == 302

    wrong = client.post(location, {"code": "000000" if current_code(device) != "000000" else "1"})
    assert wrong.status_code == 200 and "code" in wrong.context["form"].errors
    # django-otp then makes the device wait 1 s before the next try; let that time pass.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=10)
    )
    right = client.post(location, {"code": current_code(device)})
    assert right.status_code == 302 and right["Location"] == "/desk/"
    assert client.get("/desk/").status_code == 200
    assert client.get("/api/v1/cases/").status_code == 200


def test_the_same_code_is_not_accepted_twice(client: Client, staff: User) -> None:
    device = totp_device(staff)
    code = current_code(device)
    assert client.post(_password_step(client), {"code": code}).status_code == 302
    other = Client()
    location = _password_step(other)
    assert other.post(location, {"code": code}).status_code == 200  # replayed: refused
    assert other.get("/desk/").status_code == 302


def test_a_person_without_an_authenticator_sets_one_up_first(client: Client, staff: User) -> None:
    assert not TOTPDevice.objects.filter(user=staff).exists()
    code_page = _password_step(client)
    setup = client.get(code_page)
    assert setup.status_code == 302 and setup["Location"].startswith("/login/setup/")
    page = client.get(setup["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    secret = re.search(r'id="otp-secret">([A-Z2-7 ]+)<', html)
    assert secret and "otpauth://totp/mekling%3Atofaktor?secret=" in html
    key = base64.b32decode(secret.group(1).replace(" ", ""))
    pending = TOTPDevice.objects.get(user=staff, confirmed=False)
    assert pending.bin_key == key
    # The QR code carries the same setup address, as a data: image (the CSP allows no inline SVG).
    qr = re.search(r'<img class="otp-qr" src="([^"]+)"', html)
    assert qr and qr.group(1).startswith("data:image/svg+xml")
    assert qr.group(1) == segno.make(pending.config_url, error="m").svg_data_uri(scale=5, border=2)
    # Seeing the setup page is not being verified.
    assert client.get("/desk/").status_code == 302
    code = str(totp(key)).zfill(6)
    done = client.post(setup["Location"], {"code": code})
    assert done.status_code == 302 and done["Location"] == "/desk/"
    assert TOTPDevice.objects.get(user=staff).confirmed
    assert client.get("/desk/").status_code == 200


def test_a_confirmed_device_is_not_shown_again(client: Client, staff: User) -> None:
    totp_device(staff)
    _password_step(client)
    response = client.get("/login/setup/")
    assert response.status_code == 302 and response["Location"].startswith("/login/code/")


def test_the_code_step_keeps_next_on_this_site(client: Client, staff: User) -> None:
    device = totp_device(staff)
    client.post("/login/", {"username": "tofaktor", "password": PASSWORD})
    response = client.post(
        "/login/code/?next=https://evil.example/", {"code": current_code(device)}
    )
    assert response.status_code == 302 and response["Location"] == "/home/"


def test_machine_clients_keep_token_auth(staff: User) -> None:
    token = Token.objects.create(user=staff)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/cases/").status_code == 200


def test_the_admin_wants_the_code_step_too(client: Client) -> None:
    admin = User.objects.create_superuser("otp-admin", "a@test.example", PASSWORD, role="admin")
    client.force_login(admin)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    login = client.get(response["Location"])
    assert login.status_code == 302 and login["Location"].startswith("/login/?next=")
    verified_login(client, admin)
    assert client.get("/admin/").status_code == 200


def test_the_step_can_be_turned_off_for_a_local_demo(
    client: Client, staff: User, settings: object
) -> None:
    settings.MEKLING_REQUIRE_2FA = False  # type: ignore[attr-defined]
    assert _password_step(client) == "/desk/"
    assert client.get("/desk/").status_code == 200
