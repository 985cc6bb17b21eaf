"""The demo's protocol history (mediators/demo_history.py) and `manage.py report_month`."""

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from intake.models import Case, Parent, QuestionnaireResponse
from mediators.demo import demo_mediators_create
from mediators.demo_history import demo_history_create
from mediators.reports.periods import Period
from mediators.reports.tables import Scope, report_build
from scheduling.models import Appointment, Certificate

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 1, 8, tzinfo=ZoneInfo("Europe/Oslo"))


@pytest.fixture
def history(national_offices: None) -> None:
    demo_mediators_create(seed=7)
    demo_history_create(seed=7, per_month=150, now=NOW)


def test_the_history_is_synthetic_and_only_protocol(history: None) -> None:
    assert Case.objects.count() == 450  # three months of 150
    assert not QuestionnaireResponse.objects.exists()  # a level, never answers
    assert all(e.endswith(".example") for e in Parent.objects.values_list("email", flat=True))
    held = Appointment.objects.filter(status="held")
    assert held.exists() and not held.filter(starts_at__gte=NOW).exists()
    assert not Appointment.objects.filter(status="booked", starts_at__lt=NOW).exists()
    # Certificates only after a held first hour (meklingsforskriften § 8).
    assert not Certificate.objects.exclude(case__appointments__status="held").exists()


def test_the_history_is_the_same_for_the_same_seed(history: None) -> None:
    first = report_build(scope=Scope("country"), period=Period(2026, 10), suppressed=False)
    figures = {row.key: row.figures[-1].value for row in first.rows}
    Case.objects.all().delete()
    demo_history_create(seed=7, per_month=150, now=NOW)
    again = report_build(scope=Scope("country"), period=Period(2026, 10), suppressed=False)
    assert {row.key: row.figures[-1].value for row in again.rows} == figures
    assert figures["requests.total"] == 150
    held = figures["held.total"]
    assert isinstance(held, int) and 0 < held <= 300  # September's requests are held in October too


def test_report_month_prints_the_national_table(history: None) -> None:
    out = StringIO()
    call_command("report_month", "2026-10", "--scope", "country", stdout=out)
    text = out.getvalue()
    assert text.startswith("Mediation report 2026-10, Norway")
    assert "Requests, all case types" in text and "Median days to first meeting held" in text
    line = next(line for line in text.splitlines() if "Requests, all case types" in line)
    assert line.split()[-1] == "150"
    assert max(len(line) for line in text.splitlines()[3:]) <= 100
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("report_month", "October", stdout=StringIO())
