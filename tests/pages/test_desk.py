"""Office staff at the desk, in Debian's chromium: the list by urgency, a case with its reasons,
the audited answers, one-click assignment, booking, attendance and the certificate.

Fast checks of the same rules through the test client: tests/pages/test_desk_views.py.
"""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from intake.models import AuditEvent
from mediators.models import Assignment, Mediator, Offer, User
from scheduling.models import Appointment, Certificate
from tests.factories import UserFactory
from tests.pages import auth
from tests.pages.desk_setup import PASSWORD, DeskWorld, desk_world

pytestmark = pytest.mark.django_db(transaction=True)
TABLET: dict[str, Any] = {"viewport": {"width": 820, "height": 1180}, "has_touch": True}


@pytest.fixture
def world(national_offices: None) -> DeskWorld:
    return desk_world()


@pytest.fixture
def tablet(browser: Any, pages_site: str) -> Iterator[Any]:
    context = browser.new_context(base_url=pages_site, locale="nb-NO", **TABLET)
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def log_in(page: Any, user: User) -> None:
    auth.log_in(page, user.get_username(), PASSWORD)


def listed(page: Any) -> list[str]:
    return [ref.strip() for ref in page.locator("table.desk-cases tbody th").all_inner_texts()]


def message(page: Any) -> str:
    return str(page.locator(".messages").inner_text())


def test_the_list_puts_a_near_move_first_and_filters_by_level(
    desktop: Any, world: DeskWorld, assert_accessible: Any, shot: Any
) -> None:
    log_in(desktop, world.staff)
    assert desktop.url.endswith("/desk/")
    assert desktop.get_by_role("heading", level=1).inner_text() == "Saker"
    refs = listed(desktop)
    # barneloven § 42a: a move in 10 days comes before 30 days' waiting.
    assert refs.index(world.relocation.reference) < refs.index(world.long_wait.reference)
    assert refs[0] == world.relocation.reference
    assert "30 av 21 dager" in desktop.locator("table.desk-cases").inner_text()
    assert_accessible(desktop)
    shot(desktop, "desk-cases-desktop")

    desktop.get_by_label("Konfliktnivå").select_option("high")
    desktop.get_by_role("button", name="Filtrer").click()
    assert listed(desktop) == [world.safety.reference]
    assert "level=high" in desktop.url
    assert_accessible(desktop)


def test_a_case_shows_its_reasons_and_safety_and_the_answers_are_logged(
    desktop: Any, world: DeskWorld, assert_accessible: Any, shot: Any
) -> None:
    log_in(desktop, world.staff)
    desktop.get_by_role("link", name=world.safety.reference).click()
    assert desktop.get_by_role("heading", level=1).inner_text() == (f"Sak {world.safety.reference}")
    reasons = desktop.locator("ol.reasons").inner_text()
    assert "Redsel for den andre forelderen: én forelder svarer «Ja, ofte»." in reasons
    safety = desktop.locator(".safety-panel")
    assert "Redsel for den andre forelderen" in safety.inner_text()
    assert "meklingsforskriften § 7" in safety.inner_text()
    assert_accessible(desktop)

    desktop.get_by_role("link", name="Forklar: vis utelukkede meklere og hvorfor").click()
    assert "explain=1" in desktop.url
    excluded = desktop.locator("#excluded + .table-wrap")
    assert "godkjenning" in excluded.inner_text().lower()  # the lapsed external mediator
    assert_accessible(desktop)
    shot(desktop, "desk-case-desktop")

    desktop.locator("#parent-requester").get_by_role("link", name="Vis svarene (logges)").click()
    assert desktop.get_by_role("heading", level=1).inner_text().startswith("Svarene til")
    assert "Ja, ofte" in desktop.locator("dl.answers").inner_text()
    event = AuditEvent.objects.get(action=AuditEvent.Action.ANSWERS_READ)
    assert (event.actor_id, event.detail["parent_role"]) == (world.staff.pk, "requester")
    assert_accessible(desktop)
    shot(desktop, "desk-answers-desktop")

    desktop.get_by_role("link", name=f"Tilbake til sak {world.safety.reference}").click()
    desktop.get_by_role("button", name="Endre nivå").click()  # no reason given
    assert desktop.locator("#error-summary").is_visible()
    assert desktop.get_by_label("Begrunnelse for endringen").get_attribute("aria-invalid") == "true"
    assert_accessible(desktop)


def test_one_click_assignment_to_an_external_mediator_makes_an_offer(
    desktop: Any, world: DeskWorld, assert_accessible: Any
) -> None:
    log_in(desktop, world.staff)
    desktop.goto(f"/desk/cases/{world.safety.reference}/")
    # The mediator fills up while the page is open: a clear refusal (409 in the API).
    capacity = world.external.weekly_capacity_hours
    Mediator.objects.filter(pk=world.external.pk).update(weekly_capacity_hours=0)
    desktop.get_by_role("button", name=f"Tildel {world.external}", exact=True).click()
    alert = desktop.locator("#assignment [role=alert]")
    assert "har ikke mer kapasitet denne uken" in alert.inner_text()
    assert not Offer.objects.filter(case=world.safety).exists()
    assert_accessible(desktop)

    Mediator.objects.filter(pk=world.external.pk).update(weekly_capacity_hours=capacity)
    desktop.goto(f"/desk/cases/{world.safety.reference}/")
    desktop.get_by_role("button", name=f"Tildel {world.external}", exact=True).click()
    assert "Saken er tilbudt" in message(desktop)
    offer = Offer.objects.get(case=world.safety)
    assert (offer.mediator_id, offer.status) == (world.external.pk, "pending")
    assignment = desktop.locator("#assignment")
    assert "Svarfrist" in assignment.inner_text()
    assert assignment.locator("time[data-countdown]").count() == 1
    # Times are shown for planning, but only the accepting mediator's assignment books.
    assert "har ikke takket ja ennå" in desktop.locator("#booking").inner_text()
    assert_accessible(desktop)


def test_assign_an_office_mediator_book_record_attendance_and_issue_the_certificate(
    desktop: Any, world: DeskWorld, assert_accessible: Any, shot: Any
) -> None:
    case = world.long_wait
    log_in(desktop, world.staff)
    desktop.goto(f"/desk/cases/{case.reference}/")
    desktop.get_by_role("button", name=f"Tildel {world.office_mediator}", exact=True).click()
    assert "Saken er tildelt" in message(desktop)
    assert Assignment.objects.get(case=case).mediator_id == world.office_mediator.pk

    desktop.get_by_role("button", name="Bestill time").click()  # no time chosen
    assert desktop.locator("#error-summary").is_visible()
    assert "Velg en av de ledige tidene." in desktop.locator("#booking").inner_text()
    assert_accessible(desktop)

    desktop.locator("input[name='book-slot']").first.check()
    desktop.get_by_role("button", name="Bestill time").click()
    assert "Bestilt" in message(desktop)
    meeting = Appointment.objects.get(case=case)
    assert (meeting.kind, meeting.mode, meeting.status) == ("joint", "in_person", "booked")

    # The meeting is held: move it into the past, as if the day had come.
    started = timezone.now() - timedelta(hours=2)
    Appointment.objects.filter(pk=meeting.pk).update(
        starts_at=started, ends_at=started + timedelta(hours=1)
    )
    desktop.reload()  # the same URL: a new page load, not a jump to the anchor
    row = desktop.locator(f"#appointment-{meeting.pk}")
    row.get_by_label("Begjæreren møtte").check()
    row.get_by_role("button", name="Registrer oppmøte").click()
    assert "Attester utstedt" in message(desktop)
    certificate = Certificate.objects.get(case=case)
    assert (certificate.parent.role, certificate.status) == ("requester", "issued")
    certificates = desktop.locator("#certificates")
    assert "gyldig i dag" in certificates.inner_text()
    assert certificates.get_by_role("link", name=f"PDF {certificate.number}").count() == 1

    desktop.get_by_role("button", name="Avslå attesten").click()  # no reason given
    assert desktop.locator("#error-summary").is_visible()
    assert_accessible(desktop)
    shot(desktop, "desk-case-booked-desktop")


def test_the_desk_on_a_tablet(
    tablet: Any, world: DeskWorld, assert_accessible: Any, shot: Any
) -> None:
    log_in(tablet, world.staff)
    assert listed(tablet)[0] == world.relocation.reference
    assert_accessible(tablet)
    shot(tablet, "desk-cases-tablet")
    tablet.get_by_role("link", name=world.safety.reference).click()
    assert_accessible(tablet)
    shot(tablet, "desk-case-tablet")


def test_without_javascript_staff_filter_assign_and_book(
    no_js: Any, world: DeskWorld, shot: Any
) -> None:
    log_in(no_js, world.staff)
    no_js.get_by_label("Sakstype").select_option("relocation")
    no_js.get_by_role("button", name="Filtrer").click()
    assert listed(no_js) == [world.relocation.reference]
    no_js.get_by_role("link", name="Vis alle åpne saker").click()
    no_js.get_by_role("link", name=world.long_wait.reference).click()
    no_js.get_by_role("button", name="Tildel beste automatisk").click()
    assert "Saken er t" in message(no_js)  # tildelt (office) or tilbudt (external)
    placed = Assignment.objects.filter(case=world.long_wait).first()
    if placed is None:
        pytest.fail("the best suggestion for this case is the office mediator")
    no_js.locator("input[name='book-slot']").first.check()
    no_js.get_by_label("Video").check()
    no_js.get_by_role("button", name="Bestill time").click()
    assert "Bestilt" in message(no_js)
    assert Appointment.objects.get(case=world.long_wait).mode == "video"
    shot(no_js, "desk-case-phone-nojs")


def test_other_offices_mediators_and_anonymous_users_cannot_open_the_desk(
    new_page: Any, world: DeskWorld
) -> None:
    page = new_page(phone=False)
    response = page.goto("/desk/")
    assert "/login/" in page.url and response.ok  # anonymous: to the login page

    other = UserFactory.create(username="annet-kontor")
    other.set_password(PASSWORD)
    other.save()
    log_in(page, other)
    assert page.goto(f"/desk/cases/{world.safety.reference}/").status == 404
    page.goto("/desk/")
    assert listed(page) == []  # the other office's list is empty

    mediator_page = new_page(phone=False)
    user = User.objects.create_user(
        username="ekstern-mekler", password=PASSWORD, role=User.Role.EXTERNAL_MEDIATOR
    )
    world.external.user = user
    world.external.save()
    log_in(mediator_page, user)
    assert mediator_page.goto("/desk/").status == 403
    assert mediator_page.goto(f"/desk/cases/{world.safety.reference}/").status == 403
