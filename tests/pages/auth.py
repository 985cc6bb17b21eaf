"""Logging in as staff or a mediator in tests: the password step and the two-factor code step
(config.two_factor, django-otp TOTP), for the browser and for Django's test client."""

from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from mediators.models import User


def totp_device(user: User) -> TOTPDevice:
    """The user's confirmed authenticator (made if missing)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test app", confirmed=True)


def current_code(device: TOTPDevice) -> str:
    """The code the app would show now. django-otp refuses a code twice in one 30 s step, so a
    test that logs the same person in again forgets the last one used (last_t)."""
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    device.refresh_from_db()
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return str(code).zfill(device.digits)


def log_in(page: Any, username: str, password: str) -> None:
    """The login page in a browser: username and password, then the code (nb labels)."""
    device = totp_device(User.objects.get(username=username))
    page.goto("/login/")
    page.get_by_label("Brukernavn").fill(username)
    page.get_by_label("Passord").fill(password)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url("**/login/code/**")
    page.get_by_label("Kode fra autentiseringsappen").fill(current_code(device))
    page.get_by_role("button", name="Bekreft").click()


def verified_login(client: Client, user: User) -> Client:
    """`client.force_login` plus a session that passed the code step."""
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
    session.save()
    return client
