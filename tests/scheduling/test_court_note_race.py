"""Ten people send the first note of one case at once: exactly one note is written, the others
get the 409 `court_note_exists`, never a 500 or a second version 1."""

import threading
from collections import Counter
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from rest_framework.test import APIClient

from scheduling.models import CourtNote
from scheduling.tasks import run_duty
from tests.scheduling.court_setup import note_body, referral_world

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 10


def test_one_first_note_when_many_write_at_once() -> None:
    referral = referral_world()
    barrier = threading.Barrier(THREADS)
    results: list[Any] = []

    def run() -> None:
        try:
            client = APIClient()
            client.force_authenticate(referral.world.staff)
            barrier.wait(timeout=60)
            response = client.post(
                f"/api/v1/cases/{referral.case.reference}/court-note/", note_body(), format="json"
            )
            results.append((response.status_code, response.json().get("error", {}).get("code")))
        except Exception as error:  # a thread's failure must show in the assertions
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    with mock.patch.object(run_duty, "delay"):  # the broker is not what this test is about
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert Counter(results) == {(201, None): 1, (409, "court_note_exists"): THREADS - 1}
    assert list(CourtNote.objects.values_list("version", flat=True)) == [1]
