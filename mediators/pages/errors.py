"""Service refusals in the desk's language, placed on the form field they concern.

The services (scheduling/booking_rules.py, mediators/assigning.py, ...) refuse with English
messages, as the API shows them. Fixed messages are translated by their English text (listed
below so makemessages finds them); messages carrying numbers are worded again here with the
numbers from config.legal, so the rule itself stays in the service.
"""

from collections.abc import Mapping

from django import forms
from django.utils.translation import gettext, gettext_noop

from config.api_errors import ApplicationError
from config.legal import rule_value

KNOWN_MESSAGES = (
    gettext_noop("That time has just been taken. Choose another slot."),
    gettext_noop("The calendar is busy. Please try again."),
    gettext_noop(
        "That time is outside the mediator's opening hours, on leave or a public holiday."
    ),
    gettext_noop("Choose a time in the future."),
    gettext_noop("The mediator does not hold child talks."),
    gettext_noop("A meeting lasts whole quarter hours, at most 4 hours."),
    gettext_noop(
        "Separate meetings are recommended for this case (meklingsforskriften § 7): "
        "book separate meetings, never a joint one."
    ),
    gettext_noop(
        "Separate meetings are recommended for this case: only separate slots are offered."
    ),
    gettext_noop("Appointments are booked with the case's assigned mediator."),
    gettext_noop("The case has no assigned mediator yet."),
    gettext_noop("The case is closed."),
    gettext_noop("The case's mediator has changed. Reload and try again."),
    gettext_noop("The appointment has already started."),
    gettext_noop("Attendance can only be recorded for a meeting that was booked."),
    gettext_noop("The meeting has not started yet."),
    gettext_noop("A reason is required."),
    gettext_noop("This parent's certificate has already been decided."),
    gettext_noop("No parent has submitted answers yet, so there is nothing to override."),
    gettext_noop("The case is already assigned or offered."),
    gettext_noop("No eligible mediator has capacity for this case."),
    gettext_noop("Unknown mediator."),
    gettext_noop("Choose a mediator."),
    gettext_noop("This mediator cannot take the case."),
    gettext_noop("Unknown parent."),
    gettext_noop("Unknown level."),
)


def service_message(exc: ApplicationError) -> str:
    """The refusal in the UI language (English text that has no translation stays as it is)."""
    if exc.code == "hours_limit":
        return gettext(
            "Mediation lasts at most %(limit)s hours (meklingsforskriften § 1): this booking "
            "would take the case over the limit."
        ) % {"limit": rule_value("max_hours")}
    if exc.code == "consent_missing":
        return gettext(
            "Both parents must consent to a child talk with a child under %(age)s "
            "(barneloven § 51). Tick the consents you have recorded."
        ) % {"age": rule_value("child_talk_consent_age")}
    if exc.code == "no_capacity":
        return gettext(
            "This mediator has no capacity left this week. Choose another mediator, or try "
            "again when an assignment ends."
        )
    if exc.message.startswith("The first meeting is the compulsory hour"):
        return gettext(
            "The first meeting is the compulsory hour with the parents: book a joint or "
            "separate meeting of at least %(hours)s hour (meklingsforskriften § 1)."
        ) % {"hours": rule_value("compulsory_hours")}
    if exc.message.startswith("The appointment is "):
        return gettext("The appointment can no longer be changed.")
    return gettext(exc.message)


def form_add_service_error(
    form: forms.Form, exc: ApplicationError, field_map: Mapping[str, str] | None = None
) -> None:
    """The refusal on the first form field it names (service field → form field), else the
    whole form. Field texts the service already worded in the UI language are kept beside it
    (case_place words its exclusions in the request's language)."""
    field_map = field_map or {}
    names = [field_map.get(name, name) for name in exc.fields]
    target = next((name for name in names if name in form.fields), None)
    form.add_error(target, service_message(exc))
    if exc.message == "This mediator cannot take the case.":
        for texts in exc.fields.values():
            for text in texts:
                form.add_error(target, text)
