"""The words for scheduling's stored codes, one wording for every audience (desk, inbox, parents).

They are the model choices' own labels (gettext_lazy in scheduling/models.py), translated once
in the project catalogue (`locale/`: nb, nn, en). Pages import them from here rather than
writing their own copy; each stays lazy, so it reads in the language of the page showing it.
"""

from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise

from intake.models import Parent
from scheduling.models import Appointment, AppointmentStatus, Certificate, Leave, Weekday

StrOrPromise = str | Promise

APPOINTMENT_KINDS: Mapping[str, StrOrPromise] = dict(Appointment.Kind.choices)
APPOINTMENT_MODES: Mapping[str, StrOrPromise] = dict(Appointment.Mode.choices)
APPOINTMENT_STATUSES: Mapping[str, StrOrPromise] = dict(AppointmentStatus.choices)
PARENT_ROLES: Mapping[str, StrOrPromise] = dict(Parent.Role.choices)  # same codes as ParentRole
CERTIFICATE_STATUSES: Mapping[str, StrOrPromise] = dict(Certificate.Status.choices)
LEAVE_KINDS: Mapping[str, StrOrPromise] = dict(Leave.Kind.choices)
WEEKDAYS: list[StrOrPromise] = [name for _number, name in Weekday.choices]  # Monday first


def label(labels: Mapping[str, Any], code: str) -> str:
    """The words for a stored code in the active language (the code itself if unknown)."""
    return str(labels.get(code, code))
