"""Assignment API: suggestions with reasons, one-case assignment, and batch assignment."""

from typing import Any, cast

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api_errors import ApplicationError
from intake.api.cases import client_addr
from intake.selectors import case_get_for_user
from mediators.access import IsStaff, office_scope
from mediators.assigning import (
    PlacementResult,
    case_place_auto,
    case_place_manual,
    case_suggestions,
    cases_place_batch,
)
from mediators.models import Location, Mediator, Office, Region, User
from mediators.selectors import cases_waiting_in


def _placement_data(placement: PlacementResult) -> dict[str, Any]:
    row = placement.row
    return {
        "kind": "assignment" if placement.assignment else "offer",
        "id": row.pk,
        "mediator": row.mediator_id,
        "mediator_name": str(row.mediator),
        "location": row.location_id,
        "remote": row.remote,
        "method": row.method,
        "chosen_by": row.chosen_by.get_username() if row.chosen_by else None,
        "reasons": row.reasons,
        "journey_minutes": row.journey_minutes,
        "deadline": placement.offer.deadline if placement.offer else None,
    }


class SuggestionsApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(parameters=[OpenApiParameter("explain", bool)], responses={200: None})
    def get(self, request: Request, reference: str) -> Response:
        case = case_get_for_user(user=request.user, reference=reference)
        explain = request.query_params.get("explain") in ("1", "true", "yes")
        suggestions = case_suggestions(case=case, explain=explain)
        ranked = suggestions.ranked
        offices = dict(
            Office.objects.filter(pk__in={s.office_id for s in ranked}).values_list("pk", "code")
        )
        locations = dict(
            Location.objects.filter(pk__in={s.location_id for s in ranked}).values_list(
                "pk", "code"
            )
        )
        body: dict[str, Any] = {
            "reference": case.reference,
            "suggestions": [
                {
                    "mediator": s.mediator_id,
                    "mediator_name": s.name,
                    "kind": s.kind,
                    "office": offices.get(s.office_id),
                    "location": locations.get(s.location_id),
                    "score": s.score,
                    "journey_minutes": s.journey_minutes,
                    "earliest_free": s.earliest_free,
                    "reasons": [r.as_dict() if hasattr(r, "as_dict") else r for r in s.reasons],
                }
                for s in ranked
            ],
        }
        if explain:
            excluded_ids = [mediator_id for mediator_id, _ in suggestions.excluded]
            names = {m.pk: str(m) for m in Mediator.objects.filter(pk__in=excluded_ids)}
            body["excluded"] = [
                {
                    "mediator": mediator_id,
                    "mediator_name": names.get(mediator_id),
                    "reasons": [e.as_dict() if hasattr(e, "as_dict") else e for e in reasons],
                }
                for mediator_id, reasons in suggestions.excluded
            ]
        return Response(body)


class AssignApi(APIView):
    permission_classes = [IsStaff]

    class AssignInputSerializer(serializers.Serializer[dict[str, Any]]):
        mediator = serializers.IntegerField(required=False)
        auto = serializers.BooleanField(default=False)

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if bool(attrs.get("mediator")) == bool(attrs.get("auto")):
                raise serializers.ValidationError(
                    {"mediator": ["Give either a mediator or auto: true."]}
                )
            return attrs

    @extend_schema(request=AssignInputSerializer, responses={201: None})
    def post(self, request: Request, reference: str) -> Response:
        case = case_get_for_user(user=request.user, reference=reference)
        data = self.AssignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data["auto"]:
            placement = case_place_auto(
                case=case, actor=request.user, remote_addr=client_addr(request)
            )
        else:
            placement = case_place_manual(
                case=case,
                mediator_id=data.validated_data["mediator"],
                actor=request.user,
                remote_addr=client_addr(request),
            )
        return Response(_placement_data(placement), status=status.HTTP_201_CREATED)


class BatchAssignApi(APIView):
    permission_classes = [IsStaff]

    class BatchInputSerializer(serializers.Serializer[dict[str, Any]]):
        scope = serializers.ChoiceField(choices=["office", "region", "country"])
        office = serializers.CharField(required=False)
        region = serializers.ChoiceField(choices=Region.choices, required=False)

    @extend_schema(request=BatchInputSerializer, responses={200: None})
    def post(self, request: Request) -> Response:
        data = self.BatchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        scope = data.validated_data["scope"]
        offices = Office.objects.filter(office_scope(cast(User, request.user)))
        if scope == "office":
            offices = offices.filter(code=data.validated_data.get("office", ""))
        elif scope == "region":
            offices = offices.filter(region=data.validated_data.get("region", ""))
        if scope != "country" and not offices.exists():
            raise ApplicationError(
                "That scope is unknown or not yours.",
                fields={scope: ["Unknown or not in your scope."]},
            )
        office_ids = list(offices.values_list("pk", flat=True))
        waiting = cases_waiting_in(user=request.user, office_ids=office_ids)
        outcome = cases_place_batch(
            cases=waiting, actor=request.user, remote_addr=client_addr(request)
        )
        return Response(
            {
                "scope": scope,
                "cases": len(waiting),
                "placed": {ref: _placement_data(p) for ref, p in outcome.placed.items()},
                "unassigned": outcome.unassigned,
                "solve_ms": round(outcome.solve_seconds * 1000, 1),
            }
        )
