"""The desk's forms: filters (GET), and the POST forms of the case page. Rules stay in services."""

from datetime import datetime

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from config.forms import AccessibleForm
from intake.models import CaseStatus, CaseType, ConflictLevel
from mediators.models import Language
from scheduling.labels import APPOINTMENT_KINDS, APPOINTMENT_MODES, PARENT_ROLES
from scheduling.models import Court

LENGTHS = (60, 90, 120, 180)


def length_choices() -> list[tuple[int, str]]:
    return [(m, gettext("%(minutes)s minutes") % {"minutes": m}) for m in LENGTHS]


class CaseFilterForm(AccessibleForm):
    """The case list's filters, as a GET form (works without JavaScript)."""

    level = forms.ChoiceField(
        label=_("Conflict level"),
        required=False,
        choices=[("", _("All levels")), *ConflictLevel.choices, ("none", _("Not classified"))],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All open cases")), *CaseStatus.choices],
    )
    case_type = forms.ChoiceField(
        label=_("Case type"), required=False, choices=[("", _("All types")), *CaseType.choices]
    )

    def values(self) -> dict[str, str]:
        """The valid filters; an invalid one is ignored (the form shows its error)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: self.cleaned_data.get(name) or "" for name in self.fields}


class OverrideForm(AccessibleForm):
    level = forms.ChoiceField(
        label=_("New conflict level"), choices=ConflictLevel.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required. Kept with your name; the computed level stays visible."),
    )


class AssignForm(AccessibleForm):
    mediator = forms.IntegerField(required=False, widget=forms.HiddenInput)
    auto = forms.BooleanField(required=False, widget=forms.HiddenInput)


class SlotSearchForm(AccessibleForm):
    """Which free times to list (GET): the kind of meeting, its length and the first day."""

    kind = forms.ChoiceField(
        label=_("Kind of meeting"), choices=list(APPOINTMENT_KINDS.items()), required=False
    )
    minutes = forms.TypedChoiceField(
        label=_("Length"), choices=length_choices, coerce=int, required=False, empty_value=None
    )
    start = forms.DateField(
        label=_("From date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class LanguageChoiceField(forms.ModelChoiceField[Language]):
    def label_from_instance(self, obj: Language) -> str:
        from mediators.templatetags.desk import language_name

        return language_name(obj)


class ConsentCheckboxes(forms.CheckboxSelectMultiple):
    """The group's id is its legend's, so the error summary's link has a target."""

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        return id_ if index is None else super().id_for_label(id_, index)


class BookForm(AccessibleForm):
    slot = forms.CharField(
        label=_("Free time"),
        error_messages={"required": _("Choose one of the free times.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind of meeting"),
        choices=list(APPOINTMENT_KINDS.items()),
        widget=forms.RadioSelect,
    )
    mode = forms.ChoiceField(
        label=_("How they meet"),
        choices=list(APPOINTMENT_MODES.items()),
        widget=forms.RadioSelect,
        initial="in_person",
    )
    minutes = forms.TypedChoiceField(label=_("Length"), choices=length_choices, coerce=int)
    interpreter_language = LanguageChoiceField(
        label=_("Interpreter"),
        queryset=Language.objects.order_by("code"),
        required=False,
        empty_label=_("As the parents asked in the request"),
        help_text=_("A qualified interpreter, never a child (tolkeloven § 4 and § 6)."),
    )
    consents = forms.MultipleChoiceField(
        label=_("Consent to a child talk recorded from"),
        choices=list(PARENT_ROLES.items()),
        required=False,
        widget=ConsentCheckboxes,
        help_text=_(
            "Child talk only: with a child under 16 both parents must consent (barneloven § 51)."
        ),
    )

    def clean_slot(self) -> tuple[datetime, int | None]:
        """A slot is "<UTC start, ISO 8601>|<location id or empty>"."""
        raw = self.cleaned_data["slot"]
        start, _sep, location = raw.partition("|")
        try:
            starts_at = datetime.fromisoformat(start)
            location_id = int(location) if location else None
        except ValueError:
            raise forms.ValidationError(_("Choose one of the free times.")) from None
        if starts_at.tzinfo is None:
            raise forms.ValidationError(_("Choose one of the free times."))
        return starts_at, location_id


class CancelForm(AccessibleForm):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=500, required=False)


class AttendanceForm(AccessibleForm):
    requester = forms.BooleanField(label=_("The requester came"), required=False)
    other = forms.BooleanField(label=_("The other parent came"), required=False)


class RefuseForm(AccessibleForm):
    parent_role = forms.ChoiceField(label=_("Parent"), choices=list(PARENT_ROLES.items()))
    reason = forms.CharField(
        label=_("Reason for refusing"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The parent can appeal the refusal to Bufetat."),
    )


def slot_value(starts_at: datetime, location_id: int | None) -> str:
    return f"{starts_at.isoformat()}|{location_id or ''}"


class CloseForm(AccessibleForm):
    """Closing starts the retention clocks (meklingsforskriften § 9): answers are purged after
    the grace period, the protocol after 3 years."""

    status = forms.ChoiceField(
        label=_("How the case ends"),
        choices=[
            ("closed", _("Mediation is finished")),
            ("withdrawn", _("The parents withdrew the request")),
        ],
        widget=forms.RadioSelect,
        initial="closed",
    )


class CourtNoteForm(AccessibleForm):
    """The mediator's note to the court (scheduling/court_notes.py keeps the rules)."""

    court = forms.ModelChoiceField(
        label=_("Court"),
        queryset=Court.objects.filter(active=True),
        empty_label=_("Choose the court"),
        help_text=_("The note is emailed as PDF to the court's address on record."),
    )
    court_case_number = forms.CharField(
        label=_("The court's case number"), max_length=40, required=False
    )
    mediation_date = forms.DateField(
        label=_("Date of the last meeting"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    attended_requester = forms.BooleanField(label=_("The requester attended"), required=False)
    attended_other = forms.BooleanField(label=_("The other parent attended"), required=False)
    hours = forms.DecimalField(
        label=_("Hours of mediation held"),
        min_value=0,
        max_digits=3,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0.5", "max": "7"}),
    )
    agreement = forms.ChoiceField(
        label=_("Did the parents reach an agreement?"),
        choices=[
            ("yes", _("Yes, an agreement")),
            ("partly", _("Partly: an agreement on some of it")),
            ("no", _("No agreement")),
        ],
        widget=forms.RadioSelect,
    )
    correction_reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when correcting a note already sent: a new version goes to the court."),
    )
