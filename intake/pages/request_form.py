"""The request form: plain fields for a parent, checked by the API's own serializer.

The page form only asks and parses (what is missing, dates, email); every rule of a request
(phone and national id, municipality and Oslo district, relocation and court dates, the two
parents) stays in `intake.api.case_input.CaseRequestSerializer`. Its errors are put on the
fields they belong to, in the parent's language; nothing is saved until all is valid.
"""

from collections import Counter
from datetime import date
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from config.forms import AccessibleForm
from config.legal import rule_value
from intake.api.case_input import MAX_CHILDREN, CaseRequestSerializer
from intake.models import COURT_CASE_TYPES, CaseType, Parent
from mediators.models import OSLO_MUNICIPALITY, District, Language, Municipality, Office

CHILDREN_SHOWN = 3
DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y", "%d/%m/%Y"]
ROLES = (Parent.Role.REQUESTER, Parent.Role.OTHER)

# One plain line per case type, with its legal basis (the domain brief's table).
CASE_TYPE_HINTS = {
    CaseType.SEPARATION: _(
        "You are married and want to separate or divorce (ekteskapsloven § 26)."
    ),
    CaseType.COHABITATION_BREAKUP: _(
        "You have lived together without being married and are moving apart (barneloven § 51)."
    ),
    CaseType.COURT: _(
        "You disagree about parental responsibility, where the child lives or contact, and "
        "are thinking of going to court (barneloven §§ 51 and 56)."
    ),
    CaseType.RELOCATION: _(
        "One of you wants to move with the child and the other disagrees (barneloven § 42a)."
    ),
    CaseType.COURT_REFERRAL: _("The court has sent your case back to mediation (barneloven § 61)."),
    CaseType.ENFORCEMENT: _(
        "The court is deciding on enforcement of contact and has asked for mediation "
        "(barneloven § 65a)."
    ),
}

# Each parent field's label: (for you, for the other parent).
PARENT_LABELS: dict[str, tuple[Any, Any]] = {
    "given_name": (_("Your first name"), _("The other parent's first name")),
    "family_name": (_("Your last name"), _("The other parent's last name")),
    "email": (_("Your email address"), _("The other parent's email address")),
    "phone": (_("Your mobile number (optional)"), _("The other parent's mobile number (optional)")),
    "national_id": (
        _("Your national identity number (optional)"),
        _("The other parent's national identity number (optional)"),
    ),
    "language": (
        _("Which language should we write to you in?"),
        _("Which language should we write to the other parent in?"),
    ),
    "interpreter_language": (
        _("Do you need an interpreter? (optional)"),
        _("Does the other parent need an interpreter? (optional)"),
    ),
    "lives_abroad": (_("I live abroad"), _("The other parent lives abroad")),
}
# What to say when a required field is empty: (for you, for the other parent).
PARENT_MISSING: dict[str, tuple[Any, Any]] = {
    "given_name": (_("Write your first name."), _("Write the other parent's first name.")),
    "family_name": (_("Write your last name."), _("Write the other parent's last name.")),
    "email": (_("Write your email address."), _("Write the other parent's email address.")),
}
AUTOCOMPLETE = {
    "given_name": "given-name",
    "family_name": "family-name",
    "email": "email",
    "phone": "tel",
}
LANGUAGE_CHOICES = [(code, name) for code, name in Parent.Lang.choices]


class DateInput(forms.DateInput):
    input_type = "date"

    def format_value(self, value: Any) -> str | None:
        return value.isoformat() if isinstance(value, date) else value


def _date_field(label: Any, *, required: bool = False, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=DATE_FORMATS,
        widget=DateInput(),
        error_messages={"invalid": _("Give a real date, for example 17.05.2019.")},
    )


def _municipality_choices() -> list[tuple[str, str]]:
    rows = list(Municipality.objects.order_by("name").values_list("number", "name", "county"))
    repeated = Counter(name for _, name, _ in rows)
    return [
        (number, f"{name} ({county})" if repeated[name] > 1 else name)
        for number, name, county in rows
    ]


def _language_name(language: Language, code: str) -> str:
    return language.name_en if code == "en" else language.name_nb


class RequestForm(AccessibleForm):
    """A request for mediation as a parent fills it in; `children` inputs can grow."""

    case_type = forms.ChoiceField(
        label=_("What is the mediation about?"),
        choices=CaseType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what the mediation is about.")},
    )
    municipality = forms.ChoiceField(
        label=_("Municipality where the child lives"),
        help_text=_("Where the child has their address in the population register."),
        error_messages={"required": _("Choose the municipality where the child lives.")},
    )
    district = forms.ChoiceField(
        label=_("City district in Oslo"),
        required=False,
        help_text=_("Only if the child lives in Oslo."),
    )
    # The parents' free choice of office (002 §4.2); the catchment office is the default.
    preferred_office = forms.ChoiceField(
        label=_("Family counselling office (optional)"),
        required=False,
        help_text=_(
            "You have the right to choose another office than the one for the child's "
            "municipality. If you choose none, we use that office."
        ),
    )
    relocation_planned_move_date = _date_field(_("Planned moving date"))
    relocation_notice_given_on = _date_field(_("Date the other parent was told about the move"))
    court_court_name = forms.CharField(label=_("Name of the court"), required=False, max_length=120)
    court_deadline = _date_field(_("The court's deadline for mediation"))
    children_count = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1, max_value=MAX_CHILDREN
    )

    def __init__(
        self, *args: Any, children: int = CHILDREN_SHOWN, language: str = "nb", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.children = max(1, min(children, MAX_CHILDREN))
        self.language = language if language in dict(LANGUAGE_CHOICES) else "nb"
        self.fields["relocation_notice_given_on"].help_text = _(
            "The law asks for at least %(months)d months' notice before the move "
            "(barneloven § 42a)."
        ) % {"months": rule_value("relocation_notice_months")}
        self.fields["children_count"].initial = self.children
        self._choices("municipality", _("Choose a municipality"), _municipality_choices())
        districts = District.objects.filter(municipality_id=OSLO_MUNICIPALITY).order_by("name")
        self._choices("district", _("Not in Oslo"), [(d.name, d.name) for d in districts])
        offices = Office.objects.filter(active=True).order_by("name")
        self._choices(
            "preferred_office",
            _("The office for the child's municipality"),
            [(office.code, office.name) for office in offices],
        )
        interpreters: list[tuple[str, Any]] = [("", _("No interpreter"))] + [
            (lang.code, _language_name(lang, language))
            for lang in Language.objects.exclude(code__in=["nb", "nn"]).order_by("name_nb")
        ]
        for index, role in enumerate(ROLES):
            self._parent_fields(index, role, interpreters, language)
        # WCAG 1.3.5: the requester's own details say what they are; the other parent's do not.
        for name, token in AUTOCOMPLETE.items():
            self.fields[f"parents_0_{name}"].widget.attrs["autocomplete"] = token
            self.fields[f"parents_1_{name}"].widget.attrs["autocomplete"] = "off"
        for index in range(self.children):
            self.fields[f"children_{index}_birth_date"] = _date_field(
                _("Child %(number)d: date of birth") % {"number": index + 1}
            )

    def _choices(self, name: str, empty: Any, choices: list[tuple[str, str]]) -> None:
        field = cast(forms.ChoiceField, self.fields[name])
        field.choices = [("", empty), *choices]

    def _parent_fields(
        self, index: int, role: str, interpreters: list[tuple[str, Any]], language: str
    ) -> None:
        you = index == 0
        texts = {key: value[0 if you else 1] for key, value in PARENT_LABELS.items()}
        missing = {key: value[0 if you else 1] for key, value in PARENT_MISSING.items()}
        prefix = f"parents_{index}_"
        self.fields[prefix + "given_name"] = forms.CharField(
            label=texts["given_name"],
            max_length=80,
            error_messages={"required": missing["given_name"]},
        )
        self.fields[prefix + "family_name"] = forms.CharField(
            label=texts["family_name"],
            max_length=80,
            error_messages={"required": missing["family_name"]},
        )
        self.fields[prefix + "email"] = forms.EmailField(
            label=texts["email"],
            max_length=254,
            help_text=_("We send your private link here.")
            if you
            else _("They get their own private link. They never see what you answer."),
            error_messages={
                "required": missing["email"],
                "invalid": _("Write the email address like name@example.no."),
            },
        )
        self.fields[prefix + "phone"] = forms.CharField(
            label=texts["phone"],
            required=False,
            max_length=30,
            help_text=_("We send the link by text message too."),
            widget=forms.TextInput(attrs={"type": "tel"}),
        )
        self.fields[prefix + "national_id"] = forms.CharField(
            label=texts["national_id"],
            required=False,
            max_length=20,
            help_text=_(
                "11 digits: fødselsnummer or D-number. We keep only a coded version of it."
            ),
            widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        )
        self.fields[prefix + "language"] = forms.ChoiceField(
            label=texts["language"],
            required=False,  # the page's language when none is chosen
            choices=LANGUAGE_CHOICES,
            initial=self.language,
            widget=forms.RadioSelect,
        )
        self.fields[prefix + "interpreter_language"] = forms.ChoiceField(
            label=texts["interpreter_language"], required=False, choices=interpreters
        )
        self.fields[prefix + "lives_abroad"] = forms.BooleanField(
            label=texts["lives_abroad"], required=False
        )

    # --- what the template shows -------------------------------------------------------------

    def case_types(self) -> list[dict[str, Any]]:
        field = self["case_type"]
        return [
            {"radio": radio, "hint": CASE_TYPE_HINTS[CaseType(radio.data["value"])]}
            for radio in field
        ]

    @property
    def parent_0(self) -> dict[str, Any]:
        return self.parent(0)

    @property
    def parent_1(self) -> dict[str, Any]:
        return self.parent(1)

    @property
    def max_children(self) -> int:
        return MAX_CHILDREN

    def parent(self, index: int) -> dict[str, Any]:
        prefix = f"parents_{index}_"
        return {
            name: self[prefix + name]
            for name in (
                "given_name",
                "family_name",
                "email",
                "phone",
                "national_id",
                "language",
                "interpreter_language",
                "lives_abroad",
            )
        }

    def children_fields(self) -> list[forms.BoundField]:
        return [self[f"children_{index}_birth_date"] for index in range(self.children)]

    # --- checks a parent can fix on the spot ---------------------------------------------------

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        case_type = data.get("case_type")
        born = [data.get(f"children_{i}_birth_date") for i in range(self.children)]
        bad_dates = any(f"children_{i}_birth_date" in self.errors for i in range(self.children))
        if not any(born) and not bad_dates:
            self.add_error(
                "children_0_birth_date", _("Give the birth date of at least one common child.")
            )
        if case_type == CaseType.RELOCATION:
            # barneloven § 42a: the move date and the notice date decide the urgency.
            self._require("relocation_planned_move_date", _("Give the planned moving date."))
            self._require(
                "relocation_notice_given_on",
                _("Give the date the other parent was told about the move."),
            )
        if case_type in COURT_CASE_TYPES:
            self._require("court_court_name", _("Write the name of the court."))
            self._require("court_deadline", _("Give the court's deadline."))
        return data

    def _require(self, name: str, message: Any) -> None:
        if name not in self.errors and not self.cleaned_data.get(name):
            self.add_error(name, message)

    # --- the API's serializer ------------------------------------------------------------------

    def payload(self) -> tuple[dict[str, Any], list[int]]:
        """The body the API would get, from what parsed; and which child input each row is."""
        data = self.cleaned_data
        case_type = data.get("case_type") or self.data.get("case_type", "")
        rows = [i for i in range(self.children) if data.get(f"children_{i}_birth_date")]
        body: dict[str, Any] = {
            "case_type": case_type,
            "municipality": data.get("municipality", ""),
            "district": data.get("district", ""),
            "preferred_office": data.get("preferred_office", ""),
            "parents": [self._parent_payload(index, role) for index, role in enumerate(ROLES)],
            "children": [
                {"birth_date": data[f"children_{i}_birth_date"].isoformat()} for i in rows
            ],
        }
        if not rows:
            body.pop("children")
        if case_type == CaseType.RELOCATION:
            body["relocation"] = self._nested(
                planned_move_date="relocation_planned_move_date",
                notice_given_on="relocation_notice_given_on",
            )
        if case_type in COURT_CASE_TYPES:
            body["court"] = self._nested(court_name="court_court_name", deadline="court_deadline")
        return body, rows

    def _parent_payload(self, index: int, role: str) -> dict[str, Any]:
        prefix = f"parents_{index}_"
        body: dict[str, Any] = {"role": role}
        for name in ("given_name", "family_name", "email", "phone", "national_id"):
            if prefix + name in self.cleaned_data:
                body[name] = self.cleaned_data[prefix + name]
        body["language"] = self.cleaned_data.get(prefix + "language") or self.language
        body["interpreter_language"] = (
            self.cleaned_data.get(prefix + "interpreter_language") or None
        )
        body["lives_abroad"] = bool(self.cleaned_data.get(prefix + "lives_abroad"))
        return body

    def _nested(self, **names: str) -> dict[str, Any] | None:
        values = {key: self.cleaned_data.get(field) for key, field in names.items()}
        if not all(values.values()):
            return None
        return {key: v.isoformat() if isinstance(v, date) else v for key, v in values.items()}

    def add_serializer_errors(self, errors: Any, rows: list[int]) -> None:
        """Put each serializer error on its field unless the field already says what is wrong."""
        for path, message in _flatten(errors):
            target = self._target(path, rows)
            if target is not None and target in self.errors:
                continue
            self.add_error(target, message)

    def _target(self, path: tuple[str, ...], rows: list[int]) -> str | None:
        # The nested objects' own errors go to their first field.
        whole = {
            ("relocation",): "relocation_planned_move_date",
            ("court",): "court_court_name",
            ("children",): "children_0_birth_date",
        }
        if path in whole:
            return whole[path]
        if len(path) == 3 and path[0] == "children" and int(path[1]) < len(rows):
            path = ("children", str(rows[int(path[1])]), path[2])
        name = "_".join(path)
        return name if name in self.fields else None


def _flatten(errors: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], str]]:
    if isinstance(errors, dict):
        found = []
        for key, value in errors.items():
            inner = path if key in ("non_field_errors", "__all__") else (*path, str(key))
            found += _flatten(value, inner)
        return found
    if isinstance(errors, list) and all(isinstance(value, str) for value in errors):
        return [(path, str(message)) for message in errors]
    if isinstance(errors, list):
        found = []
        for index, value in enumerate(errors):
            found += _flatten(value, (*path, str(index)))
        return found
    return [(path, str(errors))]


def request_validate(form: RequestForm) -> CaseRequestSerializer | None:
    """The serializer, valid, when both the page form and the API's rules accept the request.

    Both always run, so a parent sees every message the two can give at once (the
    serializer's cross-field checks, such as the Oslo district, come once its fields pass).
    """
    form_ok = form.is_valid()
    body, rows = form.payload()
    serializer = CaseRequestSerializer(data=body)
    if serializer.is_valid():
        return serializer if form_ok else None
    form.add_serializer_errors(serializer.errors, rows)
    return None
