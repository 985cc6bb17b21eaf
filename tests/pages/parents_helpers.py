"""Helpers for the parents' page tests: a valid request form, tokens from the outbox, a
bookable appointment for a requested case."""

import re
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from django.core import mail
from django.utils import timezone

from intake.models import Case, CaseStatus, Parent
from intake.questionnaire import load_questionnaire
from mediators.models import Assignment
from scheduling.appointment_notices import appointment_link_token
from scheduling.appointments import appointment_book
from scheduling.models import Appointment
from scheduling.slots import slots_available_for
from tests.factories import LocationFactory, MediatorFactory
from tests.scheduling.scheduling_setup import weekly

INTAKE_LINK = re.compile(r"https?://[^\s]+/intake/([^/\s]+)/")
APPOINTMENT_LINK = re.compile(r"https?://[^\s]+/appointments/([^/\s]+)/")


def years_ago(years: int, days: int = 0) -> date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - timedelta(days=days)


def request_form_data(**overrides: Any) -> dict[str, Any]:
    """What a parent types into the request form: a separation in Bodø (1804)."""
    data: dict[str, Any] = {
        "children_count": "3",
        "case_type": "separation",
        "municipality": "1804",
        "district": "",
        "preferred_office": "",
        "parents_0_given_name": "Testa",
        "parents_0_family_name": "Syntetisk",
        "parents_0_email": "testa@test.example",
        "parents_0_phone": "412 34 567",
        "parents_0_national_id": "",
        "parents_0_language": "nb",
        "parents_0_interpreter_language": "",
        "parents_1_given_name": "Testo",
        "parents_1_family_name": "Oppdiktet",
        "parents_1_email": "testo@test.example",
        "parents_1_phone": "",
        "parents_1_national_id": "",
        "parents_1_language": "nb",
        "parents_1_interpreter_language": "",
        "children_0_birth_date": years_ago(6).isoformat(),
        "children_1_birth_date": "",
        "children_2_birth_date": "",
    }
    data.update(overrides)
    return data


def intake_tokens() -> dict[str, str]:
    """The newest questionnaire link each recipient got, by email address."""
    found: dict[str, str] = {}
    for message in mail.outbox:
        match = INTAKE_LINK.search(str(message.body))
        if match:
            found[message.to[0]] = match.group(1)
    return found


def least_conflict_answers() -> dict[str, str]:
    questionnaire = load_questionnaire("v1")
    return {item.id: item.choices[0].value for item in questionnaire.items if item.choices}


def assign_and_open(case: Case) -> Any:
    """Give a requested case a mediator with free hours on every day of the next weeks."""
    office = case.office
    location = LocationFactory.create(
        office=office,
        name="Familievernkontoret",
        street="Storgata 1",
        postal_code="8006",
        town="Bodø",
    )
    mediator = MediatorFactory.create(office=office, given_name="Mira", family_name="Meklersen")
    mediator.locations.set([location])
    today = timezone.localdate()
    weekly(
        mediator,
        weekdays=range(7),
        start=time(8),
        end=time(18),
        location=location,
        valid_from=today,
    )
    Assignment.objects.create(
        case=case,
        mediator=mediator,
        location=location,
        hours=Decimal("1.5"),
        method=Assignment.Method.MANUAL,
    )
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.ASSIGNED)
    return mediator, location


def book_first_free(case: Case, *, kind: str = "joint", days_ahead: int = 2) -> list[Appointment]:
    """Book the first free slot a few days from now (so it can still be moved or cancelled)."""
    start = timezone.localdate() + timedelta(days=days_ahead)
    [slot, *_] = slots_available_for(case=case, start=start, days=14, kind=kind)
    return appointment_book(case=case, starts_at=slot.starts_at, kind=kind, mode="in_person")


def appointment_token(appointment: Appointment, role: str = Parent.Role.REQUESTER) -> str:
    return appointment_link_token(appointment, role)
