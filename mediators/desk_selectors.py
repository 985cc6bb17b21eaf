"""Reads of the staff desk's case page. The case itself comes from intake.selectors
(`case_get_for_user`: 404 for a case outside the user's scope, as in the API)."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast

from django.db.models import QuerySet
from django.http import Http404

from intake.answers import questionnaire_for
from intake.models import Case, Parent, QuestionnaireResponse
from intake.questionnaire import Item, Text
from mediators.access import office_scope
from mediators.assigning import ASSIGNABLE, case_suggestions
from mediators.assignment import Exclusion, Place, Suggestion
from mediators.assignment.journey import journey_minutes
from mediators.assignment.rules import number
from mediators.models import Assignment, Location, Mediator, Offer, Office, User
from mediators.snapshots import case_home
from scheduling.models import Appointment, Certificate
from scheduling.slots import Slot, case_mediator, slots_available_for


@dataclass(frozen=True)
class Placements:
    """The case's active assignment, its pending offer, and every offer made (newest first)."""

    assignment: Assignment | None
    offer: Offer | None
    offers: list[Offer]

    @property
    def open_for_assignment(self) -> bool:
        return self.assignment is None and self.offer is None


def case_placements(*, case: Case) -> Placements:
    assignment = (
        case.assignments.select_related("mediator", "location", "chosen_by")
        .filter(ended_at__isnull=True)
        .first()
    )
    offers = list(case.offers.select_related("mediator", "location").order_by("-created_at"))
    pending = next((offer for offer in offers if offer.status == Offer.Status.PENDING), None)
    return Placements(assignment=assignment, offer=pending, offers=offers)


def case_assignable(*, case: Case, placements: Placements) -> bool:
    return case.status in ASSIGNABLE and placements.open_for_assignment


@dataclass(frozen=True)
class SuggestionRow:
    suggestion: Suggestion
    office_name: str


@dataclass(frozen=True)
class ExcludedRow:
    mediator_id: int
    name: str
    reasons: list[Exclusion]


def case_suggestion_rows(
    *, case: Case, explain: bool = False
) -> tuple[list[SuggestionRow], list[ExcludedRow]]:
    """The ranked suggestions with office names; with `explain`, the excluded and why."""
    suggestions = case_suggestions(case=case, explain=explain)
    offices = Office.objects.in_bulk({s.office_id for s in suggestions.ranked})
    rows = [
        SuggestionRow(s, str(offices[s.office_id]) if s.office_id in offices else "")
        for s in suggestions.ranked
    ]
    names = Mediator.objects.in_bulk([mediator_id for mediator_id, _ in suggestions.excluded])
    excluded = [
        ExcludedRow(mediator_id, str(names.get(mediator_id, mediator_id)), reasons)
        for mediator_id, reasons in suggestions.excluded
    ]
    return rows, excluded


@dataclass(frozen=True)
class SlotRow:
    slot: Slot
    location_name: str
    # The family's one-way journey there (from the case's municipality, as the assignment
    # counts it); None for a slot that is video or phone only.
    journey_minutes: int | None = None

    @property
    def beyond_journey_guidance(self) -> bool:
        """Beyond about 2 hours each way (domain brief; `travel.max_journey`)."""
        return self.journey_minutes is not None and self.journey_minutes > number(
            "travel.max_journey"
        )


def case_slots(
    *, case: Case, start: date, days: int, minutes: int, kind: str | None, limit: int
) -> tuple[Mediator | None, list[SlotRow]]:
    """Free slots of the case's mediator (as CaseSlotsApi lists them), the first `limit`."""
    mediator = case_mediator(case=case)
    if mediator is None:
        return None, []
    slots = slots_available_for(
        case=case,
        start=start,
        days=days,
        duration=timedelta(minutes=minutes),
        kind=kind,
        mediator=mediator,
    )[:limit]
    home = case_home(case)
    places = {
        pk: (name, journey_minutes(home, Place(latitude, longitude)))
        for pk, name, latitude, longitude in Location.objects.filter(
            pk__in={s.location_id for s in slots}
        ).values_list("pk", "name", "latitude", "longitude")
    }
    return mediator, [
        SlotRow(slot, *places.get(slot.location_id or 0, ("", None))) for slot in slots
    ]


def case_appointments(*, case: Case) -> QuerySet[Appointment]:
    return Appointment.objects.select_related(
        "mediator", "location", "interpreter_language"
    ).filter(case=case)


def case_appointment_get(*, case: Case, appointment_id: int) -> Appointment:
    """One appointment of a case the user may see; 404 otherwise."""
    appointment = case_appointments(case=case).filter(pk=appointment_id).first()
    if appointment is None:
        raise Http404
    return appointment


def case_certificates(*, case: Case) -> list[Certificate]:
    return list(case.certificates.select_related("parent").order_by("parent__role"))


def batch_office_ids(*, user: Any) -> list[int]:
    """The offices a user's batch covers: their office, a coordinator's region, or all."""
    return list(Office.objects.filter(office_scope(cast(User, user))).values_list("pk", flat=True))


@dataclass(frozen=True)
class AnswerRow:
    item: Item
    value: str
    choice: Text | None  # the chosen answer's text; None for free text


@dataclass(frozen=True)
class ParentAnswers:
    parent: Parent
    response: QuestionnaireResponse | None
    rows: list[AnswerRow]

    @property
    def submitted(self) -> bool:
        return bool(self.response and self.response.submitted_at)


def parent_answers(*, case: Case, role: str) -> ParentAnswers:
    """One parent's submitted answers, question by question (a draft is not shown)."""
    parent = next((p for p in case.parents.all() if p.role == role), None)
    if parent is None:
        raise Http404
    response: QuestionnaireResponse | None = getattr(parent, "response", None)
    if response is None or response.submitted_at is None:
        return ParentAnswers(parent=parent, response=response, rows=[])
    questionnaire = questionnaire_for(response)
    rows = []
    for item in questionnaire.items:
        value = response.answers.get(item.id)
        if not value:
            continue
        choice = item.choice(value).text if item.is_choice else None
        rows.append(AnswerRow(item=item, value=value, choice=choice))
    return ParentAnswers(parent=parent, response=response, rows=rows)
