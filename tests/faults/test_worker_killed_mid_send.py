"""A worker killed with kill -9 mid-send: after a restart and a sweep every message is
delivered exactly once (issue #7, must show 3).

The duties are real sends: the intake link mail and SMS of three cases (six parents, three
with a phone). The worker's SMS provider accepts a message and then takes seconds to answer,
and the worker is killed in that gap: the SMS has gone out but the duty's transaction (its
"link sent") never commits. That is the at-least-once window of a send inside the duty's
locked transaction: the re-run sends again. The engine closes it for the provider with a
per-send idempotency key that is the same on every run (scheduling.duties.duty_idempotency_key:
the SMS gateway's key, the email's Message-ID); the providers here, like real ones that honour
such keys, deliver a key once. A provider that ignores the key (a plain SMTP relay) would get
the repeat: at least once, bounded to a kill in the instant between its answer and the commit.
"""

from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.db import connection, transaction
from rest_framework.test import APIClient

from config.celery import app as celery_app
from intake.models import IntakeLink
from scheduling.duties import duties_dispatch_due
from scheduling.models import Duty
from tests.faults.conftest import PrivateRedis, Workers, wait_for
from tests.intake.conftest import request_body

CASES = 3
REPLY_SECONDS = 3


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _running() -> set[int]:
    """Claimed duties whose row a worker holds locked, i.e. being run right now."""
    claimed = Duty.objects.filter(status=Duty.Status.CLAIMED)
    with transaction.atomic():
        free = set(claimed.select_for_update(skip_locked=True).values_list("pk", flat=True))
        return set(claimed.values_list("pk", flat=True)) - free


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_messages_of_a_worker_killed_mid_send_are_delivered_exactly_once(
    national_offices: None, private_broker: PrivateRedis, workers: Workers, tmp_path: Path
) -> None:
    client = APIClient()
    for _ in range(CASES):
        assert client.post("/api/v1/cases/", request_body(), format="json").status_code == 201
    links = Duty.objects.filter(kind="intake_link")
    assert links.count() == 2 * CASES
    # Beat's sweep also claims them (each now has two messages queued: both run it once).
    assert duties_dispatch_due() == 2 * CASES

    mail_dir, sms_dir = tmp_path / "mail", tmp_path / "sms"
    sms_dir.mkdir()
    backends = {
        "FAULT_SMS_BACKEND": "tests.faults.slow_backends.SlowReplyFileSmsBackend",
        "FAULT_SMS_FILE_PATH": str(sms_dir),
        "FAULT_EMAIL_BACKEND": "tests.faults.slow_backends.MessageIdFileEmailBackend",
        "FAULT_EMAIL_FILE_PATH": str(mail_dir),
        "FAULT_SMS_REPLY_SECONDS": str(REPLY_SECONDS),
    }
    settings = {"database_url": _database_url(), "broker_url": private_broker.url(), **backends}
    first = workers.start(name="send-first", concurrency=1, **settings)

    # The first SMS is out; its provider has not answered, so its duty has not committed.
    wait_for(lambda: any(sms_dir.iterdir()), 60, "the first SMS", workers.tail)
    workers.kill(first)
    wait_for(lambda: not _running(), 10, "the killed run to roll back", workers.tail)
    phone_links = IntakeLink.objects.exclude(parent__phone="").values_list("pk", flat=True)
    with_phone = links.filter(target_id__in=list(phone_links))
    assert with_phone.count() == CASES
    delivered_before = len(list(sms_dir.iterdir()))
    done_before = with_phone.filter(status=Duty.Status.DONE).count()
    assert delivered_before == done_before + 1, "the kill must fall between a send and its commit"
    interrupted = with_phone.filter(status=Duty.Status.CLAIMED).order_by("pk").first()
    assert interrupted is not None

    # A new worker drains the queue (the duty's second message, from the sweep, runs it again);
    # what the killed one held and nothing else sends is reclaimed by a sweep (after a second
    # here, ten minutes in production) once nothing is queued or running.
    workers.start(name="send-second", concurrency=1, **settings)
    queue = redis.Redis.from_url(private_broker.url())

    def all_done() -> bool:
        if not links.exclude(status=Duty.Status.DONE).exists():
            return True
        if not queue.llen(celery_app.conf.task_default_queue) and not _running():
            duties_dispatch_due(reclaim_after=timedelta(seconds=1))
        return False

    wait_for(all_done, 60, "every link duty to be done", workers.tail)

    interrupted.refresh_from_db()
    assert (interrupted.status, interrupted.outcome) == ("done", "link sent")
    assert not IntakeLink.objects.filter(sent_at__isnull=True).exists()
    # Exactly once at the provider: one SMS per parent with a phone, one mail per parent,
    # and the re-run of the interrupted duty was dropped as a repeat.
    assert len(list(sms_dir.iterdir())) == CASES
    assert len(list(mail_dir.iterdir())) == 2 * CASES
    repeats = (tmp_path / "sms-repeats-dropped").read_text().split()
    assert len(repeats) == 1
