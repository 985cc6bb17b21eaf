"""Issue #6, must show 1: the whole way through the pages, as each person in their own browser.

A parent asks for mediation and answers on a 390×844 phone; the other parent answers from their
own emailed link; office staff assign the case to an external mediator with one click; the
mediator accepts on their phone with a free time; the first parent sees the appointment on
their page. Nothing is set up behind the pages but the mediator's account and opening hours.
The same walk runs once with JavaScript and once without (must show 3).
"""

import re
from typing import Any

import pytest
from django.core import mail

from intake.models import Case, CaseStatus
from mediators.models import Offer, User
from scheduling.models import Appointment
from tests.mediators.conftest import mediator_at
from tests.pages import auth
from tests.pages.inbox_setup import PASSWORD, account, open_hours
from tests.pages.test_parents import QUESTIONS, SAVE, _fill_request, _link_of

pytestmark = pytest.mark.django_db(transaction=True)

REQUESTER, OTHER = "testa@test.example", "testo@test.example"


def _answer_all(page: Any) -> None:
    """Answer every question with its first choice (free text: one sentence), then submit."""
    page.get_by_role("link", name="Start").click()
    for number, item in enumerate(QUESTIONS, start=1):
        assert page.locator(".progress-label").inner_text() == f"Spørsmål {number} av 19"
        if item.is_choice:
            page.get_by_label(item.choices[0].text.nb, exact=True).check()
        else:
            page.get_by_label(item.text.nb).fill("Ingenting mer å si.")
        page.get_by_role("button", name=SAVE).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Se over svarene dine"
    page.get_by_role("button", name="Send svarene mine").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Svarene dine er sendt"


def _log_in(page: Any, username: str) -> None:
    auth.log_in(page, username, PASSWORD)


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_request_answers_assignment_acceptance_and_the_parent_sees_the_appointment(
    js: bool, new_page: Any, assert_accessible: Any, shot: Any, national_offices: None
) -> None:
    # 1. A parent asks for mediation on a phone.
    parent = new_page(js=js)
    parent.goto("/")
    parent.get_by_role("link", name="Be om mekling").first.click()
    _fill_request(parent, requester=REQUESTER)
    parent.get_by_role("button", name="Send forespørselen").click()
    assert parent.get_by_role("heading", level=1).inner_text() == "Forespørselen er sendt"
    reference = parent.locator("[data-reference]").inner_text().strip()
    case = Case.objects.get(reference=reference)
    assert "/intake/" not in parent.content()  # the receipt never carries a private link

    # 2. Each parent answers from their own link, in their own browser.
    parent.goto(_link_of(REQUESTER))
    _answer_all(parent)
    other = new_page(js=js)
    other.goto(_link_of(OTHER))
    assert other.get_by_role("heading", level=1).inner_text() == "Før meklingen"
    _answer_all(other)
    case.refresh_from_db()
    assert case.status == CaseStatus.READY  # both answered: classified, ready for assignment
    if js:
        shot(other, "walk-other-parent-done-phone")

    # The external mediator who will take it: an account and opening hours at the office.
    mediator = mediator_at(case, kind="external", weekly_capacity_hours=20)
    account(mediator, "walk-mekler")
    open_hours(mediator, weekdays=range(7))
    User.objects.create_user(
        username="walk-staff", password=PASSWORD, role=User.Role.OFFICE_STAFF, office=case.office
    )

    # 3. Staff find the case on their desk and assign it with one click.
    staff = new_page(js=js, phone=False)
    _log_in(staff, "walk-staff")
    staff.get_by_role("link", name=reference).click()
    if js:
        assert_accessible(staff)
    staff.get_by_role("button", name=f"Tildel {mediator}", exact=True).click()
    assert "Saken er tilbudt" in staff.locator(".messages").inner_text()
    offer = Offer.objects.get(case=case, mediator=mediator)
    assert offer.status == Offer.Status.PENDING
    if js:
        shot(staff, "walk-staff-offered-desktop")

    # 4. The mediator accepts on their phone with the first free time.
    inbox = new_page(js=js)
    _log_in(inbox, "walk-mekler")
    inbox.get_by_role("link", name=f"Sak {reference}").first.click()
    inbox.locator("fieldset.slot-day input[type=radio]").first.check()
    inbox.get_by_role("button", name="Godta saken").click()
    assert f"Du har tatt saken {reference}" in inbox.locator(".messages").inner_text()
    offer.refresh_from_db()
    assert offer.status == Offer.Status.ACCEPTED
    [appointment] = Appointment.objects.filter(case=case)
    if js:
        shot(inbox, "walk-mediator-accepted-phone")

    # 5. The first parent sees the appointment: on their page and by the emailed link.
    parent.goto(_link_of(REQUESTER))
    parent.get_by_role("link", name=re.compile("^Se, flytt eller avlys denne timen")).first.click()
    assert parent.get_by_role("heading", level=1).inner_text() == "Timen din"
    local = appointment.starts_at.astimezone(appointment_zone())
    shown = parent.locator("main").inner_text()
    assert f" {local.day}. " in shown and re.search(rf"kl\. {local:%H}[.:]{local:%M}", shown)
    if js:
        assert_accessible(parent)
        shot(parent, "walk-parent-appointment-phone")
    assert any("/appointments/" in str(m.body) and REQUESTER in m.to for m in mail.outbox)


def appointment_zone() -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Oslo")
