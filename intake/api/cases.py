"""Cases API: parents request mediation; staff list, read and reclassify cases."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api_errors import ApplicationError
from config.strict_fields import StrictCharField
from config.throttling import SettingsScopedRateThrottle
from intake.api.case_input import CaseRequestSerializer
from intake.api.output import CaseCreatedOutput, CaseDetailOutput, CaseListOutput
from intake.audit import audit_record
from intake.classifying import classification_override
from intake.models import AuditEvent, CaseStatus, CaseType, ConflictLevel
from intake.selectors import case_get_for_user, cases_for_user
from intake.services import case_close, case_request, parent_link_resend
from mediators.access import IsStaff, IsStaffOrMediator
from mediators.selectors import CatchmentError


def client_addr(request: Request) -> str | None:
    addr: str | None = request.META.get("REMOTE_ADDR")
    return addr


class CasesApi(APIView):
    """POST: anyone may request mediation (throttled). GET: staff list their cases."""

    throttle_scope = "case_request"

    def get_permissions(self) -> list[BasePermission]:
        return [AllowAny()] if self.request.method == "POST" else [IsStaff()]

    def get_throttles(self) -> list[Any]:
        return [SettingsScopedRateThrottle()] if self.request.method == "POST" else []

    @extend_schema(request=CaseRequestSerializer, responses={201: CaseCreatedOutput})
    def post(self, request: Request) -> Response:
        serializer = CaseRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            case = case_request(
                request=serializer.to_case_request(),
                actor=request.user,
                remote_addr=client_addr(request),
            )
        except CatchmentError as exc:
            raise ApplicationError(str(exc), fields={"municipality": [str(exc)]}) from exc
        return Response(CaseCreatedOutput(case).data, status=status.HTTP_201_CREATED)

    class FilterSerializer(serializers.Serializer[dict[str, Any]]):
        status = serializers.ChoiceField(choices=CaseStatus.choices, required=False)
        case_type = serializers.ChoiceField(choices=CaseType.choices, required=False)
        conflict_level = serializers.ChoiceField(choices=ConflictLevel.choices, required=False)

    @extend_schema(parameters=[FilterSerializer], responses={200: CaseListOutput(many=True)})
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        cases = cases_for_user(user=request.user)
        if "status" in filters.validated_data:
            cases = cases.filter(status=filters.validated_data["status"])
        if "case_type" in filters.validated_data:
            cases = cases.filter(case_type=filters.validated_data["case_type"])
        if "conflict_level" in filters.validated_data:
            cases = cases.filter(classification__level=filters.validated_data["conflict_level"])
        return Response(CaseListOutput(cases[:500], many=True).data)


class CaseDetailApi(APIView):
    """Staff of the case's office, and an external mediator it was offered or assigned to."""

    permission_classes = [IsStaffOrMediator]

    @extend_schema(responses={200: CaseDetailOutput})
    def get(self, request: Request, reference: str) -> Response:
        case = case_get_for_user(user=request.user, reference=reference)
        # The classification's reasons are drawn from the answers: reading them is audited.
        audit_record(
            action=AuditEvent.Action.CASE_READ,
            case_reference=case.reference,
            actor=request.user,
            remote_addr=client_addr(request),
            detail={"classification": hasattr(case, "classification")},
        )
        return Response(CaseDetailOutput(case).data)


class ClassificationOverrideApi(APIView):
    permission_classes = [IsStaff]

    class OverrideInputSerializer(serializers.Serializer[dict[str, Any]]):
        level = serializers.ChoiceField(choices=ConflictLevel.choices)
        reason = StrictCharField(max_length=1000)

    @extend_schema(request=OverrideInputSerializer, responses={200: CaseDetailOutput})
    def post(self, request: Request, reference: str) -> Response:
        case = case_get_for_user(user=request.user, reference=reference)
        data = self.OverrideInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        classification_override(
            case=case,
            actor=request.user,
            remote_addr=client_addr(request),
            **data.validated_data,
        )
        case = case_get_for_user(user=request.user, reference=reference)
        return Response(CaseDetailOutput(case).data)


class LinkResendApi(APIView):
    """Staff send a parent a new private link; the old one stops working."""

    permission_classes = [IsStaff]

    @extend_schema(request=None, responses={202: None})
    def post(self, request: Request, reference: str, role: str) -> Response:
        case = case_get_for_user(user=request.user, reference=reference)
        parent = next((p for p in case.parents.all() if p.role == role), None)
        if parent is None:
            raise ApplicationError(
                "Unknown parent role.", fields={"role": ["Use requester or other."]}
            )
        parent_link_resend(parent=parent, actor=request.user, remote_addr=client_addr(request))
        return Response(status=status.HTTP_202_ACCEPTED)


class CaseCloseApi(APIView):
    """Staff close a case (mediation finished) or record that the parents withdrew it. Closing
    starts the retention clocks (meklingsforskriften § 9); closing twice changes nothing."""

    permission_classes = [IsStaff]

    class CloseInputSerializer(serializers.Serializer[dict[str, Any]]):
        status = serializers.ChoiceField(
            choices=[CaseStatus.CLOSED, CaseStatus.WITHDRAWN], default=CaseStatus.CLOSED
        )

    @extend_schema(request=CloseInputSerializer, responses={200: CaseDetailOutput})
    def post(self, request: Request, reference: str) -> Response:
        case = case_get_for_user(user=request.user, reference=reference)
        data = self.CloseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case_close(
            case=case,
            status=data.validated_data["status"],
            actor=request.user,
            remote_addr=client_addr(request),
        )
        case = case_get_for_user(user=request.user, reference=reference)
        return Response(CaseDetailOutput(case).data)
