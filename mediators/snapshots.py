"""Database rows → the assignment core's plain inputs (CaseNeed, MediatorSlot). Reads only."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Max, Sum
from django.utils import timezone

from intake.models import Case, Parent
from mediators.assignment import (
    CaseNeed,
    LocationRef,
    MediatorSlot,
    Place,
    party_keys,
)
from mediators.assignment.rules import number
from mediators.models import Assignment, ConflictDeclaration, Mediator, Offer


def _parent_keys(parent: Parent) -> frozenset[str]:
    return party_keys(
        national_id_digest=parent.national_id_digest,
        given_name=parent.given_name,
        family_name=parent.family_name,
        birth_date=parent.birth_date,
    )


def case_home(case: Case) -> Place:
    """Where the family's journeys are counted from: the case's municipality."""
    return Place(case.municipality.latitude, case.municipality.longitude)


def case_need(case: Case) -> CaseNeed:
    """What a case needs of a mediator. `case` should come with parents and classification."""
    parents = list(case.parents.all())
    classification = getattr(case, "classification", None)
    previous = case.assignments.filter(ended_at__isnull=False).order_by("-ended_at").first()
    home = case_home(case)
    return CaseNeed(
        case_id=case.pk,
        reference=case.reference,
        office_id=case.office.pk,
        home=home,
        case_type=case.case_type,
        level=classification.effective_level if classification else "medium",
        safety=bool(
            classification
            and (classification.safety_flags or classification.separate_meetings_recommended)
        ),
        languages=frozenset(p.language for p in parents if p.interpreter_language_id is None),
        interpreter=any(p.interpreter_language_id for p in parents),
        parties=frozenset(key for parent in parents for key in _parent_keys(parent)),
        requested_on=timezone.localdate(case.requested_at),
        move_date=case.planned_move_date,
        court_deadline=case.court_deadline,
        previous_mediator_id=previous.mediator_id if previous else None,
        remote_ok=any(p.lives_abroad for p in parents),
    )


def mediator_loads(mediator_ids: Iterable[int] | None = None) -> dict[int, Decimal]:
    """Hours each mediator has committed: active assignments plus offers awaiting an answer."""
    loads: dict[int, Decimal] = defaultdict(Decimal)
    assignments = Assignment.objects.filter(ended_at__isnull=True)
    offers = Offer.objects.filter(status=Offer.Status.PENDING)
    if mediator_ids is not None:
        ids = list(mediator_ids)
        assignments, offers = (
            assignments.filter(mediator_id__in=ids),
            offers.filter(mediator_id__in=ids),
        )
    for rows in (assignments, offers):
        for mediator_id, hours in (
            rows.values("mediator_id").annotate(h=Sum("hours")).values_list("mediator_id", "h")
        ):
            loads[mediator_id] += hours or Decimal(0)
    return loads


def mediator_slots(
    *, office_ids: Iterable[int] | None = None, mediator_ids: Iterable[int] | None = None
) -> list[MediatorSlot]:
    """Mediators who could take cases of these offices (theirs, and all externals), or these."""
    mediators = Mediator.objects.prefetch_related("locations", "languages").order_by("pk")
    if office_ids is not None:
        mediators = mediators.filter(office_id__in=list(office_ids)) | mediators.filter(
            kind="external"
        )
    if mediator_ids is not None:
        mediators = mediators.filter(pk__in=list(mediator_ids))
    rows = list(mediators.annotate(last_assigned=Max("assignments__created_at")).distinct())
    ids = [mediator.pk for mediator in rows]
    loads = mediator_loads(ids)
    conflicts: dict[int, set[str]] = defaultdict(set)
    for declaration in ConflictDeclaration.objects.filter(mediator_id__in=ids):
        conflicts[declaration.mediator_id] |= party_keys(
            national_id_digest=declaration.national_id_digest,
            given_name=declaration.given_name,
            family_name=declaration.family_name,
            birth_date=declaration.birth_date,
        )
    away, free_time, free_time_at = _calendars(ids)
    return [
        MediatorSlot(
            mediator_id=mediator.pk,
            name=str(mediator),
            kind=mediator.kind,
            office_id=mediator.office_id or 0,
            locations=tuple(
                LocationRef(loc.pk, loc.office_id, loc.name, Place(loc.latitude, loc.longitude))
                for loc in mediator.locations.all()
            ),
            high_conflict=mediator.high_conflict,
            child_talk=mediator.child_talk,
            court_referral=mediator.court_referral,
            separate_meetings=mediator.separate_meetings,
            languages=frozenset(language.code for language in mediator.languages.all()),
            capacity_hours=float(mediator.weekly_capacity_hours),
            load_hours=float(loads.get(mediator.pk, 0)),
            active=mediator.active,
            approved_until=mediator.approved_until,
            declared_parties=frozenset(conflicts[mediator.pk]),
            last_assigned_at=mediator.last_assigned,
            away_until=away.get(mediator.pk),
            free_time=free_time.get(mediator.pk),
            free_time_at=free_time_at.get(mediator.pk),
        )
        for mediator in rows
    ]


def _calendars(
    mediator_ids: list[int],
) -> tuple[
    dict[int, date],
    dict[int, tuple[tuple[date, float], ...]],
    dict[int, tuple[tuple[int, tuple[tuple[date, float], ...]], ...]],
]:
    """Per mediator: the last day of the leave they are on tomorrow (the earliest first
    meeting), and the free parts of their openings from tomorrow for `wait.calendar_days`
    (openings minus leave, public holidays and booked appointments), anywhere and per
    location, for the mediators who have opening hours. Three queries for all mediators
    (`calendars_for`), never one each."""
    # scheduling depends on mediators, not the reverse
    from scheduling.availability import calendars_for, free_intervals
    from scheduling.slots import SLOT_STEP

    tomorrow = timezone.localdate() + timedelta(days=1)
    last = tomorrow + timedelta(days=int(number("wait.calendar_days")) - 1)
    calendars = calendars_for(mediator_ids=mediator_ids, first=tomorrow, last=last)
    away: dict[int, date] = {}
    for mediator_id, spans in calendars.leave.items():
        for starts_on, ends_on in spans:
            if starts_on <= tomorrow <= ends_on:
                away[mediator_id] = max(ends_on, away.get(mediator_id, ends_on))
    free_time: dict[int, tuple[tuple[date, float], ...]] = {}
    free_time_at: dict[int, tuple[tuple[int, tuple[tuple[date, float], ...]], ...]] = {}
    for mediator_id in calendars.with_openings:
        windows = calendars.windows.get(mediator_id, [])
        busy = calendars.busy.get(mediator_id, [])
        free_time[mediator_id] = tuple(free_intervals(windows, busy, SLOT_STEP))
        places = sorted({w.location_id for w in windows if w.location_id is not None})
        free_time_at[mediator_id] = tuple(
            (
                place,
                tuple(
                    free_intervals([w for w in windows if w.location_id == place], busy, SLOT_STEP)
                ),
            )
            for place in places
        )
    return away, free_time, free_time_at
