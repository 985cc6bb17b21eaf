"""Writes of the case's conflict classification: recompute from answers, staff override."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from config.api_errors import ApplicationError, Conflict
from intake.audit import audit_record
from intake.classification import classify
from intake.models import AuditEvent, Case, CaseStatus, Classification, ConflictLevel
from intake.questionnaire import load_questionnaire
from mediators.reassigning import assignment_recheck
from scheduling.separating import appointments_enforce_separate
from scheduling.webhooks.events import EventType, classification_data, webhook_event_record


def classification_recompute(*, case: Case) -> Classification | None:
    """Classify from every submitted answer set: provisional with one, final with both."""
    responses = [
        parent.response
        for parent in case.parents.select_related("response")
        if hasattr(parent, "response") and parent.response.submitted_at
    ]
    if not responses:
        return None
    version = responses[0].questionnaire_version
    result = classify(
        load_questionnaire(version),
        {response.parent.role: response.answers for response in responses},
    )
    with transaction.atomic():
        # The case first, as booking locks it: the conversion below takes it again, and a
        # booking racing this screen waits for it and then sees the new classification.
        Case.objects.select_for_update().filter(pk=case.pk).first()
        classification, _ = Classification.objects.select_for_update().update_or_create(
            case=case,
            defaults={
                "level": result.level,
                "provisional": result.provisional,
                "score": result.score,
                "reasons": [reason.as_dict() for reason in result.reasons],
                "safety_flags": list(result.safety_flags),
                "separate_meetings_recommended": result.separate_meetings_recommended,
                "rules_version": result.rules_version,
                "questionnaire_version": result.questionnaire_version,
                "computed_at": timezone.now(),
            },
        )
        webhook_event_record(
            type=EventType.CASE_CLASSIFIED, case=case, data=classification_data(classification)
        )
        # A case placed on the requester's answers alone may now need a competence its
        # mediator lacks (000 §4.2; meklingsforskriften § 7): undo that placement first, so
        # its joint meetings are cancelled rather than converted with the wrong mediator.
        assignment_recheck(case=case)
        if result.separate_meetings_recommended:
            # A joint meeting booked before the screen turned to safety must not take place
            # (meklingsforskriften § 7); a no-op when none is booked.
            appointments_enforce_separate(case=case)
        if not result.provisional and case.status == CaseStatus.INTAKE:
            Case.objects.filter(pk=case.pk).update(status=CaseStatus.READY)
    return classification


def classification_override(
    *, case: Case, level: str, reason: str, actor: Any, remote_addr: str | None = None
) -> Classification:
    """Staff set the level by hand; the computed level and who overrode it stay visible."""
    if level not in ConflictLevel.values:
        raise ApplicationError("Unknown level.", fields={"level": ["Use low, medium or high."]})
    if not reason.strip():
        raise ApplicationError("A reason is required.", fields={"reason": ["Required."]})
    with transaction.atomic():
        # The case first, in the order booking and the recompute lock in.
        Case.objects.select_for_update().filter(pk=case.pk).first()
        classification = Classification.objects.select_for_update().filter(case=case).first()
        if classification is None:
            raise Conflict("No parent has submitted answers yet, so there is nothing to override.")
        previous = classification.effective_level
        classification.override_level = level
        classification.override_reason = reason.strip()
        classification.overridden_by = actor
        classification.overridden_at = timezone.now()
        classification.save()
        audit_record(
            action=AuditEvent.Action.CLASSIFICATION_OVERRIDDEN,
            case_reference=case.reference,
            actor=actor,
            remote_addr=remote_addr,
            detail={"from": previous, "to": level},
        )
        webhook_event_record(
            type=EventType.CASE_CLASSIFIED, case=case, data=classification_data(classification)
        )
        # Staff raising the level to high (court papers describe threats, say) makes the same
        # demand on the mediator as the answers would (000 §4.2; meklingsforskriften § 7).
        assignment_recheck(case=case)
    return classification
