"""The page shown when django-axes has locked a username+address pair after failed logins."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def client_ip(request: HttpRequest) -> str | None:
    """The address failures are counted by: REMOTE_ADDR, or behind MEKLING_LOGIN_PROXY_COUNT proxies
    the entry they added to X-Forwarded-For (entries further left are the client's to forge)."""
    proxies = int(getattr(settings, "MEKLING_LOGIN_PROXY_COUNT", 0) or 0)
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    addr: str | None = request.META.get("REMOTE_ADDR")
    return addr


def locked_out(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "pages/locked_out.html",
        {"lockout_minutes": minutes},
        status=getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429),
    )
