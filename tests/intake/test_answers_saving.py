"""Saving a draft is optimistic (intake/answers.py): a save that raced another save or the
submit reads the row again, so nothing another save wrote is lost and nothing changes after
the submit."""

from typing import Any

import pytest

from intake.answers import AlreadySubmitted, answers_save_draft, answers_submit
from intake.models import Parent, QuestionnaireResponse
from tests.intake.conftest import least_conflict_answers
from tests.mediators.conftest import waiting_case

pytestmark = pytest.mark.django_db


def _fresh(parent: Parent) -> Parent:
    """The parent as another request reads it: with its response, as the API's link does."""
    return Parent.objects.select_related("response").get(pk=parent.pk)


@pytest.fixture
def parent(national_offices: None) -> Parent:
    parent = waiting_case().parents.get(role=Parent.Role.REQUESTER)
    answers_save_draft(parent=parent, answers={"communication_contact": "sometimes"})
    return parent


def test_a_save_that_raced_another_keeps_both(parent: Parent) -> None:
    stale = _fresh(parent)  # read before the other tab saves
    answers_save_draft(parent=_fresh(parent), answers={"trust_care": "mostly"})
    saved = answers_save_draft(parent=stale, answers={"child_wellbeing": "quite"})
    stored = QuestionnaireResponse.objects.get(parent=parent).answers
    assert (
        stored
        == saved.answers
        == {
            "communication_contact": "sometimes",
            "trust_care": "mostly",
            "child_wellbeing": "quite",
        }
    )


def test_a_save_read_before_the_submit_changes_nothing(parent: Parent, eager_celery: Any) -> None:
    stale = _fresh(parent)
    answers_save_draft(parent=_fresh(parent), answers=least_conflict_answers())
    answers_submit(parent=_fresh(parent))
    with pytest.raises(AlreadySubmitted):
        answers_save_draft(parent=stale, answers={"trust_care": "not_at_all"})
    assert QuestionnaireResponse.objects.get(parent=parent).answers == least_conflict_answers()


def test_a_cleared_answer_is_gone(parent: Parent) -> None:
    saved = answers_save_draft(parent=_fresh(parent), answers={"communication_contact": None})
    assert saved.answers == {} == QuestionnaireResponse.objects.get(parent=parent).answers
