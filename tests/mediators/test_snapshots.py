"""Rows → CaseNeed: when video/phone is open to a family (mediators/snapshots.py)."""

import pytest

from intake.models import Case
from mediators.snapshots import case_need

pytestmark = pytest.mark.django_db


def test_video_is_not_open_to_a_family_near_its_office(case: Case) -> None:
    assert case_need(case).remote_ok is False


def test_video_is_open_when_a_parent_lives_abroad(case: Case) -> None:
    case.parents.filter(role="other").update(lives_abroad=True)
    assert case_need(Case.objects.get(pk=case.pk)).remote_ok is True


def test_a_mediator_on_leave_tomorrow_counts_as_away_until_its_last_day(case: Case) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from mediators.snapshots import mediator_slots
    from scheduling.models import Leave
    from tests.mediators.conftest import mediator_at

    away, present = mediator_at(case), mediator_at(case)
    today = timezone.localdate()
    Leave.objects.create(mediator=away, starts_on=today, ends_on=today + timedelta(days=20))
    slots = {s.mediator_id: s for s in mediator_slots(mediator_ids=[away.pk, present.pk])}
    assert slots[away.pk].away_until == today + timedelta(days=20)
    assert slots[present.pk].away_until is None
