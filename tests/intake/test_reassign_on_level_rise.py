"""Through the API: a case placed on the requester's provisional answers goes back to the queue
when the other parent's answers make it high conflict and its mediator lacks the competence.

Both parents answer before the first meeting (000 §4.2), not before booking, so the office
may place and book on the requester's answers. A high level or a safety flag then needs a
mediator with high-conflict competence (`competence.high_conflict`, 000 §4.2) who can hold
separate meetings (`competence.separate_meetings`, meklingsforskriften § 7). If the mediator
lacks them, the assignment (or offer) ends, the future meetings are cancelled with the
ordinary, neutral notices, the case waits to be placed again, the office is alarmed and the
audit log says so. A qualified mediator keeps the case; a second run changes nothing.
"""

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from intake.classifying import classification_recompute
from intake.models import AuditEvent, Case, CaseStatus
from mediators.models import Assignment, Offer, User
from mediators.reassigning import CANCELLED_BY_RECHECK, REASSIGN_ALARM, assignment_recheck
from mediators.selectors import cases_waiting_in
from scheduling.models import Appointment, AppointmentStatus, Duty
from scheduling.notifications import LocmemSmsBackend
from tests.factories import UserFactory
from tests.intake.conftest import least_conflict_answers, request_body
from tests.intake.placing_flow import (
    FEAR,
    REVEALING,
    answer,
    placed_on_provisional_answers,
    requested_and_answered,
)
from tests.pages.auth import verified_login

pytestmark = pytest.mark.django_db

# The other parent's answers meet `pattern.high_conflict` (low trust, little or negative
# communication, little will to cooperate: 000 §4.2), with no safety answer.
HIGH_CONFLICT = {
    "trust_agreements": "not_at_all",
    "trust_care": "not_at_all",
    "communication_contact": "never",
    "communication_tone": "hostile",
    "cooperation_willingness": "not_at_all",
}
# Nor may the neutral notice hint at the level or at the mediator's competence.
ALSO_REVEALING = ("konflikt", "conflict", "kompetanse", "competence", "tildel", "assign")
PARENT_EMAILS = ("other@test.example", "requester@test.example")
PROVISIONAL_NB = "Foreløpig: den andre forelderen har ikke svart ennå."


def test_high_conflict_answers_end_an_unqualified_mediators_assignment(
    call: Callable[..., Any], national_offices: None, django_capture_on_commit_callbacks: Any
) -> None:
    """000 §4.2 (`competence.high_conflict`), meklingsforskriften § 7
    (`competence.separate_meetings`): the placement made on provisional answers is undone."""
    placed = placed_on_provisional_answers(call, django_capture_on_commit_callbacks)
    case, joint = placed.case, placed.joint
    assert joint is not None
    assignment = Assignment.objects.get(case=case)

    answer(call, placed.tokens["other@test.example"], {**least_conflict_answers(), **HIGH_CONFLICT})

    case.refresh_from_db()
    assert not case.classification.provisional
    assert case.classification.effective_level == "high"
    assert not case.classification.separate_meetings_recommended  # the level alone did it
    assignment.refresh_from_db()
    assert assignment.ended_at is not None
    joint.refresh_from_db()
    assert (joint.status, joint.cancelled_by) == (AppointmentStatus.CANCELLED, CANCELLED_BY_RECHECK)
    assert not Appointment.objects.filter(case=case, status=AppointmentStatus.BOOKED).exists()
    # Both parents have answered: back to READY, in the queue for placing again.
    assert case.status == CaseStatus.READY
    assert case in cases_waiting_in(user=placed.staff_user, office_ids=[case.office.pk])
    assert Duty.objects.filter(case=case, kind=REASSIGN_ALARM).count() == 1
    [audit] = AuditEvent.objects.filter(
        case_reference=case.reference, action=AuditEvent.Action.CASE_UNASSIGNED
    )
    assert audit.detail["mediator"] == placed.mediator.pk
    assert audit.detail["assignment"] == assignment.pk
    assert audit.detail["cancelled"] == [joint.pk]
    assert audit.detail["rules"] == ["competence.high_conflict"]  # separate meetings by default

    # Each parent hears only that the meeting is cancelled, in their language, never why.
    parents = [m for m in mail.outbox if m.to[0] in PARENT_EMAILS]
    assert sorted(str(m.subject).split(":")[0] for m in parents) == ["Avlyst", "Cancelled"]
    assert LocmemSmsBackend.outbox  # the requester gave a phone number
    for text in [f"{m.subject}\n{m.body}" for m in parents] + [
        sms.body for sms in LocmemSmsBackend.outbox
    ]:
        found = [word for word in (*REVEALING, *ALSO_REVEALING) if word in text.lower()]
        assert not found, text

    # Running it again finds no placement left: nothing more happens.
    assert assignment_recheck(case=case) is None
    classification_recompute(case=case)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CASE_UNASSIGNED).count() == 1
    assert Duty.objects.filter(case=case, kind=REASSIGN_ALARM).count() == 1


def test_fear_with_an_unqualified_mediator_cancels_rather_than_converts(
    call: Callable[..., Any], national_offices: None, django_capture_on_commit_callbacks: Any
) -> None:
    """meklingsforskriften § 7: separate meetings are not booked with a mediator who may not
    hold them (high-conflict competence alone is not enough); the joint meeting is cancelled
    and the case placed again."""
    placed = placed_on_provisional_answers(
        call, django_capture_on_commit_callbacks, high_conflict=True, separate_meetings=False
    )
    answer(call, placed.tokens["other@test.example"], {**least_conflict_answers(), **FEAR})

    case = placed.case
    case.refresh_from_db()
    assert case.classification.separate_meetings_recommended
    assert case.status == CaseStatus.READY
    assert not Assignment.objects.filter(case=case, ended_at__isnull=True).exists()
    assert not Appointment.objects.filter(case=case, kind="separate").exists()
    [audit] = AuditEvent.objects.filter(action=AuditEvent.Action.CASE_UNASSIGNED)
    assert audit.detail["rules"] == ["competence.separate_meetings"]
    assert placed.joint is not None
    placed.joint.refresh_from_db()
    assert placed.joint.cancelled_by == CANCELLED_BY_RECHECK
    parents = [f"{m.subject}\n{m.body}" for m in mail.outbox if m.to[0] in PARENT_EMAILS]
    assert len(parents) == 2
    for text in parents + [sms.body for sms in LocmemSmsBackend.outbox]:
        assert not [word for word in (*REVEALING, *ALSO_REVEALING) if word in text.lower()], text


def test_a_qualified_mediator_keeps_the_case(
    call: Callable[..., Any], national_offices: None, django_capture_on_commit_callbacks: Any
) -> None:
    """000 §4.2, meklingsforskriften § 7: a mediator with both competences stays eligible."""
    placed = placed_on_provisional_answers(
        call, django_capture_on_commit_callbacks, high_conflict=True, separate_meetings=True
    )
    answer(call, placed.tokens["other@test.example"], {**least_conflict_answers(), **HIGH_CONFLICT})

    case = placed.case
    case.refresh_from_db()
    assert case.classification.effective_level == "high"
    assert case.status == CaseStatus.SCHEDULED
    assert Assignment.objects.get(case=case).ended_at is None
    assert placed.joint is not None
    placed.joint.refresh_from_db()
    assert placed.joint.status == AppointmentStatus.BOOKED
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.CASE_UNASSIGNED).exists()
    assert not Duty.objects.filter(kind=REASSIGN_ALARM).exists()
    assert assignment_recheck(case=case) is None


def test_a_pending_offer_to_an_unqualified_external_is_withdrawn(
    call: Callable[..., Any], national_offices: None, django_capture_on_commit_callbacks: Any
) -> None:
    """000 §4.2, meklingsforskriften § 7: an offer is a placement too; it is withdrawn."""
    placed = placed_on_provisional_answers(
        call, django_capture_on_commit_callbacks, book=False, kind="external"
    )
    offer = Offer.objects.get(case=placed.case)
    assert offer.status == Offer.Status.PENDING

    answer(call, placed.tokens["other@test.example"], {**least_conflict_answers(), **HIGH_CONFLICT})

    offer.refresh_from_db()
    assert offer.status == Offer.Status.WITHDRAWN
    case = placed.case
    case.refresh_from_db()
    assert case.status == CaseStatus.READY
    # Its reminder and expiry stop with it.
    assert not Duty.objects.filter(key__startswith=f"offer:{offer.pk}:", status="pending").exists()
    [audit] = AuditEvent.objects.filter(action=AuditEvent.Action.CASE_UNASSIGNED)
    assert audit.detail["offer"] == offer.pk


def test_the_desk_queue_lists_the_provisional_case_with_its_marker(
    call: Callable[..., Any], national_offices: None
) -> None:
    """000 §4.2: both parents answer before the first meeting, not before placing, so a case
    whose requester has answered waits for assignment, marked as provisional."""
    case, _tokens = requested_and_answered(call)
    unanswered = call("post", "/api/v1/cases/", request_body()).json()["reference"]
    staff_user = UserFactory.create(office=case.office, role=User.Role.OFFICE_STAFF)

    waiting = cases_waiting_in(user=staff_user, office_ids=[case.office.pk])
    assert [row.reference for row in waiting] == [case.reference]  # not the unanswered one

    # A READY case comes first.
    other = Case.objects.get(reference=unanswered)
    Case.objects.filter(pk=other.pk).update(status=CaseStatus.READY)
    waiting = cases_waiting_in(user=staff_user, office_ids=[case.office.pk])
    assert [row.reference for row in waiting] == [unanswered, case.reference]

    desk = verified_login(Client(), staff_user)
    page = desk.get("/desk/").content.decode()
    assert page.count(PROVISIONAL_NB) == 1  # the INTAKE case, not the READY one
    row = page[page.index(f">{case.reference}<") :]
    assert row.index(PROVISIONAL_NB) < row.index("</tr>")


def test_staff_raising_the_level_ends_an_unqualified_mediators_assignment(
    call: Callable[..., Any], national_offices: None, django_capture_on_commit_callbacks: Any
) -> None:
    """000 §4.2 (`competence.high_conflict`): a staff override to high demands what high
    answers would; the override is audited, and the placement is undone the same way."""
    placed = placed_on_provisional_answers(call, django_capture_on_commit_callbacks)
    case = placed.case
    overridden = placed.staff.post(
        f"/api/v1/cases/{case.reference}/classification/override",
        {"level": "high", "reason": "Rettsdokumentene beskriver trusler (syntetisk)."},
        format="json",
    )
    assert overridden.status_code == 200, overridden.json()
    case.refresh_from_db()
    assert case.classification.effective_level == "high"
    assert not Assignment.objects.filter(case=case, ended_at__isnull=True).exists()
    assert case.status == CaseStatus.INTAKE  # the other parent has still not answered
    actions = set(
        AuditEvent.objects.filter(case_reference=case.reference).values_list("action", flat=True)
    )
    assert {
        AuditEvent.Action.CLASSIFICATION_OVERRIDDEN,
        AuditEvent.Action.CASE_UNASSIGNED,
    } <= actions
    assert Duty.objects.filter(case=case, kind=REASSIGN_ALARM).count() == 1
    assert placed.joint is not None
    placed.joint.refresh_from_db()
    assert placed.joint.status == AppointmentStatus.CANCELLED
