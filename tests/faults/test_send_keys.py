"""The idempotency keys that make a duty's sends exactly once at a provider that honours them
(the fast, in-process half of test_worker_killed_mid_send.py)."""

from pathlib import Path

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from scheduling.duties import duty_execute, duty_handler, duty_idempotency_key
from scheduling.models import Duty
from scheduling.notifications import FileSmsBackend, LocmemSmsBackend, notify

CONTEXT = {
    "link": "https://mekling.test/intake/abc123/",
    "reference": "MK-2026-000042",
    "days_valid": 30,
    "office_name": "Familievernkontoret Øst",
}


@duty_handler("test_faults.notify_two")
def _notify_two(duty: Duty) -> str:
    for email, phone in (("a@test.example", "+4741234567"), ("b@test.example", "+4741234568")):
        notify(template="intake_link", language="nb", context=CONTEXT, email=email, phone=phone)
    return "sent"


def _run_twice(key: str) -> tuple[list[str], list[str | None]]:
    """Run the duty, then (as after a crash before its commit) its handler again."""
    LocmemSmsBackend.outbox.clear()
    mail.outbox.clear()
    duty = Duty.objects.create(kind="test_faults.notify_two", key=key, due_at=timezone.now())
    duty_execute(duty_id=duty.pk)
    Duty.objects.filter(pk=duty.pk).update(status=Duty.Status.CLAIMED)
    duty_execute(duty_id=duty.pk)
    return [m.extra_headers["Message-ID"] for m in mail.outbox], [
        sms.idempotency_key for sms in LocmemSmsBackend.outbox
    ]


@pytest.mark.django_db
def test_each_send_of_a_duty_has_a_key_that_is_the_same_on_every_run() -> None:
    first_ids, first_sms = _run_twice("fault-keys:1")
    # Two recipients, two runs: one key per recipient and channel, repeated by the second run.
    assert len(set(first_ids)) == 2 and first_ids[:2] == first_ids[2:]
    assert len(set(first_sms)) == 2 and first_sms[:2] == first_sms[2:]
    assert None not in first_sms
    assert all("test.example" not in key and "4741" not in key for key in first_ids)
    other_ids, other_sms = _run_twice("fault-keys:2")  # another duty: other keys
    assert not set(other_ids) & set(first_ids) and not set(other_sms) & set(first_sms)


def test_outside_a_duty_there_is_no_key() -> None:
    assert duty_idempotency_key("intake_link", "sms", "+4741234567") is None


def test_the_file_sms_backend_delivers_a_key_once(tmp_path: Path) -> None:
    with override_settings(SMS_FILE_PATH=str(tmp_path)):
        for _ in range(2):
            FileSmsBackend().send(to="+4741234567", body="hei", idempotency_key="k1")
        FileSmsBackend().send(to="+4741234567", body="hei")
        FileSmsBackend().send(to="+4741234567", body="hei")
    assert len(list(tmp_path.iterdir())) == 3  # k1 once, two without a key
