"""The mediator's note to the court (barneloven § 61 første ledd nr. 2): read it, write
it (or a corrected version), download it as PDF; and the registry of courts to send it to.

Who can see the case (case_get_for_user) gets past the 404 of a missing case; of them, staff
of the case's office, and the external mediator who held a meeting in the case (else a 409
`not_the_mediator`: an offered mediator already sees the case, so nothing is revealed).
A case that is not a court referral is a 409 `not_court_referral`; writing before a meeting
was held is a 409 `no_meeting_held`; a second note without a correction reason is a 409
`court_note_exists`.
"""

from typing import Any

from django.http import Http404, HttpResponse
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api_errors import ApplicationError
from intake.api.cases import client_addr
from intake.models import Case
from intake.selectors import case_get_for_user
from mediators.access import IsStaffOrMediator
from scheduling.court_note_pdf import court_note_filename, court_note_pdf
from scheduling.court_notes import (
    court_for_case,
    court_note_check_case,
    court_note_check_type,
    court_note_check_user,
    court_note_writable,
    court_note_write,
    court_notes_of,
)
from scheduling.models import Court, CourtNote


class CourtOutput(serializers.ModelSerializer[Court]):
    class Meta:
        model = Court
        fields = ["id", "name", "email", "street", "postal_code", "town"]


class CourtNoteOutput(serializers.ModelSerializer[CourtNote]):
    court = CourtOutput()
    supersedes_version = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = CourtNote
        fields = [
            "version",
            "supersedes_version",
            "correction_reason",
            "court",
            "court_case_number",
            "mediation_date",
            "attended_requester",
            "attended_other",
            "hours",
            "agreement",
            "mediator_name",
            "created_at",
            "sent_at",
            "pdf_url",
        ]

    def get_supersedes_version(self, obj: CourtNote) -> int | None:
        return obj.supersedes.version if obj.supersedes else None

    def get_pdf_url(self, obj: CourtNote) -> str:
        url = reverse("v1:case-court-note-pdf", kwargs={"reference": obj.case.reference})
        return f"{url}?version={obj.version}"


class CourtNoteCaseOutput(serializers.Serializer[Any]):
    reference = serializers.CharField()
    court_name_given = serializers.CharField(help_text="The court the request named.")
    court_on_record = CourtOutput(allow_null=True)
    writable = serializers.BooleanField(help_text="False until a meeting was held.")
    notes = CourtNoteOutput(many=True)


def _case_notes(case: Case) -> dict[str, Any]:
    court_note_check_type(case=case)
    court = court_for_case(case=case)
    return {
        "reference": case.reference,
        "court_name_given": case.court_name,
        "court_on_record": CourtOutput(court).data if court else None,
        "writable": court_note_writable(case=case),
        "notes": CourtNoteOutput(court_notes_of(case=case), many=True).data,
    }


class CourtNoteInputSerializer(serializers.Serializer[dict[str, Any]]):
    court = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="A court id from /api/v1/courts/; left out: the court the case names.",
    )
    court_case_number = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default=""
    )
    mediation_date = serializers.DateField(help_text="The date of the last meeting held.")
    attended_requester = serializers.BooleanField()
    attended_other = serializers.BooleanField()
    hours = serializers.DecimalField(max_digits=3, decimal_places=1, help_text="In half hours.")
    agreement = serializers.ChoiceField(choices=CourtNote.Agreement.choices)
    correction_reason = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        default="",
        help_text="Only for a correction of the last note: why it is corrected.",
    )


def court_from_input(case: Case, court_id: int | None) -> Court | None:
    if court_id is None:
        return court_for_case(case=case)
    court = Court.objects.filter(pk=court_id, active=True).first()
    if court is None:
        raise ApplicationError("Unknown court.", fields={"court": ["Unknown court."]})
    return court


class CaseCourtNoteApi(APIView):
    permission_classes = [IsStaffOrMediator]

    @extend_schema(responses={200: CourtNoteCaseOutput})
    def get(self, request: Request, reference: str) -> Response:
        case = case_get_for_user(user=request.user, reference=reference)
        court_note_check_type(case=case)
        court_note_check_user(case=case, user=request.user)
        return Response(_case_notes(case))

    @extend_schema(request=CourtNoteInputSerializer, responses={201: CourtNoteCaseOutput})
    def post(self, request: Request, reference: str) -> Response:
        case = case_get_for_user(user=request.user, reference=reference)
        # Clear 409s before any field is looked at.
        court_note_check_type(case=case)
        court_note_check_user(case=case, user=request.user)
        court_note_check_case(case=case)
        data = CourtNoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        court = court_from_input(case, values.pop("court", None))
        court_note_write(
            case=case, court=court, actor=request.user, remote_addr=client_addr(request), **values
        )
        return Response(_case_notes(case), status=status.HTTP_201_CREATED)


class CourtNotePdfApi(APIView):
    permission_classes = [IsStaffOrMediator]

    @extend_schema(
        parameters=[
            OpenApiParameter("version", int, description="A version; left out: the latest.")
        ],
        responses={(200, "application/pdf"): bytes},
    )
    def get(self, request: Request, reference: str) -> HttpResponse:
        case = case_get_for_user(user=request.user, reference=reference)
        court_note_check_type(case=case)
        court_note_check_user(case=case, user=request.user)
        notes = court_notes_of(case=case)
        wanted = request.query_params.get("version")
        if wanted is not None and not wanted.isdigit():
            raise ApplicationError("Give a version number.", fields={"version": ["A number."]})
        note = next((n for n in notes if str(n.version) == wanted), None) if wanted else None
        if wanted is None and notes:
            note = notes[-1]
        if note is None:
            raise Http404
        response = HttpResponse(court_note_pdf(note), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{court_note_filename(note)}"'
        return response


class CourtListApi(APIView):
    """The courts on record, to choose where a note goes."""

    permission_classes = [IsStaffOrMediator]

    @extend_schema(responses={200: CourtOutput(many=True)})
    def get(self, request: Request) -> Response:
        return Response(CourtOutput(Court.objects.filter(active=True), many=True).data)
