"""A parent's answers: check them against the questionnaire, save drafts, submit once."""

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from config.api_errors import ApplicationError, Conflict
from intake.audit import audit_record
from intake.autosave import draft_write
from intake.models import AuditEvent, Parent, QuestionnaireResponse
from intake.questionnaire import FREE_TEXT, Questionnaire, load_questionnaire
from scheduling.duties import duty_schedule

CURRENT_QUESTIONNAIRE = "v1"
FREE_TEXT_MAX = 2000


class AlreadySubmitted(Conflict):
    code = "already_submitted"


def questionnaire_for(response: QuestionnaireResponse | None) -> Questionnaire:
    """The version a parent started on stays theirs, even after a new version ships."""
    return load_questionnaire(response.questionnaire_version if response else CURRENT_QUESTIONNAIRE)


def answers_errors(
    questionnaire: Questionnaire, answers: Mapping[str, Any]
) -> dict[str, list[str]]:
    """Per item: unknown items, wrong types, values that are not among the choices."""
    items = {item.id: item for item in questionnaire.items}
    errors: dict[str, list[str]] = {}
    for item_id, value in answers.items():
        item = items.get(item_id)
        if item is None:
            errors[item_id] = ["Unknown question."]
        elif value is None:
            continue
        elif not isinstance(value, str):
            errors[item_id] = ["The answer must be text."]
        elif item.kind == FREE_TEXT:
            if len(value) > FREE_TEXT_MAX or "\x00" in value:
                errors[item_id] = [f"At most {FREE_TEXT_MAX} characters, no control characters."]
        elif value not in {choice.value for choice in item.choices}:
            errors[item_id] = ["Not one of the choices."]
    return errors


def answers_missing(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> list[str]:
    return [item.id for item in questionnaire.items if item.required and not answers.get(item.id)]


def _locked_response(parent: Parent) -> QuestionnaireResponse:
    """The parent's response row, locked until the caller's transaction ends; made on the first
    save. One query when it exists (each save of the questionnaire hits this)."""
    locked = QuestionnaireResponse.objects.select_for_update()
    try:
        return locked.get(parent=parent)  # one row per parent; get() needs no ORDER BY
    except QuestionnaireResponse.DoesNotExist:
        pass
    try:
        # A row this transaction inserts is locked by it until commit.
        with transaction.atomic():
            return QuestionnaireResponse.objects.create(
                parent=parent,
                questionnaire_version=load_questionnaire(CURRENT_QUESTIONNAIRE).version,
            )
    except IntegrityError:
        # The parent's other tab made it first (one row per parent): wait for it and lock it.
        return locked.get(parent=parent)


SAVE_ATTEMPTS = 3


def _merged(response: QuestionnaireResponse, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The draft with these answers merged in; a null or empty answer clears that item."""
    if response.submitted_at:
        raise AlreadySubmitted("These answers have been submitted and can no longer change.")
    errors = answers_errors(questionnaire_for(response), answers)
    if errors:
        raise ApplicationError("Some answers are not valid.", fields=errors)
    merged = {**response.answers, **answers}
    return {key: value for key, value in merged.items() if value not in (None, "")}


def answers_save_draft(
    *,
    parent: Parent,
    answers: Mapping[str, Any],
    response: QuestionnaireResponse | None = None,
) -> QuestionnaireResponse:
    """Merge partial answers into the draft; a null answer clears that item. `response`: the
    parent's draft as the caller has just read it (intake.autosave), else the parent's.

    The first save makes the row under a lock. Every later save (one per screen of the
    questionnaire: the busiest write of the service) is one UPDATE that applies only while the
    row is as it was read (the same `updated_at`) and not submitted; when another save or the
    submit came in between, it reads the row again and merges again. That spares each save the
    BEGIN, SELECT ... FOR UPDATE and COMMIT round trips (bench/load_questionnaires.py).
    """
    if response is None:
        response = getattr(parent, "response", None)
    if response is None:
        with transaction.atomic():
            response = _locked_response(parent)
            response.answers = _merged(response, answers)
            response.save(update_fields=["answers", "updated_at"])
        return response
    for _ in range(SAVE_ATTEMPTS):
        cleaned = _merged(response, answers)
        now = timezone.now()
        if draft_write(response=response, answers=cleaned, now=now):
            response.answers, response.updated_at = cleaned, now
            return response
        response = QuestionnaireResponse.objects.get(pk=response.pk)
    raise Conflict("The answers changed while they were being saved. Please try again.")


def answers_submit(*, parent: Parent) -> QuestionnaireResponse:
    """Submit the draft for good; then (after commit) the case is classified again."""
    with transaction.atomic():
        response = _locked_response(parent)
        if response.submitted_at:
            raise AlreadySubmitted("These answers have already been submitted.")
        missing = answers_missing(questionnaire_for(response), response.answers)
        if missing:
            raise ApplicationError(
                "Some required questions are not answered yet.",
                fields={item_id: ["This question must be answered."] for item_id in missing},
            )
        response.submitted_at = timezone.now()
        response.save(update_fields=["submitted_at", "updated_at"])
        case = parent.case
        duty_schedule(
            kind="classify",
            key=f"classify:{case.pk}:{parent.pk}",
            due_at=response.submitted_at,
            case=case,
            target_id=case.pk,
            dispatch_now=True,
        )
        audit_record(
            action=AuditEvent.Action.ANSWERS_SUBMITTED,
            case_reference=case.reference,
            detail={"parent_role": parent.role},
        )
    return response
