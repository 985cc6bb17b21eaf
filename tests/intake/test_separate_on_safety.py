"""Through the API: a joint meeting booked on the requester's provisional answers becomes
separate meetings when the other parent's answers report fear (meklingsforskriften § 7).

Request → the requester answers (provisional, calm) → staff place the case and book a joint
meeting → the other parent submits answers reporting fear → the classify duty (Celery eager)
cancels the joint meeting and books separate ones with the same mediator; the parents get the
ordinary notices, which never say why; the desk shows the conversion.
"""

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from intake.models import AuditEvent
from scheduling.models import Appointment, AppointmentStatus
from scheduling.notifications import LocmemSmsBackend
from scheduling.separating import CANCELLED_BY_SAFETY
from scheduling.slots import SEPARATE_GAP
from tests.intake.conftest import least_conflict_answers
from tests.intake.placing_flow import FEAR, REVEALING, answer, placed_on_provisional_answers
from tests.pages.auth import verified_login

pytestmark = pytest.mark.django_db


def test_the_other_parents_fear_turns_the_booked_joint_meeting_into_separate_ones(
    call: Callable[..., Any],
    national_offices: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # Staff place the case on the provisional answers and book a joint meeting, with a
    # mediator qualified for a safety case (000 §4.2, meklingsforskriften § 7), so the meeting
    # is converted; an unqualified mediator loses the case (test_reassign_on_level_rise.py).
    placed = placed_on_provisional_answers(
        call, django_capture_on_commit_callbacks, high_conflict=True
    )
    case, mediator, staff, staff_user = (
        placed.case,
        placed.mediator,
        placed.staff,
        placed.staff_user,
    )
    reference, tokens, joint = case.reference, placed.tokens, placed.joint
    assert joint is not None
    assert not case.classification.separate_meetings_recommended

    # The other parent's answers arrive and report fear.
    answer(call, tokens["other@test.example"], {**least_conflict_answers(), **FEAR})

    case.refresh_from_db()
    assert case.classification.separate_meetings_recommended
    assert not case.classification.provisional
    joint.refresh_from_db()
    assert (joint.status, joint.cancelled_by) == (AppointmentStatus.CANCELLED, CANCELLED_BY_SAFETY)
    requester, other = Appointment.objects.filter(case=case, kind="separate").order_by("starts_at")
    assert (requester.parent_role, other.parent_role) == ("requester", "other")
    assert requester.starts_at == joint.starts_at
    assert other.starts_at == requester.ends_at + SEPARATE_GAP
    assert requester.mediator == other.mediator == mediator
    assert AuditEvent.objects.filter(
        case_reference=reference, action=AuditEvent.Action.APPOINTMENT_MADE_SEPARATE
    ).exists()

    # Each parent: a cancellation and a new time, in their language, and nothing on why.
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == ["other@test.example"] * 2 + ["requester@test.example"] * 2
    subjects = sorted(str(message.subject) for message in mail.outbox)
    assert [s.split(":")[0] for s in subjects if s.startswith(("Avlyst", "Cancelled"))] == [
        "Avlyst",
        "Cancelled",
    ]
    texts = [f"{m.subject}\n{m.body}" for m in mail.outbox]
    texts += [sms.body for sms in LocmemSmsBackend.outbox]
    for text in texts:
        assert not [word for word in REVEALING if word in text.lower()], text

    # The staff API and the desk show what happened.
    rows = {
        row["id"]: row
        for row in staff.get(f"/api/v1/cases/{reference}/appointments/").json()["appointments"]
    }
    assert rows[joint.pk]["cancelled_by"] == CANCELLED_BY_SAFETY
    desk = verified_login(Client(), staff_user)
    page = desk.get(f"/desk/cases/{reference}/").content.decode()
    assert "Gjort om til separate møter (meklingsforskriften § 7)." in page
    assert 'id="rebook-needed"' not in page
