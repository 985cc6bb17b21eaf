"""The autosave's statements written out (intake/autosave.py) give what the ORM gives.

The link lookup and the conditional UPDATE are SQL, not ORM, because they are the busiest path
(bench/load_questionnaires.py). These hold them to the ORM on the same rows: the same links
refused, the same draft loaded field by field, the written answers read back by the ORM.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from intake.answers import answers_save_draft, answers_submit
from intake.autosave import draft_link_resolve, draft_write
from intake.links import LinkInvalid, link_issue, link_resolve, link_token
from intake.models import IntakeLink, Parent, QuestionnaireResponse
from tests.intake.conftest import least_conflict_answers
from tests.mediators.conftest import waiting_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def parent(national_offices: None) -> Parent:
    return waiting_case().parents.get(role=Parent.Role.REQUESTER)


def _fields(response: QuestionnaireResponse | None) -> dict[str, Any] | None:
    if response is None:
        return None
    return {f.attname: getattr(response, f.attname) for f in response._meta.concrete_fields}


@pytest.mark.parametrize("saved", [False, True], ids=["before the first save", "with a draft"])
def test_the_lookup_loads_what_the_orm_loads(parent: Parent, saved: bool) -> None:
    if saved:
        answers_save_draft(parent=parent, answers={"communication_contact": "sometimes"})
    token = link_token(link_issue(parent=parent))
    by_orm = link_resolve(token, with_response=True)
    draft = draft_link_resolve(token)
    assert draft.parent.pk == by_orm.parent.pk == parent.pk
    assert _fields(draft.response) == _fields(getattr(by_orm.parent, "response", None))
    assert (draft.response is not None) == saved


def _revoked(parent: Parent) -> str:
    token = link_token(link_issue(parent=parent))
    link_issue(parent=parent)  # a new link revokes the earlier one
    return token


def _expired(parent: Parent) -> str:
    link = link_issue(parent=parent)
    IntakeLink.objects.filter(pk=link.pk).update(
        created_at=timezone.now() - timedelta(days=60), expires_at=timezone.now()
    )
    return link_token(link)


def _wrong_salt(parent: Parent) -> str:
    link = link_issue(parent=parent)
    link.salt = "not-the-salt"
    return link_token(link)


def _unknown_link(parent: Parent) -> str:
    link = link_issue(parent=parent)
    link.pk = link.pk + 1000
    return link_token(link)


def _tampered(parent: Parent) -> str:
    token = link_token(link_issue(parent=parent))
    return token[:-2] + ("AA" if not token.endswith("AA") else "BB")


@pytest.mark.parametrize(
    "make_token",
    [_revoked, _expired, _wrong_salt, _unknown_link, _tampered],
    ids=["revoked", "expired", "wrong salt", "unknown link", "tampered"],
)
def test_the_lookup_refuses_what_the_orm_refuses(
    parent: Parent, make_token: Callable[[Parent], str]
) -> None:
    token = make_token(parent)
    with pytest.raises(LinkInvalid):
        link_resolve(token, with_response=True)
    with pytest.raises(LinkInvalid):
        draft_link_resolve(token)


def test_the_minimal_save_of_a_dead_link_is_the_same_404(parent: Parent) -> None:
    token = _revoked(parent)
    url = f"/api/v1/intake/{token}/"
    body = {"answers": {"communication_contact": "sometimes"}}
    full = APIClient().put(url, body, format="json")
    minimal = APIClient().put(url, body, format="json", HTTP_PREFER="return=minimal")
    assert full.status_code == minimal.status_code == 404
    assert full.json() == minimal.json()
    assert not QuestionnaireResponse.objects.filter(parent=parent).exists()


def test_the_first_save_by_the_minimal_path_makes_the_draft(parent: Parent) -> None:
    token = link_token(link_issue(parent=parent))
    reply = APIClient().put(
        f"/api/v1/intake/{token}/",
        {"answers": {"communication_contact": "sometimes"}},
        format="json",
        HTTP_PREFER="return=minimal",
    )
    assert reply.status_code == 200, reply.json()
    stored = QuestionnaireResponse.objects.get(parent=parent)
    assert stored.answers == {"communication_contact": "sometimes"}
    assert reply.json()["saved_at"] == stored.updated_at.isoformat().replace("+00:00", "Z")


def test_the_write_applies_only_to_the_row_as_read(parent: Parent, eager_celery: Any) -> None:
    answers_save_draft(parent=parent, answers={"communication_contact": "sometimes"})
    token = link_token(link_issue(parent=parent))
    read = draft_link_resolve(token).response
    assert read is not None
    later = read.updated_at + timedelta(seconds=1)
    assert draft_write(response=read, answers={"trust_care": "mostly"}, now=later)
    # `read` is stale now: its updated_at is not the row's any more.
    assert not draft_write(response=read, answers={"trust_care": "not_at_all"}, now=later)
    assert QuestionnaireResponse.objects.get(parent=parent).answers == {"trust_care": "mostly"}

    answers_save_draft(parent=parent, answers=least_conflict_answers())
    answers_submit(parent=Parent.objects.get(pk=parent.pk))
    submitted = draft_link_resolve(token).response
    assert submitted is not None and submitted.submitted_at is not None
    assert not draft_write(response=submitted, answers={}, now=later + timedelta(hours=1))
    assert QuestionnaireResponse.objects.get(parent=parent).answers == least_conflict_answers()


@given(text=st.text(st.characters(blacklist_characters="\x00"), max_size=300))
@hypothesis_settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_any_free_text_written_is_read_back_and_encrypted(parent: Parent, text: str) -> None:
    """The write encrypts as the ORM's field does: the ORM reads back exactly what was written
    and the column holds no plain text."""
    response, _ = QuestionnaireResponse.objects.get_or_create(
        parent=parent, defaults={"questionnaire_version": "v1"}
    )
    response.refresh_from_db()
    answers = {"anything_else": text}
    assert draft_write(
        response=response, answers=answers, now=response.updated_at + timedelta(seconds=1)
    )
    assert QuestionnaireResponse.objects.get(pk=response.pk).answers == answers
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT answers FROM intake_questionnaireresponse WHERE id = %s", [response.pk]
        )
        (stored,) = cursor.fetchone()
    assert "anything_else" not in stored
    assert len(text) < 4 or text not in stored
