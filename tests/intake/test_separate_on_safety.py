"""Through the API: a joint meeting booked on the requester's provisional answers becomes
separate meetings when the other parent's answers report fear (meklingsforskriften § 7).

Request → the requester answers (provisional, calm) → staff place the case and book a joint
meeting → the other parent submits answers reporting fear → the classify duty (Celery eager)
cancels the joint meeting and books separate ones with the same mediator; the parents get the
ordinary notices, which never say why; the desk shows the conversion.
"""

from collections.abc import Callable
from datetime import time
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from intake.models import AuditEvent, Case
from mediators.models import Language, User
from scheduling.models import Appointment, AppointmentStatus
from scheduling.notifications import LocmemSmsBackend
from scheduling.separating import CANCELLED_BY_SAFETY
from scheduling.slots import SEPARATE_GAP
from tests.factories import UserFactory
from tests.intake.conftest import least_conflict_answers, request_body, tokens_by_recipient
from tests.mediators.conftest import mediator_at
from tests.pages.auth import verified_login
from tests.scheduling.scheduling_setup import weekly

pytestmark = pytest.mark.django_db

FEAR = {"safety_fear": "often"}
# Words that would tell a parent why: the screen, its flags, or the other parent's answers.
REVEALING = ("sikker", "safety", "frykt", "fear", "vold", "violence", "§ 7", "separat", "svar")


def _answer(call: Callable[..., Any], token: str, answers: dict[str, str]) -> Any:
    saved = call("put", f"/api/v1/intake/{token}/", {"answers": answers})
    assert saved.status_code == 200, saved.json()
    submitted = call("post", f"/api/v1/intake/{token}/submit")
    assert submitted.status_code == 200, submitted.json()
    return submitted


def test_the_other_parents_fear_turns_the_booked_joint_meeting_into_separate_ones(
    call: Callable[..., Any],
    national_offices: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    created = call("post", "/api/v1/cases/", request_body())
    assert created.status_code == 201, created.json()
    reference = created.json()["reference"]
    tokens = tokens_by_recipient()
    _answer(call, tokens["requester@test.example"], least_conflict_answers())
    case = Case.objects.get(reference=reference)
    assert case.classification.provisional
    assert not case.classification.separate_meetings_recommended

    # Staff place the case on the provisional answers and book a joint meeting.
    # Qualified for a safety case (000 §4.2, meklingsforskriften § 7), so the meeting is
    # converted; an unqualified mediator loses the case (test_reassign_on_level_rise.py).
    mediator = mediator_at(case, high_conflict=True)
    mediator.languages.add(Language.objects.get(code="en"))  # the other parent's
    weekly(mediator, start=time(8), end=time(16), location=case.office.locations.order_by("pk")[0])
    staff_user = UserFactory.create(office=case.office, role=User.Role.OFFICE_STAFF)
    staff = APIClient()
    staff.force_authenticate(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        placed = staff.post(
            f"/api/v1/cases/{reference}/assignment/", {"mediator": mediator.pk}, format="json"
        )
    assert placed.status_code in (200, 201), placed.json()
    slots = staff.get(f"/api/v1/cases/{reference}/slots/?kind=joint").json()["slots"]
    with django_capture_on_commit_callbacks(execute=True):
        booked = staff.post(
            f"/api/v1/cases/{reference}/appointments/",
            {"starts_at": slots[0]["starts_at"], "kind": "joint", "mode": "in_person"},
            format="json",
        )
    assert booked.status_code == 201, booked.json()
    [joint] = Appointment.objects.filter(case=case)
    mail.outbox.clear()
    LocmemSmsBackend.outbox.clear()

    # The other parent's answers arrive and report fear.
    _answer(call, tokens["other@test.example"], {**least_conflict_answers(), **FEAR})

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
