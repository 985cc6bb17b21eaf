"""The inbox's forms: accept with a slot, decline with a reason, opening hours and absence.

They check the shape of the input only; the rules are the services' (mediators/offers.py,
scheduling/availability_services.py), whose refusals come back here as field errors in the
user's language.
"""

from datetime import date, datetime
from typing import Any, cast

from django import forms
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from config import datetime_format
from config.forms import AccessibleForm
from mediators.models import Location
from scheduling import labels
from scheduling.availability_services import NOTE_MAX, CalendarInvalid, Problem
from scheduling.models import Appointment, Leave
from scheduling.pages import present
from scheduling.slots import Slot

LATER = "later"
DATE_INPUT = {"type": "date"}
TIME_INPUT = {"type": "time", "step": "300"}

PROBLEMS = {
    "weekday_unknown": _("Choose a weekday."),
    "ends_before_start": _("The end must be after the start."),
    "until_before_from": _("The last day must be on or after the first day."),
    "location_not_yours": _("Choose one of your own meeting places."),
    "opening_overlaps": _("It overlaps your opening hours %(weekday)s %(start)s–%(end)s."),
    "leave_ended": _("The period has already ended."),
    "leave_overlaps": _("It overlaps your absence %(starts_on)s–%(ends_on)s."),
    "kind_unknown": _("Choose the kind of absence."),
}


def problem_text(problem: Problem) -> str:
    """A service's refusal in the page's language."""
    params: dict[str, str] = {}
    for name, value in problem.params.items():
        if name == "weekday":
            params[name] = str(labels.WEEKDAYS[int(value)]).lower()
        elif isinstance(value, date):
            params[name] = datetime_format.date_text(value, weekday=False)
        else:
            params[name] = datetime_format.time_text(value)
    return str(PROBLEMS[problem.code]) % params


class InboxForm(AccessibleForm):
    def add_service_error(self, name: str | None, message: str) -> None:
        """An error found after validation (by a service), tied to its field like the rest."""
        target = name if name in self.fields else None
        self.add_error(target, message)
        if target is None:
            return
        widget = self.fields[target].widget
        errors_id = f"{self[target].auto_id}_errors"
        described = widget.attrs.get("aria-describedby", "")
        widget.attrs["aria-invalid"] = "true"
        if errors_id not in described.split():
            widget.attrs["aria-describedby"] = f"{described} {errors_id}".strip()

    def add_calendar_errors(self, error: CalendarInvalid) -> None:
        for problem in error.problems:
            self.add_service_error(problem.field, problem_text(problem))


class AcceptForm(InboxForm):
    """Accept an offer: one of the free slots for the first meeting, or none yet."""

    slot = forms.ChoiceField(
        label=_("The first meeting"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a time for the first meeting, or choose to book it later."),
            "invalid_choice": _("That time is no longer free. Choose another time."),
        },
    )

    def __init__(self, *args: Any, slots: list[Slot], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.slots = slots
        choices = [(present.utc_iso(slot.starts_at), _slot_label(slot)) for slot in slots]
        choices.append((LATER, gettext("No time now: the first meeting is booked later")))
        cast(forms.ChoiceField, self.fields["slot"]).choices = choices

    def clean_slot(self) -> datetime | None:
        value = self.cleaned_data["slot"]
        return None if value == LATER else parse_datetime(value)

    def slot_days(self) -> list[tuple[str, list[Any]]]:
        """The radio buttons grouped by Oslo date, and the "later" one last (own group "")."""
        days: dict[str, list[Any]] = {}
        by_value = {present.utc_iso(s.starts_at): s for s in self.slots}
        for radio in self["slot"]:
            slot = by_value.get(radio.data["value"])
            label = datetime_format.date_text(slot.starts_at) if slot else ""
            days.setdefault(label, []).append(radio)
        return list(days.items())


def _slot_label(slot: Slot) -> str:
    text = datetime_format.time_range_text(slot.starts_at, slot.ends_at)
    if len(slot.meetings) == 1:
        return text
    parts = [
        f"{present.SHORT_ROLES[Appointment.ParentRole(meeting.parent_role)]} "
        f"{datetime_format.time_range_text(meeting.starts_at, meeting.ends_at)}"
        for meeting in slot.meetings
    ]
    return gettext("%(times)s: %(meetings)s") % {
        "times": text,
        "meetings": ", ".join(parts),
    }


class DeclineForm(InboxForm):
    reason = forms.CharField(
        label=_("Why do you decline?"),
        help_text=_(
            "The office reads this when it places the case. Write about your own situation, "
            "not about the parents."
        ),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Write why you decline, so the office can place the case well."),
            "max_length": _("Write at most %(limit_value)d characters (now %(show_value)d)."),
        },
    )


class AvailabilityForm(InboxForm):
    weekday = forms.TypedChoiceField(
        label=_("Weekday"),
        coerce=int,
        choices=[(number, name) for number, name in enumerate(labels.WEEKDAYS)],
    )
    start_time = forms.TimeField(
        label=_("From (time)"),
        widget=forms.TimeInput(attrs=TIME_INPUT, format="%H:%M"),
        error_messages={"required": _("Give the time it starts, e.g. 09:00.")},
    )
    end_time = forms.TimeField(
        label=_("To (time)"),
        widget=forms.TimeInput(attrs=TIME_INPUT, format="%H:%M"),
        error_messages={"required": _("Give the time it ends, e.g. 12:00.")},
    )
    location = forms.ChoiceField(
        label=_("Meeting place"),
        required=False,
        help_text=_("Without a meeting place, the hours are for video and phone meetings."),
        error_messages={"invalid_choice": _("Choose one of your own meeting places.")},
    )
    valid_from = forms.DateField(
        label=_("First day"),
        widget=forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
        error_messages={"required": _("Give the first day these hours apply.")},
    )
    valid_until = forms.DateField(
        label=_("Last day (optional)"),
        required=False,
        help_text=_("Leave empty if the hours have no end."),
        widget=forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, locations: list[Location], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.locations = {str(location.pk): location for location in locations}
        cast(forms.ChoiceField, self.fields["location"]).choices = [
            ("", gettext("No meeting place: video or phone only")),
            *[(key, str(location)) for key, location in self.locations.items()],
        ]

    def clean_location(self) -> Location | None:
        return self.locations.get(self.cleaned_data["location"] or "")


class LeaveForm(InboxForm):
    starts_on = forms.DateField(
        label=_("First day away"),
        widget=forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
        error_messages={"required": _("Give the first day you are away.")},
    )
    ends_on = forms.DateField(
        label=_("Last day away"),
        help_text=_("The same as the first day for a single day."),
        widget=forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
        error_messages={"required": _("Give the last day you are away.")},
    )
    kind = forms.ChoiceField(
        label=pgettext_lazy("absence", "Reason"),
        widget=forms.RadioSelect,
        choices=[(kind, label) for kind, label in labels.LEAVE_KINDS.items()],
        initial=Leave.Kind.LEAVE,
        error_messages={"required": _("Choose the kind of absence.")},
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        help_text=_("For you and the office. Do not write health details."),
        required=False,
        max_length=NOTE_MAX,
    )
