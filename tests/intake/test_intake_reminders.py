"""Reminders to a parent who has not submitted: after 3 days and after 7, never twice,
and none once they have submitted (rows in the database, swept by beat)."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from scheduling.duties import duties_dispatch_due
from tests.intake.conftest import least_conflict_answers, request_body, tokens_by_recipient

pytestmark = pytest.mark.django_db


def _sweep(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        duties_dispatch_due()


def test_reminders_at_3_and_7_days_only_to_the_parent_who_has_not_submitted(
    call: Callable[..., Any], national_offices: None, django_capture_on_commit_callbacks: Any
) -> None:
    start = timezone.now()
    call("post", "/api/v1/cases/", request_body())
    requester = tokens_by_recipient()["requester@test.example"]
    call("put", f"/api/v1/intake/{requester}/", {"answers": least_conflict_answers()})
    call("post", f"/api/v1/intake/{requester}/submit")
    mail.outbox.clear()

    with time_machine.travel(start + timedelta(days=2, hours=23), tick=False):
        _sweep(django_capture_on_commit_callbacks)
    assert mail.outbox == []

    with time_machine.travel(start + timedelta(days=3, minutes=1), tick=False):
        _sweep(django_capture_on_commit_callbacks)
        _sweep(django_capture_on_commit_callbacks)  # a second sweep sends nothing more
    assert [m.to[0] for m in mail.outbox] == ["other@test.example"]

    with time_machine.travel(start + timedelta(days=7, minutes=1), tick=False):
        _sweep(django_capture_on_commit_callbacks)
    assert [m.to[0] for m in mail.outbox] == ["other@test.example"] * 2
    assert all("/intake/" in m.body for m in mail.outbox)


def test_no_reminder_after_the_parent_submits(
    call: Callable[..., Any], national_offices: None, django_capture_on_commit_callbacks: Any
) -> None:
    start = timezone.now()
    call("post", "/api/v1/cases/", request_body())
    for token in tokens_by_recipient().values():
        call("put", f"/api/v1/intake/{token}/", {"answers": least_conflict_answers()})
        call("post", f"/api/v1/intake/{token}/submit")
    mail.outbox.clear()
    with time_machine.travel(start + timedelta(days=8), tick=False):
        _sweep(django_capture_on_commit_callbacks)
    assert mail.outbox == []
