"""A small world for the attack tests: two offices, two cases, two external mediators.

Case X (office A) is the target: a requester who answered (with a free-text answer), the other
parent, a child, an offer to mediator M1, a booked joint appointment and the requester's
certificate. Case Y (office B) belongs to someone else. Synthetic people only.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core import signing
from django.utils import timezone
from rest_framework.authtoken.models import Token

from intake.answers import answers_save_draft, answers_submit
from intake.classifying import classification_recompute
from intake.links import SIGNING_SALT as INTAKE_SALT
from intake.links import link_issue, link_token
from intake.models import Case, CaseStatus, Parent
from mediators.models import Location, Mediator, Offer, User
from scheduling.appointment_notices import SIGNING_SALT as APPOINTMENT_SALT
from scheduling.appointment_notices import appointment_link_token
from scheduling.models import Appointment, AppointmentStatus, Certificate
from tests.factories import (
    CaseFactory,
    ChildFactory,
    LocationFactory,
    MediatorFactory,
    OfficeFactory,
    ParentFactory,
    UserFactory,
)
from tests.intake.conftest import least_conflict_answers

FREE_TEXT = "Hemmelig svar om Blåbærstien 7"

# What does not exist: same shapes as the real ones, so a denial cannot tell them apart.
MISSING_REFERENCE = "MK-2099-999999"
MISSING_ID = 987654321
MISSING_INTAKE_TOKEN = signing.dumps({"l": MISSING_ID, "s": "x" * 22}, salt=INTAKE_SALT)
MISSING_APPOINTMENT_TOKEN = signing.dumps(
    {"a": MISSING_ID, "r": "requester", "s": "x" * 22}, salt=APPOINTMENT_SALT
)


def tampered(token: str) -> str:
    """The token with its signature's last character changed: what a guesser could send."""
    return token[:-1] + ("A" if token[-1] != "A" else "B")


@dataclass
class World:
    case: Case
    other_case: Case
    requester: Parent
    other: Parent
    stranger: Parent
    appointment: Appointment
    stranger_appointment: Appointment
    offer: Offer
    certificate: Certificate
    staff: User
    other_staff: User
    mediator_user: User
    stranger_mediator_user: User
    office_mediator: Mediator
    tokens: dict[str, str] = field(default_factory=dict)

    def secrets(self) -> list[str]:
        """Everything of case X a stranger must never see."""
        return [
            self.case.reference,
            self.certificate.number,
            *self.requester_secrets(),
            self.other.given_name,
            self.other.family_name,
            self.other.email,
        ]

    def requester_secrets(self) -> list[str]:
        """What even the other parent must not see (meklingsforskriften § 7: own answers)."""
        return [
            self.requester.given_name,
            self.requester.family_name,
            self.requester.email,
            FREE_TEXT,
            self.certificate.number,
        ]


def _external(office_location: Location, username: str) -> tuple[Mediator, User]:
    user = UserFactory.create(username=username, role=User.Role.EXTERNAL_MEDIATOR, office=None)
    mediator = MediatorFactory.create(
        kind=Mediator.Kind.EXTERNAL,
        office=office_location.office,
        user=user,
        approved_from=date(2024, 1, 1),
        approved_until=timezone.localdate() + timedelta(days=365),
    )
    mediator.locations.set([office_location])
    return mediator, user


def _appointment(case: Case, mediator: Mediator, location: Location) -> Appointment:
    starts = timezone.now() + timedelta(days=7)
    return Appointment.objects.create(
        case=case,
        mediator=mediator,
        location=location,
        mode=Appointment.Mode.IN_PERSON,
        kind=Appointment.Kind.JOINT,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        status=AppointmentStatus.BOOKED,
        hours=Decimal("1"),
        link_salt="salt-" + case.reference[-6:],
    )


def world_build() -> World:
    office_a = OfficeFactory.create(email="kontor-a@test.example")
    office_b = OfficeFactory.create(email="kontor-b@test.example")
    location_a = LocationFactory.create(office=office_a)
    location_b = LocationFactory.create(office=office_b)

    case = CaseFactory.create(catchment_office=office_a, status=CaseStatus.OFFERED)
    requester = ParentFactory.create(
        case=case, role=Parent.Role.REQUESTER, given_name="Ragnhild", family_name="Kvitstein"
    )
    other = ParentFactory.create(
        case=case, role=Parent.Role.OTHER, given_name="Ottar", family_name="Granlund"
    )
    ChildFactory.create(case=case)
    other_case = CaseFactory.create(catchment_office=office_b, status=CaseStatus.READY)
    stranger = ParentFactory.create(
        case=other_case, role=Parent.Role.REQUESTER, given_name="Sunniva", family_name="Fremmed"
    )

    answers_save_draft(
        parent=requester, answers={**least_conflict_answers(), "anything_else": FREE_TEXT}
    )
    answers_submit(parent=requester)
    classification_recompute(case=case)

    office_mediator = MediatorFactory.create(office=office_a, child_talk=True)
    office_mediator.locations.set([location_a])
    mediator, mediator_user = _external(location_a, "m1-offered")
    _, stranger_mediator_user = _external(location_b, "m2-stranger")
    offer = Offer.objects.create(
        case=case,
        mediator=mediator,
        location=location_a,
        hours=Decimal("1.5"),
        method=Offer.Method.MANUAL,
        deadline=timezone.now() + timedelta(days=2),
    )
    appointment = _appointment(case, office_mediator, location_a)
    stranger_appointment = _appointment(
        other_case, MediatorFactory.create(office=office_b), location_b
    )
    certificate = Certificate.objects.create(
        case=case,
        parent=requester,
        status=Certificate.Status.ISSUED,
        number=f"MA-{case.reference[-6:]}-R",
        first_meeting_on=date(2026, 11, 2),
        issued_on=date(2026, 11, 2),
        valid_until=date(2027, 11, 2),
    )
    staff = UserFactory.create(office=office_a, username="staff-a")
    other_staff = UserFactory.create(office=office_b, username="staff-b")

    world = World(
        case=case,
        other_case=other_case,
        requester=requester,
        other=other,
        stranger=stranger,
        appointment=appointment,
        stranger_appointment=stranger_appointment,
        offer=offer,
        certificate=certificate,
        staff=staff,
        other_staff=other_staff,
        mediator_user=mediator_user,
        stranger_mediator_user=stranger_mediator_user,
        office_mediator=office_mediator,
    )
    world.tokens = {
        "intake:requester": link_token(link_issue(parent=requester)),
        "intake:other": link_token(link_issue(parent=other)),
        "intake:stranger": link_token(link_issue(parent=stranger)),
        "appointment:requester": appointment_link_token(appointment, "requester"),
        "appointment:other": appointment_link_token(appointment, "other"),
        "appointment:stranger": appointment_link_token(stranger_appointment, "requester"),
        "api:staff": Token.objects.create(user=staff).key,
        "api:other_staff": Token.objects.create(user=other_staff).key,
        "api:mediator": Token.objects.create(user=mediator_user).key,
        "api:stranger_mediator": Token.objects.create(user=stranger_mediator_user).key,
    }
    return world
