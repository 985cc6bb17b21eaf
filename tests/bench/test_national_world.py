"""The national simulation's world builders and what-if switches (bench/national_world.py),
on the demo national set in the test database."""

import random
from datetime import date

import pytest

from bench.national_world import (
    _blocks,
    answers_for,
    externals_change,
    office_close,
    region_select,
    season,
)
from intake.classification import classify
from intake.questionnaire import load_questionnaire
from mediators.demo import demo_mediators_create
from mediators.models import Catchment, Mediator

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_set(national_offices: None) -> None:
    demo_mediators_create(seed=2026)


def test_closing_an_office_stops_its_mediators_and_moves_its_catchment(demo_set: None) -> None:
    assert Catchment.objects.filter(office__code="bergen").exists()
    office_close(code="bergen")
    assert not Mediator.objects.filter(office__code="bergen", kind="office", active=True).exists()
    assert not Catchment.objects.filter(office__code="bergen").exists()


def test_externals_can_be_added_and_stopped(demo_set: None) -> None:
    active = Mediator.objects.filter(kind="external", active=True).count()
    externals_change(delta=3, rng=random.Random(1))
    assert Mediator.objects.filter(kind="external", active=True).count() == active + 3
    externals_change(delta=-10, rng=random.Random(1))
    assert Mediator.objects.filter(kind="external", active=True).count() == active + 3 - 10


def test_a_scaled_country_keeps_a_share_of_the_offices(demo_set: None) -> None:
    share, _ = region_select(scale=0.2, rng=random.Random(3))
    assert 0.2 <= share < 0.4
    offices = Mediator.objects.filter(active=True).values_list("office_id", flat=True)
    assert 3 <= len(set(offices)) < 41


def test_demand_peaks_after_new_year_and_summer() -> None:
    monday = {week: date.fromisocalendar(2026, week, 1) for week in (3, 15, 29, 36)}
    assert season(monday[3]) > season(monday[15]) > season(monday[29])
    assert season(monday[36]) > season(monday[15])


def test_openings_add_up_to_the_weekly_capacity_in_blocks_that_hold_separate_meetings() -> None:
    for capacity in (8, 10, 12, 15, 18, 20):
        blocks = _blocks(float(capacity), external=False)
        assert abs(sum(h for _, h in blocks) - capacity) <= 1.0
        assert all(h >= 2.25 for _, h in blocks)


@pytest.mark.parametrize(
    ("level", "expected", "separate"),
    [
        ("low", "low", False),
        ("medium", "medium", False),
        ("high", "high", False),
        ("safety", "high", True),
    ],
)
def test_drawn_answers_classify_as_intended(level: str, expected: str, separate: bool) -> None:
    answers = {role: answers_for(level, role) for role in ("requester", "other")}
    result = classify(load_questionnaire("v1"), answers)
    assert (result.level, result.separate_meetings_recommended) == (expected, separate)
