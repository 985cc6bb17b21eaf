"""The service's URLs plus one bare DRF endpoint: the framework's ceiling on the same server.

Mounted only by bench/load/settings.py (ROOT_URLCONF), never by config.urls.
"""

from typing import Any

from django.urls import URLPattern, URLResolver, include, path
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

BARE_BODY = {"ok": True, "service": "mekling", "bench": "bare"}


class BareApi(APIView):
    """A constant small JSON body: no authentication, permission, throttle or database."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes: list[Any] = []

    def get(self, request: Request) -> Response:
        return Response(BARE_BODY)


urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/bare/", BareApi.as_view(), name="bench-bare"),
    path("", include("config.urls")),
]
