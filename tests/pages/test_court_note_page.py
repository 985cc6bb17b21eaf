"""The note to the court from the desk (barneloven § 61 første ledd nr. 2): the form in
Debian's chromium with axe, and the same rules through the test client."""

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from intake.models import CaseType
from mediators.models import User
from mediators.pages import views_court_note
from scheduling import court_notes
from scheduling.models import CourtNote
from tests.pages import auth
from tests.pages.auth import verified_login
from tests.scheduling.court_setup import COURT_EMAIL, ReferralWorld, referral_world

PASSWORD = "a-long-test-password"


def _staff(referral: ReferralWorld) -> User:
    staff = referral.world.staff
    staff.set_password(PASSWORD)
    staff.save(update_fields=["password"])
    return staff


def _url(referral: ReferralWorld) -> str:
    return f"/desk/cases/{referral.case.reference}/court-note/"


def _form(**overrides: Any) -> dict[str, Any]:
    from tests.scheduling.court_setup import note_body

    body = note_body()
    data = {f"note-{name}": value for name, value in body.items() if value is not False}
    data.update({f"note-{name}": value for name, value in overrides.items()})
    data.setdefault("note-court", "")
    return {name: value for name, value in data.items() if value is not None}


@pytest.mark.django_db
def test_the_form_shows_each_refusal_on_its_field_in_bokmal(
    django_capture_on_commit_callbacks: Any, eager_celery: None
) -> None:
    referral = referral_world()
    client = verified_login(Client(HTTP_ACCEPT_LANGUAGE="nb"), referral.world.staff)
    page = client.get(_url(referral))
    assert page.status_code == 200
    assert "Notat til retten" in page.content.decode()
    court = str(referral.court.pk)
    response = client.post(_url(referral), _form(court=court, hours="3.0"))
    assert response.status_code == 400
    assert "Mer enn de 2 timene protokollen viser." in response.content.decode()
    response = client.post(
        _url(referral),
        _form(court=court, attended_requester=None, attended_other=None),
    )
    assert response.status_code == 400
    assert "Minst én av foreldrene møtte" in response.content.decode()
    assert not CourtNote.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(_url(referral), _form(court=court))
    assert done.status_code == 302
    assert [m.to for m in mail.outbox if m.attachments] == [[COURT_EMAIL]]
    again = client.get(_url(referral)).content.decode()
    assert "Korriger notatet" in again and "PDF, versjon 1" in again


@pytest.mark.django_db
def test_a_case_that_is_no_court_referral_says_why_there_is_no_form() -> None:
    referral = referral_world()
    referral.case.case_type = CaseType.SEPARATION
    referral.case.save(update_fields=["case_type"])
    client = verified_login(Client(HTTP_ACCEPT_LANGUAGE="nb"), referral.world.staff)
    content = client.get(_url(referral)).content.decode()
    assert "Notat til retten skrives bare i saker retten har vist tilbake" in content
    assert '<form method="post" action="/desk/' not in content


def test_the_page_keeps_the_services_refusals_word_for_word() -> None:
    """The page's catalogue translates the service's texts by their English wording."""
    for text in (
        court_notes.NOT_REFERRAL_MESSAGE,
        court_notes.NO_MEETING_MESSAGE,
        court_notes.EXISTS_MESSAGE,
    ):
        assert text in views_court_note.FIELD_MESSAGES


@pytest.mark.django_db(transaction=True)
def test_staff_write_the_note_in_the_browser(
    desktop: Any, assert_accessible: Any, shot: Any
) -> None:
    referral = referral_world()
    staff = _staff(referral)
    auth.log_in(desktop, staff.get_username(), PASSWORD)
    desktop.goto(f"/desk/cases/{referral.case.reference}/")
    desktop.get_by_role("link", name="Notat til retten").click()
    assert desktop.get_by_role("heading", level=1).inner_text().startswith("Notat til retten")
    # Filled from the protocol: the court the case names, both parents came, 2 hours.
    assert desktop.get_by_label("Retten", exact=False).first.input_value() == str(referral.court.pk)
    assert desktop.get_by_label("Den andre forelderen møtte").is_checked()
    assert_accessible(desktop)
    desktop.get_by_label("Ingen avtale").check()
    desktop.get_by_label("Timer mekling gjennomført").fill("9")
    desktop.get_by_role("button", name="Send notatet til retten").click()
    assert desktop.locator("#error-summary").is_visible()
    assert_accessible(desktop)  # the form with its errors
    desktop.get_by_label("Timer mekling gjennomført").fill("2")
    desktop.get_by_label("Rettens saksnummer").fill("26-054321TVI-OTIR/02")
    desktop.get_by_role("button", name="Send notatet til retten").click()
    assert "sendes til Oslo tingrett" in desktop.locator(".messages").inner_text()
    assert desktop.get_by_role("link", name="PDF, versjon 1").is_visible()
    assert_accessible(desktop)
    shot(desktop, "desk-court-note")
    note = CourtNote.objects.get()
    assert (note.agreement, note.hours, note.court_case_number) == ("no", 2, "26-054321TVI-OTIR/02")
    assert [m.to for m in mail.outbox if m.attachments] == [[COURT_EMAIL]]


@pytest.mark.django_db
def test_the_external_mediator_who_held_the_meeting_writes_it_from_the_inbox(
    django_capture_on_commit_callbacks: Any, eager_celery: None
) -> None:
    from datetime import date, timedelta

    from django.utils import timezone

    from mediators.models import Mediator
    from tests.factories import MediatorFactory, UserFactory
    from tests.scheduling.court_setup import held_meeting

    referral = referral_world()
    user = UserFactory.create(
        username="inbox-holder", role=User.Role.EXTERNAL_MEDIATOR, office=None
    )
    holder = MediatorFactory.create(
        kind=Mediator.Kind.EXTERNAL,
        office=referral.case.catchment_office,
        user=user,
        approved_from=date(2024, 1, 1),
        approved_until=timezone.localdate() + timedelta(days=365),
    )
    from mediators.models import Assignment

    Assignment.objects.filter(case=referral.case).update(mediator=holder)
    referral.world.mediator = holder
    held_meeting(referral.world, days_ago=1, hours="1.00")
    client = verified_login(Client(HTTP_ACCEPT_LANGUAGE="nb"), user)
    listing = client.get("/inbox/court-notes/").content.decode()
    assert referral.case.reference in listing and "Ikke skrevet ennå" in listing
    url = f"/inbox/court-notes/{referral.case.reference}/"
    assert "Send notatet til retten" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, _form(court=str(referral.court.pk)))
    assert done.status_code == 302 and done["Location"] == url
    assert CourtNote.objects.get().written_by == user
    assert "Versjon 1 sendt" in client.get("/inbox/court-notes/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_inbox_lists_the_mediators_referred_cases_accessibly(
    desktop: Any, assert_accessible: Any
) -> None:
    from datetime import date, timedelta

    from django.utils import timezone

    from mediators.models import Mediator
    from tests.factories import MediatorFactory
    from tests.scheduling.court_setup import held_meeting

    referral = referral_world()
    user = User.objects.create_user(
        username="inbox-browser", password=PASSWORD, role=User.Role.EXTERNAL_MEDIATOR
    )
    holder = MediatorFactory.create(
        kind=Mediator.Kind.EXTERNAL,
        office=referral.case.catchment_office,
        user=user,
        approved_from=date(2024, 1, 1),
        approved_until=timezone.localdate() + timedelta(days=365),
    )
    from mediators.models import Assignment

    Assignment.objects.filter(case=referral.case).update(mediator=holder)
    referral.world.mediator = holder
    held_meeting(referral.world, days_ago=1, hours="1.00")
    auth.log_in(desktop, "inbox-browser", PASSWORD)
    desktop.get_by_role("link", name="Notater til retten").click()
    assert_accessible(desktop)
    desktop.get_by_role("link", name=referral.case.reference).click()
    assert desktop.get_by_role("button", name="Send notatet til retten").is_visible()
    assert_accessible(desktop)
