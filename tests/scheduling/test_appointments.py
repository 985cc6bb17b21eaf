"""Booking, moving and cancelling appointments: the rules, the invites, the reminders, the API."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from icalendar import Calendar
from rest_framework.test import APIClient

from intake.links import link_issue, link_url
from intake.models import CaseStatus, QuestionnaireResponse
from scheduling.appointment_notices import (
    appointment_link_resolve,
    appointment_link_token,
    questionnaire_link,
)
from scheduling.appointments import appointment_book, appointment_cancel, appointment_reschedule
from scheduling.booking_rules import HoursLimit, SlotTaken, case_hours
from scheduling.duties import duty_execute
from scheduling.models import Appointment, AppointmentStatus, Duty
from scheduling.notifications import LocmemSmsBackend
from tests.factories import UserFactory
from tests.scheduling.scheduling_setup import (
    World,
    assigned_case,
    frozen_with_empty_outboxes,
    weekly,
)

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.scheduling.scheduling_urls")]

NOW = datetime(2027, 1, 1, 9, tzinfo=UTC)  # Friday 1 January 2027, 10:00 in Oslo
MONDAY_9 = datetime(2027, 1, 4, 8, tzinfo=UTC)  # Monday 4 January, 09:00 in Oslo (CET)


@pytest.fixture(autouse=True)
def _frozen_and_empty() -> Iterator[None]:
    with frozen_with_empty_outboxes(NOW):
        yield


@pytest.fixture
def world() -> World:
    world = assigned_case()
    weekly(world.mediator, start=time(8), end=time(16), location=world.location)
    return world


@pytest.fixture
def safety() -> World:
    world = assigned_case(safety=True)
    weekly(world.mediator, start=time(8), end=time(16), location=world.location)
    return world


@pytest.fixture
def sent(eager_celery: None, django_capture_on_commit_callbacks: Any) -> Any:
    """Run notice duties inline when the booking commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _post(client: APIClient, world: World, starts_at: datetime, **body: Any) -> Any:
    body = {"starts_at": starts_at.isoformat(), "kind": "joint", "mode": "in_person", **body}
    return client.post(f"/api/v1/cases/{world.case.reference}/appointments/", body, format="json")


def _book(world: World, starts_at: datetime = MONDAY_9, **kwargs: Any) -> list[Appointment]:
    kwargs.setdefault("kind", "joint")
    kwargs.setdefault("mode", "in_person")
    return appointment_book(case=world.case, starts_at=starts_at, actor=world.staff, **kwargs)


def _invite(message: Any) -> Any:
    [(filename, content, mimetype)] = message.attachments
    assert filename == "mekling.ics" and mimetype.startswith("text/calendar; method=")
    calendar = Calendar.from_ical(content)
    [event] = calendar.walk("VEVENT")
    return calendar, event


def _keys(kind: str) -> dict[str, tuple[str, datetime]]:
    return {d.key: (d.status, d.due_at) for d in Duty.objects.filter(kind=kind)}


def test_booking_a_joint_meeting_stores_utc_and_schedules_notices_and_reminders(
    world: World,
) -> None:
    response = _post(world.client(), world, MONDAY_9 + timedelta(hours=2))
    assert response.status_code == 201, response.json()
    [row] = response.json()["appointments"]
    assert row["starts_at"] == "2027-01-04T11:00:00+01:00"  # rendered in TIME_ZONE
    assert row["local"] == "2027-01-04T11:00:00+01:00"
    assert row["location"] == world.location.pk and row["hours"] == 1.0
    assert response.json()["hours_used"] == 1.0
    appointment = Appointment.objects.get()
    assert appointment.starts_at == datetime(2027, 1, 4, 10, tzinfo=UTC)
    assert appointment.created_by == world.staff
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.SCHEDULED
    pk = appointment.pk
    assert set(_keys("appointment_notice")) == {
        f"appointment_notice:{pk}:0:requester",
        f"appointment_notice:{pk}:0:other",
    }
    assert _keys("appointment_reminder") == {
        f"appointment_reminder:{pk}:0:{role}:{h}h": (
            "pending",
            appointment.starts_at - timedelta(hours=h),
        )
        for role in ("requester", "other")
        for h in (72, 24)
    }


def test_a_reminder_already_due_at_booking_is_not_scheduled(world: World) -> None:
    # 09:00 on Monday is exactly 71 hours away: only the 24-hour reminders are made.
    [appointment] = _book(world)
    assert set(_keys("appointment_reminder")) == {
        f"appointment_reminder:{appointment.pk}:0:{role}:24h" for role in ("requester", "other")
    }


def test_each_parent_gets_their_own_invite_link_and_language(world: World, sent: Any) -> None:
    with sent():
        [appointment] = _book(world)
    assert len(mail.outbox) == 2
    by_address = {m.to[0]: m for m in mail.outbox}
    parents = {p.role: p for p in world.case.parents.all()}
    nb, en = by_address[parents["requester"].email], by_address[parents["other"].email]
    assert (
        nb.subject
        == f"Meklingsmøte mandag 4. januar 2027 kl. 09.00–10.00 (sak {world.case.reference})"
    )
    assert en.subject.startswith("Mediation meeting Monday 4 January 2027, 09:00–10:00")
    for role, message in (("requester", nb), ("other", en)):
        calendar, event = _invite(message)
        assert calendar["METHOD"] == "REQUEST"
        assert str(event["UID"]) == f"appointment-{appointment.pk}@mekling.test"
        assert event.decoded("DTSTART") == MONDAY_9
        assert event["DTSTART"].to_ical() == b"20270104T080000Z"
        assert event["SEQUENCE"] == 0
        # Only the recipient is named: never the other parent's address.
        assert str(event["ATTENDEE"]) == f"mailto:{parents[role].email}"
        assert parents["other" if role == "requester" else "requester"].email not in str(
            calendar.to_ical()
        )
        link = next(line for line in message.body.splitlines() if "/appointments/" in line)
        token = link.rstrip("/").rsplit("/", 1)[1]
        assert appointment_link_resolve(token) == (appointment, role)
    assert 'Content-Type: text/calendar; method="REQUEST"' in nb.message().as_string()
    [sms] = LocmemSmsBackend.outbox
    assert sms.to == "+4791234567" and "/appointments/" in sms.body


def test_reschedule_bumps_the_sequence_replaces_reminders_and_sends_an_update(
    world: World, sent: Any
) -> None:
    [appointment] = _book(world)
    new_start = MONDAY_9 + timedelta(days=1, hours=2)
    mail.outbox.clear()
    with sent():
        moved = appointment_reschedule(
            appointment=appointment, starts_at=new_start, actor=world.staff
        )
    assert (moved.sequence, moved.starts_at, moved.ends_at) == (
        1,
        new_start,
        new_start + timedelta(hours=1),
    )
    reminders = _keys("appointment_reminder")
    assert {k for k, (s, _) in reminders.items() if s == "pending"} == {
        f"appointment_reminder:{moved.pk}:1:{role}:{h}h"
        for role in ("requester", "other")
        for h in (72, 24)
    }
    assert {s for k, (s, _) in reminders.items() if ":0:" in k} == {"cancelled"}
    assert len(mail.outbox) == 2
    calendar, event = _invite(mail.outbox[0])
    assert (calendar["METHOD"], event["SEQUENCE"]) == ("REQUEST", 1)
    assert event.decoded("DTSTART") == new_start
    assert mail.outbox[0].subject.startswith(("Ny tid", "New time"))


def test_cancel_sends_method_cancel_and_no_reminder_is_sent_afterwards(
    world: World, sent: Any
) -> None:
    [appointment] = _book(world)
    appointment = appointment_reschedule(
        appointment=appointment, starts_at=MONDAY_9 + timedelta(hours=3)
    )
    old_reminder = Duty.objects.get(key=f"appointment_reminder:{appointment.pk}:1:requester:24h")
    mail.outbox.clear()
    with sent():
        cancelled = appointment_cancel(appointment=appointment, actor=world.staff, reason="sick")
    assert (cancelled.status, cancelled.sequence, cancelled.cancel_reason) == (
        "cancelled",
        2,
        "sick",
    )
    assert cancelled.cancelled_by == f"staff:{world.staff.username}"
    assert not Duty.objects.filter(kind="appointment_reminder", status="pending").exists()
    calendar, event = _invite(mail.outbox[0])
    assert calendar["METHOD"] == "CANCEL"
    assert (event["STATUS"], event["SEQUENCE"]) == ("CANCELLED", 2)
    assert str(event["UID"]) == f"appointment-{appointment.pk}@mekling.test"
    # A reminder that somehow still ran sends nothing for a cancelled appointment.
    Duty.objects.filter(pk=old_reminder.pk).update(status="pending")
    mail.outbox.clear()
    assert duty_execute(duty_id=old_reminder.pk) is not None
    old_reminder.refresh_from_db()
    assert old_reminder.status == "skipped" and mail.outbox == []
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.ASSIGNED


def test_a_due_reminder_is_sent_to_the_parent_in_their_language(world: World) -> None:
    [appointment] = _book(world)
    reminder = Duty.objects.get(key=f"appointment_reminder:{appointment.pk}:0:other:24h")
    duty_execute(duty_id=reminder.pk)
    [message] = mail.outbox
    assert message.subject.startswith("Reminder: Mediation meeting Monday 4 January 2027")
    assert message.attachments == []


def test_a_parent_who_has_not_answered_is_asked_to_before_the_meeting(
    world: World, sent: Any
) -> None:
    """000 §4.2: both parents answer before the first meeting, but a case may be booked on one
    parent's answers. The booking notice and the reminders carry the questionnaire link to the
    parent whose answers are not in, and only to them; once they submit, it stops."""
    parents = {p.role: p for p in world.case.parents.all()}
    links = {role: link_issue(parent=parent) for role, parent in parents.items()}
    QuestionnaireResponse.objects.create(
        parent=parents["other"], questionnaire_version="v1", answers={}, submitted_at=NOW
    )
    with sent():
        [appointment] = _book(world)
    by_address = {m.to[0]: m for m in mail.outbox}
    asked, answered = by_address[parents["requester"].email], by_address[parents["other"].email]
    assert link_url(links["requester"]) in asked.body
    assert "Du har ikke svart på spørsmålene før mekling ennå" in asked.body
    assert "/intake/" not in answered.body
    [sms] = LocmemSmsBackend.outbox
    assert link_url(links["requester"]) in sms.body

    mail.outbox.clear()
    for role in ("requester", "other"):
        reminder = Duty.objects.get(key=f"appointment_reminder:{appointment.pk}:0:{role}:24h")
        duty_execute(duty_id=reminder.pk)
    by_address = {m.to[0]: m for m in mail.outbox}
    assert link_url(links["requester"]) in by_address[parents["requester"].email].body
    assert "/intake/" not in by_address[parents["other"].email].body

    QuestionnaireResponse.objects.create(
        parent=parents["requester"], questionnaire_version="v1", answers={}, submitted_at=NOW
    )
    assert questionnaire_link(parents["requester"]) == ""


def test_the_hours_limit_of_7_refuses_a_booking_beyond_it(world: World) -> None:
    client = world.client()
    for day, minutes in ((0, 180), (1, 180), (2, 60)):
        response = _post(client, world, MONDAY_9 + timedelta(days=day), minutes=minutes)
        assert response.status_code == 201, response.json()
    assert response.json()["hours_used"] == 7.0
    over = _post(client, world, MONDAY_9 + timedelta(days=3), minutes=15)
    assert over.status_code == 400
    assert over.json()["error"]["code"] == "hours_limit"
    assert "7 hours" in over.json()["error"]["message"]
    assert Appointment.objects.count() == 3
    # A cancelled hour is given back.
    appointment_cancel(appointment=Appointment.objects.latest("pk"), actor=world.staff)
    assert _post(client, world, MONDAY_9 + timedelta(days=3)).status_code == 201


def test_a_meeting_nobody_came_to_gives_its_hours_back(world: World) -> None:
    """meklingsforskriften § 1 limits the hours of mediation: a no-show was none, so it does
    not count against the 7 hours, and the next booking is again the compulsory hour."""
    client = world.client()
    for day, minutes in ((0, 180), (1, 180), (2, 60)):
        assert (
            _post(client, world, MONDAY_9 + timedelta(days=day), minutes=minutes).status_code == 201
        )
    Appointment.objects.filter(starts_at=MONDAY_9).update(status=AppointmentStatus.NO_SHOW)
    assert max(case_hours(case=world.case).values()) == 4
    assert _post(client, world, MONDAY_9 + timedelta(days=3), minutes=180).status_code == 201
    assert _post(client, world, MONDAY_9 + timedelta(days=4), minutes=15).status_code == 400


def test_the_first_booking_must_be_the_compulsory_hour_with_the_parents(world: World) -> None:
    client = world.client()
    short = _post(client, world, MONDAY_9, minutes=45)
    assert short.status_code == 400 and "compulsory" in short.json()["error"]["message"]
    child_first = _post(client, world, MONDAY_9, kind="child_talk", consents=["requester", "other"])
    assert child_first.status_code == 400
    assert _post(client, world, MONDAY_9).status_code == 201
    assert _post(client, world, MONDAY_9 + timedelta(days=1), minutes=45).status_code == 201


def test_a_safety_case_refuses_joint_and_books_staggered_separate_meetings(
    safety: World,
) -> None:
    client = safety.client()
    joint = _post(client, safety, MONDAY_9)
    assert joint.status_code == 400 and joint.json()["error"]["fields"]["kind"]
    response = _post(client, safety, MONDAY_9, kind="separate")
    assert response.status_code == 201, response.json()
    first, second = Appointment.objects.order_by("starts_at")
    assert (first.parent_role, second.parent_role) == ("requester", "other")
    assert first.ends_at < second.starts_at
    assert second.starts_at - first.ends_at == timedelta(minutes=15)
    # Each parent has had one hour; so has the case.
    assert case_hours(case=safety.case) == {"requester": Decimal(1), "other": Decimal(1)}
    assert response.json()["hours_used"] == 1.0


def test_separate_invites_never_tell_a_parent_when_the_other_parent_comes(
    safety: World, sent: Any
) -> None:
    with sent():
        first, second = _book(safety, kind="separate")
    parents = {p.role: p for p in safety.case.parents.all()}
    assert len(mail.outbox) == 2
    for role, own, other in (("requester", first, second), ("other", second, first)):
        [message] = [m for m in mail.outbox if m.to == [parents[role].email]]
        _, event = _invite(message)
        assert event.decoded("DTSTART") == own.starts_at
        assert str(event["UID"]) == f"appointment-{own.pk}@mekling.test"
        other_local = other.starts_at.astimezone(UTC) + timedelta(hours=1)
        assert f"{other_local:%H}.{other_local:%M}" not in message.body
        assert f"{other_local:%H}:{other_local:%M}" not in message.body


def test_one_parent_cannot_be_moved_next_to_the_other_parents_meeting(safety: World) -> None:
    first, second = _book(safety, kind="separate")  # 09:00–10:00 and 10:15–11:15 in Oslo
    with pytest.raises(SlotTaken):
        # 11:15–12:15: the mediator is free, but the parents would pass each other at the door.
        appointment_reschedule(appointment=first, starts_at=second.ends_at)
    moved = appointment_reschedule(
        appointment=first, starts_at=second.ends_at + timedelta(minutes=15)
    )
    assert moved.sequence == 1 and moved.starts_at - second.ends_at == timedelta(minutes=15)
    second.refresh_from_db()
    assert second.sequence == 0 and second.starts_at == MONDAY_9 + timedelta(minutes=75)


def test_a_child_talk_needs_both_parents_consent_when_a_child_is_under_16(world: World) -> None:
    _book(world)
    client = world.client()
    tuesday = MONDAY_9 + timedelta(days=1)
    missing = _post(client, world, tuesday, kind="child_talk", consents=["requester"])
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "consent_missing"
    assert "other" in missing.json()["error"]["fields"]["consents"][0]
    given = _post(client, world, tuesday, kind="child_talk", consents=["requester", "other"])
    assert given.status_code == 201, given.json()
    row = Appointment.objects.get(kind="child_talk")
    assert row.consent_requester_at == NOW and row.consent_other_at == NOW


def test_a_child_of_16_needs_no_consent_but_the_mediator_needs_the_competence() -> None:
    world = assigned_case(children=[date(2010, 1, 1)])  # 17 in January 2027
    weekly(world.mediator, start=time(8), end=time(16))
    _book(world, mode="video")
    [talk] = _book(world, MONDAY_9 + timedelta(days=1), kind="child_talk", mode="video")
    assert talk.consent_requester_at is None
    world.mediator.child_talk = False
    world.mediator.save()
    response = _post(
        world.client(), world, MONDAY_9 + timedelta(days=2), kind="child_talk", mode="video"
    )
    assert response.status_code == 400 and "child talks" in response.json()["error"]["message"]


def test_a_double_booking_of_the_mediator_answers_409(world: World) -> None:
    _book(world)
    other = assigned_case(mediator=world.mediator, location=world.location)
    response = _post(other.client(), other, MONDAY_9 + timedelta(minutes=30))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "slot_taken"
    with pytest.raises(SlotTaken):
        _book(other, MONDAY_9 - timedelta(minutes=30))
    # Back to back is fine: ranges are [start, end).
    assert _post(other.client(), other, MONDAY_9 + timedelta(hours=1)).status_code == 201


def test_the_database_refuses_overlapping_rows_of_one_mediator(world: World) -> None:
    [booked] = _book(world)
    fields = {
        "case": world.case,
        "mediator": world.mediator,
        "mode": "video",
        "kind": "joint",
        "hours": Decimal(1),
        "link_salt": "x",
        "starts_at": MONDAY_9 + timedelta(minutes=59),
        "ends_at": MONDAY_9 + timedelta(hours=2),
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(**fields)
    booked.status, booked.cancelled_at = "cancelled", NOW
    booked.save()
    Appointment.objects.create(**fields)  # a cancelled appointment no longer holds the time


def test_times_outside_opening_hours_on_holidays_or_in_the_past_are_refused(world: World) -> None:
    client = world.client()
    for starts_at in (
        MONDAY_9 + timedelta(hours=7, minutes=30),  # 16:30 local, after closing
        datetime(2027, 1, 2, 9, tzinfo=UTC),  # Saturday
        datetime(2027, 3, 29, 7, tzinfo=UTC),  # Easter Monday
        datetime(2026, 12, 31, 9, tzinfo=UTC),  # yesterday
    ):
        response = _post(client, world, starts_at)
        assert response.status_code == 400, starts_at
    naive = client.post(
        f"/api/v1/cases/{world.case.reference}/appointments/",
        {"starts_at": "2027-01-04T09:00:00", "kind": "joint", "mode": "in_person"},
        format="json",
    )
    assert naive.status_code == 400
    assert "offset" in str(naive.json()["error"]["fields"]["starts_at"])
    assert Appointment.objects.count() == 0


def test_summer_time_bookings_are_stored_and_invited_in_utc(world: World, sent: Any) -> None:
    with sent():
        response = _post(world.client(), world, datetime(2027, 3, 30, 9, tzinfo=_oslo_summer()))
    assert response.status_code == 201, response.json()
    appointment = Appointment.objects.get()
    assert appointment.starts_at == datetime(2027, 3, 30, 7, tzinfo=UTC)
    _, event = _invite(mail.outbox[0])
    assert event["DTSTART"].to_ical() == b"20270330T070000Z"


def test_staff_list_move_and_cancel_through_the_api(world: World) -> None:
    client = world.client()
    _post(client, world, MONDAY_9)
    listing = client.get(f"/api/v1/cases/{world.case.reference}/appointments/").json()
    [row] = listing["appointments"]
    assert (listing["hours_used"], listing["hours_max"]) == (1.0, 7)
    moved = client.post(
        f"/api/v1/appointments/{row['id']}/reschedule/",
        {"starts_at": "2027-01-05T13:00:00+01:00"},
        format="json",
    )
    assert moved.status_code == 200 and moved.json()["sequence"] == 1
    cancelled = client.post(
        f"/api/v1/appointments/{row['id']}/cancel/", {"reason": "parents agreed"}, format="json"
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    again = client.post(f"/api/v1/appointments/{row['id']}/cancel/", {}, format="json")
    assert again.status_code == 409


def test_staff_of_another_office_see_nothing(world: World) -> None:
    _book(world)
    stranger = APIClient()
    stranger.force_authenticate(UserFactory.create())
    appointment = Appointment.objects.get()
    assert stranger.get(f"/api/v1/cases/{world.case.reference}/slots/").status_code == 404
    assert stranger.get(f"/api/v1/cases/{world.case.reference}/appointments/").status_code == 404
    assert (
        stranger.post(
            f"/api/v1/appointments/{appointment.pk}/cancel/", {}, format="json"
        ).status_code
        == 404
    )
    assert APIClient().get(f"/api/v1/cases/{world.case.reference}/slots/").status_code in (401, 403)


def test_the_slots_api_lists_free_times_with_local_labels(world: World) -> None:
    body = (
        world.client()
        .get(f"/api/v1/cases/{world.case.reference}/slots/", {"from": "2027-01-04", "days": "1"})
        .json()
    )
    assert body["mediator"] == world.mediator.pk
    first = body["slots"][0]
    assert first["local"] == "2027-01-04 08:00–09:00"
    assert (first["starts_at"], first["ends_at"]) == (
        "2027-01-04T07:00:00Z",
        "2027-01-04T08:00:00Z",
    )
    assert first["meetings"] == [
        {"parent_role": None, "starts_at": first["starts_at"], "ends_at": first["ends_at"]}
    ]
    assert first["location"] == world.location.pk
    assert first["modes"] == ["in_person", "video", "phone"]
    assert len(body["slots"]) == 15  # 08:00 … 15:00 every half hour


def test_a_parent_sees_downloads_moves_and_cancels_by_their_link(world: World) -> None:
    [appointment] = _book(world)
    token = appointment_link_token(appointment, "other")
    parent = APIClient()
    base = f"/api/v1/appointments/by-link/{token}"
    seen = parent.get(f"{base}/").json()
    assert seen["id"] == appointment.pk and "email" not in str(seen)
    ics = parent.get(f"{base}/ics")
    assert ics.status_code == 200 and ics["Content-Type"].startswith("text/calendar")
    assert b"UID:appointment-" in ics.content and b"DTSTART:20270104T080000Z" in ics.content
    slots = parent.get(f"{base}/slots/", {"from": "2027-01-04", "days": "1"}).json()["slots"]
    assert slots[0]["starts_at"] == "2027-01-04T07:00:00Z"  # 08:00 in Oslo
    assert any(s["starts_at"] == "2027-01-04T08:00:00Z" for s in slots)  # its own time is free
    moved = parent.post(
        f"{base}/reschedule/", {"starts_at": "2027-01-05T09:00:00+01:00"}, format="json"
    )
    assert moved.status_code == 200, moved.json()
    assert moved.json()["sequence"] == 1
    cancelled = parent.post(f"{base}/cancel/", {"reason": "ill"}, format="json")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    appointment.refresh_from_db()
    assert appointment.cancelled_by == "parent:other"
    assert parent.post(f"{base}/cancel/", {}, format="json").status_code == 409
    assert parent.get(f"/api/v1/appointments/by-link/{token}x/").status_code == 404


def test_a_separate_meetings_link_belongs_to_that_parent_only(safety: World) -> None:
    first, _ = _book(safety, kind="separate")
    assert appointment_link_resolve(appointment_link_token(first, "requester"))[0] == first
    wrong = appointment_link_token(first, "other")
    assert APIClient().get(f"/api/v1/appointments/by-link/{wrong}/").status_code == 404


def test_hours_limit_is_checked_by_the_service_too(world: World) -> None:
    _book(world, duration=timedelta(hours=4))
    _book(world, MONDAY_9 + timedelta(days=1), duration=timedelta(hours=3))
    with pytest.raises(HoursLimit):
        _book(world, MONDAY_9 + timedelta(days=2), duration=timedelta(minutes=15))


def _oslo_summer() -> Any:
    from datetime import timezone as tz

    return tz(timedelta(hours=2))
