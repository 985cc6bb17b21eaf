"""The reports page (/desk/reports/): figures of a month or year with SVG charts, CSV and XLSX.

Office staff see their own office exactly; coordinators their region, the directorate the
country, both with small counts suppressed (mediators/reports/access.py). A scope that is not
yours is a 404, like one that does not exist.
"""

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from config.api_errors import ApplicationError
from config.forms import AccessibleForm
from config.two_factor import verified_required
from mediators.models import Office, Region, User
from mediators.reports.access import exact_for, is_report_reader, scope_resolve, scopes_for
from mediators.reports.charts import Bar, bar_chart, month_chart
from mediators.reports.exports import report_csv, report_xlsx
from mediators.reports.periods import Period, period_check_over, period_parse
from mediators.reports.suppression import THRESHOLD
from mediators.reports.tables import Report, Scope, report_build

View = Callable[..., HttpResponse]
MONTHS = ("jan", "feb", "mar", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "des")


def reports_reader_required(view: View) -> View:
    """Logged in (with the code step) as staff, a coordinator, an admin or the directorate."""

    @wraps(view)
    @login_required
    @verified_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_report_reader(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def last_full_month(today: date) -> str:
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year}-{month:02d}"


def _scope_label(scope: Scope, offices: dict[str, str]) -> str:
    if scope.level == "country":
        return gettext("Norway")
    if scope.level == "region":
        return gettext("Region %(name)s") % {"name": dict(Region.choices)[scope.code]}
    return offices.get(scope.code, scope.code)


class ReportForm(AccessibleForm):
    period = forms.CharField(
        label=_("Period"),
        max_length=7,
        help_text=_("A month (YYYY-MM, e.g. 2026-10) or a whole year (YYYY)."),
    )
    scope = forms.ChoiceField(label=_("Show"), required=False)

    def __init__(self, *args: Any, scopes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope_field = cast(forms.ChoiceField, self.fields["scope"])
        scope_field.choices = scopes
        self.fields["period"].widget.attrs.update({"inputmode": "numeric", "size": 8})

    def clean_period(self) -> Period:
        try:
            period = period_parse(self.cleaned_data["period"])
            period_check_over(period)
            return period
        except ApplicationError as exc:
            raise forms.ValidationError(exc.fields["period"][0]) from exc


def _resolve(request: HttpRequest) -> tuple[ReportForm, Report | None, int]:
    user = cast(User, request.user)
    offices = dict(Office.objects.values_list("code", "name"))
    choices = [(s.key, _scope_label(s, offices)) for s in scopes_for(user)]
    data = request.GET.copy()
    data.setdefault("period", last_full_month(timezone.localdate()))
    form = ReportForm(data, scopes=choices)
    if not form.is_valid():
        if "scope" in form.errors:  # a scope that is not in your list: as if it did not exist
            raise Http404("No such report.")
        return form, None, 400
    level, _sep, code = (form.cleaned_data.get("scope") or "").partition(":")
    scope = scope_resolve(user, level or None, code)
    period: Period = form.cleaned_data["period"]
    report = report_build(scope=scope, period=period, suppressed=not exact_for(user, scope))
    return form, report, 200


def _charts(report: Report) -> list[Any]:
    def bars(keys: list[str]) -> list[Bar]:
        return [Bar(str(report.row(k).label), report.total(k)) for k in keys]

    types = [
        r.key for r in report.rows if r.key.startswith("requests.") and r.key != "requests.total"
    ]
    months = [(MONTHS[m - 1], requests, held) for m, requests, held in report.months]
    return [
        bar_chart("chart-types", gettext("Requests by case type"), bars(types)),
        bar_chart(
            "chart-hours",
            gettext("Mediations held by hours used"),
            bars(["hours.1", "hours.2-4", "hours.5-7"]),
        ),
        bar_chart(
            "chart-levels",
            gettext("Mediations held by conflict level"),
            bars(["level.low", "level.medium", "level.high", "level.none"]),
        ),
        month_chart(
            "chart-months",
            gettext("Requests and mediations held per month, %(year)s")
            % {"year": report.period.year},
            months,
            (gettext("Requests"), gettext("Mediations held")),
        ),
    ]


def _sections(report: Report) -> list[tuple[str, list[Any]]]:
    sections: list[tuple[str, list[Any]]] = []
    for row in report.rows:
        if not sections or sections[-1][0] != str(row.section):
            sections.append((str(row.section), []))
        sections[-1][1].append(row)
    return sections


@reports_reader_required
def reports(request: HttpRequest) -> HttpResponse:
    form, report, status = _resolve(request)
    context: dict[str, Any] = {"nav": "reports", "form": form, "report": report}
    if report is not None:
        context.update(
            charts=_charts(report),
            sections=_sections(report),
            threshold=THRESHOLD,
            query=request.GET.urlencode()
            or f"period={report.period.label}&scope={report.scope.key}",
        )
    return render(request, "desk/reports.html", context, status=status)


def _filename(report: Report, ext: str) -> str:
    return f"meklingsrapport-{report.period.label}-{report.scope.key.replace(':', '-')}.{ext}"


@reports_reader_required
def export_csv(request: HttpRequest) -> HttpResponse:
    form, report, status = _resolve(request)
    if report is None:
        return render(request, "desk/reports.html", {"nav": "reports", "form": form}, status=status)
    response = HttpResponse(report_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, "csv")}"'
    return response


@reports_reader_required
def export_xlsx(request: HttpRequest) -> HttpResponse:
    form, report, status = _resolve(request)
    if report is None:
        return render(request, "desk/reports.html", {"nav": "reports", "form": form}, status=status)
    response = HttpResponse(
        report_xlsx(report),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, "xlsx")}"'
    return response
