"""How cases look to staff (and to the requester right after a request)."""

from typing import Any

from rest_framework import serializers

from intake.models import Case, Classification, Parent
from mediators.models import Office


class OfficeOutput(serializers.ModelSerializer[Office]):
    class Meta:
        model = Office
        fields = ["code", "name", "kind", "region"]


class CaseCreatedOutput(serializers.ModelSerializer[Case]):
    """The requester's receipt: never a link, nothing about the other parent's access."""

    office = OfficeOutput()
    catchment_office = OfficeOutput()
    chosen_office = OfficeOutput(allow_null=True)
    duty = serializers.JSONField(source="duty_outcome")

    class Meta:
        model = Case
        fields = [
            "reference",
            "case_type",
            "status",
            "office",
            "catchment_office",
            "chosen_office",
            "duty",
            "requested_at",
        ]


class ClassificationOutput(serializers.ModelSerializer[Classification]):
    computed_level = serializers.CharField(source="level")
    override = serializers.SerializerMethodField()

    class Meta:
        model = Classification
        fields = [
            "computed_level",
            "provisional",
            "score",
            "reasons",
            "safety_flags",
            "separate_meetings_recommended",
            "rules_version",
            "questionnaire_version",
            "computed_at",
            "override",
        ]

    def get_override(self, obj: Classification) -> dict[str, Any] | None:
        if not obj.override_level:
            return None
        return {
            "level": obj.override_level,
            "reason": obj.override_reason,
            "by": obj.overridden_by.get_username() if obj.overridden_by else None,
            "at": obj.overridden_at,
        }


class ParentOutput(serializers.ModelSerializer[Parent]):
    interpreter_language = serializers.CharField(source="interpreter_language_id", allow_null=True)
    has_national_id = serializers.SerializerMethodField()
    answers_submitted_at = serializers.SerializerMethodField()

    class Meta:
        model = Parent
        fields = [
            "role",
            "given_name",
            "family_name",
            "email",
            "phone",
            "language",
            "interpreter_language",
            "lives_abroad",
            "birth_date",
            "has_national_id",
            "answers_submitted_at",
        ]

    def get_has_national_id(self, obj: Parent) -> bool:
        return bool(obj.national_id_digest)

    def get_answers_submitted_at(self, obj: Parent) -> Any:
        response = getattr(obj, "response", None)
        return response.submitted_at if response else None


class CaseListOutput(serializers.ModelSerializer[Case]):
    office = serializers.CharField(source="office.code")
    conflict_level = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "reference",
            "case_type",
            "status",
            "office",
            "conflict_level",
            "requested_at",
            "planned_move_date",
            "court_deadline",
        ]

    def get_conflict_level(self, obj: Case) -> str | None:
        classification = getattr(obj, "classification", None)
        return classification.effective_level if classification else None


class CaseDetailOutput(CaseListOutput):
    office = OfficeOutput()  # type: ignore[assignment]
    catchment_office = OfficeOutput()
    chosen_office = OfficeOutput(allow_null=True)
    municipality = serializers.CharField(source="municipality_id")
    district = serializers.CharField(source="district.name", allow_null=True, default=None)
    duty = serializers.JSONField(source="duty_outcome")
    parents = ParentOutput(many=True)
    children = serializers.SerializerMethodField()
    classification = serializers.SerializerMethodField()

    class Meta(CaseListOutput.Meta):
        fields = [
            *CaseListOutput.Meta.fields,
            "catchment_office",
            "chosen_office",
            "municipality",
            "district",
            "move_notice_given_on",
            "court_name",
            "closed_at",
            "answers_purged_at",
            "duty",
            "parents",
            "children",
            "classification",
        ]

    def get_children(self, obj: Case) -> list[dict[str, Any]]:
        return [{"birth_date": child.birth_date} for child in obj.children.all()]

    def get_classification(self, obj: Case) -> dict[str, Any] | None:
        classification = getattr(obj, "classification", None)
        return ClassificationOutput(classification).data if classification else None
