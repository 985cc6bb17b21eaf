"""The office staff desk through Django's test client: order, filters, access, audit, and the
actions (assign, book, attendance, certificates) with the services' rules as page errors.

The browser walk is tests/pages/test_desk.py.
"""

from datetime import time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from django.test import Client
from django.utils import timezone

from intake.models import AuditEvent, Case, CaseStatus, Classification, IntakeLink
from mediators.models import Assignment, Offer, User
from scheduling.models import Appointment, Certificate
from tests.factories import LocationFactory, UserFactory
from tests.mediators.conftest import waiting_case
from tests.pages.auth import verified_login
from tests.pages.desk_setup import DeskWorld, desk_world, open_hours

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(national_offices: None) -> DeskWorld:
    return desk_world()


@pytest.fixture
def staff(client: Client, world: DeskWorld) -> Client:
    verified_login(client, world.staff)
    return client


def _refs(response: Any) -> list[str]:
    return [row.case.reference for row in response.context["rows"]]


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _case_url(case: Case, tail: str = "") -> str:
    return f"/desk/cases/{case.reference}/{tail}"


# --- order and filters -------------------------------------------------------------------


def test_a_near_move_comes_before_a_case_waiting_long_then_waiting_time_decides(
    staff: Client, world: DeskWorld
) -> None:
    """barneloven § 42a: the certificate must exist before the move; then the 3-week guidance."""
    response = staff.get("/desk/")
    assert response.status_code == 200
    assert _refs(response) == [
        world.relocation.reference,  # move in 10 days, requested today
        world.long_wait.reference,  # 30 days waiting
        world.calm.reference,  # 5 days
        world.safety.reference,  # today
    ]
    html = response.content.decode()
    assert "30 av 21 dager" in html and "10 dager igjen" in html


def test_a_court_deadline_outranks_every_case_without_one(staff: Client, world: DeskWorld) -> None:
    """barneloven § 61 / § 65a: court referral and enforcement by the court's deadline."""
    court = waiting_case(
        case_type="court_referral",
        court_name="Bergen tingrett",
        court_deadline=timezone.localdate() + timedelta(days=30),
    )
    refs = _refs(staff.get("/desk/"))
    assert refs.index(court.reference) < refs.index(world.long_wait.reference)


def test_filters_use_the_effective_level_status_and_type(staff: Client, world: DeskWorld) -> None:
    assert _refs(staff.get("/desk/?level=high")) == [world.safety.reference]
    Classification.objects.filter(case=world.calm).update(
        override_level="medium", override_reason="Testgrunn", overridden_by=world.staff
    )
    medium = _refs(staff.get("/desk/?level=medium"))
    assert world.calm.reference in medium and world.relocation.reference in medium
    assert world.calm.reference not in _refs(staff.get("/desk/?level=low"))
    assert _refs(staff.get("/desk/?case_type=relocation")) == [world.relocation.reference]
    Case.objects.filter(pk=world.long_wait.pk).update(status=CaseStatus.CLOSED)
    assert world.long_wait.reference not in _refs(staff.get("/desk/"))
    assert _refs(staff.get("/desk/?status=closed")) == [world.long_wait.reference]


def test_an_unknown_filter_value_is_shown_as_an_error_and_ignored(staff: Client) -> None:
    response = staff.get("/desk/?level=extreme")
    assert response.status_code == 200
    assert response.context["form"].errors["level"]
    assert len(response.context["rows"]) == 4


# --- access and audit ----------------------------------------------------------------------


def test_anonymous_users_are_sent_to_login_and_external_mediators_are_refused(
    client: Client, world: DeskWorld
) -> None:
    response = client.get("/desk/")
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=")
    external_user = User.objects.create_user(username="ekstern", role=User.Role.EXTERNAL_MEDIATOR)
    world.external.user = external_user
    world.external.save()
    verified_login(client, external_user)
    assert client.get("/desk/").status_code == 403
    assert client.get(_case_url(world.safety)).status_code == 403


def test_staff_of_another_office_get_404_for_the_case_and_its_answers(
    client: Client, world: DeskWorld
) -> None:
    verified_login(client, UserFactory.create())  # an office of its own
    assert client.get(_case_url(world.safety)).status_code == 404
    assert client.get(_case_url(world.safety, "answers/requester/")).status_code == 404
    assert client.get(_case_url(Case(reference="MK-2026-999999"))).status_code == 404
    assert client.get("/desk/").context["rows"] == []
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ANSWERS_READ).exists()


def test_a_coordinator_sees_the_cases_of_their_region(client: Client, world: DeskWorld) -> None:
    coordinator = User.objects.create_user(
        username="koordinator", role=User.Role.COORDINATOR, region=world.office.region
    )
    verified_login(client, coordinator)
    assert client.get(_case_url(world.safety)).status_code == 200
    assert len(client.get("/desk/").context["rows"]) == 4


def test_the_case_page_is_audited_like_the_api_case_read(staff: Client, world: DeskWorld) -> None:
    staff.get(_case_url(world.safety))
    event = AuditEvent.objects.get(action=AuditEvent.Action.CASE_READ)
    assert (event.case_reference, event.actor, event.detail) == (
        world.safety.reference,
        world.staff,
        {"classification": True},
    )


def test_every_view_of_a_parents_answers_is_audited_and_shows_only_that_parent(
    staff: Client, world: DeskWorld
) -> None:
    response = staff.get(_case_url(world.safety, "answers/requester/"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Er du redd for den andre forelderen?" in html and "Ja, ofte" in html
    assert "Syntetisk fritekst for testen." in html
    other = staff.get(_case_url(world.safety, "answers/other/")).content.decode()
    assert "Syntetisk fritekst for testen." not in other and "Ja, ofte" not in other
    events = AuditEvent.objects.filter(action=AuditEvent.Action.ANSWERS_READ).order_by("at")
    assert [(e.actor, e.detail["parent_role"]) for e in events] == [
        (world.staff, "requester"),
        (world.staff, "other"),
    ]
    assert staff.get(_case_url(world.safety, "answers/third/")).status_code == 404


def test_the_case_page_links_to_the_answers_and_never_shows_them_inline(
    staff: Client, world: DeskWorld
) -> None:
    html = staff.get(_case_url(world.safety)).content.decode()
    assert f'href="/desk/cases/{world.safety.reference}/answers/requester/"' in html
    assert "Syntetisk fritekst for testen." not in html


# --- classification, links -----------------------------------------------------------------


def test_the_case_page_shows_reasons_safety_and_the_separate_meetings_rule(
    staff: Client, world: DeskWorld
) -> None:
    html = staff.get(_case_url(world.safety)).content.decode()
    assert "Redsel for den andre forelderen: én forelder svarer «Ja, ofte»." in html
    assert "meklingsforskriften § 7" in html and "Separate møter er anbefalt" in html
    assert "Mekling er påkrevd." in html and "12 år, 4 år" in html


def test_an_override_needs_a_reason_and_keeps_the_computed_level(
    staff: Client, world: DeskWorld
) -> None:
    url = _case_url(world.calm, "classification/")
    refused = staff.post(url, {"override-level": "high", "override-reason": " "})
    assert refused.status_code == 400
    assert refused.context["override_form"].errors["reason"]
    done = staff.post(url, {"override-level": "high", "override-reason": "Ny opplysning"})
    assert done.status_code == 302 and done["Location"].endswith("#classification")
    classification = Classification.objects.get(case=world.calm)
    assert (classification.level, classification.effective_level) == ("low", "high")
    page = staff.get(_case_url(world.calm))
    assert "Konfliktnivået er nå Høy." in _messages(page)[0]
    assert "Beregnet nivå" in page.content.decode()


def test_resending_a_link_revokes_the_old_one(staff: Client, world: DeskWorld) -> None:
    parent = world.safety.parents.get(role="other")
    response = staff.post(_case_url(world.safety, "parents/other/resend-link/"))
    assert response.status_code == 302
    assert IntakeLink.objects.filter(parent=parent, revoked_at__isnull=True).count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LINK_RESENT).exists()


# --- assignment ----------------------------------------------------------------------------


def test_one_click_assign_offers_an_external_and_assigns_an_office_mediator(
    staff: Client, world: DeskWorld
) -> None:
    response = staff.post(_case_url(world.calm, "assign/"), {"mediator": world.external.pk})
    assert response.status_code == 302
    offer = Offer.objects.get(case=world.calm)
    assert (offer.mediator, offer.status, offer.method) == (world.external, "pending", "manual")
    page = staff.get(_case_url(world.calm))
    assert "Saken er tilbudt" in _messages(page)[0]
    assert "data-countdown" in page.content.decode()
    staff.post(_case_url(world.long_wait, "assign/"), {"mediator": world.office_mediator.pk})
    assignment = Assignment.objects.get(case=world.long_wait)
    assert assignment.mediator == world.office_mediator and assignment.chosen_by == world.staff


def test_assign_best_automatically_takes_the_top_suggestion(
    staff: Client, world: DeskWorld
) -> None:
    staff.post(_case_url(world.long_wait, "assign/"), {"auto": "on"})
    placed = Assignment.objects.filter(case=world.long_wait).first() or Offer.objects.get(
        case=world.long_wait
    )
    assert placed.method == "suggested"


def test_a_full_mediator_is_a_clear_409_message(staff: Client, world: DeskWorld) -> None:
    mediator = world.office_mediator
    mediator.weekly_capacity_hours = 1
    mediator.save()
    Assignment.objects.create(
        case=world.relocation, mediator=mediator, hours=Decimal(1), method="manual"
    )
    response = staff.post(_case_url(world.long_wait, "assign/"), {"mediator": mediator.pk})
    assert response.status_code == 409
    assert "har ikke mer kapasitet denne uken" in response.content.decode()
    assert not Assignment.objects.filter(case=world.long_wait).exists()


def test_explain_lists_the_excluded_mediators_and_why(staff: Client, world: DeskWorld) -> None:
    response = staff.get(_case_url(world.long_wait) + "?explain=1")
    excluded = response.context["excluded"]
    assert excluded and all(row.reasons for row in excluded)
    assert "Utelukkede meklere og hvorfor" in response.content.decode()


def test_batch_assigns_every_waiting_case_of_the_office(staff: Client, world: DeskWorld) -> None:
    response = staff.post("/desk/batch/", follow=True)
    placed = Assignment.objects.count() + Offer.objects.count()
    assert placed >= 1
    assert _messages(response)[0].startswith(f"Fordelte {placed} av 4 ventende saker")


# --- booking, attendance, certificates -----------------------------------------------------


def _assigned(staff: Client, world: DeskWorld, case: Case) -> Case:
    staff.post(_case_url(case, "assign/"), {"mediator": world.office_mediator.pk})
    return Case.objects.get(pk=case.pk)


def _first_slot(staff: Client, case: Case, query: str = "") -> str:
    choices = staff.get(_case_url(case) + query).context["slot_choices"]
    assert choices, "the mediator has free times"
    return str(choices[0]["value"])


def _book(staff: Client, case: Case, slot: str, **fields: Any) -> Any:
    data = {"book-slot": slot, "book-kind": "joint", "book-mode": "in_person", "book-minutes": 60}
    data.update({f"book-{key}": value for key, value in fields.items()})
    return staff.post(_case_url(case, "appointments/"), data)


def test_book_cancel_attend_and_issue_the_certificate(staff: Client, world: DeskWorld) -> None:
    case = _assigned(staff, world, world.long_wait)
    response = _book(staff, case, _first_slot(staff, case))
    assert response.status_code == 302, response.context and response.context["book_form"].errors
    appointment = Appointment.objects.get(case=case)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SCHEDULED
    cancel = staff.post(_case_url(case, f"appointments/{appointment.pk}/cancel/"))
    assert cancel.status_code == 302
    assert Appointment.objects.get(pk=appointment.pk).status == "cancelled"

    _book(staff, case, _first_slot(staff, case))
    meeting = Appointment.objects.get(case=case, status="booked")
    started = timezone.now() - timedelta(hours=2)
    Appointment.objects.filter(pk=meeting.pk).update(
        starts_at=started, ends_at=started + timedelta(hours=1)
    )
    attended = staff.post(
        _case_url(case, f"appointments/{meeting.pk}/attendance/"),
        {f"attendance-{meeting.pk}-requester": "on"},
        follow=True,
    )
    certificate = Certificate.objects.get(case=case)
    assert certificate.parent.role == "requester" and certificate.status == "issued"
    # barneloven § 54: valid 6 months.
    assert certificate.valid_until == certificate.issued_on + relativedelta(months=6)
    assert any(certificate.number in message for message in _messages(attended))
    pdf_url = f"/api/v1/cases/{case.reference}/certificate/requester.pdf"
    assert pdf_url in attended.content.decode()
    pdf = staff.get(pdf_url)  # the API's route, with the desk's session
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"

    no_reason = staff.post(_case_url(case, "certificates/refuse/"), {"refuse-parent_role": "other"})
    assert no_reason.status_code == 400 and no_reason.context["refuse_form"].errors["reason"]
    staff.post(
        _case_url(case, "certificates/refuse/"),
        {"refuse-parent_role": "other", "refuse-reason": "Møtte ikke"},
    )
    assert Certificate.objects.get(case=case, parent__role="other").status == "refused"


def test_each_free_time_shows_the_familys_journey_and_warns_beyond_the_guidance(
    staff: Client, world: DeskWorld
) -> None:
    """Staff see how far the family travels to each place (domain brief: about 2 hours each
    way), so a free time far away is not booked by its date alone."""
    case = _assigned(staff, world, world.long_wait)
    far = LocationFactory.create(
        office=world.office,
        name="Fjern filial",
        latitude=69.65,  # about 1,150 km north of Oslo
        longitude=18.96,
        satellite=True,
    )
    world.office_mediator.locations.add(far)
    open_hours(world.office_mediator, start=time(7), end=time(9), location=far)
    page = staff.get(_case_url(case))
    rows = [choice["row"] for choice in page.context["slot_choices"]]
    near = [row for row in rows if row.location_name != "Fjern filial"]
    far_rows = [row for row in rows if row.location_name == "Fjern filial"]
    assert near and far_rows
    assert all(row.journey_minutes <= 120 and not row.beyond_journey_guidance for row in near)
    assert all(row.journey_minutes > 120 and row.beyond_journey_guidance for row in far_rows)
    html = page.content.decode()
    assert f"Om lag {near[0].journey_minutes} min reisevei for familien" in html
    assert html.count("utover reiseveiledningen på om lag 2 timer hver vei") == len(far_rows)


def test_a_safety_case_can_only_book_separate_meetings(staff: Client, world: DeskWorld) -> None:
    """meklingsforskriften § 7: the paired slots keep the parents apart."""
    case = _assigned(staff, world, world.safety)
    page = staff.get(_case_url(case))
    assert page.context["search_form"].initial["kind"] == "separate"
    slot = _first_slot(staff, case)
    refused = _book(staff, case, slot, kind="joint")
    assert refused.status_code == 400
    assert "aldri et felles møte" in " ".join(refused.context["book_form"].errors["kind"])
    assert _book(staff, case, slot, kind="separate").status_code == 302
    rows = Appointment.objects.filter(case=case).order_by("starts_at")
    assert [row.parent_role for row in rows] == ["requester", "other"]


def test_a_child_talk_without_both_consents_is_a_field_error(
    staff: Client, world: DeskWorld
) -> None:
    """barneloven § 51: both parents consent when a child is under 16."""
    case = _assigned(staff, world, world.long_wait)
    refused = _book(staff, case, _first_slot(staff, case), kind="child_talk", consents="requester")
    assert refused.status_code == 400
    errors = refused.context["book_form"].errors["consents"]
    assert "Begge foreldrene må samtykke" in errors[0]
    assert not Appointment.objects.filter(case=case).exists()


def test_more_than_7_hours_is_refused_on_the_time_field(staff: Client, world: DeskWorld) -> None:
    """meklingsforskriften § 1: at most 7 hours in all."""
    case = _assigned(staff, world, world.long_wait)
    earlier = timezone.now() - timedelta(days=30)
    for day in range(7):
        start = earlier + timedelta(days=day)
        Appointment.objects.create(
            case=case,
            mediator=world.office_mediator,
            mode="video",
            kind="joint",
            status="held",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            hours=Decimal(1),
            link_salt="test",
        )
    refused = _book(staff, case, _first_slot(staff, case))
    assert refused.status_code == 400
    assert "høyst 7 timer" in refused.context["book_form"].errors["slot"][0]


def test_no_slot_chosen_is_a_field_error(staff: Client, world: DeskWorld) -> None:
    case = _assigned(staff, world, world.long_wait)
    refused = _book(staff, case, "")
    assert refused.status_code == 400
    assert refused.context["book_form"].errors["slot"] == ["Velg en av de ledige tidene."]


def test_the_desk_speaks_english_when_asked(staff: Client) -> None:
    staff.cookies["django_language"] = "en"
    html = staff.get("/desk/").content.decode()
    assert "Batch assign waiting cases" in html and '<html lang="en">' in html
