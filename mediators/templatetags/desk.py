"""Template filters of the staff desk: texts kept in both languages, shown in the UI's one."""

from collections.abc import Mapping
from typing import Any

from django import template
from django.utils.translation import get_language

from intake.questionnaire import Text

register = template.Library()


def ui_language() -> str:
    """The desk's language for bilingual texts: English, else bokmål (staff use nb or en)."""
    return "en" if (get_language() or "nb").startswith("en") else "nb"


@register.filter
def in_language(value: Any) -> str:
    """A text stored in both languages, as a `Text`, `{"nb", "en"}` or `{"text_nb", "text_en"}`."""
    language = ui_language()
    if isinstance(value, Text):
        return value.en if language == "en" else value.nb
    if isinstance(value, dict):
        found = value.get(language) or value.get(f"text_{language}")
        if found:
            return str(found)
        if "text" in value:
            return in_language(value["text"])
    return "" if value is None else str(value)


def _labels() -> dict[str, Mapping[str, Any]]:
    from intake.models import CaseStatus, CaseType, ConflictLevel
    from mediators.models import Offer
    from mediators.pages import labels
    from scheduling import labels as scheduling_labels

    return {
        "level": dict(ConflictLevel.choices),
        "status": dict(CaseStatus.choices),
        "case_type": dict(CaseType.choices),
        "flag": labels.SAFETY_FLAGS,
        "kind": scheduling_labels.APPOINTMENT_KINDS,
        "mode": scheduling_labels.APPOINTMENT_MODES,
        "appointment_status": scheduling_labels.APPOINTMENT_STATUSES,
        "certificate_status": scheduling_labels.CERTIFICATE_STATUSES,
        "role": scheduling_labels.PARENT_ROLES,
        "mediator_kind": labels.MEDIATOR_KINDS,
        "offer_status": dict(Offer.Status.choices),
    }


@register.filter
def label(code: Any, group: str) -> str:
    """The words for a stored code: `{{ appointment.kind|label:"kind" }}`."""
    return str(_labels()[group].get(code, code))


@register.filter
def days_left(days: int | None) -> str:
    from mediators.pages.labels import days_left_text

    return days_left_text(days)


@register.filter
def years(ages: list[int]) -> str:
    from mediators.pages.labels import ages_text

    return ages_text(ages)


@register.filter
def language_name(language: Any) -> str:
    """A Language row by its name in the UI language."""
    if language is None:
        return ""
    return str(language.name_en if ui_language() == "en" else language.name_nb)
