"""A small world for assignment tests: a waiting Bergen case and mediators around it."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from intake.models import Case, CaseStatus, Classification, Parent
from mediators.models import Language, Mediator, Municipality
from mediators.selectors import catchment_office_for
from tests.factories import CaseFactory, MediatorFactory, ParentFactory

BERGEN = "4601"


def waiting_case(*, level: str = "low", safety: list[str] | None = None, **fields: Any) -> Case:
    """A classified case ready for assignment, with two synthetic parents (Norwegian)."""
    municipality = Municipality.objects.get(number=fields.pop("municipality", BERGEN))
    office = catchment_office_for(municipality=municipality, district=None)
    case = CaseFactory.create(
        municipality=municipality, catchment_office=office, status=CaseStatus.READY, **fields
    )
    ParentFactory.create(
        case=case,
        role=Parent.Role.REQUESTER,
        given_name="Testa",
        family_name=f"Forelder{case.pk}",
        birth_date=date(1985, 3, 1),
    )
    ParentFactory.create(case=case, role=Parent.Role.OTHER)
    Classification.objects.create(
        case=case,
        level=level,
        provisional=False,
        safety_flags=safety or [],
        separate_meetings_recommended=bool(safety),
        rules_version="test",
        questionnaire_version="2026.1",
        computed_at=timezone.now(),
    )
    return case


def mediator_at(case: Case, *, kind: str = "office", **fields: Any) -> Mediator:
    office = case.office
    location = office.locations.order_by("pk")[0]
    extra: dict[str, Any] = {}
    if kind == "external":
        extra = {
            "approved_from": date(2024, 1, 1),
            "approved_until": timezone.localdate() + timedelta(days=365),
        }
    mediator = MediatorFactory.create(kind=kind, office=office, **extra, **fields)
    mediator.locations.set([location])
    mediator.languages.set([Language.objects.get(code="nb")])
    return mediator


@pytest.fixture
def case(national_offices: None) -> Case:
    return waiting_case()
