"""One policy's year in simulated time, through the service's real functions.

Runs in its own process against its own PostgreSQL database (a copy of the template). The
clock is time-machine's: every service reads `timezone.now()`, so duties, deadlines and
offers run on simulated time. Celery runs eagerly (the task code, in process, after commit);
the beat sweep (`duties_dispatch_due`) runs every simulated hour, as beat would every minute.

What the simulated people do (seeded, the same draws for every policy where possible):
- parents request (`case_request`), answer and submit (`answers_save_draft`,
  `answers_submit` → the `classify` duty → `classification_recompute`);
- on each working day at 08:00 staff place every waiting case with the policy
  (`cases_place_batch(policy=...)`): ready cases, and cases still in intake after 10 days;
- office mediators' cases are booked at once in the first free slot (`slots_available_for`,
  `appointment_book`); externals answer offers after some hours: accept with their first free
  slot (`offer_accept`), decline (`offer_decline` → `offer_next`), or say nothing until the
  offer expires (the `offer_expiry` duty → `offer_expire` → `offer_next`); an external on leave
  does not answer;
- after each meeting its attendance is recorded (`appointment_record_attendance`, which issues
  the certificate); a meeting nobody came to is booked again; follow-up meetings a week or more
  apart; then the case closes (`case_close`), which frees the mediator's hours;
- sick leave is entered the day it starts (`leave_add`).
"""

from __future__ import annotations

import heapq
import json
import logging
import os
import random
import time as wallclock
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from bench.national_world import OSLO, START, answers_for

BATCH_HOUR = 8
INTAKE_GRACE_DAYS = 10
NO_SHOW = {"requester": 0.04, "other": 0.07}
OFFER_DECLINE, OFFER_SILENT = 0.12, 0.08
RETRY_BOOKING = timedelta(days=7)
DRAIN_WEEKS = 10


def _local(moment: datetime) -> datetime:
    return moment.astimezone(OSLO)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=OSLO).astimezone(UTC)


class Sim:
    def __init__(self, *, policy: str, plan: dict[str, Any]) -> None:
        from scheduling.availability import public_holidays

        self.policy = policy
        self.plan = plan
        self.seed = plan["seed"]
        self.events: list[tuple[datetime, int, str, Any]] = []
        self.serial = 0
        self.case_pk: dict[int, int] = {}
        self.index_of: dict[int, int] = {}
        self.held: Counter[int] = Counter()
        self.no_shows: Counter[tuple[int, int]] = Counter()
        self.booking: set[int] = set()
        self.responding: set[int] = set()
        self.last_offer = 0
        self.dirty = False  # a decline placed the case again: look for new offers
        self.counts: Counter[str] = Counter()
        self.solve_seconds = 0.0
        self.max_load_ratio = 0.0
        self.over_capacity: list[list[Any]] = []
        self.diagnosis: dict[int, dict[str, Any]] = {}
        self.places: dict[tuple[int, int], set[int]] = {}
        self.mediator_slot: dict[int, Any] = {}
        weeks = plan["weeks"]
        self.arrivals_end = _at(START + timedelta(weeks=weeks), 0)
        drain = plan.get("drain_weeks", DRAIN_WEEKS)
        self.end = _at(START + timedelta(weeks=weeks + drain), 0)
        self.holidays = public_holidays(START, START + timedelta(weeks=weeks + drain + 10))

    # --- the event queue ---

    def push(self, when: datetime, kind: str, payload: Any = None) -> None:
        self.serial += 1
        heapq.heappush(self.events, (when, self.serial, kind, payload))

    def rng(self, *parts: Any) -> random.Random:
        return random.Random(":".join(str(p) for p in (self.seed, *parts)))

    def working(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def run(self) -> dict[str, Any]:
        import time_machine

        for case in self.plan["cases"]:
            self.push(datetime.fromisoformat(case["arrive"]), "arrive", case["i"])
        for mediator_id, first, length in self.plan["sick"]:
            self.push(_at(date.fromisoformat(first), 7), "sick", (mediator_id, first, length))
        day = START
        while _at(day, 0) < self.end:
            if self.working(day):
                self.push(_at(day, BATCH_HOUR), "batch")
            day += timedelta(days=1)
        self.push(_at(START, 0, 30), "sweep")
        started = wallclock.perf_counter()
        with time_machine.travel(_at(START, 0), tick=False) as clock:
            while self.events:
                when, _, kind, payload = heapq.heappop(self.events)
                if when >= self.end:
                    break
                clock.move_to(when)
                getattr(self, f"on_{kind}")(when, payload)
                self.counts[f"event.{kind}"] += 1
        self.counts["seconds.simulate"] = round(wallclock.perf_counter() - started)
        return self.collect()

    # --- parents ---

    def on_arrive(self, now: datetime, index: int) -> None:
        from intake.models import Parent
        from intake.services import CaseRequest, ParentInput, case_request
        from mediators.models import District, Language, Municipality, Office

        spec = self.plan["cases"][index]
        municipality = Municipality.objects.get(number=spec["municipality"])
        district = District.objects.get(name=spec["district"]) if spec["district"] else None
        chosen = Office.objects.get(code=spec["chosen_office"]) if spec["chosen_office"] else None
        today = _local(now).date()
        parents = tuple(
            ParentInput(
                role=p["role"],
                given_name=p["given"],
                family_name=p["family"],
                email=f"forelder.{index}.{p['role']}@sim.example",
                language=p["language"],
                interpreter_language=(
                    Language.objects.get(code=p["interpreter"]) if p["interpreter"] else None
                ),
                lives_abroad=p["abroad"],
            )
            for p in spec["parents"]
        )
        case = case_request(
            request=CaseRequest(
                case_type=spec["case_type"],
                municipality=municipality,
                district=district,
                preferred_office=chosen,
                parents=parents,
                children_birth_dates=tuple(
                    today.replace(year=today.year - age, day=1) for age in spec["children"]
                ),
                planned_move_date=_date(spec["move_date"]),
                move_notice_given_on=_date(spec["notice_on"]),
                court_name="Simulert tingrett" if spec["court_deadline"] else "",
                court_deadline=_date(spec["court_deadline"]),
            )
        )
        self.case_pk[index] = case.pk
        self.index_of[case.pk] = index
        roles = dict(Parent.objects.filter(case=case).values_list("role", "pk"))
        for parent in spec["parents"]:
            if parent["delay_h"] is not None:
                when = now + timedelta(hours=parent["delay_h"])
                self.push(when, "answer", (roles[parent["role"]], spec["level"], parent["role"]))

    def on_answer(self, now: datetime, payload: tuple[int, str, str]) -> None:
        from intake.answers import answers_save_draft, answers_submit
        from intake.models import Parent

        parent_id, level, role = payload
        parent = Parent.objects.select_related("case").get(pk=parent_id)
        answers_save_draft(parent=parent, answers=answers_for(level, role))
        answers_submit(parent=parent)

    # --- staff: the policy's daily batch ---

    def on_batch(self, now: datetime, _: Any) -> None:
        from django.db.models import Q

        from intake.models import Case, CaseStatus
        from mediators.assigning import cases_place_batch

        grace = now - timedelta(days=INTAKE_GRACE_DAYS)
        placeable = Q(status=CaseStatus.READY) | Q(
            status=CaseStatus.INTAKE, requested_at__lte=grace
        )
        if self.policy in self.plan.get("provisional_policies", ()):
            # The desk queue of this service (mediators.selectors.cases_waiting_in): a case is
            # placed once the requester has answered; the other parent's answers, when they
            # come, recheck the mediator's competence and turn a joint meeting into separate
            # ones (mediators/reassigning.py, scheduling/separating.py).
            placeable |= Q(status=CaseStatus.INTAKE, classification__isnull=False)
        waiting = list(
            Case.objects.filter(placeable)
            .select_related("classification", "municipality", "catchment_office", "chosen_office")
            .prefetch_related("parents")
            .order_by("pk")
        )
        if not waiting:
            return
        today = _local(now).date()
        for case in waiting:
            self.diagnosis.setdefault(case.pk, {"released": today.isoformat()})
        fresh = [case for case in waiting if "placed_on" not in self.diagnosis[case.pk]]
        earliest = self.earliest_days(fresh, today)
        outcome = cases_place_batch(cases=waiting, policy=self.policy)
        self.counts["batch.placed"] += len(outcome.placed)
        self.counts["batch.unassigned"] += len(outcome.unassigned)
        self.solve_seconds += outcome.solve_seconds
        for reason in outcome.unassigned.values():
            if "(" in reason and ":" in reason:
                self.counts[f"unassigned.{reason.split('(')[1].split(':')[0]}"] += 1
            else:
                self.counts["unassigned.capacity"] += 1
        for placement in outcome.placed.values():
            row = placement.row
            found = self.diagnosis[row.case_id]
            if "placed_on" not in found:
                days = earliest.get(row.case_id, {})
                found.update(
                    placed_on=today.isoformat(),
                    best=days.get("best"),
                    best_without_capacity=days.get("best_without_capacity"),
                    chosen=days.get("by_mediator", {}).get(row.mediator_id),
                    chosen_place=self.place_day(placement.assignment, days, today),
                )
            if placement.offer is not None:
                self.respond_later(now, placement.offer)
            elif placement.assignment is not None:
                self.book_later(now + timedelta(minutes=30), placement.assignment.case_id, now)
        self.check_capacity()

    def place_day(self, assignment: Any, days: dict[str, Any], today: date) -> str | None:
        """The earliest day at the place the assignment chose (as `earliest_days` read it
        before the batch; video: anywhere): set against `chosen` (any of the mediator's
        places) and the slot booked, it splits the booking's loss into the choice of place
        and what the batch and the time until the booking took."""
        if assignment is None or "need" not in days:
            return None
        from mediators.assignment.cost import earliest_free

        mediator = days["slots"].get(assignment.mediator_id)
        if mediator is None:
            return None
        day = earliest_free(
            mediator=mediator,
            today=today,
            case=days["need"],
            location_id=None if assignment.remote else assignment.location_id,
        )
        return day.isoformat()

    def earliest_days(self, cases: list[Any], today: date) -> dict[int, dict[str, Any]]:
        """Diagnostic, read before the batch: per case, the earliest day any eligible mediator
        could hold its first meeting (`earliest_free`, the wait the optimiser prices), the same
        if the weekly open-case capacity (`capacity.full`) did not apply, and each eligible
        mediator's own day. The gap between the slot booked and these days tells where the
        wait went: the choice of mediator, the capacity rule, or the booking itself."""
        from mediators.assignment.cost import earliest_free
        from mediators.assignment.eligibility import exclusions
        from mediators.snapshots import case_need, mediator_slots

        if not cases:
            return {}
        needs = [case_need(case) for case in cases]
        slots = mediator_slots(office_ids={need.office_id for need in needs})
        by_id = {slot.mediator_id: slot for slot in slots}
        found: dict[int, dict[str, Any]] = {}
        for need in needs:
            by_mediator: dict[int, str] = {}
            best: date | None = None
            best_without_capacity: date | None = None
            for mediator in slots:
                rules = {e.rule for e in exclusions(case=need, mediator=mediator, today=today)}
                if rules - {"capacity.full"}:
                    continue
                day = earliest_free(mediator=mediator, today=today, case=need)
                if best_without_capacity is None or day < best_without_capacity:
                    best_without_capacity = day
                if not rules:
                    by_mediator[mediator.mediator_id] = day.isoformat()
                    if best is None or day < best:
                        best = day
            found[need.case_id] = {
                "best": best.isoformat() if best else None,
                "best_without_capacity": best_without_capacity.isoformat()
                if best_without_capacity
                else None,
                "by_mediator": by_mediator,
                "need": need,
                "slots": by_id,
            }
        return found

    def check_capacity(self) -> None:
        """Invariant: no mediator's committed hours above their weekly capacity."""
        from mediators.models import Mediator
        from mediators.snapshots import mediator_loads

        loads = mediator_loads()
        capacity = dict(Mediator.objects.values_list("pk", "weekly_capacity_hours"))
        for mediator_id, load in loads.items():
            cap = capacity[mediator_id] or Decimal(1)
            self.max_load_ratio = max(self.max_load_ratio, float(load / cap))
            if load > capacity[mediator_id]:
                self.over_capacity.append([mediator_id, str(load), str(capacity[mediator_id])])

    # --- the duty sweep and what it causes ---

    def on_sweep(self, now: datetime, _: Any) -> None:
        from intake.models import Case, CaseStatus
        from mediators.models import Offer
        from scheduling.duties import duties_dispatch_due

        ran = 0
        while (claimed := duties_dispatch_due(now=now, limit=1000)) > 0:
            ran += claimed
            if claimed < 1000:
                break
        self.push(now + timedelta(hours=1), "sweep")
        if not ran and not self.dirty:
            return
        self.dirty = False
        # offer_next (after a decline or an expiry) made new offers or assignments.
        for offer in Offer.objects.filter(status=Offer.Status.PENDING, pk__gt=self.last_offer):
            if offer.pk not in self.responding:
                self.respond_later(now, offer)
        self.last_offer = max(self.responding, default=0)
        for case_id in Case.objects.filter(status=CaseStatus.ASSIGNED).values_list("pk", flat=True):
            if case_id not in self.booking:
                self.book_later(now + timedelta(minutes=10), case_id, now)

    # --- external mediators answer offers ---

    def respond_later(self, now: datetime, offer: Any) -> None:
        self.responding.add(offer.pk)
        rng = self.rng("offer", self.index_of.get(offer.case_id), offer.mediator_id)
        draw = rng.random()
        if draw < OFFER_DECLINE:
            self.push(now + timedelta(hours=rng.uniform(1, 20)), "respond", (offer.pk, "decline"))
        elif draw < OFFER_DECLINE + OFFER_SILENT:
            self.counts["offer.silent"] += 1
        else:
            self.push(now + timedelta(hours=rng.uniform(1, 30)), "respond", (offer.pk, "accept"))

    def on_respond(self, now: datetime, payload: tuple[int, str]) -> None:
        from config.api_errors import ApplicationError, Conflict
        from mediators.models import Offer
        from mediators.offers import offer_accept, offer_decline
        from scheduling.models import Leave

        offer_id, answer = payload
        offer = Offer.objects.select_related("case", "mediator").get(pk=offer_id)
        if offer.status != Offer.Status.PENDING:
            return
        today = _local(now).date()
        if Leave.objects.filter(
            mediator_id=offer.mediator_id, starts_on__lte=today, ends_on__gte=today
        ).exists():
            self.counts["offer.away"] += 1
            return  # away: the offer expires at its deadline
        if answer == "decline":
            self.counts["offer.declined"] += 1
            offer_decline(offer=offer, reason="Ikke kapasitet (simulert).")
            self.dirty = True
            return
        slot = self.first_slot(
            case=offer.case,
            mediator=offer.mediator,
            location_id=None if offer.remote else offer.location_id,
            start=today + timedelta(days=1),
        )
        try:
            if slot is None:
                self.counts["offer.declined_no_time"] += 1
                offer_decline(offer=offer, reason="Ingen ledig tid (simulert).")
                self.dirty = True
                return
            offer_accept(offer=offer, starts_at=slot.starts_at)
        except (Conflict, ApplicationError):
            self.counts["offer.accept_failed"] += 1
            return
        self.counts["offer.accepted"] += 1
        self.push(slot.ends_at + timedelta(minutes=30), "meet", offer.case_id)

    # --- booking and meetings ---

    def book_later(
        self, when: datetime, case_id: int, now: datetime, after: date | None = None
    ) -> None:
        self.booking.add(case_id)
        self.push(when, "book", (case_id, (after or _local(now).date()).isoformat()))

    def first_slot(self, *, case: Any, mediator: Any, location_id: int | None, start: date) -> Any:
        """The first slot at the assigned location; none there in 62 days, the first at any
        other place the family may meet this mediator (`cost.meeting_places`: the journey
        guidance), as the hindsight bound allows. `location_id` None: video, any opening."""
        if location_id is None:
            return self.first_at(case, mediator, start, None)
        others = self.places_allowed(case, mediator) - {location_id}
        return self.first_at(case, mediator, start, {location_id}) or (
            self.first_at(case, mediator, start, others) if others else None
        )

    def first_at(self, case: Any, mediator: Any, start: date, places: set[int] | None) -> Any:
        """The first slot in 62 days at one of these places (None: anywhere)."""
        from scheduling.slots import slots_available_for

        only = next(iter(places)) if places is not None and len(places) == 1 else None
        slots = slots_available_for(
            case=case, start=start, days=62, mediator=mediator, location_id=only
        )
        return next((s for s in slots if places is None or s.location_id in places), None)

    def places_allowed(self, case: Any, mediator: Any) -> set[int]:
        from mediators.assignment.cost import meeting_places
        from mediators.snapshots import case_need, mediator_slots

        key = (case.pk, mediator.pk)
        if key not in self.places:
            # A mediator's locations do not change during a run: read them once.
            slot = self.mediator_slot.get(mediator.pk)
            if slot is None:
                slot = self.mediator_slot[mediator.pk] = mediator_slots(mediator_ids=[mediator.pk])[
                    0
                ]
            self.places[key] = {
                loc.location_id for loc, _ in meeting_places(case=case_need(case), mediator=slot)
            }
        return self.places[key]

    def on_book(self, now: datetime, payload: tuple[int, str]) -> None:
        from config.api_errors import ApplicationError, Conflict
        from intake.models import Case
        from intake.services import case_close
        from mediators.models import Assignment, Location
        from scheduling.appointments import appointment_book
        from scheduling.models import Appointment, AppointmentStatus
        from scheduling.slots import separate_required

        case_id, after = payload
        case = Case.objects.select_related("classification").get(pk=case_id)
        assignment = (
            Assignment.objects.select_related("mediator")
            .filter(case=case, ended_at__isnull=True)
            .first()
        )
        if assignment is None or case.closed_at is not None:
            self.booking.discard(case_id)
            return
        if Appointment.objects.filter(
            case=case, status=AppointmentStatus.BOOKED, starts_at__gt=now
        ).exists():
            self.booking.discard(case_id)
            return
        start = max(date.fromisoformat(after), _local(now).date()) + timedelta(days=1)
        slot = self.first_slot(
            case=case,
            mediator=assignment.mediator,
            location_id=None if assignment.remote else assignment.location_id,
            start=start,
        )
        if slot is None:
            self.counts["book.no_slot"] += 1
            self.push(now + RETRY_BOOKING, "book", payload)
            return
        found = self.diagnosis.get(case_id)
        if found is not None and "slot_any_location" not in found:
            # The first slot at any place the family may meet the mediator (video: anywhere).
            places = None if assignment.remote else self.places_allowed(case, assignment.mediator)
            anywhere = self.first_at(case, assignment.mediator, start, places)
            found["slot_any_location"] = (
                _local(anywhere.starts_at).date().isoformat() if anywhere else None
            )
        separate = separate_required(case=case)
        try:
            appointment_book(
                case=case,
                starts_at=slot.starts_at,
                kind=Appointment.Kind.SEPARATE if separate else Appointment.Kind.JOINT,
                mode=Appointment.Mode.VIDEO if assignment.remote else Appointment.Mode.IN_PERSON,
                location=(
                    None
                    if assignment.remote or slot.location_id is None
                    else Location(pk=slot.location_id)
                ),
            )
        except (Conflict, ApplicationError) as refused:
            self.counts[f"book.failed.{refused.code}"] += 1
            if refused.code == "hours_limit":
                # At most 7 hours in all (meklingsforskriften § 1), and separate meetings count
                # double: a safety case's third follow-up does not fit. The mediation ends.
                self.booking.discard(case_id)
                try:
                    case_close(case=case)
                    self.counts["case.closed"] += 1
                except Conflict:
                    self.counts["case.close_refused"] += 1
                return
            self.push(now + timedelta(days=1), "book", payload)
            return
        self.booking.discard(case_id)
        self.counts["book.booked"] += 1
        self.push(slot.ends_at + timedelta(minutes=30), "meet", case_id)

    def on_meet(self, now: datetime, case_id: int) -> None:
        from intake.models import Case
        from intake.services import case_close
        from scheduling.certificates import appointment_record_attendance
        from scheduling.models import Appointment, AppointmentStatus

        booked = Appointment.objects.filter(case_id=case_id, status=AppointmentStatus.BOOKED)
        # A meeting's other half still running (separate meetings booked in place of a joint
        # one end later than it did): record the pair together when both are over.
        running = (
            booked.filter(ends_at__gt=now, starts_at__lt=now + timedelta(hours=12))
            .order_by("-ends_at")
            .first()
        )
        if running is not None:
            self.push(running.ends_at + timedelta(minutes=30), "meet", case_id)
            return
        due = list(booked.filter(ends_at__lte=now).order_by("starts_at"))
        if not due:
            return
        meeting = self.held[case_id]
        index = self.index_of[case_id]
        # A meeting nobody came to is booked again: the next try draws afresh (the same draw
        # kept a family missing every slot until the case closed); the first try's key stays.
        tries = self.no_shows[(case_id, meeting)]
        came = []
        for appointment in due:
            rng = self.rng(
                "meet", index, meeting, appointment.parent_role, *([tries] if tries else [])
            )
            requester = rng.random() >= NO_SHOW["requester"]
            other = rng.random() >= NO_SHOW["other"]
            appointment_record_attendance(appointment=appointment, requester=requester, other=other)
            came.append(requester or other)
        if not any(came):
            self.counts["meet.no_show"] += 1
            self.no_shows[(case_id, meeting)] += 1
            self.book_later(now + timedelta(hours=2), case_id, now)
            return
        self.held[case_id] += 1
        if self.held[case_id] <= self.plan["cases"][index]["follow_ups"]:
            self.book_later(
                now + timedelta(hours=2), case_id, now, after=_local(now).date() + timedelta(days=6)
            )
            return
        case_close(case=Case.objects.get(pk=case_id))
        self.counts["case.closed"] += 1

    # --- mediators ---

    def on_sick(self, now: datetime, payload: tuple[int, str, int]) -> None:
        from mediators.models import Mediator
        from scheduling.availability_services import CalendarInvalid, leave_add
        from scheduling.models import Leave

        mediator_id, first, length = payload
        starts = date.fromisoformat(first)
        try:
            leave_add(
                mediator=Mediator.objects.get(pk=mediator_id),
                starts_on=starts,
                ends_on=starts + timedelta(days=length - 1),
                kind=Leave.Kind.SICK,
            )
            self.counts["sick.spells"] += 1
        except CalendarInvalid:
            self.counts["sick.overlapping_leave"] += 1

    # --- the figures, read back from the database ---

    def collect(self) -> dict[str, Any]:
        from intake.models import AuditEvent, Case
        from mediators.models import Assignment, Mediator, Offer
        from mediators.reassigning import CANCELLED_BY_RECHECK
        from scheduling.availability import windows_for
        from scheduling.models import Appointment, AppointmentStatus
        from scheduling.separating import CANCELLED_BY_SAFETY

        first_booked: dict[int, datetime] = {}
        first_held: dict[int, datetime] = {}
        # Each relocation case's meetings as they ended, to trace a miss (`--rows`).
        meetings: dict[int, list[list[Any]]] = defaultdict(list)
        booked_hours: dict[int, float] = defaultdict(float)
        year_end = START + timedelta(weeks=self.plan["weeks"])
        # A slot the service itself took back (the mediator released when the level rose, a
        # joint meeting moved to separate ones) was not really offered: the family's offered
        # slot is the one that stood.
        withdrawn = {CANCELLED_BY_RECHECK, CANCELLED_BY_SAFETY}
        first_place: dict[int, tuple[int, int | None]] = {}
        for case_id, mediator_id, status, starts, hours, by, place in Appointment.objects.order_by(
            "created_at", "pk"
        ).values_list(
            "case_id", "mediator_id", "status", "starts_at", "hours", "cancelled_by", "location_id"
        ):
            meetings[case_id].append([status, _iso(starts), by])
            if by not in withdrawn and case_id not in first_booked:
                first_booked[case_id] = starts
                first_place[case_id] = (mediator_id, place)
            if status == AppointmentStatus.HELD:
                first_held[case_id] = min(first_held.get(case_id, starts), starts)
            if status != AppointmentStatus.CANCELLED and _local(starts).date() < year_end:
                booked_hours[mediator_id] += float(hours)
        last_assignment: dict[int, tuple[int, int | None, bool]] = {}
        for case_id, mediator_id, journey, remote in Assignment.objects.order_by(
            "created_at", "pk"
        ).values_list("case_id", "mediator_id", "journey_minutes", "remote"):
            last_assignment[case_id] = (mediator_id, journey, remote)
        offers = Counter(Offer.objects.values_list("case_id", flat=True))
        # What placing on provisional answers cost: mediators released when the level rose,
        # joint meetings turned into separate ones when the other parent's answers came.
        for action in (
            AuditEvent.Action.CASE_UNASSIGNED,
            AuditEvent.Action.APPOINTMENT_MADE_SEPARATE,
        ):
            self.counts[f"audit.{action}"] = AuditEvent.objects.filter(action=action).count()
        rows = []
        for case in Case.objects.select_related("classification").order_by("pk"):
            index = self.index_of.get(case.pk)
            if index is None:
                continue  # not a simulated case
            classification = getattr(case, "classification", None)
            placed = last_assignment.get(case.pk)
            rows.append(
                {
                    "i": index,
                    "requested_at": case.requested_at.isoformat(),
                    "status": case.status,
                    "case_type": case.case_type,
                    "move_date": case.planned_move_date.isoformat()
                    if case.planned_move_date
                    else None,
                    "level": classification.effective_level if classification else None,
                    "safety": bool(classification and classification.separate_meetings_recommended),
                    "first_slot": _iso(first_booked.get(case.pk)),
                    "first_mediator": first_place.get(case.pk, (None, None))[0],
                    "first_place": first_place.get(case.pk, (None, None))[1],
                    "first_held": _iso(first_held.get(case.pk)),
                    "mediator": placed[0] if placed else None,
                    "journey": placed[1] if placed else None,
                    "remote": placed[2] if placed else None,
                    "offers": offers.get(case.pk, 0),
                    "diagnosis": self.diagnosis.get(case.pk, {}),
                    "meetings": meetings.get(case.pk, []) if case.planned_move_date else [],
                }
            )
        mediators = {}
        for mediator in Mediator.objects.order_by("pk"):
            opening = sum(
                (w.ends_at - w.starts_at).total_seconds() / 3600
                for w in windows_for(
                    mediator_id=mediator.pk, first=START, last=year_end - timedelta(days=1)
                )
            )
            mediators[mediator.pk] = {
                "kind": mediator.kind,
                "active": mediator.active,
                "qualified": mediator.high_conflict and mediator.separate_meetings,
                "opening_hours": opening,
                "booked_hours": booked_hours.get(mediator.pk, 0.0),
            }
        return {
            "policy": self.policy,
            "cases": rows,
            "mediators": mediators,
            "counts": {**self.counts, "seconds.solve": round(self.solve_seconds, 1)},
            "max_load_ratio": self.max_load_ratio,
            "over_capacity": self.over_capacity[:50],
            "over_capacity_count": len(self.over_capacity),
        }


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def worker_main(*, policy: str, plan_path: str, out_path: str) -> None:
    """Set up Django (env from the caller), run the year, write the figures as JSON."""
    import django

    django.setup()
    from config.celery import app

    app.conf.task_always_eager = True
    logging.disable(logging.WARNING)
    with open(plan_path, encoding="utf-8") as handle:
        plan = json.load(handle)
    started = wallclock.perf_counter()
    profile = os.environ.get("MEKLING_SIM_PROFILE")  # a path: pyinstrument's text report
    if profile:
        from pyinstrument import Profiler

        with Profiler() as profiler:
            result = Sim(policy=policy, plan=plan).run()
        with open(f"{profile}.{policy}.txt", "w", encoding="utf-8") as handle:
            handle.write(profiler.output_text(unicode=True, show_all=False))
    else:
        result = Sim(policy=policy, plan=plan).run()
    result["seconds"] = round(wallclock.perf_counter() - started, 1)
    with open(out_path, "w", encoding="utf-8") as handle:
        json.dump(result, handle)
