"""GET /api/v1/health/: database, broker, worker and beat, for people and load balancers."""

from typing import Any

from django.db import DatabaseError, connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.celery import app as celery_app
from scheduling.selectors import component_statuses


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DatabaseError:
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


def health_report() -> tuple[dict[str, Any], bool]:
    """The report and whether the web process can serve (the database answers)."""
    database_ok = _database_ok()
    report: dict[str, Any] = {
        "database": {"status": "ok" if database_ok else "down", "vendor": connection.vendor},
        "broker": {
            "status": "ok" if _broker_ok() else "down",
            "transport": celery_app.conf.broker_url.split("://", 1)[0],
        },
    }
    if database_ok:
        for name, component in component_statuses().items():
            report[name] = component.as_dict()
    else:
        report.update({name: {"status": "unknown"} for name in ("worker", "beat")})
    all_ok = all(part["status"] == "ok" for part in report.values())
    report = {"status": "ok" if all_ok else "degraded", **report}
    return report, database_ok


class HealthApi(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        responses={
            200: inline_serializer("Health", {"status": serializers.CharField()}),
            503: inline_serializer("HealthDown", {"status": serializers.CharField()}),
        },
    )
    def get(self, request: Request) -> Response:
        report, serving = health_report()
        code = status.HTTP_200_OK if serving else status.HTTP_503_SERVICE_UNAVAILABLE
        return Response(report, status=code)
