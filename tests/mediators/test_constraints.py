"""The database itself refuses rows that must never exist."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from mediators.models import Catchment, District, Mediator, Municipality
from tests.factories import LocationFactory, MediatorFactory, OfficeFactory, UserFactory

pytestmark = pytest.mark.django_db


def _refused(create: object) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        create()  # type: ignore[operator]


def test_mediator_capacity_below_zero_is_refused() -> None:
    mediator = MediatorFactory.create()
    _refused(lambda: Mediator.objects.filter(pk=mediator.pk).update(weekly_capacity_hours=-1))


def test_mediator_capacity_above_a_working_week_is_refused() -> None:
    _refused(lambda: MediatorFactory.create(weekly_capacity_hours=61))


def test_external_mediator_needs_an_approval_period() -> None:
    _refused(lambda: MediatorFactory.create(kind=Mediator.Kind.EXTERNAL, approved_from=None))


def test_external_mediator_approval_must_end_after_it_starts() -> None:
    _refused(
        lambda: MediatorFactory.create(
            kind=Mediator.Kind.EXTERNAL,
            approved_from=date(2026, 1, 1),
            approved_until=date(2025, 1, 1),
        )
    )


def test_office_mediator_needs_an_office() -> None:
    _refused(lambda: MediatorFactory.create(office=None))


def test_a_municipality_has_only_one_catchment_office() -> None:
    bergen = Municipality.objects.get(number="4601")
    Catchment.objects.create(office=OfficeFactory.create(), municipality=bergen)
    _refused(lambda: Catchment.objects.create(office=OfficeFactory.create(), municipality=bergen))


def test_an_oslo_district_has_only_one_catchment_office() -> None:
    grorud = District.objects.get(name="Grorud")
    Catchment.objects.create(office=OfficeFactory.create(), municipality_id="0301", district=grorud)
    _refused(
        lambda: Catchment.objects.create(
            office=OfficeFactory.create(), municipality_id="0301", district=grorud
        )
    )


def test_location_outside_norway_is_refused() -> None:
    _refused(lambda: LocationFactory.create(latitude=48.85, longitude=2.35))


def test_office_staff_account_needs_an_office() -> None:
    _refused(lambda: UserFactory.create(office=None))


def test_coordinator_needs_a_region() -> None:
    _refused(lambda: UserFactory.create(role="coordinator", office=None, region=""))
