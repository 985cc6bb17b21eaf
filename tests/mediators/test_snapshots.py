"""Rows → CaseNeed: when video/phone is open to a family (mediators/snapshots.py)."""

import pytest

from intake.models import Case
from mediators.models import Location
from mediators.snapshots import case_need

pytestmark = pytest.mark.django_db


def test_video_is_not_open_to_a_family_near_its_office(case: Case) -> None:
    assert case_need(case).remote_ok is False


def test_video_is_open_when_every_office_location_is_beyond_the_journey_guidance(
    case: Case,
) -> None:
    """Travel very long (domain brief): otherwise no rule-abiding placement exists at all."""
    Location.objects.filter(office=case.office).update(latitude=69.73, longitude=30.05)
    case.refresh_from_db()
    assert case_need(Case.objects.get(pk=case.pk)).remote_ok is True


def test_video_is_open_when_a_parent_lives_abroad(case: Case) -> None:
    case.parents.filter(role="other").update(lives_abroad=True)
    assert case_need(Case.objects.get(pk=case.pk)).remote_ok is True
