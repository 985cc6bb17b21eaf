"""Attendance and certificates: record who came, read or download the certificate, refuse it."""

from typing import Any

from django.http import Http404, HttpResponse
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from intake.api.cases import client_addr
from intake.models import Case, Parent
from intake.selectors import case_get_for_user
from mediators.access import IsStaff, IsStaffOrMediator
from scheduling.api import _staff_appointment
from scheduling.certificate_pdf import certificate_pdf
from scheduling.certificates import (
    appointment_record_attendance,
    certificate_refuse,
    certificate_valid_on,
)
from scheduling.models import Certificate


class CertificateOutput(serializers.ModelSerializer[Certificate]):
    parent_role = serializers.CharField(source="parent.role")
    valid_today = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = [
            "number",
            "parent_role",
            "status",
            "first_meeting_on",
            "issued_on",
            "valid_until",
            "valid_today",
            "refusal_reason",
        ]

    def get_valid_today(self, obj: Certificate) -> bool:
        return certificate_valid_on(obj, timezone.localdate())


def _case_certificates(case: Case) -> dict[str, Any]:
    certificates = list(case.certificates.select_related("parent"))
    body: dict[str, Any] = {
        "reference": case.reference,
        "certificates": CertificateOutput(certificates, many=True).data,
    }
    if case.planned_move_date:
        issued = [c.issued_on for c in certificates if c.status == Certificate.Status.ISSUED]
        # barneloven § 42a: the certificate must exist before the planned move.
        body["relocation"] = {
            "planned_move_date": case.planned_move_date,
            "certificate_before_move": bool(issued) and min(issued) < case.planned_move_date,
        }
    return body


class AttendanceApi(APIView):
    permission_classes = [IsStaffOrMediator]

    class AttendanceInputSerializer(serializers.Serializer[dict[str, Any]]):
        requester = serializers.BooleanField()
        other = serializers.BooleanField()

    @extend_schema(request=AttendanceInputSerializer, responses={200: None})
    def post(self, request: Request, appointment_id: int) -> Response:
        appointment = _staff_appointment(request.user, appointment_id)
        data = self.AttendanceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appointment_record_attendance(
            appointment=appointment,
            actor=request.user,
            remote_addr=client_addr(request),
            **data.validated_data,
        )
        return Response(_case_certificates(appointment.case))


class CaseCertificateApi(APIView):
    permission_classes = [IsStaffOrMediator]

    @extend_schema(responses={200: None})
    def get(self, request: Request, reference: str) -> Response:
        case = case_get_for_user(user=request.user, reference=reference)
        return Response(_case_certificates(case))


class CertificatePdfApi(APIView):
    permission_classes = [IsStaffOrMediator]

    @extend_schema(responses={(200, "application/pdf"): bytes})
    def get(self, request: Request, reference: str, role: str) -> HttpResponse:
        case = case_get_for_user(user=request.user, reference=reference)
        certificate = (
            case.certificates.select_related("parent", "case").filter(parent__role=role).first()
        )
        if certificate is None:
            raise Http404
        pdf = certificate_pdf(certificate, language=certificate.parent.language)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{certificate.number}.pdf"'
        return response


class CertificateRefuseApi(APIView):
    permission_classes = [IsStaff]

    class RefuseInputSerializer(serializers.Serializer[dict[str, Any]]):
        parent_role = serializers.ChoiceField(choices=Parent.Role.choices)
        reason = serializers.CharField(max_length=1000)

    @extend_schema(request=RefuseInputSerializer, responses={200: None})
    def post(self, request: Request, reference: str) -> Response:
        case = case_get_for_user(user=request.user, reference=reference)
        data = self.RefuseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        certificate_refuse(
            case=case, actor=request.user, remote_addr=client_addr(request), **data.validated_data
        )
        return Response(_case_certificates(case))
