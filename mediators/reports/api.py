"""GET /api/v1/reports/: the figures for the directorate, always with small counts suppressed."""

from typing import Any, cast

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api_errors import ApplicationError
from mediators.models import User
from mediators.reports.access import IsReportReader, scope_resolve
from mediators.reports.periods import period_check_over, period_parse
from mediators.reports.suppression import THRESHOLD
from mediators.reports.tables import Report, report_build

LEVELS = ("country", "region", "office")


class UnitSerializer(serializers.Serializer[dict[str, Any]]):
    level = serializers.CharField(help_text="country, region or office")
    code = serializers.CharField(allow_blank=True)
    name = serializers.CharField()
    figures = serializers.DictField(
        child=serializers.FloatField(allow_null=True),
        help_text="Figure key → value; null where suppressed (or nothing to compute it from).",
    )


class ReportSerializer(serializers.Serializer[dict[str, Any]]):
    period = serializers.CharField()
    scope = serializers.DictField(child=serializers.CharField(allow_blank=True))
    suppressed = serializers.BooleanField()
    threshold = serializers.IntegerField()
    suppressed_keys = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Per unit code, the figure keys hidden to protect small counts.",
    )
    labels = serializers.DictField(child=serializers.CharField())
    units = UnitSerializer(many=True)


def report_data(report: Report) -> dict[str, Any]:
    units, hidden = [], {}
    for index, column in enumerate(report.columns):
        level, code = column.unit
        figures = {row.key: row.figures[index].value for row in report.rows}
        units.append({"level": level, "code": code, "name": column.name, "figures": figures})
        hidden[code or level] = [row.key for row in report.rows if row.figures[index].hidden]
    return {
        "period": report.period.label,
        "scope": {"level": report.scope.level, "code": report.scope.code},
        "suppressed": report.suppressed,
        "threshold": THRESHOLD,
        "suppressed_keys": hidden,
        "labels": {row.key: str(row.label) for row in report.rows},
        "units": units,
    }


class ReportsApi(APIView):
    """The report of one period for the country, a region or an office.

    Counts from 1 to 4 are hidden (null), and so are the cells that would give one back by
    subtraction from a total (secondary suppression): what the API answers leaves the office.
    """

    permission_classes = [IsReportReader]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "period", OpenApiTypes.STR, required=True, description="YYYY-MM or YYYY"
            ),
            OpenApiParameter("scope", OpenApiTypes.STR, enum=list(LEVELS)),
            OpenApiParameter(
                "code", OpenApiTypes.STR, description="Region (ost, sor, …) or office code."
            ),
        ],
        responses={200: OpenApiResponse(ReportSerializer)},
    )
    def get(self, request: Request) -> Response:
        period = period_parse(request.query_params.get("period", ""))
        period_check_over(period)
        level = request.query_params.get("scope") or None
        if level is not None and level not in LEVELS:
            raise ApplicationError(
                "Unknown scope.", fields={"scope": ["Use country, region or office."]}
            )
        user = cast(User, request.user)
        scope = scope_resolve(user, level, request.query_params.get("code"))
        report = report_build(scope=scope, period=period, suppressed=True)
        return Response(report_data(report))
