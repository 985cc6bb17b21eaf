"""A few synthetic sample cases for the demo, one per case type. Every person is invented."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from intake.models import Case, CaseType, Child, Parent
from intake.services import case_reference_next
from mediators.models import OSLO_MUNICIPALITY, District, Municipality
from mediators.selectors import catchment_office_for

# (case type, municipality, Oslo district, children's ages in years)
SAMPLES = (
    (CaseType.SEPARATION, OSLO_MUNICIPALITY, "Grorud", (4, 9)),
    (CaseType.COHABITATION_BREAKUP, "4601", None, (2,)),
    (CaseType.RELOCATION, "5501", None, (7,)),
    (CaseType.COURT, "5001", None, (12, 16)),
    (CaseType.COURT_REFERRAL, "1103", None, (10,)),
    (CaseType.ENFORCEMENT, "4204", None, (6,)),
)
PARENT_NAMES = (("Demo", "Forelder-A"), ("Demo", "Forelder-B"))


@transaction.atomic
def demo_cases_create(*, today: date | None = None) -> int:
    today = today or timezone.localdate()
    for index, (case_type, number, district_name, ages) in enumerate(SAMPLES, start=1):
        municipality = Municipality.objects.get(number=number)
        district = District.objects.get(name=district_name) if district_name else None
        case = Case.objects.create(
            reference=case_reference_next(year=today.year),
            case_type=case_type,
            municipality=municipality,
            district=district,
            catchment_office=catchment_office_for(municipality=municipality, district=district),
            planned_move_date=today + timedelta(days=70)
            if case_type == CaseType.RELOCATION
            else None,
            move_notice_given_on=today - timedelta(days=20)
            if case_type == CaseType.RELOCATION
            else None,
            court_name="Demo tingrett"
            if case_type in (CaseType.COURT_REFERRAL, CaseType.ENFORCEMENT)
            else "",
            court_deadline=today + timedelta(days=30)
            if case_type in (CaseType.COURT_REFERRAL, CaseType.ENFORCEMENT)
            else None,
        )
        for role, (given, family) in zip(Parent.Role.values, PARENT_NAMES, strict=True):
            Parent.objects.create(
                case=case,
                role=role,
                given_name=given,
                family_name=f"{family}{index}",
                email=f"forelder.{role}.{index}@demo.example",
            )
        for age in ages:
            Child.objects.create(case=case, birth_date=today.replace(year=today.year - age, day=1))
    return len(SAMPLES)
