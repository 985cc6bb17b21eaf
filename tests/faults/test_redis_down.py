"""Redis stopped while a parent submits: the submission is stored and answered; the queued
work (classification) runs once Redis is back (issue #7, must show 3).

The broker here is a private redis-server the test kills and starts again on the same port;
the database is the test database on the shared PostgreSQL.
"""

import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from config.celery import app as celery_app
from intake.models import Case, Classification, QuestionnaireResponse
from scheduling.duties import duties_dispatch_due
from scheduling.models import Duty
from tests.faults.conftest import PrivateRedis, Workers, wait_for
from tests.intake.conftest import least_conflict_answers, request_body, tokens_by_recipient


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_parent_submits_while_redis_is_down_and_classification_runs_once_it_is_back(
    call: Callable[..., Any],
    national_offices: None,
    private_broker: PrivateRedis,
    workers: Workers,
) -> None:
    # The case is asked for while all is well (its link mails run inline, eagerly).
    reference = call("post", "/api/v1/cases/", request_body()).json()["reference"]
    token = tokens_by_recipient()["requester@test.example"]
    celery_app.conf.task_always_eager = False

    private_broker.stop()
    client = APIClient()
    started = time.monotonic()
    put = client.put(
        f"/api/v1/intake/{token}/", {"answers": least_conflict_answers()}, format="json"
    )
    submitted = client.post(f"/api/v1/intake/{token}/submit", format="json")
    took = time.monotonic() - started

    assert put.status_code == 200, put.content
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["submitted_at"]
    assert took < 5, f"the parent waited {took:.1f} s for a broker that is down"
    case = Case.objects.get(reference=reference)
    response = QuestionnaireResponse.objects.get(parent__case=case, parent__role="requester")
    assert response.submitted_at is not None
    classify = Duty.objects.get(kind="classify", case=case)
    assert (classify.status, classify.attempts, classify.claimed_at) == ("pending", 0, None)
    assert not Classification.objects.filter(case=case).exists()

    # Redis is back; beat's next sweep sends the duty, a real worker runs it.
    private_broker.start()
    assert duties_dispatch_due() >= 1
    workers.start(name="redis-back", database_url=_database_url(), broker_url=private_broker.url())

    def classified() -> bool:
        classify.refresh_from_db()
        return classify.status == Duty.Status.DONE

    wait_for(classified, 60, "the classify duty to run", workers.tail)
    assert (classify.attempts, classify.outcome) == (1, "classified")
    assert Classification.objects.get(case=case).provisional
