"""factory_boy factories: synthetic people only (names are invented, emails .example)."""

from datetime import date

import factory

from intake.models import Case, CaseType, Child, Parent
from mediators.models import Location, Mediator, Municipality, Office, User


class OfficeFactory(factory.django.DjangoModelFactory[Office]):
    class Meta:
        model = Office
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"test-office-{n}")
    name = factory.LazyAttribute(lambda o: f"Testkontoret {o.code}")
    kind = Office.Kind.STATE
    region = "ost"


class LocationFactory(factory.django.DjangoModelFactory[Location]):
    class Meta:
        model = Location

    office = factory.SubFactory(OfficeFactory)
    code = factory.Sequence(lambda n: f"test-location-{n}")
    name = "Hovedkontor"
    street = "Testveien 1"
    postal_code = "0150"
    town = "Oslo"
    municipality = factory.LazyFunction(lambda: Municipality.objects.get(number="0301"))
    latitude = 59.91
    longitude = 10.75


class MediatorFactory(factory.django.DjangoModelFactory[Mediator]):
    class Meta:
        model = Mediator

    kind = Mediator.Kind.OFFICE
    office = factory.SubFactory(OfficeFactory)
    given_name = "Testa"
    family_name = factory.Sequence(lambda n: f"Meklersen{n}")
    email = factory.Sequence(lambda n: f"mekler{n}@test.example")
    weekly_capacity_hours = 10


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@test.example")
    role = User.Role.OFFICE_STAFF
    office = factory.SubFactory(OfficeFactory)


class CaseFactory(factory.django.DjangoModelFactory[Case]):
    class Meta:
        model = Case

    reference = factory.Sequence(lambda n: f"MK-2026-{n + 900000:06d}")
    case_type = CaseType.SEPARATION
    municipality = factory.LazyFunction(lambda: Municipality.objects.get(number="4601"))
    catchment_office = factory.SubFactory(OfficeFactory)


class ParentFactory(factory.django.DjangoModelFactory[Parent]):
    class Meta:
        model = Parent

    case = factory.SubFactory(CaseFactory)
    role = Parent.Role.REQUESTER
    given_name = "Testforelder"
    family_name = factory.Sequence(lambda n: f"Syntetisk{n}")
    email = factory.Sequence(lambda n: f"forelder{n}@test.example")


class ChildFactory(factory.django.DjangoModelFactory[Child]):
    class Meta:
        model = Child

    case = factory.SubFactory(CaseFactory)
    birth_date = date(2018, 5, 1)
