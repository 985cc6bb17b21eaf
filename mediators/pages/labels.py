"""Words the desk shows for stored codes: safety flags, appointment kinds, modes and statuses."""

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

APPOINTMENT_KINDS: dict[str, Promise] = {
    "joint": _("Joint meeting"),
    "separate": _("Separate meetings"),
    "child_talk": _("Child talk"),
}

APPOINTMENT_MODES: dict[str, Promise] = {
    "in_person": _("In person"),
    "video": _("Video"),
    "phone": _("Phone"),
}

APPOINTMENT_STATUSES: dict[str, Promise] = {
    "booked": _("Booked"),
    "cancelled": _("Cancelled"),
    "held": _("Held"),
    "no_show": _("Nobody came"),
}

CERTIFICATE_STATUSES: dict[str, Promise] = {
    "issued": _("Issued"),
    "refused": _("Refused"),
}

PARENT_ROLES: dict[str, Promise] = {
    "requester": _("Requester"),
    "other": _("Other parent"),
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
