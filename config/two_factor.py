"""Two-factor login for office staff and external mediators (django-otp, TOTP).

After the password step (config.pages.LoginView) the session is logged in but not verified:
the desk, the inbox, the admin and the staff/mediator API over session auth all refuse it
until the person gives the 6-digit code from their authenticator app (`code` below). A person
without a confirmed device is taken to `setup` first, which shows the secret as text and the
otpauth:// URI and confirms it with a code.

Machine clients of the API use DRF token auth, which is not touched: a token is a secret held
by a system, not a person's password, and is issued and revoked by an admin.

`MEKLING_REQUIRE_2FA` (default True) turns the whole second step off, for a local demo only.
"""

import base64
from collections.abc import Callable
from functools import wraps
from typing import Any

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from drf_spectacular.authentication import SessionScheme
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request

View = Callable[..., HttpResponse]


def required() -> bool:
    return bool(getattr(settings, "MEKLING_REQUIRE_2FA", True))


def is_verified(user: Any) -> bool:
    """True when the session passed the code step (or the step is turned off)."""
    if not required():
        return True
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def code_url(next_url: str = "") -> str:
    url = reverse("pages:otp-code")
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def verified_required(view: View) -> View:
    """Logged in by password but not yet by code: to the code page, then back here."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not is_verified(request.user):
            return redirect(code_url(request.get_full_path()))
        return view(request, *args, **kwargs)

    return wrapped


class VerifiedSessionAuthentication(SessionAuthentication):
    """The API over a browser session counts only a session that passed the code step."""

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        result = super().authenticate(request)
        if result is not None and not is_verified(result[0]):
            return None
        return result


class VerifiedSessionScheme(SessionScheme):
    """The OpenAPI schema shows it as the session cookie it is."""

    target_class = "config.two_factor.VerifiedSessionAuthentication"


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the authenticator app"),
        help_text=_("Six digits. A new code shows every 30 seconds."),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def __init__(self, *args: Any, device: TOTPDevice, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        allowed, _details = self.device.verify_is_allowed()
        if not allowed:
            raise forms.ValidationError(
                _("Too many wrong codes. Wait a little and try again."), code="throttled"
            )
        if not (code.isdigit() and self.device.verify_token(code)):
            raise forms.ValidationError(
                _("The code is wrong or too old. Try the newest code."), code="invalid"
            )
        return code


def _next(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


@sensitive_post_parameters("code")
@never_cache
@login_required
def code(request: HttpRequest) -> HttpResponse:
    """Second step: the 6-digit code from the person's confirmed device."""
    if is_verified(request.user):
        return redirect(_next(request))
    device = confirmed_device(request.user)
    if device is None:
        return redirect(f"{reverse('pages:otp-setup')}?{urlencode({'next': _next(request)})}")
    form = CodeForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        otp_login(request, device)
        return redirect(_next(request))
    return render(request, "pages/otp_code.html", {"form": form, "next": _next(request)})


def _pending_device(user: Any) -> TOTPDevice:
    """The one unconfirmed device a person is setting up (made on first visit)."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("pk")
            .first()
        )
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="app", confirmed=False)
    return device


@sensitive_post_parameters("code")
@never_cache
@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """First login: add the secret to an authenticator app and confirm it with a code."""
    if confirmed_device(request.user) is not None:
        return redirect(code_url(_next(request)))
    device = _pending_device(request.user)
    form = CodeForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        otp_login(request, device)
        return redirect(_next(request))
    secret = base64.b32encode(device.bin_key).decode()
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render(
        request,
        "pages/otp_setup.html",
        {
            "form": form,
            "next": _next(request),
            "secret": grouped,
            "uri": device.config_url,
            # A data: URI (CSP allows data: images only), so no markup is marked safe.
            "qr": segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2),
        },
    )
