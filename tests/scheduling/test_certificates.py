"""The mediation certificate (meklingsattest): after the first hour held, per attending parent,
valid 6 months (barneloven § 54); refusals keep their reason; the PDF holds no answers."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from intake.models import QuestionnaireResponse
from scheduling.models import Appointment, Certificate
from tests.scheduling.scheduling_setup import World, assigned_case

pytestmark = pytest.mark.django_db
OSLO = ZoneInfo("Europe/Oslo")


def _held_meeting(
    world: World, *, starts: datetime, hours: str = "1.00", **fields: Any
) -> Appointment:
    return Appointment.objects.create(
        case=world.case,
        mediator=world.mediator,
        location=world.location,
        mode="in_person",
        kind=fields.pop("kind", "joint"),
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        hours=Decimal(hours),
        link_salt="test-salt",
        **fields,
    )


def _attendance(world: World, appointment: Appointment, requester: bool, other: bool) -> Any:
    return world.client().post(
        f"/api/v1/appointments/{appointment.pk}/attendance/",
        {"requester": requester, "other": other},
        format="json",
    )


def test_each_parent_who_came_gets_a_certificate_valid_6_months(
    django_capture_on_commit_callbacks: Any, eager_celery: None
) -> None:
    world = assigned_case()
    start = datetime(2026, 8, 31, 10, tzinfo=OSLO)
    meeting = _held_meeting(world, starts=start)
    with (
        time_machine.travel(datetime(2026, 8, 31, 12, tzinfo=OSLO), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = _attendance(world, meeting, requester=True, other=False)
    assert response.status_code == 200, response.json()
    certificates = response.json()["certificates"]
    assert [c["parent_role"] for c in certificates] == ["requester"]  # the other did not come
    certificate = Certificate.objects.get()
    assert certificate.issued_on == date(2026, 8, 31)
    assert certificate.valid_until == date(2027, 2, 28)  # 6 calendar months, clamped
    assert certificate.first_meeting_on == date(2026, 8, 31)
    sent = [m for m in mail.outbox if m.attachments]
    assert len(sent) == 1 and sent[0].attachments[0][2] == "application/pdf"
    meeting.refresh_from_db()
    assert meeting.status == "held"


def test_no_certificate_before_the_compulsory_hour_is_reached() -> None:
    world = assigned_case()
    half = _held_meeting(world, starts=timezone.now() - timedelta(hours=2), hours="0.50")
    assert _attendance(world, half, True, True).json()["certificates"] == []
    second = _held_meeting(world, starts=timezone.now() - timedelta(minutes=30), hours="0.50")
    roles = [
        c["parent_role"] for c in _attendance(world, second, True, True).json()["certificates"]
    ]
    assert sorted(roles) == ["other", "requester"]


def test_nobody_came_is_a_no_show_and_no_certificate() -> None:
    world = assigned_case()
    meeting = _held_meeting(world, starts=timezone.now() - timedelta(hours=2))
    assert _attendance(world, meeting, False, False).json()["certificates"] == []
    meeting.refresh_from_db()
    assert meeting.status == "no_show"


def test_attendance_cannot_be_recorded_before_the_meeting() -> None:
    world = assigned_case()
    meeting = _held_meeting(world, starts=timezone.now() + timedelta(days=1))
    assert _attendance(world, meeting, True, True).status_code == 400
    assert not Certificate.objects.exists()


def test_refusal_keeps_its_reason_and_blocks_a_later_certificate() -> None:
    world = assigned_case()
    url = f"/api/v1/cases/{world.case.reference}/certificate/refuse"
    assert world.client().post(url, {"parent_role": "other"}, format="json").status_code == 400
    response = world.client().post(
        url, {"parent_role": "other", "reason": "Did not take part."}, format="json"
    )
    assert response.status_code == 200
    refused = response.json()["certificates"][0]
    assert (refused["status"], refused["refusal_reason"], refused["valid_until"]) == (
        "refused",
        "Did not take part.",
        None,
    )
    meeting = _held_meeting(world, starts=timezone.now() - timedelta(hours=2))
    roles = {
        c["parent_role"]: c["status"]
        for c in _attendance(world, meeting, True, True).json()["certificates"]
    }
    assert roles == {"other": "refused", "requester": "issued"}


def test_relocation_shows_whether_the_certificate_came_before_the_move() -> None:
    world = assigned_case()
    world.case.case_type = "relocation"
    world.case.planned_move_date = timezone.localdate() + timedelta(days=30)
    world.case.move_notice_given_on = timezone.localdate() - timedelta(days=60)
    world.case.save()
    meeting = _held_meeting(world, starts=timezone.now() - timedelta(hours=2))
    body = _attendance(world, meeting, True, True).json()
    assert body["relocation"]["certificate_before_move"] is True


def test_pdf_names_the_parent_and_validity_but_holds_no_questionnaire_content() -> None:
    world = assigned_case()
    requester = world.case.parents.get(role="requester")
    QuestionnaireResponse.objects.create(
        parent=requester,
        questionnaire_version="2026.1",
        answers={"anything_else": "HEMMELIG-SVAR-123"},
        submitted_at=timezone.now(),
    )
    meeting = _held_meeting(world, starts=timezone.now() - timedelta(hours=2))
    _attendance(world, meeting, True, False)
    response = world.client().get(f"/api/v1/cases/{world.case.reference}/certificate/requester.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    assert world.case.reference.encode() in pdf and requester.family_name.encode() in pdf
    assert b"HEMMELIG-SVAR-123" not in pdf
    missing = world.client().get(f"/api/v1/cases/{world.case.reference}/certificate/other.pdf")
    assert missing.status_code == 404


def test_expiry_notice_is_a_duty_14_days_before_at_9_oslo() -> None:
    from scheduling.models import Duty

    world = assigned_case()
    meeting = _held_meeting(world, starts=timezone.now() - timedelta(hours=2))
    _attendance(world, meeting, True, False)
    certificate = Certificate.objects.get()
    duty = Duty.objects.get(kind="certificate_expiry")
    assert certificate.valid_until is not None
    expected = datetime.combine(certificate.valid_until - timedelta(days=14), time(9), tzinfo=OSLO)
    assert duty.due_at == expected
