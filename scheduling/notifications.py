"""Messages to parents: email and SMS from one set of plain-text templates per language.

Templates live in `templates/notifications/`: `{template}.{language}.txt` (first line the
subject, then the body) and optionally `{template}.{language}.sms.txt`. Bodies carry private
links, so nothing here logs a body, an address or a number.
"""

import logging
import re
import smtplib
import sys
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import timezone
from django.utils.module_loading import import_string

from scheduling.duties import TransientDutyError, duty_idempotency_key

logger = logging.getLogger(__name__)

FALLBACK_LANGUAGE = "nb"
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")
MESSAGE_ID_DOMAIN = "mekling.duty"


@dataclass(frozen=True)
class SmsMessage:
    to: str
    body: str
    idempotency_key: str | None = None


class SmsBackend(Protocol):
    """`idempotency_key` is the same on every run of one send (see duty_idempotency_key): a
    gateway backend passes it on, so a repeat after a crash is not delivered twice."""

    def send(self, *, to: str, body: str, idempotency_key: str | None = None) -> None: ...


class ConsoleSmsBackend:
    """Writes each message to stdout, like Django's console email backend: development only."""

    def send(self, *, to: str, body: str, idempotency_key: str | None = None) -> None:
        sys.stdout.write(f"SMS to {to}\n{body}\n{'-' * 40}\n")
        sys.stdout.flush()


class FileSmsBackend:
    """One file per message in settings.SMS_FILE_PATH, for a local run's outbox.

    Like a gateway with idempotency keys, it delivers a key once: the file is named by the key
    and created exclusively, so a repeat finds it and is dropped.
    """

    def send(self, *, to: str, body: str, idempotency_key: str | None = None) -> None:
        folder = getattr(settings, "SMS_FILE_PATH", None)
        if not folder:
            raise ImproperlyConfigured("FileSmsBackend needs settings.SMS_FILE_PATH.")
        path = Path(folder)
        path.mkdir(parents=True, exist_ok=True)
        unique = idempotency_key or uuid.uuid4().hex[:12]
        name = f"{timezone.now():%Y%m%d-%H%M%S}-{unique}.txt"
        if idempotency_key and any(path.glob(f"*-{idempotency_key}.txt")):
            logger.info("sms already delivered: repeat dropped")
            return
        try:
            with (path / name).open("x", encoding="utf-8") as out:
                out.write(f"To: {to}\n\n{body}\n")
        except FileExistsError:
            logger.info("sms already delivered: repeat dropped")


class LocmemSmsBackend:
    """Keeps messages in `outbox`, like django.core.mail.outbox, for tests."""

    outbox: ClassVar[list[SmsMessage]] = []

    def send(self, *, to: str, body: str, idempotency_key: str | None = None) -> None:
        LocmemSmsBackend.outbox.append(
            SmsMessage(to=to, body=body, idempotency_key=idempotency_key)
        )


def sms_backend() -> SmsBackend:
    backend: SmsBackend = import_string(settings.SMS_BACKEND)()
    return backend


def notify(
    *,
    template: str,
    language: str,
    context: dict[str, Any],
    email: str | None,
    phone: str | None,
    attachments: Sequence[tuple[str, bytes | str, str]] = (),
) -> None:
    """Send one message by email and/or SMS in the recipient's language (else bokmål).

    `attachments` are (filename, content, mimetype) for the email, e.g. an .ics invite with
    mimetype "text/calendar; method=REQUEST". Raises TransientDutyError when the mail server
    or SMS gateway cannot be reached.

    Run by a duty, each send carries a key that is the same on every run of that duty
    (duty_idempotency_key): the email as its Message-ID, the SMS as the gateway's idempotency
    key, so a provider drops the repeat of a run killed between its send and its commit.
    """
    language = _available_language(template, language)
    subject, body = _render_email(template, language, context)
    channels = []
    try:
        if email:
            message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [email])
            email_key = duty_idempotency_key(template, "email", email)
            if email_key:
                message.extra_headers["Message-ID"] = f"<{email_key}@{MESSAGE_ID_DOMAIN}>"
            for filename, content, mimetype in attachments:
                message.attach(filename, content, mimetype)
            message.send()
            channels.append("email")
        if phone:
            sms_backend().send(
                to=phone,
                body=_render_sms(template, language, context, body),
                idempotency_key=duty_idempotency_key(template, "sms", phone),
            )
            channels.append("sms")
    except (smtplib.SMTPException, OSError) as error:
        # Not chained: an SMTP error can quote the recipient, and retries log their cause.
        raise TransientDutyError(f"{template} not sent: {type(error).__name__}") from None
    logger.info("notification %s (%s) sent by %s", template, language, "+".join(channels) or "-")


def _available_language(template: str, language: str) -> str:
    if not LANGUAGE_CODE.fullmatch(language):
        return FALLBACK_LANGUAGE
    try:
        get_template(f"notifications/{template}.{language}.txt")
    except TemplateDoesNotExist:
        return FALLBACK_LANGUAGE
    return language


def _render_email(template: str, language: str, context: dict[str, Any]) -> tuple[str, str]:
    text = render_to_string(f"notifications/{template}.{language}.txt", context).strip()
    subject, _, body = text.partition("\n")
    return subject.strip(), body.strip() + "\n"


def _render_sms(template: str, language: str, context: dict[str, Any], email_body: str) -> str:
    try:
        return render_to_string(f"notifications/{template}.{language}.sms.txt", context).strip()
    except TemplateDoesNotExist:
        return email_body.strip().split("\n\n", 1)[0]
