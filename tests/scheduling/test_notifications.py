"""Messages to parents: the right language, subject from the first line, SMS only with a phone."""

from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.template.loader import render_to_string

from scheduling.duties import TransientDutyError
from scheduling.notifications import FileSmsBackend, LocmemSmsBackend, notify

LINK = "https://mekling.test/intake/abc123/?a=1&b=2"
LINK_CONTEXT = {
    "link": LINK,
    "reference": "MK-2026-000042",
    "days_valid": 30,
    "office_name": "Familievernkontoret Øst",
}


@pytest.fixture(autouse=True)
def _empty_outboxes() -> None:
    LocmemSmsBackend.outbox.clear()
    mail.outbox.clear()


def _notify(language: str, **recipients: Any) -> None:
    recipients.setdefault("email", "forelder@test.example")
    recipients.setdefault("phone", None)
    notify(template="intake_link", language=language, context=LINK_CONTEXT, **recipients)


@pytest.mark.parametrize(
    ("language", "subject", "words"),
    [
        ("nb", "Ditt private skjema før mekling (sak MK-2026-000042)", "egen lenke"),
        ("en", "Your private questionnaire before mediation (case MK-2026-000042)", "own link"),
    ],
)
def test_email_is_sent_in_the_parents_language_with_the_first_line_as_subject(
    language: str, subject: str, words: str
) -> None:
    _notify(language)
    [message] = mail.outbox
    assert message.subject == subject
    assert message.to == ["forelder@test.example"]
    assert message.from_email == "mekling@familievern.example"
    assert not message.body.startswith(subject)
    assert words in message.body and "30" in message.body
    assert LINK in message.body  # not HTML-escaped
    assert LocmemSmsBackend.outbox == []


def test_an_unknown_language_falls_back_to_bokmal() -> None:
    _notify("de", phone="+4741234567")
    assert mail.outbox[0].subject.startswith("Ditt private skjema")
    assert "Den andre forelderen" in LocmemSmsBackend.outbox[0].body


def test_sms_goes_only_to_a_given_phone_with_its_own_short_text() -> None:
    _notify("en", email=None, phone="+4741234567")
    assert mail.outbox == []
    [sms] = LocmemSmsBackend.outbox
    assert sms.to == "+4741234567"
    assert LINK in sms.body and len(sms.body) < 300


def test_reminder_is_sent_in_both_languages() -> None:
    context = {key: LINK_CONTEXT[key] for key in ("link", "reference", "office_name")}
    for language in ("nb", "en"):
        notify(
            template="intake_reminder", language=language, context=context,
            email="forelder@test.example", phone="+4741234567",
        )  # fmt: skip
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["Påminnelse", "Reminder"]
    assert all(LINK in sms.body for sms in LocmemSmsBackend.outbox)


def test_without_an_sms_template_the_sms_is_the_first_paragraph_of_the_email(
    settings: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "notifications"
    folder.mkdir()
    (folder / "plain.nb.txt").write_text(
        "{% autoescape off %}Emne\nFørste avsnitt {{ link }}\n\nAndre avsnitt{% endautoescape %}"
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    notify(template="plain", language="nb", context={"link": LINK}, email=None, phone="+47")
    assert LocmemSmsBackend.outbox[0].body == f"Første avsnitt {LINK}"


def test_an_unreachable_mail_server_is_a_transient_error_that_quotes_no_address(
    settings: Any,
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    with pytest.raises(TransientDutyError) as raised:
        _notify("nb", phone="+4741234567")
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
    assert "forelder@test.example" not in str(raised.value)
    assert LocmemSmsBackend.outbox == []


def test_nothing_personal_is_logged(caplog: Any) -> None:
    caplog.set_level("DEBUG", logger="scheduling")
    _notify("nb", phone="+4741234567")
    assert "intake_link" in caplog.text
    for secret in ("forelder@test.example", "+4741234567", "abc123", "MK-2026"):
        assert secret not in caplog.text


def test_file_backend_writes_one_file_per_message(settings: Any, tmp_path: Path) -> None:
    settings.SMS_FILE_PATH = tmp_path / "sms"
    backend = FileSmsBackend()
    backend.send(to="+4741234567", body="Hei")
    backend.send(to="+4741234567", body="Hei igjen")
    files = sorted((tmp_path / "sms").iterdir())
    assert len(files) == 2
    assert {f.read_text(encoding="utf-8").split("\n\n")[1].strip() for f in files} == {
        "Hei",
        "Hei igjen",
    }


def test_templates_render_every_context_key() -> None:
    text = render_to_string("notifications/intake_link.nb.txt", LINK_CONTEXT)
    assert all(str(value) in text for value in LINK_CONTEXT.values())
