"""Words the desk shows for stored codes: safety flags and mediator kinds.

Appointment kinds, modes and statuses, certificate statuses and parent roles are scheduling's
(scheduling/labels.py), shared with the inbox and the parents' pages."""

from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

# The questionnaire's safety flags (intake/questionnaire.py SAFETY_FLAGS; MASIC-S themes).
SAFETY_FLAGS: dict[str, Promise] = {
    "abduction": _("Risk that a child is taken away"),
    "coercive_control": _("Coercive control"),
    "fear": _("Fear of the other parent"),
    "substance_abuse": _("Substance abuse"),
    "threats": _("Threats"),
    "violence": _("Violence"),
}

MEDIATOR_KINDS: dict[str, Promise] = {
    "office": _("Office mediator"),
    "external": _("External mediator"),
}


def label(labels: dict[str, Promise], code: str) -> str:
    return str(labels.get(code, code))


def days_left_text(days: int | None) -> str:
    if days is None:
        return ""
    if days == 0:
        return gettext("today")
    if days < 0:
        return ngettext("%(days)s day ago", "%(days)s days ago", -days) % {"days": -days}
    return ngettext("%(days)s day left", "%(days)s days left", days) % {"days": days}


def ages_text(ages: list[int]) -> str:
    return ", ".join(ngettext("%(age)s year", "%(age)s years", age) % {"age": age} for age in ages)
