"""Every API endpoint open to anyone carries a rate limit; the login is covered by django-axes
(test_lockout) and the parents' request page by its own throttle (tests/pages)."""

from typing import Any

import pytest
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from intake.links import link_issue, link_token
from tests.factories import ParentFactory

METHODS = ("get", "post", "put", "patch", "delete")


def _api_views() -> list[tuple[str, type[APIView]]]:
    found: list[tuple[str, type[APIView]]] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                cls = getattr(entry.callback, "cls", None)
                if cls and issubclass(cls, APIView):
                    found.append((prefix + str(entry.pattern), cls))

    walk(get_resolver().url_patterns, "/")
    return [(route, cls) for route, cls in found if route.startswith("/api/v1/")]


def test_every_public_api_endpoint_is_throttled() -> None:
    factory = APIRequestFactory()
    public = []
    for route, cls in _api_views():
        for method in METHODS:
            if not hasattr(cls, method):
                continue
            view = cls()
            view.request = Request(getattr(factory, method)("/"))
            view.args, view.kwargs, view.format_kwarg = (), {}, None
            if any(isinstance(p, AllowAny) for p in view.get_permissions()):
                if route.endswith("health/"):
                    continue  # liveness probe: no data, nothing to guess
                public.append(f"{method.upper()} {route}")
                assert view.get_throttles(), f"{method.upper()} {route} has no rate limit"
    assert "POST /api/v1/cases/" in public
    assert any(route.startswith("GET /api/v1/intake/") for route in public)


@pytest.mark.django_db
def test_the_intake_token_endpoint_answers_429_past_its_rate(settings: Any) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"case_request": "1000/min", "intake": "2/min"},
    }
    cache.clear()
    token = link_token(link_issue(parent=ParentFactory.create()))
    client = APIClient()
    codes = [client.get(f"/api/v1/intake/{token}/").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    cache.clear()


@pytest.mark.django_db
@pytest.mark.parametrize("proxies", [0, 1])
def test_a_forged_forwarded_for_does_not_dodge_the_rate(settings: Any, proxies: int) -> None:
    """Without a proxy the header is ignored; behind one (LOGIN_PROXY_COUNT=1) only the entry
    the proxy added counts, not the ones the client wrote before it (198.51.100.x: forged)."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "NUM_PROXIES": proxies,
        "DEFAULT_THROTTLE_RATES": {"case_request": "1000/min", "intake": "2/min"},
    }
    cache.clear()
    token = link_token(link_issue(parent=ParentFactory.create()))
    client = APIClient()
    codes = [
        client.get(
            f"/api/v1/intake/{token}/", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 192.0.2.7"
        ).status_code
        for n in range(3)
    ]
    assert codes == [200, 200, 429]
    cache.clear()


def test_the_throttles_count_proxies_as_the_login_lockout_does() -> None:
    from django.conf import settings

    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.MEKLING_LOGIN_PROXY_COUNT
