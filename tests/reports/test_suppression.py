"""Small counts (1–4) are hidden in anything leaving the office, and no hidden cell comes back
by subtraction from a total (secondary suppression, mediators/reports/suppression.py)."""

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake.models import CaseType
from mediators.models import Office
from mediators.reports.periods import Period
from mediators.reports.suppression import (
    COUNTRY,
    THRESHOLD,
    YEAR,
    Cube,
    _groups,
    suppressed_cells,
)
from mediators.reports.tables import HIDDEN, Scope, report_build
from tests.reports.world import World, october_build

OFFICES = {"a": ("Office A", "ost"), "b": ("Office B", "ost"), "c": ("Office C", "ost")}


def _cube(counts: dict[tuple[str, int, str], int]) -> Cube:
    """A cube from (office, month, case type) request counts, added up as cube_build does."""
    cube = Cube(year=2026, offices=dict(OFFICES))
    for (office, month, case_type), n in counts.items():
        for unit in (("office", office), ("region", OFFICES[office][1]), COUNTRY):
            for when in (month, YEAR):
                for measure in (f"requests.{case_type}", "requests.total"):
                    key = (unit, when, measure)
                    cube.values[key] = cube.values.get(key, 0) + n
    return cube


def test_a_lone_small_office_takes_the_next_smallest_with_it() -> None:
    # Region total 25 = 3 + 10 + 12: with only the 3 hidden, 25 − 10 − 12 would give it back.
    cube = _cube(
        {("a", 10, "separation"): 3, ("b", 10, "separation"): 10, ("c", 10, "separation"): 12}
    )
    hidden = suppressed_cells(cube)
    sep = "requests.separation"
    assert (("office", "a"), 10, sep) in hidden  # primary
    assert (("office", "b"), 10, sep) in hidden  # secondary: the smallest that hides it
    assert (("office", "c"), 10, sep) not in hidden
    assert (("region", "ost"), 10, sep) not in hidden
    assert cube.value(("region", "ost"), 10, sep) == 25


def test_zero_is_shown_and_five_is_not_small() -> None:
    cube = _cube({("a", 10, "separation"): 5, ("b", 10, "separation"): 7})
    assert suppressed_cells(cube) == set()


office_counts = st.dictionaries(
    st.tuples(
        st.sampled_from(sorted(OFFICES)), st.integers(1, 3), st.sampled_from(CaseType.values)
    ),
    st.integers(0, 12),
    max_size=14,
)


@settings(max_examples=150, deadline=None)
@given(office_counts)
def test_no_hidden_cell_can_be_worked_out_by_subtraction(counts: dict) -> None:
    cube = _cube(counts)
    hidden = suppressed_cells(cube)
    small = {cell for cell, n in cube.values.items() if 0 < n < THRESHOLD}
    assert small <= hidden
    assert all(cube.values.get(cell, 0) > 0 for cell in hidden)  # a 0 names nobody
    for group in _groups(cube):
        count_hidden = sum(cell in hidden for cell in group)
        assert count_hidden != 1, group


# ---- through the report of the generated month ---------------------------------------------


@pytest.fixture
def world(national_offices: None) -> World:
    return october_build()


def _cell(report: object, key: str, column_name: str) -> str:
    columns = [c.name for c in report.columns]  # type: ignore[attr-defined]
    return report.row(key).figures[columns.index(column_name)].text  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_the_region_report_hides_small_offices_and_their_complement(world: World) -> None:
    report = report_build(scope=Scope("region", "ost"), period=Period(2026, 10), suppressed=True)
    region = report.columns[-1].name
    a, b = world.office_a.name, world.office_b.name
    # B's three requests are small; A's ten would be 13 − 3, so A is hidden too.
    assert _cell(report, "requests.total", b) == HIDDEN
    assert _cell(report, "requests.total", a) == HIDDEN
    assert _cell(report, "requests.total", region) == "13"
    assert _cell(report, "requests.separation", region) == "8"
    for key in ("requests.cohabitation_breakup", "requests.relocation", "hours.2-4", "hours.5-7"):
        assert _cell(report, key, region) == HIDDEN, key
    assert _cell(report, "held.total", region) == "8"
    assert _cell(report, "hours.1", region) == "6"
    assert _cell(report, "held.median_days", region) == "15"
    # The share rests on 2 external of 8: hidden with its count.
    assert _cell(report, "share.external", region) == HIDDEN
    # An office with no cases shows zeros, not dashes.
    homansbyen = Office.objects.get(code="homansbyen").name
    assert _cell(report, "requests.total", homansbyen) == "0"
    shown: Counter[str] = Counter(f.text for row in report.rows for f in row.figures)
    assert shown[HIDDEN] > 0


@pytest.mark.django_db
def test_the_office_own_report_is_exact(world: World) -> None:
    report = report_build(
        scope=Scope("office", "enerhaugen"), period=Period(2026, 10), suppressed=False
    )
    assert report.total("requests.total").text == "3"
    assert report.total("held.median_days").text == ""  # no meetings: nothing to show


def test_a_small_month_takes_the_smallest_other_month_not_the_year() -> None:
    months = {("a", 9, "court"): 3, ("a", 10, "court"): 20, ("a", 11, "court"): 30}
    months |= {("b", m, "court"): 40 for m in (9, 10, 11)}
    months |= {("c", m, "court"): 40 for m in (9, 10, 11)}
    hidden = suppressed_cells(_cube(months))
    court = "requests.court"
    assert (("office", "a"), 9, court) in hidden
    assert (("office", "a"), 10, court) in hidden  # else the year minus Oct and Nov gives Sep
    assert (("office", "a"), YEAR, court) not in hidden
    assert (("office", "a"), 11, court) not in hidden
