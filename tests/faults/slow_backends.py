"""Backends for the worker of the kill-mid-send test: a provider that accepts a message, then
answers slowly, and delivers each idempotency key once (as SMS gateways with idempotency
keys, and mail providers deduplicating by Message-ID, do)."""

import hashlib
import os
import time
from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

from scheduling.notifications import FileSmsBackend

# Seconds the SMS provider takes to answer after it has accepted (and delivered) a message.
DELAY_ENV = "FAULT_SMS_REPLY_SECONDS"


class SlowReplyFileSmsBackend(FileSmsBackend):
    def send(self, *, to: str, body: str, idempotency_key: str | None = None) -> None:
        folder = Path(getattr(settings, "SMS_FILE_PATH", ""))
        repeat = bool(idempotency_key) and any(folder.glob(f"*-{idempotency_key}.txt"))
        super().send(to=to, body=body, idempotency_key=idempotency_key)
        if repeat:
            (folder.parent / "sms-repeats-dropped").open("a").write(f"{idempotency_key}\n")
        else:
            time.sleep(float(os.environ.get(DELAY_ENV, "0")))


class MessageIdFileEmailBackend(BaseEmailBackend):
    """One file per Message-ID in EMAIL_FILE_PATH, created exclusively: a repeat is dropped."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        folder = Path(getattr(settings, "EMAIL_FILE_PATH", ""))
        folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            message_id = str(message.extra_headers.get("Message-ID", os.urandom(8).hex()))
            name = hashlib.sha256(message_id.encode()).hexdigest()[:32]
            try:
                with (folder / f"{name}.eml").open("xb") as out:
                    out.write(message.message().as_bytes())
            except FileExistsError:
                pass
        return len(email_messages)
