"""End to end on real servers with time travel (issue #5): request → answers → offer → accept
with a slot → invites → reminders 72 h and 24 h before (not early, never twice) → the hour held
→ a certificate per parent.

What runs for real: PostgreSQL (the pytest test database), Redis (a database of its own,
E2E_REDIS_URL, default db 12, emptied before and after), a Celery worker (prefork, two
processes) and `celery beat` with the project's scheduler (CELERY_BEAT_SCHEDULER, reading the
schedule `schedules_install` writes). The test only calls the API and never sweeps: every
reminder goes out because beat sent `scheduling.sweep_duties`.

Time travel (tests/scheduling/real_servers.py): worker and beat are separate processes under
libfaketime, reading the clock's offset from a file the test rewrites; the test process travels
to the same instant with time-machine. Separate processes rather than threads under
time-machine, because that is how production runs them (their own clocks, connections and
broker channels); libfaketime only needs a workaround for time.sleep (wolfcw/libfaketime#426).
PostgreSQL's own clock is not faked: nothing on these paths uses the database's now(); every
timestamp (auto_now, due_at, claimed_at, last_seen) comes from Python's timezone.now().

A tick: before each jump the test adds a `heartbeat_probe` duty due at the new instant. A sweep
claims every due duty in one transaction, so once the probe is done and nothing is claimed,
the sweep after the jump has run and all it sent has finished. The probe's claim time is the
sweep's own clock: a "not yet" tick checks that the sweep ran before the reminder was due.

"Sent exactly once" is checked on what the worker sent (file outboxes), beside the duty rows.
"""

import os
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from config.celery import app as celery_app
from config.legal import rule_value
from intake.models import Case, CaseStatus
from mediators.assigning import OFFER_HOURS
from mediators.models import Language, Mediator, Offer, User
from scheduling.models import Appointment, Certificate, Duty
from scheduling.schedules import schedules_install
from tests.factories import UserFactory
from tests.intake.conftest import TOKEN_IN_LINK, least_conflict_answers, request_body
from tests.mediators.conftest import mediator_at
from tests.scheduling.real_servers import Sent, Servers, SharedClock
from tests.scheduling.scheduling_setup import weekly

REDIS_URL = os.environ.get("E2E_REDIS_URL", "redis://127.0.0.1:6379/12")
# A little over beat's 60 s sweep interval, so each tick is one new sweep.
TICK = timedelta(seconds=65)
BOOK_AFTER_DAYS = 15  # past the intake reminders (3, 7 days) and the waiting alarm (14 days)
REQUESTER, OTHER = "requester@test.example", "other@test.example"
REQUESTER_PHONE = "+4741234567"


def _to_parents(kind: str) -> tuple[Sent, ...]:
    """A mail to each parent, and an SMS to the requester (the only one who gave a phone)."""
    return (("mail", REQUESTER, kind), ("mail", OTHER, kind), ("sms", REQUESTER_PHONE, kind))


@pytest.fixture
def own_redis(monkeypatch: pytest.MonkeyPatch) -> Iterator[redis.Redis]:
    """Sends from this process go to the test's own Redis database, emptied around it."""
    monkeypatch.setitem(celery_app.conf, "broker_url", REDIS_URL)
    monkeypatch.setattr(celery_app, "_pool", None)  # without the cached pools, the new URL
    monkeypatch.setattr(celery_app.amqp, "_producer_pool", None)
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    try:
        yield client
    finally:
        client.flushdb()


@pytest.fixture
def clock(tmp_path: Path) -> Iterator[SharedClock]:
    shared = SharedClock(tmp_path / "faketime.offset")
    try:
        yield shared
    finally:
        shared.stop()


@pytest.fixture
def servers(own_redis: redis.Redis, clock: SharedClock, tmp_path: Path) -> Iterator[Servers]:
    """Started, not yet waited for: they boot while the test sets up its world."""
    schedules_install()  # beat reads its schedule from the database, as in production
    running = Servers.start(clock=clock, broker_url=REDIS_URL, folder=tmp_path)
    try:
        yield running
    finally:
        running.stop()


class Walk:
    """The case's way through the service, step by step, with what each step must leave."""

    def __init__(self, servers: Servers, clock: SharedClock) -> None:
        self.servers, self.clock = servers, clock
        self.sent: Counter[Sent] = Counter()  # what must have been sent so far
        self.ticks = 0

    def expect_sent(self, *items: Sent) -> None:
        self.sent.update(items)
        self.servers.wait_for(
            f"the outbox to hold {sorted(self.sent.elements())}",
            lambda: self.servers.outbox.ledger() >= self.sent,
        )
        assert self.servers.outbox.ledger() == self.sent, "sent something unexpected (or twice)"

    def tick(self, at: datetime) -> Duty:
        """Travel to `at`; return once beat's next sweep has run and what it sent has finished."""
        self.ticks += 1
        probe = Duty.objects.create(kind="heartbeat_probe", key=f"e2e:tick:{self.ticks}", due_at=at)
        self.clock.travel_to(at)
        self.servers.wait_for(
            f"beat's sweep after travelling to {at:%Y-%m-%d %H:%M:%S} UTC",
            lambda: (
                Duty.objects.filter(pk=probe.pk, status="done").exists()
                and not Duty.objects.filter(status="claimed").exists()
            ),
        )
        probe.refresh_from_db()
        assert probe.claimed_at is not None and probe.attempts == 1
        return probe


def _request_and_answer(walk: Walk, client: APIClient) -> Case:
    """A request through the API; each parent answers through the link the worker sent them."""
    created = client.post("/api/v1/cases/", request_body(), format="json")
    assert created.status_code == 201, created.json()
    case = Case.objects.get(reference=created.json()["reference"])
    walk.expect_sent(*_to_parents("intake_link"))
    tokens = {}
    for message in walk.servers.outbox.mails():
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        match = TOKEN_IN_LINK.search(body.get_content())
        assert match, "the intake mail carries the parent's private link"
        tokens[str(message["To"])] = match.group(1)
    for token in (tokens[REQUESTER], tokens[OTHER]):
        saved = client.put(
            f"/api/v1/intake/{token}/", {"answers": least_conflict_answers()}, format="json"
        )
        assert saved.status_code == 200, saved.json()
        assert client.post(f"/api/v1/intake/{token}/submit").status_code == 200
    walk.servers.wait_for(  # the worker classifies the case after the second answer
        "the case to be ready for assignment",
        lambda: Case.objects.filter(pk=case.pk, status=CaseStatus.READY).exists(),
    )
    return case


def _external_mediator(case: Case) -> tuple[Mediator, APIClient]:
    mediator = mediator_at(case, kind="external", weekly_capacity_hours=10)
    mediator.languages.add(Language.objects.get(code="en"))  # the other parent's language
    weekly(mediator, location=mediator.locations.first())
    mediator.user = User.objects.create(username="e2e-mediator", role=User.Role.EXTERNAL_MEDIATOR)
    mediator.save(update_fields=["user"])
    client = APIClient()
    client.force_authenticate(mediator.user)
    return mediator, client


def _offer_and_accept(walk: Walk, case: Case, mediator: Mediator, client: APIClient) -> Appointment:
    """Staff place the case with the external mediator, who accepts with the first free slot."""
    staff = APIClient()
    staff.force_authenticate(UserFactory.create(office=case.office))
    placed = staff.post(
        f"/api/v1/cases/{case.reference}/assignment/", {"mediator": mediator.pk}, format="json"
    )
    assert placed.status_code == 201, placed.json()
    offer = Offer.objects.get(case=case, mediator=mediator, status="pending")
    answer_within = timedelta(hours=OFFER_HOURS)  # 48 h: no move or court date is near
    assert abs(offer.deadline - offer.created_at - answer_within) < timedelta(seconds=1)
    walk.expect_sent(("mail", mediator.email, "offer"))

    first_day = timezone.localdate() + timedelta(days=BOOK_AFTER_DAYS)
    slots = client.get(f"/api/v1/cases/{case.reference}/slots/?from={first_day}&days=14")
    assert slots.status_code == 200 and slots.json()["slots"], slots.json()
    starts_at = slots.json()["slots"][0]["starts_at"]
    accepted = client.post(
        f"/api/v1/offers/{offer.pk}/accept/", {"starts_at": starts_at}, format="json"
    )
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted", accepted.json()
    appointment = Appointment.objects.get(case=case)
    booked = (appointment.status, appointment.kind, appointment.parent_role)
    assert booked == ("booked", "joint", "")  # one meeting for both parents
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SCHEDULED
    walk.expect_sent(*_to_parents("booked"))  # the invite (.ics, METHOD:REQUEST)
    assert walk.servers.outbox.attachments("booked") == [["text/calendar;method=REQUEST"]] * 2
    offer_duties = Duty.objects.filter(
        kind__in=["offer_notice", "offer_reminder", "offer_expiry"], target_id=offer.pk
    )
    assert set(offer_duties.values_list("kind", "status")) == {
        ("offer_notice", "done"),
        ("offer_reminder", "cancelled"),
        ("offer_expiry", "cancelled"),
    }
    return appointment


def _reminders_at(walk: Walk, appointment: Appointment, hours: int) -> None:
    """Three sweeps before the reminder is due send nothing; the sweep after sends it, once."""
    due = appointment.starts_at - timedelta(hours=hours)
    reminders = Duty.objects.filter(kind="appointment_reminder", key__endswith=f":{hours}h")
    assert reminders.count() == 2 and {d.due_at for d in reminders} == {due}
    for n in range(6):
        at = due - timedelta(seconds=140) + n * TICK  # -140 s, -75 s, -10 s, +55 s, +120 s, +185 s
        probe = walk.tick(at)
        states = set(reminders.values_list("status", "attempts", "outcome"))
        if at < due:
            assert states == {("pending", 0, "")}, f"{hours} h reminder sent early: {states}"
            walk.expect_sent()
            assert probe.claimed_at is not None and probe.claimed_at < due, (
                f"the sweep ran at {probe.claimed_at}, too late to show nothing goes early"
            )
        else:
            assert states == {("done", 1, "reminder sent")}, f"{hours} h reminder: {states}"
            first_after = at - TICK < due
            walk.expect_sent(*(_to_parents("reminder") if first_after else ()))  # once only


def _hour_held(walk: Walk, appointment: Appointment, client: APIClient) -> list[dict[str, Any]]:
    """After the meeting the mediator records that both came: a certificate for each."""
    walk.tick(appointment.ends_at + timedelta(hours=1))
    attended = client.post(
        f"/api/v1/appointments/{appointment.pk}/attendance/",
        {"requester": True, "other": True},
        format="json",
    )
    assert attended.status_code == 200, attended.json()
    assert Appointment.objects.get(pk=appointment.pk).status == "held"
    walk.expect_sent(*_to_parents("certificate"))
    assert walk.servers.outbox.attachments("certificate") == [["application/pdf"]] * 2
    shown = client.get(f"/api/v1/cases/{appointment.case.reference}/certificate/")
    assert shown.status_code == 200, shown.json()
    certificates: list[dict[str, Any]] = shown.json()["certificates"]
    return certificates


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_offer_to_certificate_with_reminders_on_time_from_a_real_worker_and_beat(
    servers: Servers, national_offices: None, clock: SharedClock
) -> None:
    assert connection.vendor == "postgresql"
    servers.wait_ready()
    walk = Walk(servers, clock)
    case = _request_and_answer(walk, APIClient())
    mediator, client = _external_mediator(case)
    appointment = _offer_and_accept(walk, case, mediator, client)

    _reminders_at(walk, appointment, 72)
    _reminders_at(walk, appointment, 24)
    certificates = _hour_held(walk, appointment, client)

    # meklingsforskriften § 8: after the first (compulsory, § 1) hour, each parent who came
    # gets a certificate; barneloven § 54: it is valid for 6 months.
    held_on: date = timezone.localdate(appointment.starts_at)
    today = timezone.localdate()
    assert rule_value("certificate_validity_months") == 6
    valid_until = today + relativedelta(months=6)
    assert sorted(certificates, key=lambda c: c["parent_role"]) == [
        {
            "number": f"{case.reference}-{letter}",
            "parent_role": role,
            "status": "issued",
            "first_meeting_on": held_on.isoformat(),
            "issued_on": today.isoformat(),
            "valid_until": valid_until.isoformat(),
            "valid_today": True,
            "refusal_reason": "",
        }
        for letter, role in (("B", "other"), ("A", "requester"))
    ]
    assert Certificate.objects.filter(case=case).count() == 2

    # A few more sweeps change nothing: everything ran once, nothing is left due.
    last = walk.tick(timezone.now() + TICK)
    walk.tick(last.due_at + TICK)
    walk.expect_sent()
    ran = Duty.objects.exclude(status__in=["pending", "cancelled"])
    assert set(ran.values_list("attempts", flat=True)) == {1}  # each ran once
    duties = Duty.objects.exclude(kind="heartbeat_probe")
    assert Counter(duties.values_list("kind", "status", "outcome")) == {
        ("intake_link", "done", "link sent"): 2,
        ("classify", "done", "classified"): 2,
        ("intake_reminder", "skipped", "already submitted"): 4,
        ("alarm_waiting", "skipped", "a meeting is booked"): 1,
        ("offer_notice", "done", "mediator told"): 1,
        ("offer_reminder", "cancelled", "cancelled"): 1,  # answered: no reminder, no expiry
        ("offer_expiry", "cancelled", "cancelled"): 1,
        ("appointment_notice", "done", "appointment_booked sent"): 2,
        ("appointment_reminder", "done", "reminder sent"): 4,
        ("certificate_issued", "done", "certificate sent"): 2,
        ("certificate_expiry", "pending", ""): 2,  # 14 days before the 6 months are up
    }
