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

from scheduling.duties import TransientDutyError

logger = logging.getLogger(__name__)

FALLBACK_LANGUAGE = "nb"
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")


@dataclass(frozen=True)
class SmsMessage:
    to: str
    body: str


class SmsBackend(Protocol):
    def send(self, *, to: str, body: str) -> None: ...


class ConsoleSmsBackend:
    """Writes each message to stdout, like Django's console email backend: development only."""

    def send(self, *, to: str, body: str) -> None:
        sys.stdout.write(f"SMS to {to}\n{body}\n{'-' * 40}\n")
        sys.stdout.flush()


class FileSmsBackend:
    """One file per message in settings.SMS_FILE_PATH, for a local run's outbox."""

    def send(self, *, to: str, body: str) -> None:
        folder = getattr(settings, "SMS_FILE_PATH", None)
        if not folder:
            raise ImproperlyConfigured("FileSmsBackend needs settings.SMS_FILE_PATH.")
        path = Path(folder)
        path.mkdir(parents=True, exist_ok=True)
        name = f"{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:12]}.txt"
        (path / name).write_text(f"To: {to}\n\n{body}\n", encoding="utf-8")


class LocmemSmsBackend:
    """Keeps messages in `outbox`, like django.core.mail.outbox, for tests."""

    outbox: ClassVar[list[SmsMessage]] = []

    def send(self, *, to: str, body: str) -> None:
        LocmemSmsBackend.outbox.append(SmsMessage(to=to, body=body))


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
    """
    language = _available_language(template, language)
    subject, body = _render_email(template, language, context)
    channels = []
    try:
        if email:
            message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [email])
            for filename, content, mimetype in attachments:
                message.attach(filename, content, mimetype)
            message.send()
            channels.append("email")
        if phone:
            sms_backend().send(to=phone, body=_render_sms(template, language, context, body))
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
