"""Office alarms: no meeting 2 weeks after the request (3-week guidance), a near move without a
certificate (barneloven § 42a), a near court deadline without a certificate."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from intake.models import Case
from mediators.models import Office
from scheduling.duties import duties_dispatch_due
from scheduling.models import Certificate, Duty
from tests.intake.conftest import request_body

pytestmark = pytest.mark.django_db


def _sweep(capture: Any) -> None:
    with capture(execute=True):
        duties_dispatch_due()


def _request(call: Callable[..., Any], **overrides: Any) -> Case:
    Office.objects.update(email="kontor@test.example")
    reference = call("post", "/api/v1/cases/", request_body(**overrides)).json()["reference"]
    mail.outbox.clear()
    return Case.objects.get(reference=reference)


def _office_mail() -> list[str]:
    return [str(m.subject) for m in mail.outbox if m.to == ["kontor@test.example"]]


def test_office_is_told_once_when_no_meeting_is_booked_after_two_weeks(
    call: Callable[..., Any], national_offices: None, django_capture_on_commit_callbacks: Any
) -> None:
    case = _request(call)
    with time_machine.travel(case.requested_at + timedelta(days=13, hours=23), tick=False):
        _sweep(django_capture_on_commit_callbacks)
    assert _office_mail() == []
    with time_machine.travel(case.requested_at + timedelta(days=14, minutes=5), tick=False):
        _sweep(django_capture_on_commit_callbacks)
        _sweep(django_capture_on_commit_callbacks)
    assert len(_office_mail()) == 1 and case.reference in _office_mail()[0]


def test_relocation_alarm_unless_a_certificate_exists(
    call: Callable[..., Any], national_offices: None, django_capture_on_commit_callbacks: Any
) -> None:
    today = timezone.localdate()
    relocation = {
        "planned_move_date": (today + timedelta(days=60)).isoformat(),
        "notice_given_on": (today - timedelta(days=40)).isoformat(),
    }
    with_cert = _request(call, case_type="relocation", relocation=relocation)
    without = _request(call, case_type="relocation", relocation=relocation)
    parent = with_cert.parents.get(role="requester")
    Certificate.objects.create(
        case=with_cert,
        parent=parent,
        status="issued",
        number="T-1",
        issued_on=today,
        valid_until=today + timedelta(days=180),
    )
    due = Duty.objects.get(case=without, kind="alarm_relocation").due_at
    with time_machine.travel(due + timedelta(minutes=1), tick=False):
        _sweep(django_capture_on_commit_callbacks)
    subjects = [s for s in _office_mail() if "flyttedato" in s]
    assert any(without.reference in s for s in subjects)
    assert not any(with_cert.reference in s for s in subjects)
    assert Duty.objects.get(case=with_cert, kind="alarm_relocation").status == "skipped"


def test_court_deadline_alarm_a_week_before(
    call: Callable[..., Any], national_offices: None, django_capture_on_commit_callbacks: Any
) -> None:
    deadline = timezone.localdate() + timedelta(days=30)
    case = _request(
        call,
        case_type="court_referral",
        court={"court_name": "Test tingrett", "deadline": deadline.isoformat()},
    )
    duty = Duty.objects.get(case=case, kind="alarm_court")
    assert timezone.localtime(duty.due_at).date() == deadline - timedelta(days=7)
    with time_machine.travel(duty.due_at + timedelta(minutes=1), tick=False):
        _sweep(django_capture_on_commit_callbacks)
    assert any(case.reference in s and "frist" in s for s in _office_mail())
    [body] = [str(m.body) for m in mail.outbox if "Rettens frist er" in str(m.body)]
    month = "januar februar mars april mai juni juli august september oktober november desember"
    expected = f"{deadline.day}. {month.split()[deadline.month - 1]} {deadline.year}"
    assert f"Rettens frist er {expected}, og" in body  # e.g. "5. mai 2027", not "2027-05-05"
