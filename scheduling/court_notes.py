"""The mediator's note to the court in a case the court referred back to mediation.

barneloven § 61 første ledd nr. 2 lets the court send the parents back to mediation; when the
mediator finds that they cannot reach an agreement, the mediator tells the court in a note
(000 §4.3). The note holds only the facts of the mediation (who attended, the hours, whether
they agreed, the date): never the content of the talks, nothing from the questionnaire.

Rules kept here:
- only for a case of type `court_referral` (`NotCourtReferral`, 409);
- by the office's staff, or the external mediator who held a meeting in the case
  (`NotTheMediator`, 409; anyone else who cannot see the case gets its 404);
- only after a meeting was held (`NoMeetingHeld`, 409), and the note cannot claim more than
  the protocol shows: a parent marked as attending must have attended a held meeting, the hours
  are at most those held (and at most 7, meklingsforskriften § 1), the date is the day of a
  held meeting or later and never in the future (400, per field);
- one note per case: a second one is refused (`CourtNoteExists`, 409) unless it is a correction
  with a reason. A correction is a new version that supersedes the last one and is sent to the
  court again; a note the court has received is never changed in place (the database keeps
  each version: unique (case, version), one successor per note).

Writing a note is audited and schedules a duty that emails the PDF to the court's address on
record (scheduling/court_note_notices.py), dispatched after commit.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from config.api_errors import ApplicationError, Conflict
from config.legal import rule_value
from intake.audit import audit_record
from intake.models import AuditEvent, Case, CaseType, Parent
from mediators.access import cases_visible_to, is_external_mediator
from scheduling.certificates import attended_hours
from scheduling.duties import duty_schedule
from scheduling.models import Appointment, AppointmentStatus, Court, CourtNote

AUDIT_NOTE_WRITTEN = AuditEvent.Action.COURT_NOTE_WRITTEN
AUDIT_NOTE_SENT = AuditEvent.Action.COURT_NOTE_SENT
SEND_DUTY = "court_note_send"
HOURS_STEP = Decimal("0.5")
ROLES = (Parent.Role.REQUESTER, Parent.Role.OTHER)


class NotCourtReferral(Conflict):
    code = "not_court_referral"


class NoMeetingHeld(Conflict):
    code = "no_meeting_held"


class NotTheMediator(Conflict):
    code = "not_the_mediator"


class CourtNoteExists(Conflict):
    code = "court_note_exists"


NOT_REFERRAL_MESSAGE = (
    "A note to the court is only written in a case the court referred back to mediation "
    "(barneloven § 61 første ledd nr. 2)."
)
NOT_THE_MEDIATOR_MESSAGE = (
    "Only the office, or the mediator who held a meeting in the case, writes its note to the court."
)
NO_MEETING_MESSAGE = "A note to the court can only be written after a meeting was held."
EXISTS_MESSAGE = (
    "This case already has a note to the court. To correct it, give the reason for the "
    "correction: a new version is sent to the court."
)


# ---- reads -------------------------------------------------------------------------------------


def court_note_check_user(*, case: Case, user: Any) -> None:
    """An external mediator reads and writes the note only of a case they held a meeting in
    (409 `not_the_mediator`); staff of the case's office always. Who may see the case at all
    is case_get_for_user's (a 404 otherwise)."""
    if (
        is_external_mediator(user)
        and not case.appointments.filter(
            mediator=user.mediator, status=AppointmentStatus.HELD
        ).exists()
    ):
        raise NotTheMediator(NOT_THE_MEDIATOR_MESSAGE)


def court_note_refusal(*, case: Case, user: Any) -> ApplicationError | None:
    """Why this user can write no note in this case now, or None (for the pages)."""
    try:
        court_note_check_type(case=case)
        court_note_check_user(case=case, user=user)
        court_note_check_case(case=case)
    except ApplicationError as refusal:
        return refusal
    return None


def court_for_case(*, case: Case) -> Court | None:
    """The court on record that the case names (Case.court_name), matched ignoring case."""
    name = case.court_name.strip()
    if not name:
        return None
    return Court.objects.filter(active=True, name__iexact=name).first()


def court_notes_of(*, case: Case) -> list[CourtNote]:
    """Every version of the case's note, oldest first."""
    return list(
        CourtNote.objects.select_related("court", "supersedes")
        .filter(case=case)
        .order_by("version")
    )


def court_note_current(*, case: Case) -> CourtNote | None:
    return (
        CourtNote.objects.select_related("court", "supersedes")
        .filter(case=case)
        .order_by("-version")
        .first()
    )


def _held(case: Case) -> list[Appointment]:
    return list(
        case.appointments.select_related("mediator")
        .filter(status=AppointmentStatus.HELD)
        .order_by("starts_at", "pk")
    )


@dataclass(frozen=True)
class NoteFacts:
    """What the protocol says, to fill the form and to check the note against."""

    meetings_held: int
    first_held_on: date | None
    last_held_on: date | None
    attended: dict[str, bool]
    hours_held: Decimal
    mediator_name: str


def court_note_facts(*, case: Case) -> NoteFacts:
    held = _held(case)
    hours = attended_hours(case=case)
    last = held[-1] if held else None
    return NoteFacts(
        meetings_held=len(held),
        first_held_on=timezone.localdate(held[0].starts_at) if held else None,
        last_held_on=timezone.localdate(last.starts_at) if last else None,
        attended={role: hours.get(role, Decimal(0)) > 0 for role in ROLES},
        hours_held=max([hours.get(role, Decimal(0)) for role in ROLES]),
        mediator_name=str(last.mediator) if last else "",
    )


def court_note_initial(*, case: Case) -> dict[str, Any]:
    """The form's starting values: the last note's, for a correction; else the protocol's."""
    current = court_note_current(case=case)
    if current is not None:
        return {
            "court": current.court_id,
            "court_case_number": current.court_case_number,
            "mediation_date": current.mediation_date,
            "attended_requester": current.attended_requester,
            "attended_other": current.attended_other,
            "hours": current.hours,
            "agreement": current.agreement,
        }
    facts = court_note_facts(case=case)
    court = court_for_case(case=case)
    return {
        "court": court.pk if court else None,
        "mediation_date": facts.last_held_on,
        "attended_requester": facts.attended[Parent.Role.REQUESTER],
        "attended_other": facts.attended[Parent.Role.OTHER],
        "hours": facts.hours_held or None,
    }


def court_note_check_type(*, case: Case) -> None:
    """Refuse (409) a case the court did not refer back to mediation: it has no note."""
    if case.case_type != CaseType.COURT_REFERRAL:
        raise NotCourtReferral(NOT_REFERRAL_MESSAGE)


def court_note_writable(*, case: Case) -> bool:
    """Whether a meeting was held, so that a note can be written."""
    return case.appointments.filter(status=AppointmentStatus.HELD).exists()


def court_note_check_case(*, case: Case) -> None:
    """Refuse (409) a case that can have no note: not referred by a court, or nothing held."""
    court_note_check_type(case=case)
    if not case.appointments.filter(status=AppointmentStatus.HELD).exists():
        raise NoMeetingHeld(NO_MEETING_MESSAGE)


# ---- writes ------------------------------------------------------------------------------------


def _check_fields(
    *,
    facts: NoteFacts,
    court: Court | None,
    mediation_date: date,
    attended_requester: bool,
    attended_other: bool,
    hours: Decimal,
    today: date,
) -> Court:
    errors: dict[str, list[str]] = {}
    if court is None or not court.active:
        errors["court"] = ["Choose the court the note goes to."]
    if mediation_date > today:
        errors["mediation_date"] = ["The date cannot be in the future."]
    elif facts.first_held_on and mediation_date < facts.first_held_on:
        errors["mediation_date"] = ["The date cannot be before the first meeting held."]
    if not (attended_requester or attended_other):
        errors["attended_requester"] = ["At least one parent attended a meeting that was held."]
    for role, claimed in ((ROLES[0], attended_requester), (ROLES[1], attended_other)):
        if claimed and not facts.attended[role]:
            errors[f"attended_{role}"] = ["The protocol shows no meeting this parent attended."]
    limit = Decimal(rule_value("max_hours"))
    if hours <= 0 or hours > limit:
        errors["hours"] = [f"Between 0.5 and {limit} hours (meklingsforskriften § 1)."]
    elif hours % HOURS_STEP:
        errors["hours"] = ["Give the hours in half hours, e.g. 1.5."]
    elif hours > facts.hours_held:
        held = f"{facts.hours_held.normalize():f}"
        errors["hours"] = [f"More than the {held} hours held in the protocol."]
    if errors or court is None:
        raise ApplicationError("The note has invalid fields.", fields=errors)
    return court


def court_note_write(
    *,
    case: Case,
    court: Court | None,
    mediation_date: date,
    attended_requester: bool,
    attended_other: bool,
    hours: Decimal,
    agreement: str,
    court_case_number: str = "",
    correction_reason: str = "",
    actor: Any = None,
    remote_addr: str | None = None,
) -> CourtNote:
    """Write the note (or its corrected version), audit it, and send it to the court."""
    court_note_check_user(case=case, user=actor)
    if agreement not in CourtNote.Agreement.values:
        raise ApplicationError("Unknown agreement.", fields={"agreement": ["Unknown."]})
    correction_reason = correction_reason.strip()
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        court_note_check_case(case=locked)
        facts = court_note_facts(case=locked)
        chosen = _check_fields(
            facts=facts,
            court=court,
            mediation_date=mediation_date,
            attended_requester=attended_requester,
            attended_other=attended_other,
            hours=hours,
            today=timezone.localdate(),
        )
        current = court_note_current(case=locked)
        if current is not None and not correction_reason:
            raise CourtNoteExists(
                EXISTS_MESSAGE, fields={"correction_reason": ["Required for a correction."]}
            )
        if current is None and correction_reason:
            raise ApplicationError(
                "There is no note to correct yet.",
                fields={"correction_reason": ["Leave empty for the first note."]},
            )
        note = CourtNote.objects.create(
            case=locked,
            court=chosen,
            version=current.version + 1 if current else 1,
            supersedes=current,
            correction_reason=correction_reason,
            court_case_number=court_case_number.strip(),
            mediation_date=mediation_date,
            attended_requester=attended_requester,
            attended_other=attended_other,
            hours=hours,
            agreement=agreement,
            mediator_name=facts.mediator_name,
            written_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(
            action=AUDIT_NOTE_WRITTEN,
            case_reference=locked.reference,
            actor=actor,
            remote_addr=remote_addr,
            detail={"court_note": note.pk, "version": note.version, "court": chosen.pk},
        )
        duty_schedule(
            kind=SEND_DUTY,
            key=f"court_note:{note.pk}:send",
            due_at=timezone.now(),
            case=locked,
            target_id=note.pk,
            dispatch_now=True,
        )
    return note


@dataclass(frozen=True)
class MediatorNoteRow:
    case: Case
    court_name: str
    last_held_on: date | None
    current: CourtNote | None


def court_note_cases_of_mediator(*, user: Any, mediator: Any) -> list[MediatorNoteRow]:
    """The court-referred cases this external mediator held a meeting in, newest first."""
    cases = (
        cases_visible_to(user, Case.objects.all())
        .filter(
            case_type=CaseType.COURT_REFERRAL,
            appointments__mediator=mediator,
            appointments__status=AppointmentStatus.HELD,
        )
        .distinct()
        .order_by("-requested_at")
    )
    rows = []
    for case in cases:
        facts = court_note_facts(case=case)
        rows.append(
            MediatorNoteRow(
                case=case,
                court_name=case.court_name,
                last_held_on=facts.last_held_on,
                current=court_note_current(case=case),
            )
        )
    return rows
