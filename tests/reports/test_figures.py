"""Issue #9, must show 1: the report of a generated month whose true figures are known.

The data is tests/reports/world.py (its docstring tables every case); the expected numbers
below are worked out by hand from that table, not by the code under test.
"""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mediators.reports.periods import Period
from mediators.reports.tables import Report, Scope, report_build
from tests.reports.world import World, october_build

pytestmark = pytest.mark.django_db

OCTOBER = Period(2026, 10)
# Office A (christiania), October 2026, unsuppressed: every figure of the report.
EXPECTED_A: dict[str, Any] = {
    "requests.total": 10,  # a1–a7, a9, a10 (Oct 31 23:30 Oslo), a11; not a8 (Sep), a12 (Nov 1 Oslo)
    "requests.separation": 5,
    "requests.cohabitation_breakup": 1,
    "requests.court": 0,
    "requests.relocation": 2,
    "requests.court_referral": 1,
    "requests.enforcement": 1,
    "held.total": 8,  # a1–a8: first held meeting in October (a8 was requested in September)
    "hours.1": 6,  # a1, a3, a4 (the cancelled hour does not count), a5, a6, a8
    "hours.2-4": 1,  # a2: 1 + 2 + a 1-hour child talk = 4
    "hours.5-7": 1,  # a7: per parent 1 + 2 separate, 1 child talk, 2 joint = 6
    "level.low": 3,  # a1, a5, a8
    "level.medium": 2,  # a2, a6 (the override wins over the computed high)
    "level.high": 2,  # a3, a7
    "level.none": 1,  # a4
    "held.external": 2,  # a3, a6
    "share.external": 25.0,
    "offered.total": 9,  # a1–a8 and a11 (no-show); a9's first meeting is in November
    "offered.median_days": 7.0,  # 4 7 7 7 7 14 16 18 27
    "offered.p90_days": 19.8,  # rank 7.2: 18 + 0.2 × (27 − 18)
    "offered.within_share": 88.9,  # 8 of 9 within 21 days
    "held.median_days": 15.0,  # 4 7 7 14 16 18 21 27: (14 + 16) / 2
    "held.p90_days": 22.8,  # rank 6.3: 21 + 0.3 × (27 − 21)
    "held.within_share": 87.5,  # 7 of 8 (a4's 21 days is still within 3 weeks)
    "child_talks": 2,  # a2 and a7 held; a7's booked one in November is not
    "certificates.issued": 11,  # a1 a2 a3 a6 a8 two each, a5 one; a7's are dated November 2
    "certificates.refused": 1,  # a5's other parent
    "relocation.held": 2,
    "relocation.before_move": 1,  # a5 met on Oct 20, moving Oct 25; a6 met after moving
    "relocation.before_move_share": 50.0,
    "court_referral.held": 1,  # a7
}


@pytest.fixture
def world(national_offices: None) -> World:
    return october_build()


def _figures(report: Report, column: int = -1) -> dict[str, Any]:
    return {row.key: row.figures[column].value for row in report.rows}


def test_every_figure_of_the_month_for_the_office(world: World) -> None:
    report = report_build(scope=Scope("office", "christiania"), period=OCTOBER, suppressed=False)
    figures = _figures(report)
    assert {key: figures[key] for key in EXPECTED_A} == EXPECTED_A
    assert set(figures) - {"court_notes.sent"} == set(EXPECTED_A)


def test_the_region_adds_its_offices_up(world: World) -> None:
    report = report_build(scope=Scope("region", "ost"), period=OCTOBER, suppressed=False)
    names = [column.name for column in report.columns]
    assert names[-1] == "East" or names[-1] == "Øst"
    figures = _figures(report)
    assert figures["requests.total"] == 13
    assert figures["requests.separation"] == 8
    assert figures["held.total"] == 8
    enerhaugen = names.index(world.office_b.name)
    assert report.row("requests.total").figures[enerhaugen].value == 3


def test_the_year_is_the_sum_of_its_months(world: World) -> None:
    year = report_build(scope=Scope("office", "christiania"), period=Period(2026), suppressed=False)
    figures = _figures(year)
    assert figures["requests.total"] == 12  # a8 in September and a12 in November too
    assert figures["certificates.issued"] == 13  # and a7's two in November
    months = {m: (requests.value, held.value) for m, requests, held in year.months}
    assert months[9] == (1, 0) and months[10] == (10, 8) and months[11] == (1, 0)


def test_the_figures_are_aggregated_in_sql_not_per_case(world: World) -> None:
    with CaptureQueriesContext(connection) as queries:
        report_build(scope=Scope("country"), period=OCTOBER, suppressed=True)
    # seven grouped queries for the year's figures (the last for the notes to the court) and
    # one for the offices, whatever the size
    assert len(queries) == 8, [q["sql"][:80] for q in queries]
