"""What retention will delete soon (meklingsforskriften § 9), for the user's office."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from intake.retention import retention_due_within
from intake.selectors import cases_for_user
from mediators.pages.common import staff_required

WINDOW_DAYS = 30


@staff_required
def retention(request: HttpRequest) -> HttpResponse:
    cases = cases_for_user(user=request.user)  # the office scope of mediators/access.py
    rows = retention_due_within(cases=cases, days=WINDOW_DAYS, now=timezone.now())
    context = {
        "nav": "retention",
        "rows": rows,
        "days": WINDOW_DAYS,
        "answers_days": settings.RETENTION_ANSWERS_DAYS,
        "protocol_years": settings.RETENTION_PROTOCOL_YEARS,
    }
    return render(request, "desk/retention.html", context)
