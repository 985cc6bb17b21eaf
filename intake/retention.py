"""Retention of case data after the case closes (meklingsforskriften § 9).

Two clocks run from `Case.closed_at` (set by `intake.services.case_close`):

- Answers and classification details: `RETENTION_ANSWERS_DAYS` (default 30) after close, the
  parents' questionnaire answers are emptied and the classification keeps only its level
  (computed and overridden), versions and dates; the reasons, safety flags, score and the
  override's free-text reason go. Only the protocol is to be kept, and the answers are no part
  of it; the level stays because it decided how the case was run (separate meetings).
- The protocol (personal details, dates of request and meetings, certificates, close):
  `RETENTION_PROTOCOL_YEARS` (default 3, meklingsforskriften § 9) after close, the case is
  deleted with its parents, children, links, responses, appointments, offers, certificates,
  the mediator's notes to the court (scheduling.CourtNote) and duties (all cascade from the
  case).

The audit log is append-only (a database trigger) and is kept: its rows name the case only by
reference, which points at nothing once the case is gone, hold no answers, and the one column
that can identify a parent, `remote_addr`, is blanked here through the trigger's single
allowed path (`mekling.audit_redact`). A `protocol_deleted` event records the deletion.

Both steps are idempotent: a purged case is marked `answers_purged_at`, a deleted one is gone.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from intake.audit import audit_record
from intake.models import AuditEvent, Case, Classification, QuestionnaireResponse

PURGED_OVERRIDE_REASON = "Purged after the case closed (meklingsforskriften § 9)."


def answers_retention() -> timedelta:
    return timedelta(days=settings.RETENTION_ANSWERS_DAYS)


def protocol_retention() -> relativedelta:
    return relativedelta(years=settings.RETENTION_PROTOCOL_YEARS)


def answers_purge_on(closed_at: datetime) -> date:
    return timezone.localdate(closed_at + answers_retention())


def protocol_delete_on(closed_at: datetime) -> date:
    return timezone.localdate(closed_at + protocol_retention())


def cases_answers_due(*, now: datetime) -> QuerySet[Case]:
    return Case.objects.filter(
        closed_at__isnull=False,
        closed_at__lte=now - answers_retention(),
        answers_purged_at__isnull=True,
    )


def cases_protocol_due(*, now: datetime) -> QuerySet[Case]:
    return Case.objects.filter(closed_at__isnull=False, closed_at__lte=now - protocol_retention())


def case_answers_purge(*, case: Case, now: datetime) -> bool:
    """Empty the answers and classification details of one closed case; False if done before."""
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.answers_purged_at is not None:
            return False
        for response in QuestionnaireResponse.objects.filter(parent__case=locked):
            response.answers = {}
            response.save(update_fields=["answers"])
        classification = Classification.objects.filter(case=locked).first()
        if classification is not None:
            classification.reasons = []
            classification.safety_flags = []
            classification.score = 0
            if classification.override_level:
                classification.override_reason = PURGED_OVERRIDE_REASON
            classification.save(
                update_fields=["reasons", "safety_flags", "score", "override_reason"]
            )
        locked.answers_purged_at = now
        locked.save(update_fields=["answers_purged_at"])
        audit_record(
            action=AuditEvent.Action.ANSWERS_PURGED,
            case_reference=locked.reference,
            actor_label="system",
        )
    return True


def _audit_redact(reference: str) -> None:
    """Blank the remote addresses of the case's audit rows: the trigger's one allowed update."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL mekling.audit_redact = 'on'")
    AuditEvent.objects.filter(case_reference=reference, remote_addr__isnull=False).update(
        remote_addr=None
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL mekling.audit_redact = 'off'")


def case_protocol_delete(*, case: Case) -> bool:
    """Delete the protocol of one case 3 years after close; False if it is already gone."""
    with transaction.atomic():
        locked = Case.objects.select_for_update().filter(pk=case.pk).first()
        if locked is None:
            return False
        reference = locked.reference
        locked.delete()
        _audit_redact(reference)
        audit_record(
            action=AuditEvent.Action.PROTOCOL_DELETED,
            case_reference=reference,
            actor_label="system",
        )
    return True


@dataclass(frozen=True)
class RetentionOutcome:
    answers_purged: int
    protocols_deleted: int


def retention_run(*, now: datetime | None = None) -> RetentionOutcome:
    """Everything due today; run daily by beat (`intake.retention_run`). A rerun does nothing."""
    now = now or timezone.now()
    deleted = sum(case_protocol_delete(case=case) for case in cases_protocol_due(now=now))
    purged = sum(case_answers_purge(case=case, now=now) for case in cases_answers_due(now=now))
    return RetentionOutcome(answers_purged=purged, protocols_deleted=deleted)


@dataclass(frozen=True)
class RetentionDue:
    case: Case
    what: str  # "answers" or "protocol"
    on: date


def retention_due_within(*, cases: QuerySet[Case], days: int, now: datetime) -> list[RetentionDue]:
    """What retention will delete in the coming `days` (or is overdue), among `cases`."""
    horizon = now + timedelta(days=days)
    closed = cases.filter(closed_at__isnull=False)
    due = [
        RetentionDue(case, "answers", answers_purge_on(case.closed_at))
        for case in closed.filter(
            answers_purged_at__isnull=True, closed_at__lte=horizon - answers_retention()
        )
        if case.closed_at
    ]
    due += [
        RetentionDue(case, "protocol", protocol_delete_on(case.closed_at))
        for case in closed.filter(closed_at__lte=horizon - protocol_retention())
        if case.closed_at
    ]
    return sorted(due, key=lambda row: (row.on, row.case.reference, row.what))
