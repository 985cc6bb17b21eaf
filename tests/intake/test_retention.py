"""Retention after the case closes (meklingsforskriften § 9): answers and classification
details go after RETENTION_ANSWERS_DAYS (30), the protocol after 3 years; the audit rows stay,
without remote addresses; a second run does nothing."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from intake.models import AuditEvent, Case, Classification, QuestionnaireResponse
from intake.retention import retention_due_within, retention_run
from intake.services import case_close
from scheduling.schedules import SCHEDULES
from tests.factories import ParentFactory

pytestmark = pytest.mark.django_db


def _closed_case(days_ago: int) -> Case:
    parent = ParentFactory.create()
    case = parent.case
    QuestionnaireResponse.objects.create(
        parent=parent, questionnaire_version="v1", answers={"anything_else": "synthetic"}
    )
    Classification.objects.create(
        case=case,
        level="high",
        provisional=False,
        score=0.9,
        reasons=[{"item_id": "safety_fear", "choice": "often"}],
        safety_flags=["fear"],
        separate_meetings_recommended=True,
        rules_version="t",
        questionnaire_version="v1",
        computed_at=timezone.now(),
    )
    AuditEvent.objects.create(
        action="case_read", case_reference=case.reference, actor_label="s", remote_addr="192.0.2.9"
    )
    case_close(case=case)
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - timedelta(days=days_ago))
    case.refresh_from_db()
    return case


def test_answers_go_after_30_days_the_protocol_after_3_years_and_reruns_do_nothing() -> None:
    recent, month, old = _closed_case(29), _closed_case(31), _closed_case(3 * 366)
    open_case = ParentFactory.create().case

    outcome = retention_run()
    assert (outcome.answers_purged, outcome.protocols_deleted) == (1, 1)
    assert retention_run() == type(outcome)(0, 0)  # idempotent

    # 31 days: answers emptied, the level kept, the details gone.
    assert QuestionnaireResponse.objects.get(parent__case=month).answers == {}
    kept = Classification.objects.get(case=month)
    assert (kept.level, kept.reasons, kept.safety_flags, kept.score) == ("high", [], [], 0)
    assert Case.objects.get(pk=month.pk).answers_purged_at is not None
    # 29 days and open cases: untouched.
    assert QuestionnaireResponse.objects.get(parent__case=recent).answers != {}
    assert Case.objects.filter(pk=open_case.pk).exists()
    # 3 years: the case and everything of it gone; its audit rows stay without an address.
    assert not Case.objects.filter(pk=old.pk).exists()
    assert not QuestionnaireResponse.objects.filter(parent__case_id=old.pk).exists()
    rows = AuditEvent.objects.filter(case_reference=old.reference)
    assert rows.filter(action="protocol_deleted").exists()
    assert rows.filter(action="case_read").get().remote_addr is None
    assert (
        AuditEvent.objects.filter(case_reference=month.reference, action="case_read")
        .get()
        .remote_addr
        == "192.0.2.9"
    )


def test_the_answers_period_is_a_setting() -> None:
    case = _closed_case(10)
    with override_settings(RETENTION_ANSWERS_DAYS=7):
        assert retention_run().answers_purged == 1
    assert QuestionnaireResponse.objects.get(parent__case=case).answers == {}


def test_what_is_due_in_the_next_30_days_is_listed_with_dates() -> None:
    soon = _closed_case(10)  # answers due in 20 days
    _closed_case(0)  # due in 30 days: inside the window
    ParentFactory.create()  # open: nothing due
    due = retention_due_within(cases=Case.objects.all(), days=30, now=timezone.now())
    assert (due[0].case.pk, due[0].what) == (soon.pk, "answers")
    assert soon.closed_at is not None
    assert due[0].on == timezone.localdate(soon.closed_at + timedelta(days=30))
    assert {row.what for row in due} == {"answers"}


def test_beat_runs_retention_daily() -> None:
    [schedule] = [s for s in SCHEDULES if s.task == "intake.retention_run"]
    assert schedule.every_seconds == 24 * 60 * 60
