"""A staff desk world: one office (Bergen's catchment office), its staff, mediators with opening
hours, and cases of every urgency. Every person is synthetic (factories, .example emails)."""

from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from django.utils import timezone

from intake.classifying import classification_recompute
from intake.duty_rules import duty_outcome
from intake.models import Case, Parent, QuestionnaireResponse
from intake.questionnaire import load_questionnaire
from mediators.models import Location, Mediator, Office, User
from scheduling.models import Availability
from tests.factories import ChildFactory
from tests.mediators.conftest import mediator_at, waiting_case

PASSWORD = "a-long-test-password"
# Answers that raise conflict: the last choice of each scored item (most conflict).
HIGH = "high"
CALM = "calm"


def staff_user(office: Office, username: str = "desk-staff") -> User:
    return User.objects.create_user(
        username=username, password=PASSWORD, role=User.Role.OFFICE_STAFF, office=office
    )


def answers_for(profile: str, *, fear: bool = False) -> dict[str, str]:
    """A complete answer set of questionnaire v1: calm (first choices) or high conflict."""
    answers: dict[str, str] = {}
    for item in load_questionnaire("v1").items:
        if not item.is_choice:
            continue
        if item.domain == "safety":
            answers[item.id] = item.choices[-1].value if fear and item.flag == "fear" else "no"
        else:
            answers[item.id] = item.choices[-1 if profile == HIGH else 0].value
    if fear:
        answers["anything_else"] = "Syntetisk fritekst for testen."
    return answers


def answered(case: Case, *, requester: dict[str, str], other: dict[str, str] | None) -> Case:
    """Submit the parents' answers and classify the case as the service does."""
    for role, values in (("requester", requester), ("other", other)):
        if values is None:
            continue
        QuestionnaireResponse.objects.create(
            parent=case.parents.get(role=role),
            questionnaire_version="2026.1",
            answers=values,
            submitted_at=timezone.now(),
        )
    case.classification.delete()
    classification_recompute(case=case)
    return Case.objects.get(pk=case.pk)


def with_children(case: Case, *ages: int) -> Case:
    """Children of these ages, and the duty outcome the request would have had."""
    today = timezone.localdate()
    births = [today.replace(year=today.year - age) - timedelta(days=30) for age in ages]
    for born in births:
        ChildFactory.create(case=case, birth_date=born)
    outcome = duty_outcome(
        case_type=case.case_type,
        children_birth_dates=births,
        today=today,
        planned_move_date=case.planned_move_date,
        notice_given_on=case.move_notice_given_on,
    )
    Case.objects.filter(pk=case.pk).update(
        duty_required=outcome.required, duty_outcome=outcome.as_dict()
    )
    return Case.objects.get(pk=case.pk)


def waited(case: Case, days: int) -> Case:
    Case.objects.filter(pk=case.pk).update(requested_at=timezone.now() - timedelta(days=days))
    return Case.objects.get(pk=case.pk)


def open_hours(
    mediator: Mediator,
    *,
    start: time = time(9),
    end: time = time(15),
    location: Location | None = None,
) -> None:
    """Weekdays at this location, else the mediator's first (Oslo time), from the start of the
    year."""
    location = location or mediator.locations.order_by("pk").first()
    for weekday in range(5):
        Availability.objects.create(
            mediator=mediator,
            location=location,
            weekday=weekday,
            start_time=start,
            end_time=end,
            valid_from=date(2026, 1, 1),
        )


@dataclass
class DeskWorld:
    office: Office
    staff: User
    relocation: Case  # near move, requested today
    long_wait: Case  # ordinary separation waiting 30 days
    safety: Case  # high conflict with a fear flag, real answers from both parents
    calm: Case  # low conflict, real answers
    office_mediator: Mediator
    external: Mediator


def desk_world(**extra: Any) -> DeskWorld:
    """Needs the `national_offices` fixture. All four cases are ready for assignment."""
    today = timezone.localdate()
    long_wait = waited(with_children(waiting_case(level="low"), 6, 9), 30)
    relocation = with_children(
        waiting_case(
            level="medium",
            case_type="relocation",
            planned_move_date=today + timedelta(days=10),
            move_notice_given_on=today - timedelta(days=60),
        ),
        7,
    )
    safety = answered(
        with_children(waiting_case(level="high", safety=["fear"]), 4, 12),
        requester=answers_for(HIGH, fear=True),
        other=answers_for(CALM),
    )
    calm = answered(
        waited(with_children(waiting_case(level="low"), 10), 5),
        requester=answers_for(CALM),
        other=answers_for(CALM),
    )
    office = long_wait.office
    office_mediator = mediator_at(long_wait, high_conflict=True, child_talk=True, **extra)
    external = mediator_at(long_wait, kind="external", high_conflict=True)
    for mediator in (office_mediator, external):
        open_hours(mediator)
    # An approval that has lapsed: shown with its reason when staff ask why.
    lapsed = mediator_at(long_wait, kind="external")
    Mediator.objects.filter(pk=lapsed.pk).update(
        approved_from=today - timedelta(days=800), approved_until=today - timedelta(days=10)
    )
    return DeskWorld(
        office=office,
        staff=staff_user(office),
        relocation=relocation,
        long_wait=long_wait,
        safety=safety,
        calm=calm,
        office_mediator=office_mediator,
        external=external,
    )


def parent(case: Case, role: str) -> Parent:
    return case.parents.get(role=role)
