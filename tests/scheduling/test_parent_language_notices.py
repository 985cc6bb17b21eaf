"""A parent hears from us in the language they chose: nynorsk notices, invites and certificate.

Parents may choose bokmål, nynorsk or English (the request form); every message a parent gets
(appointment notices and reminders, certificate issued and expiring) exists in nynorsk, and the
certificate PDF (meklingsattest, barneloven § 54) is written in the parent's language.
"""

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.template.loader import render_to_string
from icalendar import Calendar

from intake.models import Parent
from scheduling.appointments import appointment_book, appointment_cancel, appointment_reschedule
from scheduling.certificate_pdf import certificate_pdf
from scheduling.duties import duty_execute, duty_schedule
from scheduling.models import Appointment, Certificate, Duty
from scheduling.notifications import LocmemSmsBackend
from tests.scheduling.scheduling_setup import (
    World,
    assigned_case,
    frozen_with_empty_outboxes,
    weekly,
)

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.scheduling.scheduling_urls")]

NOW = datetime(2027, 1, 1, 9, tzinfo=UTC)
MONDAY_9 = datetime(2027, 1, 4, 8, tzinfo=UTC)  # måndag 4. januar 2027 kl. 09.00 in Oslo

# Every message a parent can get, and the words only the nynorsk text has.
PARENT_TEMPLATES = [
    "appointment_booked",
    "appointment_cancelled",
    "appointment_reminder",
    "appointment_rescheduled",
    "certificate_issued",
    "certificate_expiry",
    "intake_link",
    "intake_reminder",
]
NOTIFICATIONS = Path(settings.BASE_DIR) / "templates" / "notifications"
BOKMAL_ONLY = re.compile(r"\b(ikke|hva|hvor|vennlig hilsen|lenken|mekleren|trenger|ligger)\b", re.I)


@pytest.fixture(autouse=True)
def _frozen_and_empty() -> Iterator[None]:
    with frozen_with_empty_outboxes(NOW):
        yield


@pytest.fixture
def world() -> World:
    """The requester (with a phone) writes nynorsk; the other parent English."""
    world = assigned_case()
    world.case.parents.filter(role=Parent.Role.REQUESTER).update(language=Parent.Lang.NN)
    weekly(world.mediator, start=time(8), end=time(16), location=world.location)
    return world


@pytest.fixture
def sent(eager_celery: None, django_capture_on_commit_callbacks: Any) -> Any:
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _parent(world: World, role: str) -> Parent:
    return world.case.parents.get(role=role)


def _to(parent: Parent) -> Any:
    return next(m for m in mail.outbox if m.to == [parent.email])


def _book(world: World) -> Appointment:
    [appointment] = appointment_book(
        case=world.case, starts_at=MONDAY_9, actor=world.staff, kind="joint", mode="in_person"
    )
    return appointment


def pdf_text(pdf: bytes) -> str:
    """The text drawn on an uncompressed reportlab page: its `(...) Tj` strings, decoded."""
    lines = []
    for raw in re.findall(rb"\(((?:\\.|[^\\)])*)\) Tj", pdf):
        unescaped = re.sub(
            rb"\\([0-7]{1,3}|.)",
            lambda m: bytes([int(m[1], 8)]) if m[1][:1].isdigit() else m[1],
            raw,
        )
        lines.append(unescaped.decode("cp1252"))
    return "\n".join(lines)


@pytest.mark.parametrize("template", PARENT_TEMPLATES)
@pytest.mark.parametrize("channel", ["txt", "sms.txt"])
def test_every_parent_message_has_a_nynorsk_text_with_all_of_the_bokmal_variables(
    template: str, channel: str
) -> None:
    bokmal = (NOTIFICATIONS / f"{template}.nb.{channel}").read_text()
    nynorsk = (NOTIFICATIONS / f"{template}.nn.{channel}").read_text()
    variables = re.compile(r"{{\s*([a-z_]+)")
    assert sorted(variables.findall(nynorsk)) == sorted(variables.findall(bokmal))
    assert re.findall(r"{%.*?%}", nynorsk) == re.findall(r"{%.*?%}", bokmal)
    context = {
        "office_name": "Testkontoret",
        "what": "Meklingsmøte",
        "when": "måndag 4. januar 2027 kl. 09.00–10.00",
        "where": "Testgata 1",
        "reference": "MK-TEST",
        "link": "https://mekling.test/x/",
        "minutes": 60,
        "number": "A-1",
        "valid_until": "04.07.2027",
        "days_valid": 14,
        "interpreter": True,
        "child_talk": True,
        "questionnaire_link": "https://mekling.test/intake/x/",
    }
    text = render_to_string(f"notifications/{template}.nn.{channel}", context)
    assert not BOKMAL_ONLY.search(text), BOKMAL_ONLY.search(text)
    for name in set(variables.findall(bokmal)) - {"interpreter", "child_talk"}:
        value = str(context[name])
        assert value in text or value.lower() in text, name  # `what` may be |lower


def test_a_nynorsk_parent_gets_the_booking_by_email_sms_and_invite_in_nynorsk(
    world: World, sent: Any
) -> None:
    with sent():
        _book(world)
    nn, en = _to(_parent(world, "requester")), _to(_parent(world, "other"))
    reference = world.case.reference
    assert nn.subject == f"Meklingsmøte måndag 4. januar 2027 kl. 09.00–10.00 (sak {reference})"
    assert "Kvar:" in nn.body and "Ikkje del ho med nokon." in nn.body
    assert "Venleg helsing" in nn.body and "/appointments/" in nn.body
    assert en.subject.startswith("Mediation meeting Monday 4 January 2027, 09:00–10:00")
    [sms] = LocmemSmsBackend.outbox  # only the requester has a phone
    assert "måndag 4. januar 2027 kl. 09.00–10.00" in sms.body and "/appointments/" in sms.body
    [(_name, content, _type)] = nn.attachments
    [event] = Calendar.from_ical(content).walk("VEVENT")
    assert str(event["SUMMARY"]) == f"Meklingsmøte (sak {reference})"
    assert str(event["DESCRIPTION"]).startswith("måndag 4. januar 2027 kl. 09.00–10.00\n")


def test_a_nynorsk_parent_hears_of_a_new_time_a_cancellation_and_a_reminder_in_nynorsk(
    world: World, sent: Any
) -> None:
    appointment = _book(world)
    requester = _parent(world, "requester")
    mail.outbox.clear()
    with sent():
        moved = appointment_reschedule(
            appointment=appointment, starts_at=MONDAY_9 + timedelta(days=1), actor=world.staff
        )
    message = _to(requester)
    assert message.subject.startswith("Ny tid: Meklingsmøte tysdag 5. januar 2027 kl. 09.00")
    assert "er flytta" in message.body and "(60 minutt)" in message.body
    reminder = Duty.objects.get(key=f"appointment_reminder:{moved.pk}:1:requester:24h")
    mail.outbox.clear()
    LocmemSmsBackend.outbox.clear()
    duty_execute(duty_id=reminder.pk)
    [message] = mail.outbox
    assert message.subject.startswith("Påminning: Meklingsmøte tysdag 5. januar 2027")
    assert LocmemSmsBackend.outbox[0].body.count("Påminning om meklingsmøte tysdag") == 1
    mail.outbox.clear()
    with sent():
        appointment_cancel(appointment=moved, actor=world.staff, reason="sick")
    message = _to(requester)
    assert message.subject.startswith("Avlyst: Meklingsmøte tysdag 5. januar 2027")
    assert "fjernar timen frå kalenderen din" in message.body


def _issued(world: World, parent: Parent) -> Certificate:
    return Certificate.objects.create(
        case=world.case,
        parent=parent,
        status=Certificate.Status.ISSUED,
        number=f"MA-TEST-{parent.role}",
        first_meeting_on=date(2026, 12, 28),
        issued_on=date(2026, 12, 28),
        valid_until=date(2027, 6, 28),
    )


def _run_certificate_duty(certificate: Certificate, kind: str) -> None:
    duty = duty_schedule(
        kind=f"certificate_{kind}",
        key=f"certificate:{certificate.pk}:{kind}",
        due_at=NOW,
        case=certificate.case,
        target_id=certificate.pk,
        dispatch_now=False,
    )
    duty_execute(duty_id=duty.pk)


def test_a_nynorsk_parent_gets_the_certificate_notice_and_pdf_in_nynorsk(world: World) -> None:
    requester = _parent(world, "requester")
    certificate = _issued(world, requester)
    _run_certificate_duty(certificate, "issued")
    message = _to(requester)
    assert message.subject == f"Meklingsattesten din (sak {world.case.reference})"
    assert "Han ligg ved som PDF og er gyldig til og med 28.06.2027." in message.body
    assert "Du treng attesten for å søkje om separasjon" in message.body
    [sms] = LocmemSmsBackend.outbox
    assert "er klar og sendt til deg på e-post. Han er gyldig til og med 28.06.2027." in sms.body
    [(_filename, content, mimetype)] = message.attachments
    assert mimetype == "application/pdf"
    text = pdf_text(content)
    assert "Skriven ut: 28.12.2026" in text and "Gyldig til og med: 28.06.2027" in text
    assert "Attesten er gyldig i 6 månader (barnelova § 54)." in " ".join(text.split())
    assert "Utstedt" not in text  # the bokmål word


def test_the_certificate_pdf_follows_the_parents_language(world: World) -> None:
    english = _issued(world, _parent(world, "other"))
    text = pdf_text(certificate_pdf(english, language="en"))
    assert "Valid until: 28.06.2027" in text and "(Children Act § 54)" in text
    bokmal = pdf_text(certificate_pdf(english, language="nb"))
    assert "Utstedt: 28.12.2026" in bokmal and "(barneloven § 54)" in bokmal
    mail.outbox.clear()
    LocmemSmsBackend.outbox.clear()
    _run_certificate_duty(english, "expiry")
    [message] = mail.outbox
    assert message.subject.startswith("Your mediation certificate expires soon")


def test_a_nynorsk_parent_is_told_in_nynorsk_that_the_certificate_expires(world: World) -> None:
    requester = _parent(world, "requester")
    _run_certificate_duty(_issued(world, requester), "expiry")
    [message] = mail.outbox
    assert message.subject == f"Meklingsattesten din går snart ut (sak {world.case.reference})"
    assert "Treng du han etter det, må du møte til ny mekling." in message.body
    [sms] = LocmemSmsBackend.outbox
    assert "Treng du han etter det" in sms.body and "28.06.2027" in sms.body
