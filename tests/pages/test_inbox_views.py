"""The mediator's inbox through Django's test client: access, answers, calendar, availability.

Fast checks of the rules the pages must keep; the browser walk is tests/pages/test_inbox.py.
"""

from datetime import time, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from intake.models import AuditEvent, Parent
from mediators.models import Assignment, Language, Location, Offer
from scheduling.models import Appointment, Availability, Leave
from scheduling.pages.present import utc_iso
from tests.factories import UserFactory
from tests.pages.auth import verified_login
from tests.pages.inbox_setup import Inbox, inbox_world, offer_to, open_hours, working_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(national_offices: None) -> Inbox:
    return inbox_world()


@pytest.fixture
def client_for(client: Client) -> Any:
    def _login(user: Any) -> Client:
        verified_login(client, user)
        return client

    return _login


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_only_a_logged_in_external_mediator_gets_in(world: Inbox, client: Client) -> None:
    pages = ["/inbox/", "/inbox/calendar/", "/inbox/availability/", "/inbox/calendar.ics"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/?next=")
    verified_login(client, UserFactory.create(office=world.case.office))  # office staff
    for url in pages:
        assert client.get(url).status_code == 403
    verified_login(client, world.user)
    for url in pages:
        assert client.get(url).status_code == 200


def test_another_mediators_offer_is_a_404_like_the_api(world: Inbox, client_for: Any) -> None:
    offer = offer_to(world.case, world.first)
    client = client_for(world.other_user)
    assert offer.pk not in [o.pk for o in client.get("/inbox/").context["open_offers"]]
    assert client.get(f"/inbox/offers/{offer.pk}/").status_code == 404
    assert client.post(f"/inbox/offers/{offer.pk}/accept/", {"slot": "later"}).status_code == 404
    assert client.post(f"/inbox/offers/{offer.pk}/decline/", {"reason": "x"}).status_code == 404
    assert client.get("/inbox/offers/999999/").status_code == 404
    assert client.get(f"/api/v1/offers/{offer.pk}/accept/").status_code in (404, 405)
    offer.refresh_from_db()
    assert offer.status == Offer.Status.PENDING


def test_the_offer_shows_what_the_mediator_needs_and_no_parent_and_is_audited(
    national_offices: None, client_for: Any
) -> None:
    world = inbox_world(level="high", safety=["fear"], high_conflict=True)
    requester = world.case.parents.get(role=Parent.Role.REQUESTER)
    requester.interpreter_language = Language.objects.get(code="ar")
    requester.save()
    offer = offer_to(world.case, world.first)
    client = client_for(world.user)
    listing = client.get("/inbox/").content.decode()
    assert world.case.reference in listing and "data-countdown" in listing
    response = client.get(f"/inbox/offers/{offer.pk}/")
    html = response.content.decode()
    assert world.case.reference in html
    assert "Separate møter" in html and "Høy" in html and "arabisk" in html
    assert "Bergen" in html
    for parent in world.case.parents.all():  # no names, emails or answers of the parents
        assert parent.family_name not in html and parent.email not in html
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.CASE_READ, case_reference=world.case.reference, actor=world.user
    ).exists()


def test_the_countdown_is_rendered_in_the_page_language(world: Inbox, client_for: Any) -> None:
    offer = offer_to(world.case, world.first)
    client = client_for(world.user)
    html = client.get("/inbox/").content.decode()
    assert "om 48 timer" in html
    assert f'datetime="{utc_iso(offer.deadline)}"' in html
    client.post("/i18n/setlang/", {"language": "en", "next": "/inbox/"})
    assert "in 48 hours" in client.get("/inbox/").content.decode()
    english = client.get(f"/inbox/offers/{offer.pk}/").content.decode()
    assert "Answer by" in english and "Accept the case</button>" in english
    assert '<html lang="en">' in english


def test_declining_needs_a_reason_and_then_offers_the_next_mediator(
    world: Inbox, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    offer = offer_to(world.case, world.first)
    client = client_for(world.user)
    response = client.post(f"/inbox/offers/{offer.pk}/decline/", {"reason": "  "})
    assert response.status_code == 400
    assert "Skriv hvorfor du avslår" in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == Offer.Status.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/inbox/offers/{offer.pk}/decline/", {"reason": "Fullt booket i desember."}
        )
    assert response.status_code == 302 and response["Location"] == "/inbox/"
    offer.refresh_from_db()
    assert (offer.status, offer.decline_reason) == ("declined", "Fullt booket i desember.")
    assert Offer.objects.get(case=world.case, status="pending").mediator_id == world.second.pk


def test_accepting_needs_a_choice_and_books_the_chosen_slot(world: Inbox, client_for: Any) -> None:
    open_hours(world.first)
    offer = offer_to(world.case, world.first)
    client = client_for(world.user)
    response = client.post(f"/inbox/offers/{offer.pk}/accept/", {})
    assert response.status_code == 400
    assert "Velg et tidspunkt for det første møtet" in response.content.decode()
    assert not Assignment.objects.filter(case=world.case).exists()
    form = client.get(f"/inbox/offers/{offer.pk}/").context["accept_form"]
    choice = form.fields["slot"].choices[0][0]
    response = client.post(f"/inbox/offers/{offer.pk}/accept/", {"slot": choice}, follow=True)
    offer.refresh_from_db()
    assert offer.status == Offer.Status.ACCEPTED
    appointment = Appointment.objects.get(case=world.case)
    assert appointment.mediator_id == world.first.pk
    assert appointment.starts_at.isoformat().replace("+00:00", "Z") == choice
    assert any("Du har tatt saken" in m for m in _messages(response))
    # A second accept (another tab, a double click) gets a clear message, not an error page.
    again = client.post(f"/inbox/offers/{offer.pk}/accept/", {"slot": choice}, follow=True)
    assert again.status_code == 200
    assert any("Du har takket ja" in m for m in _messages(again))
    assert Assignment.objects.filter(case=world.case).count() == 1
    assert Appointment.objects.filter(case=world.case).count() == 1


def test_a_slot_not_offered_is_refused_as_a_field_error(world: Inbox, client_for: Any) -> None:
    offer = offer_to(world.case, world.first)  # no opening hours at all
    client = client_for(world.user)
    start = timezone.now() + timedelta(days=3)
    response = client.post(
        f"/inbox/offers/{offer.pk}/accept/", {"slot": start.isoformat().replace("+00:00", "Z")}
    )
    assert response.status_code == 400
    assert "Det tidspunktet er ikke lenger ledig" in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == Offer.Status.PENDING


def test_an_expired_offer_shows_a_message_and_cannot_be_accepted(
    world: Inbox, client_for: Any
) -> None:
    offer = offer_to(world.case, world.first)
    now = timezone.now()
    Offer.objects.filter(pk=offer.pk).update(
        created_at=now - timedelta(days=3), deadline=now - timedelta(minutes=5)
    )
    client = client_for(world.user)
    html = client.get(f"/inbox/offers/{offer.pk}/").content.decode()
    assert "Fristen for dette tilbudet har gått ut" in html
    assert "Godta saken</button>" not in html
    response = client.post(f"/inbox/offers/{offer.pk}/accept/", {"slot": "later"}, follow=True)
    assert response.status_code == 200
    assert any("Fristen for dette tilbudet har gått ut" in m for m in _messages(response))
    assert not Assignment.objects.filter(case=world.case).exists()
    listing = client.get("/inbox/")
    assert [c.id for c in listing.context["recent_offers"]] == [offer.pk]
    assert listing.context["open_offers"] == []


def test_calendar_shows_the_week_and_downloads_only_their_meetings(
    world: Inbox, client_for: Any
) -> None:
    open_hours(world.first)
    offer = offer_to(world.case, world.first)
    client = client_for(world.user)
    slot = client.get(f"/inbox/offers/{offer.pk}/").context["accept_form"].fields["slot"]
    client.post(f"/inbox/offers/{offer.pk}/accept/", {"slot": slot.choices[0][0]})
    appointment = Appointment.objects.get(case=world.case)
    day = timezone.localtime(appointment.starts_at).date()
    html = client.get(f"/inbox/calendar/?week={day.isoformat()}").content.decode()
    assert world.case.reference in html
    assert timezone.localtime(appointment.starts_at).strftime("%H.%M") in html
    ics = client.get("/inbox/calendar.ics")
    assert ics["Content-Type"].startswith("text/calendar")
    body = ics.content.decode()
    assert world.case.reference in body and f"appointment-{appointment.pk}@" in body
    other = client_for(world.other_user)
    assert world.case.reference not in other.get("/inbox/calendar.ics").content.decode()
    assert world.case.reference not in other.get(f"/inbox/calendar/?week={day}").content.decode()


def test_opening_hours_are_checked_and_saved_whole(world: Inbox, client_for: Any) -> None:
    client = client_for(world.user)
    location = world.first.locations.get()
    base = {"weekday": "0", "location": str(location.pk), "valid_from": "2026-01-01"}
    response = client.post(
        "/inbox/availability/hours/", {**base, "start_time": "12:00", "end_time": "09:00"}
    )
    assert response.status_code == 400
    assert "Slutten må være etter starten" in response.content.decode()
    assert not Availability.objects.exists()
    ok = client.post(
        "/inbox/availability/hours/", {**base, "start_time": "09:00", "end_time": "12:00"}
    )
    assert ok.status_code == 302
    overlap = client.post(
        "/inbox/availability/hours/", {**base, "start_time": "11:00", "end_time": "13:00"}
    )
    assert overlap.status_code == 400
    assert "overlapper" in overlap.content.decode()
    not_theirs = Location.objects.exclude(mediators=world.first).order_by("pk")[0]
    bad = client.post(
        "/inbox/availability/hours/",
        {**base, "location": str(not_theirs.pk), "start_time": "14:00", "end_time": "15:00"},
    )
    assert bad.status_code == 400
    assert Availability.objects.filter(mediator=world.first).count() == 1
    row = Availability.objects.get()
    assert (row.start_time, row.end_time, row.location_id) == (time(9), time(12), location.pk)
    other = client_for(world.other_user)
    assert other.post(f"/inbox/availability/hours/{row.pk}/remove/").status_code == 404
    client = client_for(world.user)
    assert client.post(f"/inbox/availability/hours/{row.pk}/remove/").status_code == 302
    assert not Availability.objects.exists()


def test_leave_is_checked_and_warns_about_booked_meetings(world: Inbox, client_for: Any) -> None:
    client = client_for(world.user)
    day = working_day(3)
    response = client.post(
        "/inbox/availability/absence/",
        {
            "starts_on": day.isoformat(),
            "ends_on": (day - timedelta(days=1)).isoformat(),
            "kind": "sick",
        },
    )
    assert response.status_code == 400
    assert "Siste dag må være samme dag som eller etter første dag" in response.content.decode()
    past = client.post(
        "/inbox/availability/absence/",
        {"starts_on": "2020-01-01", "ends_on": "2020-01-02", "kind": "leave"},
    )
    assert past.status_code == 400 and "allerede over" in past.content.decode()
    missing_kind = client.post(
        "/inbox/availability/absence/", {"starts_on": day.isoformat(), "ends_on": day.isoformat()}
    )
    assert missing_kind.status_code == 400
    assert not Leave.objects.exists()
    open_hours(world.first)
    offer = offer_to(world.case, world.first)
    slot = client.get(f"/inbox/offers/{offer.pk}/").context["accept_form"].fields["slot"]
    client.post(f"/inbox/offers/{offer.pk}/accept/", {"slot": slot.choices[0][0]})
    booked = timezone.localtime(Appointment.objects.get().starts_at).date()
    response = client.post(
        "/inbox/availability/absence/",
        {"starts_on": booked.isoformat(), "ends_on": booked.isoformat(), "kind": "sick"},
        follow=True,
    )
    assert any("1 avtalt møte" in m for m in _messages(response))
    overlap = client.post(
        "/inbox/availability/absence/",
        {"starts_on": booked.isoformat(), "ends_on": booked.isoformat(), "kind": "leave"},
    )
    assert overlap.status_code == 400
    assert Leave.objects.filter(mediator=world.first).count() == 1


def test_public_holidays_are_listed_on_the_availability_page(world: Inbox, client_for: Any) -> None:
    response = client_for(world.user).get("/inbox/availability/")
    assert len(response.context["holidays"]) == 5


def test_a_bad_week_or_slot_date_in_a_link_falls_back_to_today(
    world: Inbox, client_for: Any
) -> None:
    offer = offer_to(world.case, world.first)
    client = client_for(world.user)
    for query in ("week=2026-13-45", "week=yesterday", "week="):
        assert client.get(f"/inbox/calendar/?{query}").status_code == 200
    assert client.get(f"/inbox/offers/{offer.pk}/?from=2026-02-31").status_code == 200
