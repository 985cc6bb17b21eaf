"""The external mediator's inbox in a browser (Debian's chromium), on a phone first.

An offer made by the assignment service (case_place) is seen with its live countdown,
accepted with a free slot (the first meeting is booked in the same transaction) and found in
the calendar; another is declined with a reason and goes to the next mediator in the ranking;
opening hours and a sick day change the free times. Every page is checked with axe-core.
"""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation

from config import datetime_format
from mediators.models import Assignment, Offer
from scheduling import labels
from scheduling.models import Appointment, Duty
from scheduling.pages import present
from tests.mediators.conftest import waiting_case
from tests.pages import auth
from tests.pages.inbox_setup import PASSWORD, Inbox, inbox_world, offer_to, open_hours, working_day

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(national_offices: None) -> Inbox:
    return inbox_world()


def log_in(page: Any, username: str) -> None:
    auth.log_in(page, username, PASSWORD)
    page.wait_for_url("**/inbox/")


def nb(function: Any, *args: Any, **kwargs: Any) -> str:
    with translation.override("nb"):
        return str(function(*args, **kwargs))


def test_the_mediator_accepts_with_a_slot_and_sees_the_meeting_in_the_calendar(
    phone: Any, world: Inbox, assert_accessible: Any, shot: Any
) -> None:
    open_hours(world.first)
    offer = offer_to(world.case, world.first)
    reference = world.case.reference
    log_in(phone, "mekler-en")

    card = phone.locator(f"#offer-{offer.pk}")
    countdown = card.locator("time[data-countdown]")
    assert countdown.get_attribute("datetime") == present.utc_iso(offer.deadline)
    assert re.fullmatch(r"om \d+ timer", countdown.inner_text())  # server text, then site.js
    assert card.get_by_text("Bergen", exact=True).is_visible()  # where the parents live
    assert_accessible(phone)
    shot(phone, "inbox-offers-phone")

    phone.get_by_role("link", name=f"Sak {reference}").click()
    assert phone.get_by_role("heading", level=1).inner_text() == f"Sak {reference}"
    assert "Venter på svar" in phone.locator(".status-line").inner_text()
    assert_accessible(phone)
    shot(phone, "inbox-offer-phone")

    phone.get_by_role("button", name="Godta saken").click()  # no time chosen
    summary = phone.get_by_role("alert")
    assert "Velg et tidspunkt for det første møtet" in summary.inner_text()
    assert_accessible(phone)
    assert not Assignment.objects.filter(case=world.case).exists()

    first_day = phone.locator("fieldset.slot-day").first
    radio = first_day.get_by_role("radio").first
    chosen = radio.get_attribute("value")
    radio.check()
    phone.get_by_role("button", name="Godta saken").click()
    assert "Du har tatt saken" in phone.locator(".messages").inner_text()
    offer.refresh_from_db()
    assert offer.status == Offer.Status.ACCEPTED
    appointment = Appointment.objects.get(case=world.case)
    assert present.utc_iso(appointment.starts_at) == chosen
    assert appointment.mediator_id == world.first.pk

    phone.get_by_role("link", name="Se det i kalenderen din").click()
    meeting = phone.locator(".meeting").first
    assert f"Sak {reference}" in meeting.inner_text()
    assert (
        nb(datetime_format.time_range_text, appointment.starts_at, appointment.ends_at)
        in meeting.inner_text()
    )
    assert "Felles møte" in meeting.inner_text()
    assert_accessible(phone)
    shot(phone, "inbox-calendar-phone")
    phone.get_by_role("link", name="Neste uke").click()
    assert phone.get_by_text("Ingen møter denne uken.").is_visible()
    phone.get_by_role("link", name="Forrige uke").click()
    assert phone.get_by_text(f"Sak {reference}").is_visible()


def test_a_declined_offer_goes_to_the_next_mediator_and_others_offers_are_404(
    phone: Any, world: Inbox
) -> None:
    offer = offer_to(world.case, world.first)
    log_in(phone, "mekler-en")
    phone.goto(f"/inbox/offers/{offer.pk}/")
    phone.get_by_role("button", name="Avslå tilbudet").click()  # no reason
    assert "Skriv hvorfor du avslår" in phone.get_by_role("alert").inner_text()
    phone.get_by_label("Hvorfor takker du nei?").fill("Fullt booket resten av måneden.")
    phone.get_by_role("button", name="Avslå tilbudet").click()
    assert phone.url.endswith("/inbox/")
    assert "Du avslo tilbudet" in phone.locator(".messages").inner_text()
    offer.refresh_from_db()
    assert offer.status == Offer.Status.DECLINED
    # offer_next: the next mediator in the ranking is offered the case, and the office told.
    following = Offer.objects.get(case=world.case, status=Offer.Status.PENDING)
    assert following.mediator_id == world.second.pk
    assert Duty.objects.filter(kind="offer_staff_notice", case=world.case).exists()
    assert "Avslått" in phone.locator(f"#offer-{offer.pk}").inner_text()
    # The first mediator cannot see the offer now made to the second one.
    response = phone.goto(f"/inbox/offers/{following.pk}/")
    assert response.status == 404
    phone.goto("/inbox/")
    assert phone.locator(f"#offer-{following.pk}").count() == 0


def test_opening_hours_and_a_sick_day_change_the_free_times(
    phone: Any, world: Inbox, assert_accessible: Any, shot: Any
) -> None:
    offer = offer_to(world.case, world.first)  # the mediator has no opening hours yet
    today = timezone.localdate()
    day = working_day(2)
    while working_day((day - today).days + 7) != day + timedelta(days=7):
        day = working_day((day - today).days + 1)  # a working day a week later too
    legend = nb(datetime_format.date_text, day)
    log_in(phone, "mekler-en")
    phone.goto(f"/inbox/offers/{offer.pk}/")
    assert phone.get_by_text("Du har ingen ledige tider i denne perioden").is_visible()
    assert phone.locator("fieldset.slot-day").count() == 0

    phone.get_by_role("link", name="Tilgjengelighet").click()
    weekday = nb(lambda: labels.WEEKDAYS[day.weekday()])
    location = world.first.locations.get()
    phone.get_by_label("Ukedag").select_option(label=weekday)
    phone.get_by_label("Fra (klokkeslett)").fill("12:00")
    phone.get_by_label("Til (klokkeslett)").fill("09:00")
    phone.get_by_label("Møtested").select_option(label=str(location))
    phone.get_by_role("button", name="Legg til åpningstid").click()
    assert "Slutten må være etter starten" in phone.get_by_role("alert").inner_text()
    assert_accessible(phone)
    phone.get_by_label("Fra (klokkeslett)").fill("09:00")
    phone.get_by_label("Til (klokkeslett)").fill("12:00")
    phone.get_by_role("button", name="Legg til åpningstid").click()
    assert "Åpningstid lagt til" in phone.locator(".messages").inner_text()
    assert phone.get_by_role("button", name=f"Fjern {weekday} 09.00–12.00").is_visible()

    phone.goto(f"/inbox/offers/{offer.pk}/")
    day_slots = phone.locator("fieldset.slot-day", has_text=legend)
    assert day_slots.get_by_role("radio").count() == 5  # 09.00, 09.30 ... 11.00, an hour each

    phone.get_by_role("link", name="Tilgjengelighet").click()
    phone.get_by_label("Første fraværsdag").fill(day.isoformat())
    phone.get_by_label("Siste fraværsdag").fill(day.isoformat())
    phone.get_by_label("Syk", exact=True).check()
    phone.get_by_role("button", name="Legg til fravær").click()
    assert "Fravær lagt til" in phone.locator(".messages").inner_text()
    openings = phone.locator(".openings")
    assert nb(datetime_format.date_text, day, year=False) not in openings.inner_text()
    assert phone.get_by_role("heading", name="Helligdager").is_visible()
    assert phone.locator(".holidays li").count() == 5
    assert_accessible(phone)
    shot(phone, "inbox-availability-phone")

    phone.goto(f"/inbox/offers/{offer.pk}/")
    assert phone.locator("fieldset.slot-day", has_text=legend).count() == 0
    phone.get_by_role("link", name="Senere tider").click()  # the same weekday next week
    next_week = nb(datetime_format.date_text, day + timedelta(days=7))
    assert phone.locator("fieldset.slot-day", has_text=next_week).get_by_role("radio").count() == 5


def test_the_whole_inbox_works_without_javascript(no_js: Any, world: Inbox) -> None:
    open_hours(world.first)
    offer = offer_to(world.case, world.first)
    log_in(no_js, "mekler-en")
    countdown = no_js.locator(f"#offer-{offer.pk} [data-countdown-text]")
    assert countdown.inner_text() == nb(present.time_left_text, offer.deadline, offer.created_at)
    no_js.get_by_role("link", name=f"Sak {world.case.reference}").click()
    no_js.locator("fieldset.slot-day").first.get_by_role("radio").first.check()
    no_js.get_by_role("button", name="Godta saken").click()
    assert "Du har tatt saken" in no_js.locator(".messages").inner_text()
    assert Appointment.objects.filter(case=world.case).count() == 1
    no_js.get_by_role("link", name="Se det i kalenderen din").click()
    assert no_js.get_by_text(f"Sak {world.case.reference}").is_visible()

    second = waiting_case()
    declined = offer_to(second, world.first)
    no_js.goto(f"/inbox/offers/{declined.pk}/")
    no_js.get_by_label("Hvorfor takker du nei?").fill("Ferie de neste ukene.")
    no_js.get_by_role("button", name="Avslå tilbudet").click()
    declined.refresh_from_db()
    assert declined.status == Offer.Status.DECLINED

    no_js.get_by_role("link", name="Tilgjengelighet").click()
    no_js.get_by_label("Første fraværsdag").fill(working_day(20).isoformat())
    no_js.get_by_label("Siste fraværsdag").fill(working_day(20).isoformat())
    no_js.get_by_role("button", name="Legg til fravær").click()
    assert "Fravær lagt til" in no_js.locator(".messages").inner_text()
    no_js.get_by_role("button", name=re.compile("^Fjern ")).last.click()
    assert "Fraværet er fjernet" in no_js.locator(".messages").inner_text()


def test_desktop_pages_are_accessible(
    desktop: Any, national_offices: None, assert_accessible: Any, shot: Any
) -> None:
    world = inbox_world(level="high", safety=["fear"], high_conflict=True)
    open_hours(world.first)
    offer = offer_to(world.case, world.first)
    older = offer_to(waiting_case(), world.first)
    log_in(desktop, "mekler-en")
    desktop.goto(f"/inbox/offers/{older.pk}/")
    desktop.get_by_label("Hvorfor takker du nei?").fill("Ingen ledig tid før jul.")
    desktop.get_by_role("button", name="Avslå tilbudet").click()
    assert desktop.locator(f"#offer-{offer.pk} .tag.safety").inner_text() == "Separate møter"
    assert_accessible(desktop)
    shot(desktop, "inbox-offers-desktop")
    desktop.goto(f"/inbox/offers/{offer.pk}/")
    # A safety case offers paired, staggered times (meklingsforskriften § 7).
    assert "begjærer" in desktop.locator("fieldset.slot-day").first.inner_text()
    assert_accessible(desktop)
    shot(desktop, "inbox-offer-desktop")
    desktop.locator("fieldset.slot-day").first.get_by_role("radio").first.check()
    desktop.get_by_role("button", name="Godta saken").click()
    assert Appointment.objects.filter(case=world.case, kind="separate").count() == 2
    desktop.get_by_role("link", name="Se det i kalenderen din").click()
    kinds = desktop.locator(".meeting").all_inner_texts()
    assert any("Separat møte med den som begjærte mekling" in text for text in kinds)
    assert any("Separat møte med den andre forelderen" in text for text in kinds)
    assert_accessible(desktop)
    shot(desktop, "inbox-calendar-desktop")
    desktop.get_by_role("link", name="Tilgjengelighet").click()
    assert_accessible(desktop)
    shot(desktop, "inbox-availability-desktop")
