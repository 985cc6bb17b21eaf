"""A joint meeting booked before the screen turned to safety becomes separate meetings.

meklingsforskriften § 7: where there is violence or fear ("sterke grunner") the parents meet
the mediator separately. A joint meeting booked on the requester's provisional answers must
not take place once the other parent's answers report fear: it is cancelled and separate
meetings are booked in its place with the same mediator, or the office is alarmed to rebook.
"""

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from intake.classifying import classification_recompute
from intake.models import AuditEvent, Case, CaseStatus, Classification, QuestionnaireResponse
from scheduling.appointments import appointment_book
from scheduling.booking_rules import SlotTaken
from scheduling.models import Appointment, AppointmentStatus, Availability, Duty
from scheduling.notifications import LocmemSmsBackend
from scheduling.selectors import appointments_to_rebook
from scheduling.separating import CANCELLED_BY_SAFETY, appointments_enforce_separate
from scheduling.webhooks.models import Event, EventType
from tests.pages.auth import verified_login
from tests.pages.desk_setup import CALM, answers_for
from tests.scheduling.scheduling_setup import (
    World,
    assigned_case,
    frozen_with_empty_outboxes,
    weekly,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 1, 1, 9, tzinfo=UTC)  # Friday 1 January 2027, 10:00 in Oslo
MONDAY_9 = datetime(2027, 1, 4, 8, tzinfo=UTC)  # Monday 4 January, 09:00 in Oslo (CET)
TUESDAY_8 = datetime(2027, 1, 5, 7, tzinfo=UTC)  # Tuesday 5 January, 08:00 in Oslo
GAP = timedelta(hours=1, minutes=15)  # one hour, then slots.SEPARATE_GAP

# Words that would tell a parent why: the screen, its flags, or the other parent's answers.
REVEALING = (
    "sikker",
    "safety",
    "frykt",
    "fear",
    "vold",
    "violence",
    "trus",
    "threat",
    "§ 7",
    "separat",
    "svar",
    "answer",
    "andre forelder",
    "other parent",
)


@pytest.fixture(autouse=True)
def _frozen_and_empty() -> Iterator[None]:
    with frozen_with_empty_outboxes(NOW):
        yield


@pytest.fixture
def world() -> World:
    world = assigned_case()
    # Qualified for what the screen turns into (000 §4.2, meklingsforskriften § 7): an
    # unqualified mediator loses the case instead (tests/intake/test_reassign_on_level_rise.py).
    world.mediator.high_conflict = True
    world.mediator.save(update_fields=["high_conflict"])
    weekly(world.mediator, start=time(8), end=time(16), location=world.location)
    return world


def _submit(case: Case, role: str, answers: dict[str, str]) -> None:
    QuestionnaireResponse.objects.create(
        parent=case.parents.get(role=role),
        questionnaire_version="2026.1",
        answers=answers,
        submitted_at=timezone.now(),
    )
    classification_recompute(case=Case.objects.get(pk=case.pk))


def _joint_on_provisional_answers(world: World, starts_at: datetime = MONDAY_9) -> Appointment:
    """The requester's calm answers alone (provisional), and a joint meeting booked on them."""
    _submit(world.case, "requester", answers_for(CALM))
    classification = Classification.objects.get(case=world.case)
    assert classification.provisional and not classification.separate_meetings_recommended
    [joint] = appointment_book(
        case=world.case, starts_at=starts_at, kind="joint", mode="in_person", actor=world.staff
    )
    return joint


def _other_parent_reports_fear(world: World) -> None:
    _submit(world.case, "other", answers_for(CALM, fear=True))
    assert Classification.objects.get(case=world.case).separate_meetings_recommended


def _separate(world: World) -> list[Appointment]:
    return list(Appointment.objects.filter(case=world.case, kind="separate").order_by("starts_at"))


def test_the_screen_turning_to_safety_converts_the_joint_meeting_to_separate_ones(
    world: World,
) -> None:
    """meklingsforskriften § 7: same mediator, place and start; the other parent after the gap."""
    joint = _joint_on_provisional_answers(world)
    _other_parent_reports_fear(world)

    joint.refresh_from_db()
    assert joint.status == AppointmentStatus.CANCELLED
    assert joint.cancelled_by == CANCELLED_BY_SAFETY and joint.cancel_reason == ""
    requester, other = _separate(world)
    assert [(a.parent_role, a.starts_at, a.status) for a in (requester, other)] == [
        ("requester", MONDAY_9, AppointmentStatus.BOOKED),
        ("other", MONDAY_9 + GAP, AppointmentStatus.BOOKED),
    ]
    for row in (requester, other):
        assert (row.mediator, row.location, row.mode) == (
            world.mediator,
            world.location,
            "in_person",
        )
        assert row.duration == joint.duration
    assert Case.objects.get(pk=world.case.pk).status == CaseStatus.SCHEDULED

    [event] = AuditEvent.objects.filter(action=AuditEvent.Action.APPOINTMENT_MADE_SEPARATE)
    assert event.case_reference == world.case.reference and event.actor_label == "system"
    assert event.detail == {
        "cancelled": joint.pk,
        "booked": [requester.pk, other.pk],
        "needs_rebooking": False,
    }
    types = list(Event.objects.filter(case=world.case).values_list("type", flat=True))
    assert types.count(EventType.APPOINTMENT_CANCELLED) == 1
    assert types.count(EventType.APPOINTMENT_BOOKED) == 3  # the joint meeting, then the pair
    assert not Duty.objects.filter(kind="alarm_rebook").exists()


def test_a_full_calendar_at_that_start_takes_the_mediators_first_free_pair(world: World) -> None:
    """The pair takes 2 h 15 min: Monday's opening ends at 10:00, so Tuesday 08:00 it is."""
    Availability.objects.filter(mediator=world.mediator).delete()
    weekly(world.mediator, weekdays=[0], start=time(8), end=time(10), location=world.location)
    weekly(world.mediator, weekdays=[1], start=time(8), end=time(16), location=world.location)
    _joint_on_provisional_answers(world)
    _other_parent_reports_fear(world)

    requester, other = _separate(world)
    assert (requester.starts_at, other.starts_at) == (TUESDAY_8, TUESDAY_8 + GAP)
    assert requester.mediator == world.mediator and requester.location == world.location


def test_no_fitting_time_still_cancels_the_joint_meeting_and_alarms_the_office(
    world: World, eager_celery: None, django_capture_on_commit_callbacks: Any
) -> None:
    """Safety first (meklingsforskriften § 7): the parents must not meet, even unrebooked."""
    Availability.objects.filter(mediator=world.mediator).delete()
    weekly(world.mediator, weekdays=[0], start=time(9), end=time(10), location=world.location)
    joint = _joint_on_provisional_answers(world)
    with django_capture_on_commit_callbacks(execute=True):
        _other_parent_reports_fear(world)

    joint.refresh_from_db()
    assert joint.status == AppointmentStatus.CANCELLED and not _separate(world)
    assert Case.objects.get(pk=world.case.pk).status == CaseStatus.ASSIGNED
    alarm = Duty.objects.get(kind="alarm_rebook")
    assert alarm.key == f"alarm:{world.case.pk}:rebook:{joint.pk}"
    assert (alarm.status, alarm.outcome) == ("done", "office alarmed: book separate meetings")
    [office_mail] = [m for m in mail.outbox if m.to == ["kontor@test.example"]]
    assert world.case.reference in office_mail.subject
    assert "separate møter må bookes" in office_mail.subject
    assert appointments_to_rebook(case=world.case) == [joint]
    [event] = AuditEvent.objects.filter(action=AuditEvent.Action.APPOINTMENT_MADE_SEPARATE)
    assert event.detail == {"cancelled": joint.pk, "booked": [], "needs_rebooking": True}

    # The desk shows it until separate meetings are booked.
    desk = verified_login(Client(), world.staff)
    page = desk.get(f"/desk/cases/{world.case.reference}/").content.decode()
    assert 'id="rebook-needed"' in page
    assert "Avlyst for separate møter (meklingsforskriften § 7): må bookes på nytt." in page
    weekly(world.mediator, weekdays=[2], start=time(8), end=time(16), location=world.location)
    appointment_book(
        case=world.case,
        starts_at=datetime(2027, 1, 6, 7, tzinfo=UTC),
        kind="separate",
        mode="in_person",
        actor=world.staff,
    )
    assert appointments_to_rebook(case=world.case) == []
    page = desk.get(f"/desk/cases/{world.case.reference}/").content.decode()
    assert 'id="rebook-needed"' not in page


def test_running_it_again_changes_nothing(world: World) -> None:
    _joint_on_provisional_answers(world)
    _other_parent_reports_fear(world)

    def counts() -> tuple[int, ...]:
        return (
            Appointment.objects.count(),
            AuditEvent.objects.count(),
            Duty.objects.count(),
            # A recompute records its own case.classified event, and nothing else.
            Event.objects.exclude(type=EventType.CASE_CLASSIFIED).count(),
        )

    before = counts()
    assert appointments_enforce_separate(case=world.case) == []
    classification_recompute(case=world.case)  # the classify duty run twice
    assert counts() == before


def test_past_held_meetings_and_child_talks_are_left_alone(world: World) -> None:
    first = _joint_on_provisional_answers(world)
    with time_machine.travel(MONDAY_9 + timedelta(days=1), tick=False):
        Appointment.objects.filter(pk=first.pk).update(status=AppointmentStatus.HELD)
        [unrecorded] = appointment_book(
            case=world.case,
            starts_at=MONDAY_9 + timedelta(days=1, hours=1),
            kind="joint",
            mode="in_person",
        )
        [child_talk] = appointment_book(
            case=world.case,
            starts_at=MONDAY_9 + timedelta(days=7),
            kind="child_talk",
            mode="in_person",
            consents=["requester", "other"],
        )
        [follow_up] = appointment_book(
            case=world.case, starts_at=MONDAY_9 + timedelta(days=8), kind="joint", mode="video"
        )
    with time_machine.travel(MONDAY_9 + timedelta(days=1, hours=3), tick=False):
        _other_parent_reports_fear(world)

    statuses = dict(Appointment.objects.values_list("pk", "status"))
    assert statuses[first.pk] == AppointmentStatus.HELD
    assert statuses[unrecorded.pk] == AppointmentStatus.BOOKED  # it has already taken place
    assert statuses[child_talk.pk] == AppointmentStatus.BOOKED
    assert statuses[follow_up.pk] == AppointmentStatus.CANCELLED  # a future joint follow-up
    requester, other = _separate(world)
    assert (requester.starts_at, other.starts_at) == (
        follow_up.starts_at,
        follow_up.starts_at + GAP,
    )
    assert requester.mode == "video" and requester.location is None


def test_the_parents_hear_of_new_times_but_never_why(
    world: World, eager_celery: None, django_capture_on_commit_callbacks: Any
) -> None:
    """Never show one parent what the other answered: the notices are the ordinary ones."""
    _joint_on_provisional_answers(world)
    mail.outbox.clear()
    LocmemSmsBackend.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _other_parent_reports_fear(world)

    requester = world.case.parents.get(role="requester")
    other = world.case.parents.get(role="other")
    by_parent = {
        email: sorted(str(m.subject) for m in mail.outbox if m.to == [email])
        for email in (requester.email, other.email)
    }
    assert by_parent[requester.email] == [
        f"Avlyst: Meklingsmøte mandag 4. januar 2027 kl. 09.00–10.00 (sak {world.case.reference})",
        f"Meklingsmøte mandag 4. januar 2027 kl. 09.00–10.00 (sak {world.case.reference})",
    ]
    assert by_parent[other.email] == [
        f"Cancelled: Mediation meeting Monday 4 January 2027, 09:00–10:00 "
        f"(case {world.case.reference})",
        f"Mediation meeting Monday 4 January 2027, 10:15–11:15 (case {world.case.reference})",
    ]
    assert len(LocmemSmsBackend.outbox) == 2  # the requester gave a phone: cancelled, booked
    texts = [f"{m.subject}\n{m.body}" for m in mail.outbox]
    texts += [
        content.decode() if isinstance(content, bytes) else str(content)
        for m in mail.outbox
        for _, content, _ in m.attachments
    ]
    texts += [sms.body for sms in LocmemSmsBackend.outbox]
    for text in texts:
        lowered = text.lower()
        assert not [word for word in REVEALING if word in lowered], text


def test_a_joint_booking_that_raced_the_screen_is_refused_under_the_case_lock(
    world: World,
) -> None:
    """The kind is checked again under the case's lock, which the conversion also takes."""
    _submit(world.case, "requester", answers_for(CALM))
    stale = Case.objects.select_related("classification").get(pk=world.case.pk)
    assert not stale.classification.separate_meetings_recommended
    _other_parent_reports_fear(world)  # commits while the booking had read the old screen
    with pytest.raises(Exception, match="meklingsforskriften § 7") as refused:
        appointment_book(case=stale, starts_at=MONDAY_9, kind="joint", mode="in_person")
    assert not isinstance(refused.value, SlotTaken)
    assert not Appointment.objects.exists()
