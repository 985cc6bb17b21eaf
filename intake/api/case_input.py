"""Validation of a request for mediation: one clear message per field, nothing half-saved."""

from datetime import date
from typing import Any

import phonenumbers
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from config.strict_fields import StrictCharField, StrictEmailField, StrictRegexField
from intake.models import COURT_CASE_TYPES, CaseType, Parent
from intake.national_id import InvalidNationalId, national_id_normalise
from intake.services import CaseRequest, ParentInput
from mediators.models import OSLO_MUNICIPALITY, District, Language, Municipality, Office

MAX_CHILDREN = 12


class ParentInputSerializer(serializers.Serializer[dict[str, Any]]):
    role = serializers.ChoiceField(choices=Parent.Role.choices)
    given_name = StrictCharField(max_length=80)
    family_name = StrictCharField(max_length=80)
    national_id = StrictCharField(required=False, allow_blank=True, max_length=20)
    email = StrictEmailField(max_length=254)
    phone = StrictCharField(required=False, allow_blank=True, max_length=30)
    language = serializers.ChoiceField(choices=Parent.Lang.choices, default=Parent.Lang.NB)
    interpreter_language = StrictCharField(
        required=False, allow_blank=True, allow_null=True, max_length=8
    )
    lives_abroad = serializers.BooleanField(default=False)

    def validate_national_id(self, value: str) -> str:
        if not value:
            return ""
        try:
            return national_id_normalise(value)
        except InvalidNationalId:
            raise serializers.ValidationError(
                _(
                    "Not a valid national identity number (fødselsnummer or D-number): "
                    "check the 11 digits."
                )
            ) from None

    def validate_phone(self, value: str) -> str:
        if not value:
            return ""
        try:
            number = phonenumbers.parse(value, "NO")
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            raise serializers.ValidationError(_("Not a valid phone number."))
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def validate_interpreter_language(self, value: str | None) -> Language | None:
        if not value:
            return None
        language = Language.objects.filter(code=value.lower()).first()
        if language is None:
            raise serializers.ValidationError(_("Unknown language code."))
        return language


class ChildInputSerializer(serializers.Serializer[dict[str, Any]]):
    birth_date = serializers.DateField()

    def validate_birth_date(self, value: date) -> date:
        if value > timezone.localdate():
            raise serializers.ValidationError(_("A birth date cannot be in the future."))
        if value.year < 1900:
            raise serializers.ValidationError(_("Check the birth date."))
        return value


class RelocationInputSerializer(serializers.Serializer[dict[str, Any]]):
    planned_move_date = serializers.DateField()
    notice_given_on = serializers.DateField()

    def validate_planned_move_date(self, value: date) -> date:
        if value < timezone.localdate():
            raise serializers.ValidationError(_("The planned move date has already passed."))
        return value

    def validate_notice_given_on(self, value: date) -> date:
        if value > timezone.localdate():
            raise serializers.ValidationError(_("The notice date cannot be in the future."))
        return value


class CourtInputSerializer(serializers.Serializer[dict[str, Any]]):
    court_name = StrictCharField(max_length=120)
    deadline = serializers.DateField()

    def validate_deadline(self, value: date) -> date:
        if value < timezone.localdate():
            raise serializers.ValidationError(_("The court's deadline has already passed."))
        return value


class CaseRequestSerializer(serializers.Serializer[dict[str, Any]]):
    case_type = serializers.ChoiceField(choices=CaseType.choices)
    municipality = StrictRegexField(
        r"^[0-9]{4}$", error_messages={"invalid": _("Use the 4-digit municipality number.")}
    )
    district = StrictCharField(required=False, allow_blank=True, max_length=100)
    preferred_office = StrictCharField(required=False, allow_blank=True, max_length=40)
    parents = ParentInputSerializer(many=True)
    children = ChildInputSerializer(many=True)
    relocation = RelocationInputSerializer(required=False, allow_null=True)
    court = CourtInputSerializer(required=False, allow_null=True)

    def validate_municipality(self, value: str) -> Municipality:
        municipality = Municipality.objects.filter(number=value).first()
        if municipality is None:
            raise serializers.ValidationError(_("Unknown municipality number."))
        return municipality

    def validate_preferred_office(self, value: str) -> Office | None:
        if not value:
            return None
        office = Office.objects.filter(code=value, active=True).first()
        if office is None:
            raise serializers.ValidationError(_("Unknown office."))
        return office

    def validate_children(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not value:
            raise serializers.ValidationError(
                _("Give the birth date of at least one common child.")
            )
        if len(value) > MAX_CHILDREN:
            raise serializers.ValidationError(_("Too many children for one case."))
        return value

    def validate_parents(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if len(value) != 2:
            raise serializers.ValidationError(_("A case has exactly two parents."))
        if sorted(parent["role"] for parent in value) != ["other", "requester"]:
            raise serializers.ValidationError(
                _("One parent must be the requester and the other the other parent.")
            )
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, Any] = {}
        municipality: Municipality = attrs["municipality"]
        district_name = attrs.get("district") or ""
        attrs["district"] = None
        if municipality.number == OSLO_MUNICIPALITY:
            district = District.objects.filter(
                municipality=municipality, name=district_name
            ).first()
            if district is None:
                errors["district"] = [_("Choose the city district (bydel) in Oslo.")]
            attrs["district"] = district
        elif district_name:
            errors["district"] = [_("City districts are used only in Oslo.")]
        case_type = attrs["case_type"]
        if case_type == CaseType.RELOCATION and not attrs.get("relocation"):
            errors["relocation"] = [
                _(
                    "Relocation cases need the planned move date and the "
                    "date the other parent was notified."
                )
            ]
        if case_type in COURT_CASE_TYPES and not attrs.get("court"):
            errors["court"] = [_("This case type needs the court and its deadline.")]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def to_case_request(self) -> CaseRequest:
        data = self.validated_data
        relocation = data.get("relocation") or {}
        court = data.get("court") or {}
        relocating = data["case_type"] == CaseType.RELOCATION
        return CaseRequest(
            case_type=data["case_type"],
            municipality=data["municipality"],
            district=data["district"],
            preferred_office=data.get("preferred_office"),
            parents=tuple(ParentInput(**parent) for parent in data["parents"]),
            children_birth_dates=tuple(child["birth_date"] for child in data["children"]),
            planned_move_date=relocation.get("planned_move_date") if relocating else None,
            move_notice_given_on=relocation.get("notice_given_on") if relocating else None,
            court_name=court.get("court_name", "") if data["case_type"] in COURT_CASE_TYPES else "",
            court_deadline=court.get("deadline") if data["case_type"] in COURT_CASE_TYPES else None,
        )
