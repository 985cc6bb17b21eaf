"""Free times a case can book: the mediator's openings minus what is already booked.

A slot is a start time and the meetings it holds. Joint meetings and child talks are one
meeting. A case where separate meetings are recommended (meklingsforskriften § 7) gets
*paired* slots: the requester's meeting first, then the other parent's, starting
`SEPARATE_GAP` after the first ends, both inside one opening of the mediator:

    09:00–10:00 requester | 10:15–11:15 other parent     (slot 09:00–11:15)

so the parents are never in the building at the same time. A separate meeting also keeps the
gap from any meeting the *other* parent already has in the case.

Candidate starts step by `SLOT_STEP` from the start of each opening; every time is an aware
UTC datetime, with a local (Europe/Oslo) label for display.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from config.api_errors import ApplicationError
from intake.models import Case
from mediators.models import Assignment, Mediator, Offer
from scheduling.availability import OSLO, Busy, Window, busy_for, local_date, windows_for
from scheduling.models import Appointment, AppointmentStatus

SLOT_STEP = timedelta(minutes=30)
SEPARATE_GAP = timedelta(minutes=15)
MAX_DAYS = 62


@dataclass(frozen=True)
class Meeting:
    """One meeting of a slot; `parent_role` is empty when both parents (or the child) attend."""

    parent_role: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Slot:
    mediator_id: int
    location_id: int | None
    meetings: tuple[Meeting, ...]

    @property
    def starts_at(self) -> datetime:
        return self.meetings[0].starts_at

    @property
    def ends_at(self) -> datetime:
        return self.meetings[-1].ends_at

    @property
    def local_label(self) -> str:
        """E.g. "2027-03-30 09:00–10:00" in Oslo time."""
        start, end = self.starts_at.astimezone(OSLO), self.ends_at.astimezone(OSLO)
        return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"


def case_mediator(*, case: Case) -> Mediator | None:
    """The mediator of the case's active assignment, else of its pending offer."""
    assignment = (
        Assignment.objects.select_related("mediator")
        .filter(case=case, ended_at__isnull=True)
        .first()
    )
    if assignment is not None:
        return assignment.mediator
    offer = (
        Offer.objects.select_related("mediator")
        .filter(case=case, status=Offer.Status.PENDING)
        .first()
    )
    return offer.mediator if offer is not None else None


def separate_required(*, case: Case) -> bool:
    """Whether the classification recommends separate meetings (a safety case)."""
    classification = getattr(case, "classification", None)
    return bool(classification and classification.separate_meetings_recommended)


def roles_for(kind: str, parent_role: str = "") -> tuple[str, ...]:
    """Who each meeting of a booking is for, in order: ("",) or the two parents staggered."""
    if parent_role:
        return (parent_role,)
    if kind == Appointment.Kind.SEPARATE:
        return (Appointment.ParentRole.REQUESTER, Appointment.ParentRole.OTHER)
    return ("",)


def layout_meetings(
    *, starts_at: datetime, duration: timedelta, roles: Sequence[str]
) -> tuple[Meeting, ...]:
    """The meetings of a booking that starts at `starts_at`, each `SEPARATE_GAP` apart."""
    meetings = []
    start = starts_at
    for role in roles:
        meetings.append(Meeting(role, start, start + duration))
        start = start + duration + SEPARATE_GAP
    return tuple(meetings)


def slots_available_for(
    *,
    case: Case,
    start: date,
    days: int = 21,
    duration: timedelta = timedelta(hours=1),
    kind: str | None = None,
    parent_role: str = "",
    mediator: Mediator | None = None,
    location_id: int | None = None,
    ignore: Iterable[int] = (),
    now: datetime | None = None,
) -> list[Slot]:
    """Free slots from `start` for `days` local dates, for the case's mediator (or `mediator`).

    The case's mediator is the assigned one, else the one with a pending offer (slots can be
    shown while an external mediator decides; booking needs the assignment).

    `kind` defaults to `separate` for a safety case and `joint` otherwise; `parent_role`
    asks for one parent's meeting only (moving one separate meeting). `ignore` lists
    appointment ids to treat as free (the one being moved). Only future starts are offered.
    """
    mediator = mediator or case_mediator(case=case)
    if mediator is None:
        return []
    now = now or timezone.now()
    days = max(1, min(days, MAX_DAYS))
    if kind == Appointment.Kind.JOINT and separate_required(case=case):
        raise ApplicationError(
            "Separate meetings are recommended for this case: only separate slots are offered.",
            fields={"kind": ["Joint meetings are not allowed for this case."]},
        )
    if kind is None:
        kind = Appointment.Kind.SEPARATE if separate_required(case=case) else Appointment.Kind.JOINT
    roles = roles_for(kind, parent_role)
    first = max(start, local_date(now))
    last = start + timedelta(days=days - 1)
    if last < first:
        return []
    windows = [
        w
        for w in windows_for(mediator_id=mediator.pk, first=first, last=last)
        if location_id is None or w.location_id == location_id
    ]
    if not windows:
        return []
    ignored = list(ignore)
    busy = busy_for(
        mediator_id=mediator.pk,
        starts_at=windows[0].starts_at,
        ends_at=max(w.ends_at for w in windows),
        ignore=ignored,
    )
    parent_busy = parents_busy(case=case, ignore=ignored)
    slots: dict[tuple[datetime, int | None], Slot] = {}  # overlapping openings offer a slot once
    for window in windows:
        for slot_start in _starts(window, duration, len(roles)):
            if slot_start <= now or (slot_start, window.location_id) in slots:
                continue
            meetings = layout_meetings(starts_at=slot_start, duration=duration, roles=roles)
            if meetings_free(meetings, busy, parent_busy):
                slots[slot_start, window.location_id] = Slot(
                    mediator.pk, window.location_id, meetings
                )
    return sorted(slots.values(), key=lambda s: (s.starts_at, s.location_id or 0))


def slots_to_move(*, appointment: Appointment, start: date, days: int) -> list[Slot]:
    """Free slots to move this appointment to: same length, kind, parent, mediator and place;
    its own time counts as free."""
    return slots_available_for(
        case=appointment.case,
        start=start,
        days=days,
        duration=appointment.duration,
        kind=appointment.kind,
        parent_role=appointment.parent_role,
        mediator=appointment.mediator,
        location_id=appointment.location_id,
        ignore=[appointment.pk],
    )


def parents_busy(*, case: Case, ignore: Iterable[int] = ()) -> dict[str, list[Busy]]:
    """Per parent role, the times their meeting may not touch: the other parent's separate
    meetings in this case, widened by `SEPARATE_GAP` on both sides."""
    rows = (
        Appointment.objects.filter(case=case, kind=Appointment.Kind.SEPARATE)
        .exclude(status=AppointmentStatus.CANCELLED)
        .exclude(pk__in=list(ignore))
        .values_list("parent_role", "starts_at", "ends_at")
    )
    other: dict[str, str] = {
        Appointment.ParentRole.REQUESTER: Appointment.ParentRole.OTHER,
        Appointment.ParentRole.OTHER: Appointment.ParentRole.REQUESTER,
    }
    busy: dict[str, list[Busy]] = {role: [] for role in other}
    for role, starts_at, ends_at in rows:
        busy[other[role]].append(Busy(starts_at - SEPARATE_GAP, ends_at + SEPARATE_GAP))
    return busy


def meetings_free(
    meetings: Sequence[Meeting], busy: Sequence[Busy], parent_busy: dict[str, list[Busy]]
) -> bool:
    for meeting in meetings:
        taken = [*busy, *parent_busy.get(meeting.parent_role, [])]
        if any(b.overlaps(meeting.starts_at, meeting.ends_at) for b in taken):
            return False
    return True


def window_for(
    *,
    mediator_id: int,
    starts_at: datetime,
    ends_at: datetime,
    location_id: int | None,
    in_person: bool,
) -> Window | None:
    """An opening of the mediator that holds the whole range: at the location, if given, and
    at some location for an in-person meeting (an opening without one is video/phone only)."""
    day = local_date(starts_at)
    for window in windows_for(mediator_id=mediator_id, first=day, last=local_date(ends_at)):
        if location_id is not None and window.location_id != location_id:
            continue
        if in_person and window.location_id is None:
            continue
        if window.contains(starts_at, ends_at):
            return window
    return None


def _starts(window: Window, duration: timedelta, meetings: int) -> list[datetime]:
    """Slot starts in a window, stepping in real (UTC) time so DST days keep their length."""
    block = duration * meetings + SEPARATE_GAP * (meetings - 1)
    starts = []
    start = window.starts_at
    while start + block <= window.ends_at:
        starts.append(start)
        start += SLOT_STEP
    return starts
