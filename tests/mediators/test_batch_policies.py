"""The batch's policy seam (mediators/assigning.py `BATCH_POLICIES`) and closing a case."""

import pytest

from intake.models import Case
from intake.services import case_close
from mediators.assigning import cases_place_batch
from mediators.models import Assignment
from mediators.snapshots import mediator_loads
from tests.mediators.conftest import mediator_at

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("policy", ["optimiser", "status_quo", "round_robin"])
def test_every_policy_places_through_the_service(case: Case, policy: str) -> None:
    mediator = mediator_at(case)
    outcome = cases_place_batch(cases=[case], policy=policy)
    assert outcome.placed[case.reference].row.mediator_id == mediator.pk
    assert Assignment.objects.get(case=case).method == Assignment.Method.BATCH


def test_an_unknown_policy_is_refused(case: Case) -> None:
    with pytest.raises(ValueError, match="Unknown assignment policy"):
        cases_place_batch(cases=[case], policy="lottery")
    assert not Assignment.objects.filter(case=case).exists()


def test_closing_a_case_frees_its_mediators_hours(case: Case) -> None:
    mediator = mediator_at(case)
    cases_place_batch(cases=[case])
    assert mediator_loads([mediator.pk])[mediator.pk] > 0
    case_close(case=case)
    assert mediator_loads([mediator.pk]).get(mediator.pk, 0) == 0
    assert Assignment.objects.get(case=case).ended_at is not None
