"""The flow both intake safety tests walk through the real API: a parent requests, the
requester answers calmly (a provisional classification), staff place the case and book a
joint meeting; the tests then send the other parent's answers."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from django.core import mail
from rest_framework.test import APIClient

from config.datetime_format import OSLO
from intake.models import Case, CaseStatus
from mediators.models import Language, Mediator, User
from scheduling.models import Appointment
from scheduling.notifications import LocmemSmsBackend
from tests.factories import UserFactory
from tests.intake.conftest import least_conflict_answers, request_body, tokens_by_recipient
from tests.mediators.conftest import mediator_at
from tests.scheduling.scheduling_setup import weekly

FEAR = {"safety_fear": "often"}
# Words that would tell a parent why: the screen, its flags, or the other parent's answers.
REVEALING = ("sikker", "safety", "frykt", "fear", "vold", "violence", "§ 7", "separat", "svar")


@dataclass
class Placed:
    case: Case
    mediator: Mediator
    staff_user: User
    staff: APIClient
    tokens: dict[str, str]
    joint: Appointment | None


def answer(call: Callable[..., Any], token: str, answers: dict[str, str]) -> None:
    saved = call("put", f"/api/v1/intake/{token}/", {"answers": answers})
    assert saved.status_code == 200, saved.json()
    submitted = call("post", f"/api/v1/intake/{token}/submit")
    assert submitted.status_code == 200, submitted.json()


def requested_and_answered(call: Callable[..., Any]) -> tuple[Case, dict[str, str]]:
    created = call("post", "/api/v1/cases/", request_body())
    assert created.status_code == 201, created.json()
    tokens = tokens_by_recipient()
    answer(call, tokens["requester@test.example"], least_conflict_answers())
    case = Case.objects.get(reference=created.json()["reference"])
    assert case.classification.provisional
    assert case.classification.effective_level == "low"
    assert case.status == CaseStatus.INTAKE
    return case, tokens


def placed_on_provisional_answers(
    call: Callable[..., Any], capture: Any, *, book: bool = True, **competence: Any
) -> Placed:
    """Request → the requester answers calmly → staff place the case and book a joint meeting."""
    case, tokens = requested_and_answered(call)
    mediator = mediator_at(case, **competence)
    mediator.languages.add(Language.objects.get(code="en"))  # the other parent's
    weekly(mediator, start=time(8), end=time(16), location=case.office.locations.order_by("pk")[0])
    staff_user = UserFactory.create(office=case.office, role=User.Role.OFFICE_STAFF)
    staff = APIClient()
    staff.force_authenticate(staff_user)
    with capture(execute=True):
        placed = staff.post(
            f"/api/v1/cases/{case.reference}/assignment/", {"mediator": mediator.pk}, format="json"
        )
    assert placed.status_code in (200, 201), placed.json()
    joint = None
    if book:
        slots = staff.get(f"/api/v1/cases/{case.reference}/slots/?kind=joint").json()["slots"]
        # A morning slot, so the separate pair that may replace it (two hours and the gap)
        # fits in the same opening whatever the time of day the test runs at.
        (morning, *_) = [
            slot
            for slot in slots
            if datetime.fromisoformat(slot["starts_at"]).astimezone(OSLO).time() == time(8)
        ]
        with capture(execute=True):
            booked = staff.post(
                f"/api/v1/cases/{case.reference}/appointments/",
                {"starts_at": morning["starts_at"], "kind": "joint", "mode": "in_person"},
                format="json",
            )
        assert booked.status_code == 201, booked.json()
        [joint] = Appointment.objects.filter(case=case)
    mail.outbox.clear()
    LocmemSmsBackend.outbox.clear()
    return Placed(case, mediator, staff_user, staff, tokens, joint)
