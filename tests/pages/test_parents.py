"""The parents' pages in a browser (390×844 phone unless named): ask for mediation, answer the
private questionnaire from the emailed link, see, move and cancel an appointment, download the
calendar invite and the certificate. axe-core on every page; one walk without JavaScript.

Labels and buttons are the bokmål ones a parent sees (the walk switches to nynorsk once).
"""

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from intake.models import Case, QuestionnaireResponse
from intake.questionnaire import load_questionnaire
from scheduling.certificates import appointment_record_attendance
from scheduling.models import Appointment, AppointmentStatus
from tests.pages.parents_helpers import (
    APPOINTMENT_LINK,
    INTAKE_LINK,
    assign_and_open,
    book_first_free,
    request_form_data,
    years_ago,
)

pytestmark = pytest.mark.django_db(transaction=True)

QUESTIONS = load_questionnaire("v1").items
SAVE = "Lagre og gå videre"


def _link_of(recipient: str, pattern: re.Pattern[str] = INTAKE_LINK) -> str:
    """The path of the newest private link a recipient got by email."""
    for message in reversed(mail.outbox):
        match = pattern.search(str(message.body))
        if recipient in message.to and match:
            return _path(match.group(0))
    raise AssertionError(f"no link for {recipient}")


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def _fill_request(page: Any, *, requester: str = "testa@test.example") -> None:
    """The request form as a parent fills it in: a separation in Bodø, one child."""
    page.get_by_label("Separasjon / skilsmisse").check()
    page.get_by_label("Kommunen der barnet bor").select_option(label="Bodø")
    page.get_by_label("Fornavnet ditt").fill("Testa")
    page.get_by_label("Etternavnet ditt").fill("Syntetisk")
    page.get_by_label("E-postadressen din").fill(requester)
    page.get_by_label("Mobilnummeret ditt (valgfritt)").fill("412 34 567")
    page.get_by_label("Fornavnet til den andre forelderen").fill("Testo")
    page.get_by_label("Etternavnet til den andre forelderen").fill("Oppdiktet")
    page.get_by_label("E-postadressen til den andre forelderen").fill("testo@test.example")
    page.get_by_label("Barn 1: fødselsdato").fill(years_ago(6).isoformat())


def _answer(page: Any, number: int) -> None:
    """Answer question `number` with its first choice (free text: a sentence)."""
    item = QUESTIONS[number - 1]
    if item.is_choice:
        page.get_by_label(item.choices[0].text.nb, exact=True).check()
    else:
        page.get_by_label(item.text.nb).fill("Ingenting mer å si.")
    page.get_by_role("button", name=SAVE).click()


def test_a_parent_asks_for_mediation_with_errors_in_bokmal_and_nynorsk(
    phone: Any, desktop: Any, assert_accessible: Any, shot: Any, national_offices: None
) -> None:
    phone.goto("/")
    assert phone.get_by_role("heading", level=1).inner_text() == "Mekling for foreldre"
    assert phone.locator("[data-quick-exit]").is_visible()
    for text in ("ekteskapsloven § 26", "barneloven § 54", "gratis", "112"):
        assert text in phone.content()
    assert_accessible(phone)
    shot(phone, "parents-start-phone")
    phone.get_by_role("link", name="Be om mekling").first.click()

    assert phone.get_by_role("heading", level=1).inner_text() == "Be om mekling"
    # With JavaScript, fields for other case types are hidden until they apply.
    assert not phone.get_by_label("Planlagt flyttedato").is_visible()
    assert_accessible(phone)
    shot(phone, "parents-request-phone")
    phone.get_by_role("button", name="Send forespørselen").click()
    summary = phone.get_by_role("alert")
    assert summary.is_visible()
    assert phone.title().startswith("Feil:")
    assert "Velg hva meklingen gjelder." in summary.inner_text()
    field = phone.locator(".field.has-error", has=phone.get_by_label("Fornavnet ditt"))
    assert field.locator(".errors").inner_text() == "Skriv fornavnet ditt."
    assert phone.get_by_label("Fornavnet ditt").get_attribute("aria-invalid") == "true"
    assert_accessible(phone)
    shot(phone, "parents-request-errors-phone")

    phone.get_by_role("button", name="Norsk nynorsk").click()
    assert phone.locator("html").get_attribute("lang") == "nn"
    phone.get_by_role("button", name="Send førespurnaden").click()
    summary = phone.get_by_role("alert")
    assert "Vel kva meklinga gjeld." in summary.inner_text()
    assert "Skriv førenamnet ditt." in summary.inner_text()
    assert_accessible(phone)
    phone.get_by_role("button", name="Norsk bokmål").click()

    # Relocation shows its dates, and the API's rules answer on their own fields.
    phone.get_by_role("radio", name=re.compile("^Flytting")).check()
    assert phone.get_by_label("Planlagt flyttedato").is_visible()
    phone.get_by_label("Kommunen der barnet bor").select_option(label="Oslo")
    assert phone.get_by_label("Bydel i Oslo").is_visible()
    phone.get_by_label("Separasjon / skilsmisse").check()
    _fill_request(phone)
    phone.get_by_label("Mobilnummeret ditt (valgfritt)").fill("123")
    phone.get_by_role("button", name="Send forespørselen").click()
    assert "Ikke et gyldig telefonnummer." in phone.get_by_role("alert").inner_text()
    phone.get_by_label("Mobilnummeret ditt (valgfritt)").fill("412 34 567")
    phone.get_by_label("Kommunen der barnet bor").select_option(label="Oslo")
    phone.get_by_role("button", name="Send forespørselen").click()
    assert phone.get_by_role("alert").inner_text().endswith("Velg bydel i Oslo.")
    assert Case.objects.count() == 0

    phone.get_by_label("Kommunen der barnet bor").select_option(label="Bodø")
    phone.get_by_role("button", name="Send forespørselen").click()
    assert phone.get_by_role("heading", level=1).inner_text() == "Forespørselen er sendt"
    case = Case.objects.get()
    assert phone.locator("[data-reference]").inner_text() == case.reference
    assert "Ja, mekling er påkrevd for dere." in phone.content()
    assert "/intake/" not in phone.content()
    assert {m.to[0] for m in mail.outbox} == {"testa@test.example", "testo@test.example"}
    assert_accessible(phone)
    shot(phone, "parents-request-sent-phone")

    desktop.goto("/")
    shot(desktop, "parents-start-desktop")
    desktop.goto("/request/")
    assert_accessible(desktop)
    shot(desktop, "parents-request-desktop")


def test_a_parent_answers_from_the_emailed_link_leaves_resumes_and_submits(
    phone: Any,
    new_page: Callable[..., Any],
    desktop: Any,
    assert_accessible: Any,
    shot: Any,
    national_offices: None,
) -> None:
    phone.goto("/request/")
    _fill_request(phone)
    phone.get_by_role("button", name="Send forespørselen").click()
    link = _link_of("testa@test.example")

    phone.goto(link)
    assert phone.get_by_role("heading", level=1).inner_text() == "Før meklingen"
    assert "19 spørsmål" in phone.content()
    assert_accessible(phone)
    shot(phone, "parents-intake-intro-phone")
    phone.get_by_role("link", name="Start").click()

    # A required question cannot be skipped.
    phone.get_by_role("button", name=SAVE).click()
    assert phone.get_by_role("alert").inner_text().count("Velg et svar for å gå videre.") == 1
    assert_accessible(phone)
    shot(phone, "parents-question-error-phone")
    assert phone.locator(".progress-label").inner_text() == "Spørsmål 1 av 19"
    assert phone.locator("progress").get_attribute("value") == "1"
    assert_accessible(phone)
    shot(phone, "parents-question-phone")
    for number in range(1, 6):
        _answer(phone, number)
    assert phone.locator(".progress-label").inner_text() == "Spørsmål 6 av 19"
    phone.get_by_role("link", name="Tilbake").click()
    assert phone.locator(".progress-label").inner_text() == "Spørsmål 5 av 19"
    assert phone.get_by_label(QUESTIONS[4].choices[0].text.nb, exact=True).is_checked()

    # Sending too early lists what is missing, each linked to its question.
    phone.goto(link + "summary/")
    phone.get_by_role("button", name="Send svarene mine").click()
    missing = phone.get_by_role("alert")
    assert "Noen spørsmål er ikke besvart ennå" in missing.inner_text()
    assert missing.get_by_role("link").count() == 12  # 17 required, 5 answered
    assert_accessible(phone)
    shot(phone, "parents-summary-missing-phone")

    # Leave, and come back later on another device: the first unanswered question.
    later = new_page()
    later.goto(link)
    assert later.locator(".progress-label").inner_text() == "Spørsmål 6 av 19"
    for number in range(6, 13):
        _answer(later, number)
    # The safety questions start with a gentle word: private, asked of everyone.
    intro = later.locator("#safety-intro")
    assert (
        intro.is_visible() and "Den andre forelderen ser aldri svarene dine" in intro.inner_text()
    )
    assert "112" in intro.inner_text()
    assert "aldri se det" in later.locator("#answer-help").inner_text()
    assert_accessible(later)
    shot(later, "parents-question-safety-phone")
    for number in range(13, 19):
        _answer(later, number)
    assert later.get_by_role("heading", level=1).inner_text() == QUESTIONS[18].text.nb
    assert_accessible(later)
    shot(later, "parents-question-free-text-phone")
    _answer(later, 19)

    assert later.get_by_role("heading", level=1).inner_text() == "Se over svarene dine"
    assert_accessible(later)
    shot(later, "parents-summary-phone")
    later.get_by_role("link", name="Endre svaret på spørsmål 1", exact=True).click()
    later.get_by_label(QUESTIONS[0].choices[1].text.nb, exact=True).check()
    later.get_by_role("button", name=SAVE).click()
    assert later.get_by_role("heading", level=1).inner_text() == "Se over svarene dine"
    assert (
        QUESTIONS[0].choices[1].text.nb in later.locator("#answer-agreement_overall").inner_text()
    )
    later.get_by_role("button", name="Send svarene mine").click()

    assert later.get_by_role("heading", level=1).inner_text() == "Svarene dine er sendt"
    assert "Hva skjer nå" in later.content()
    assert_accessible(later)
    shot(later, "parents-intake-done-phone")
    response = QuestionnaireResponse.objects.get(parent__role="requester")
    assert response.submitted_at is not None and response.answers["agreement_overall"] == "minor"

    # The other parent's link opens their own, untouched questionnaire.
    other = new_page()
    other.goto(_link_of("testo@test.example"))
    assert other.get_by_role("heading", level=1).inner_text() == "Før meklingen"
    other.get_by_role("link", name="Start").click()
    assert other.locator("input[type=radio]:checked").count() == 0

    # A link that is not valid, whatever the reason, gets one page.
    phone.goto(link[:-5] + "xxxx/")
    assert phone.get_by_role("heading", level=1).inner_text() == "Denne lenken virker ikke"
    assert_accessible(phone)
    shot(phone, "parents-link-invalid-phone")

    desktop.goto(_link_of("testo@test.example") + "questions/1/")
    assert_accessible(desktop)
    shot(desktop, "parents-question-desktop")


def _booked_world(django_capture_on_commit_callbacks: Any) -> tuple[Case, Appointment]:
    """A requested and assigned case with a joint meeting in a few days; notices sent."""

    with django_capture_on_commit_callbacks(execute=True):
        assert Client().post("/request/", request_form_data()).status_code == 302
    case = Case.objects.get()
    assign_and_open(case)
    with django_capture_on_commit_callbacks(execute=True):
        [appointment] = book_first_free(case)
    return case, appointment


def test_a_parent_sees_moves_and_cancels_an_appointment_and_downloads_the_invite(
    phone: Any,
    desktop: Any,
    assert_accessible: Any,
    shot: Any,
    national_offices: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    _case, appointment = _booked_world(django_capture_on_commit_callbacks)
    link = _appointment_link("testa@test.example")
    phone.goto(link)
    assert phone.get_by_role("heading", level=1).inner_text() == "Timen din"
    facts = phone.locator(".facts").inner_text()
    local = timezone.localtime(appointment.starts_at)
    assert f"kl. {local:%H.%M}" in facts and "Meklingsmøte med begge foreldrene" in facts
    assert "Familievernkontoret, Storgata 1, 8006" in facts and "Mira Meklersen" in facts
    assert_accessible(phone)
    shot(phone, "parents-appointment-phone")

    with phone.expect_download() as download:
        phone.get_by_role("link", name="Legg til i kalenderen (.ics)").click()
    assert download.value.suggested_filename == "mekling.ics"
    ics = phone.request.get(link + "calendar.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in ics.body() and b"testa@test.example" in ics.body()
    assert b"testo@test.example" not in ics.body()

    phone.get_by_role("link", name="Flytt timen").click()
    assert phone.get_by_role("heading", level=1).inner_text() == "Flytt timen"
    assert_accessible(phone)
    shot(phone, "parents-reschedule-phone")
    phone.get_by_role("button", name="Flytt til valgt tid").click()  # nothing chosen
    assert "Velg en ny tid." in phone.get_by_role("alert").inner_text()
    assert_accessible(phone)
    slot = phone.locator("input[name=starts_at]").nth(3)
    slot.check()
    phone.get_by_role("button", name="Flytt til valgt tid").click()
    assert phone.get_by_role("heading", level=1).inner_text() == "Timen din"
    assert "Timen din er flyttet til" in phone.locator(".messages").inner_text()
    appointment.refresh_from_db()
    assert appointment.sequence == 1 and appointment.starts_at != local

    phone.get_by_role("link", name="Avlys timen").click()
    assert phone.get_by_role("heading", level=1).inner_text() == "Vil du avlyse timen?"
    assert_accessible(phone)
    shot(phone, "parents-cancel-phone")
    phone.get_by_label("Hvorfor avlyser du? (valgfritt)").fill("Syk")
    phone.get_by_role("button", name="Ja, avlys timen").click()
    assert "Denne timen er avlyst." in phone.content()
    assert phone.get_by_role("link", name="Flytt timen").count() == 0
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.cancelled_by == "parent:requester"
    assert_accessible(phone)

    desktop.goto(link)
    assert_accessible(desktop)
    shot(desktop, "parents-appointment-desktop")


def _appointment_link(recipient: str) -> str:
    """The path of the newest appointment link a recipient got in a notice."""
    return _link_of(recipient, APPOINTMENT_LINK)


def test_a_parent_sees_their_meetings_at_home_and_downloads_their_certificate(
    phone: Any,
    assert_accessible: Any,
    shot: Any,
    national_offices: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    case, appointment = _booked_world(django_capture_on_commit_callbacks)
    requester = case.parents.get(role="requester")
    QuestionnaireResponse.objects.create(
        parent=requester, questionnaire_version="2026.1", submitted_at=timezone.now()
    )
    home = _link_of("testa@test.example")
    phone.goto(home)
    assert phone.get_by_role("heading", name="Timene dine").is_visible()
    assert_accessible(phone)
    shot(phone, "parents-home-appointments-phone")
    phone.get_by_role("link", name=re.compile("Se, flytt eller avlys denne timen")).click()
    assert phone.get_by_role("heading", level=1).inner_text() == "Timen din"

    # The meeting is held; the requester came, the other parent did not (forskrift § 8).
    now = timezone.now()
    Appointment.objects.filter(pk=appointment.pk).update(
        starts_at=now - timedelta(hours=2), ends_at=now - timedelta(hours=1)
    )
    appointment.refresh_from_db()
    appointment_record_attendance(appointment=appointment, requester=True, other=False)
    phone.reload()
    certificate = phone.locator(".certificate")
    assert "Dette møtet er holdt." in phone.content()
    assert f"{requester.case.reference}-A" in certificate.inner_text()
    assert_accessible(phone)
    shot(phone, "parents-certificate-phone")
    with phone.expect_download() as download:
        certificate.get_by_role("link", name="Last ned attesten (PDF)").click()
    assert download.value.suggested_filename.endswith("-A.pdf")
    pdf = phone.request.get(home + "certificate.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")

    phone.goto(home)
    assert phone.locator(".certificate").is_visible()
    assert phone.get_by_role("heading", name="Timene dine").count() == 0  # nothing ahead
    # The other parent has no certificate: their link finds none, and says so as a 404.
    other = phone.request.get(_link_of("testo@test.example") + "certificate.pdf")
    assert other.status == 404


def test_without_javascript_a_parent_requests_answers_and_submits(
    no_js: Any, assert_accessible: Any, national_offices: None
) -> None:
    no_js.goto("/")
    no_js.get_by_role("link", name="Be om mekling").first.click()
    # Without JavaScript every field shows, each saying who it is for.
    assert no_js.get_by_label("Planlagt flyttedato").is_visible()
    assert no_js.get_by_label("Bydel i Oslo").is_visible()
    no_js.get_by_role("button", name="Legg til ett barn til").click()
    assert no_js.get_by_label("Barn 4: fødselsdato").is_visible()
    _fill_request(no_js)
    no_js.get_by_role("button", name="Send forespørselen").click()
    assert no_js.get_by_role("heading", level=1).inner_text() == "Forespørselen er sendt"

    no_js.goto(_link_of("testa@test.example"))
    no_js.get_by_role("link", name="Start").click()
    for number in range(1, 20):
        _answer(no_js, number)
    no_js.get_by_role("button", name="Send svarene mine").click()
    assert no_js.get_by_role("heading", level=1).inner_text() == "Svarene dine er sendt"
    assert QuestionnaireResponse.objects.get(parent__role="requester").submitted_at
