"""Every change of a case is audited with who, what and from where (issue #7): booking,
moving and cancelling appointments, issuing certificates."""

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine

from intake.models import AuditEvent
from scheduling.appointments import appointment_book, appointment_cancel, appointment_reschedule
from scheduling.certificates import certificates_issue_due
from scheduling.models import AppointmentStatus
from tests.scheduling.scheduling_setup import assigned_case, weekly

pytestmark = pytest.mark.django_db
NOW = datetime(2027, 1, 1, 9, tzinfo=UTC)
MONDAY_9 = datetime(2027, 1, 4, 8, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _events(reference: str) -> list[tuple[str, str, str | None]]:
    rows = AuditEvent.objects.filter(case_reference=reference).order_by("pk")
    return [(e.action, e.actor_label, e.remote_addr) for e in rows]


def test_book_reschedule_cancel_and_certificate_are_audited() -> None:
    world = assigned_case()
    weekly(world.mediator, start=time(8), end=time(16), location=world.location)
    [row] = appointment_book(
        case=world.case,
        starts_at=MONDAY_9,
        kind="joint",
        mode="in_person",
        actor=world.staff,
        remote_addr="192.0.2.10",
    )
    appointment_reschedule(
        appointment=row,
        starts_at=MONDAY_9 + timedelta(days=1),
        by="parent:other",
        remote_addr="192.0.2.11",
    )
    row.refresh_from_db()
    appointment_cancel(appointment=row, actor=world.staff, reason="Synthetic reason")
    row.status = AppointmentStatus.HELD
    row.attended_requester = True
    row.save()
    certificates_issue_due(case=world.case, actor=world.staff, remote_addr="192.0.2.12")
    name = world.staff.get_username()
    assert _events(world.case.reference) == [
        ("appointment_booked", name, "192.0.2.10"),
        ("appointment_rescheduled", "parent:other", "192.0.2.11"),
        ("appointment_cancelled", name, None),
        ("certificate_issued", name, "192.0.2.12"),
    ]
    assert "Synthetic reason" not in str(list(AuditEvent.objects.values_list("detail", flat=True)))
