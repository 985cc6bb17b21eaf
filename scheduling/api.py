"""Scheduling API: free slots, booking, moving and cancelling appointments.

Staff (and the case's external mediator) work by case reference and appointment id; a case
they may not see is a 404. Parents work by their private link token. A time taken by someone
else, or a calendar too busy to answer, is a 409 with the usual error body.
"""

from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api_errors import ApplicationError
from config.legal import rule_value
from config.throttling import SettingsScopedRateThrottle
from intake.api.cases import client_addr
from intake.models import Case
from intake.selectors import case_get_for_user
from mediators.access import cases_visible_to
from mediators.models import Language, Location, User
from scheduling.appointment_notices import (
    AppointmentLinkInvalid,
    appointment_ics_for,
    appointment_link_resolve,
)
from scheduling.appointments import appointment_book, appointment_cancel, appointment_reschedule
from scheduling.availability import OSLO, local_date
from scheduling.booking_rules import case_hours
from scheduling.ics import ICS_CONTENT_TYPE
from scheduling.models import Appointment, AppointmentStatus
from scheduling.slots import MAX_DAYS, Slot, case_mediator, slots_available_for, slots_to_move


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 time that must carry its UTC offset (a bare local time is ambiguous)."""

    def enforce_timezone(self, value: datetime) -> datetime:
        if timezone.is_naive(value):
            raise serializers.ValidationError("Give the time with its UTC offset.")
        return super().enforce_timezone(value)


def _local(moment: datetime) -> str:
    return moment.astimezone(OSLO).isoformat()


def _utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _slot_data(slot: Slot, locations: dict[int, str]) -> dict[str, Any]:
    """Times in UTC ("…Z"), with the Oslo wall-clock label beside them."""
    return {
        "starts_at": _utc_iso(slot.starts_at),
        "ends_at": _utc_iso(slot.ends_at),
        "local": slot.local_label,
        "location": slot.location_id,
        "location_name": locations.get(slot.location_id) if slot.location_id else None,
        "modes": [
            mode
            for mode in Appointment.Mode.values
            if slot.location_id or mode != Appointment.Mode.IN_PERSON
        ],
        "meetings": [
            {
                "parent_role": meeting.parent_role or None,
                "starts_at": _utc_iso(meeting.starts_at),
                "ends_at": _utc_iso(meeting.ends_at),
            }
            for meeting in slot.meetings
        ],
    }


def _slots_body(slots: list[Slot]) -> list[dict[str, Any]]:
    ids = {s.location_id for s in slots if s.location_id}
    locations = dict(Location.objects.filter(pk__in=ids).values_list("pk", "name"))
    return [_slot_data(slot, locations) for slot in slots]


class AppointmentOutput(serializers.ModelSerializer[Appointment]):
    case = serializers.CharField(source="case.reference")
    mediator_name = serializers.CharField(source="mediator.__str__")
    location_name = serializers.SerializerMethodField()
    local = serializers.SerializerMethodField()
    hours = serializers.DecimalField(max_digits=4, decimal_places=2, coerce_to_string=False)

    class Meta:
        model = Appointment
        fields = [
            "id",
            "case",
            "kind",
            "mode",
            "parent_role",
            "status",
            "starts_at",
            "ends_at",
            "local",
            "hours",
            "mediator",
            "mediator_name",
            "location",
            "location_name",
            "interpreter_language",
            "consent_requester_at",
            "consent_other_at",
            "sequence",
            "cancelled_at",
            "cancelled_by",
            "cancel_reason",
        ]

    def get_location_name(self, obj: Appointment) -> str | None:
        return obj.location.name if obj.location else None

    def get_local(self, obj: Appointment) -> str:
        return _local(obj.starts_at)


class ParentAppointmentOutput(serializers.ModelSerializer[Appointment]):
    """What a parent sees by their link: their own meeting, nothing about the other parent."""

    case = serializers.CharField(source="case.reference")
    office_name = serializers.CharField(source="case.office.name")
    mediator_name = serializers.CharField(source="mediator.__str__")
    where = serializers.SerializerMethodField()
    local = serializers.SerializerMethodField()

    class Meta:
        model = Appointment
        fields = [
            "id",
            "case",
            "office_name",
            "kind",
            "mode",
            "status",
            "starts_at",
            "ends_at",
            "local",
            "mediator_name",
            "where",
            "interpreter_language",
            "sequence",
        ]

    def get_where(self, obj: Appointment) -> str | None:
        loc = obj.location
        return f"{loc.name}, {loc.street}, {loc.postal_code} {loc.town}" if loc else None

    def get_local(self, obj: Appointment) -> str:
        return _local(obj.starts_at)


class SlotQuery(serializers.Serializer[dict[str, Any]]):
    days = serializers.IntegerField(min_value=1, max_value=MAX_DAYS, default=21)
    minutes = serializers.IntegerField(min_value=15, max_value=240, default=60)
    kind = serializers.ChoiceField(choices=Appointment.Kind.choices, required=False)
    location = serializers.IntegerField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # `from` is a Python keyword, so it cannot be declared in the class body.
        self.fields["from"] = serializers.DateField(
            required=False, help_text="First local date (default: today in Oslo)."
        )


def _start(data: dict[str, Any]) -> date:
    start: date | None = data.get("from")
    return start or local_date(timezone.now())


def _staff_appointments(user: Any) -> QuerySet[Appointment]:
    visible = cases_visible_to(cast(User, user), Case.objects.all())
    return Appointment.objects.select_related(
        "case__catchment_office", "case__chosen_office", "mediator", "location"
    ).filter(case__in=visible)


def _staff_appointment(user: Any, appointment_id: int) -> Appointment:
    appointment = _staff_appointments(user).filter(pk=appointment_id).first()
    if appointment is None:
        raise Http404
    return appointment


class CaseAppointmentsOutput(serializers.Serializer[dict[str, Any]]):
    reference = serializers.CharField()
    hours_used = serializers.DecimalField(max_digits=4, decimal_places=2, coerce_to_string=False)
    hours_by_parent = serializers.DictField(
        child=serializers.DecimalField(max_digits=4, decimal_places=2, coerce_to_string=False)
    )
    hours_max = serializers.IntegerField()
    appointments = AppointmentOutput(many=True)


def _case_appointments(case: Case, rows: Any) -> dict[str, Any]:
    """The case's hours (meklingsforskriften § 1) beside the appointments."""
    used = case_hours(case=case)
    return CaseAppointmentsOutput(
        {
            "reference": case.reference,
            "hours_used": max(used.values()),
            "hours_by_parent": used,
            "hours_max": rule_value("max_hours"),
            "appointments": rows,
        }
    ).data


class CaseSlotsApi(APIView):
    """Free slots of the case's mediator; paired staggered slots for a safety case."""

    @extend_schema(parameters=[SlotQuery], responses={200: None})
    def get(self, request: Request, reference: str) -> Response:
        case = case_get_for_user(user=request.user, reference=reference)
        query = SlotQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        mediator = case_mediator(case=case)
        slots = (
            slots_available_for(
                case=case,
                start=_start(data),
                days=data["days"],
                duration=timedelta(minutes=data["minutes"]),
                kind=data.get("kind"),
                mediator=mediator,
                location_id=data.get("location"),
            )
            if mediator
            else []
        )
        return Response(
            {
                "reference": case.reference,
                "mediator": mediator.pk if mediator else None,
                "mediator_name": str(mediator) if mediator else None,
                "slots": _slots_body(slots),
            }
        )


class CaseAppointmentsApi(APIView):
    """GET: the case's appointments and hours. POST: book one (two rows for `separate`)."""

    class BookInputSerializer(serializers.Serializer[dict[str, Any]]):
        starts_at = AwareDateTimeField()
        kind = serializers.ChoiceField(choices=Appointment.Kind.choices)
        mode = serializers.ChoiceField(choices=Appointment.Mode.choices)
        minutes = serializers.IntegerField(min_value=15, max_value=240, default=60)
        location = serializers.PrimaryKeyRelatedField(
            queryset=Location.objects.all(), required=False, allow_null=True
        )
        interpreter_language = serializers.PrimaryKeyRelatedField(
            queryset=Language.objects.all(), required=False, allow_null=True
        )
        consents = serializers.ListField(
            child=serializers.ChoiceField(choices=Appointment.ParentRole.choices),
            required=False,
            default=list,
            help_text="Child talk: the parents whose consent has been recorded.",
        )

    @extend_schema(responses={200: CaseAppointmentsOutput})
    def get(self, request: Request, reference: str) -> Response:
        case = case_get_for_user(user=request.user, reference=reference)
        rows = _staff_appointments(request.user).filter(case=case)
        return Response(_case_appointments(case, rows))

    @extend_schema(request=BookInputSerializer, responses={201: CaseAppointmentsOutput})
    def post(self, request: Request, reference: str) -> Response:
        case = case_get_for_user(user=request.user, reference=reference)
        data = self.BookInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        rows = appointment_book(
            case=case,
            starts_at=values["starts_at"],
            kind=values["kind"],
            mode=values["mode"],
            location=values.get("location"),
            interpreter_language=values.get("interpreter_language"),
            duration=timedelta(minutes=values["minutes"]),
            consents=values["consents"],
            actor=request.user,
            remote_addr=client_addr(request),
        )
        return Response(_case_appointments(case, rows), status=status.HTTP_201_CREATED)


class RescheduleInput(serializers.Serializer[dict[str, Any]]):
    starts_at = AwareDateTimeField()


class CancelInput(serializers.Serializer[dict[str, Any]]):
    reason = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class AppointmentRescheduleApi(APIView):
    @extend_schema(request=RescheduleInput, responses={200: AppointmentOutput})
    def post(self, request: Request, appointment_id: int) -> Response:
        appointment = _staff_appointment(request.user, appointment_id)
        data = RescheduleInput(data=request.data)
        data.is_valid(raise_exception=True)
        moved = appointment_reschedule(
            appointment=appointment,
            starts_at=data.validated_data["starts_at"],
            actor=request.user,
            remote_addr=client_addr(request),
        )
        return Response(AppointmentOutput(_staff_appointment(request.user, moved.pk)).data)


class AppointmentCancelApi(APIView):
    @extend_schema(request=CancelInput, responses={200: AppointmentOutput})
    def post(self, request: Request, appointment_id: int) -> Response:
        appointment = _staff_appointment(request.user, appointment_id)
        data = CancelInput(data=request.data)
        data.is_valid(raise_exception=True)
        appointment_cancel(
            appointment=appointment,
            actor=request.user,
            reason=data.validated_data["reason"],
            remote_addr=client_addr(request),
        )
        return Response(AppointmentOutput(_staff_appointment(request.user, appointment.pk)).data)


class _ByLinkApi(APIView):
    """A parent holding their private link; no login, throttled like the questionnaire."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_scope = "intake"
    throttle_classes = [SettingsScopedRateThrottle]

    def resolve(self, token: str) -> tuple[Appointment, str]:
        try:
            return appointment_link_resolve(token)
        except AppointmentLinkInvalid as exc:
            raise Http404 from exc


class AppointmentByLinkApi(_ByLinkApi):
    @extend_schema(responses={200: ParentAppointmentOutput})
    def get(self, request: Request, token: str) -> Response:
        appointment, _ = self.resolve(token)
        return Response(ParentAppointmentOutput(appointment).data)


class AppointmentByLinkIcsApi(_ByLinkApi):
    @extend_schema(responses={(200, ICS_CONTENT_TYPE): str})
    def get(self, request: Request, token: str) -> HttpResponse:
        appointment, role = self.resolve(token)
        parent = appointment.case.parents.filter(role=role).first()
        if parent is None:
            raise Http404
        response = HttpResponse(
            appointment_ics_for(appointment, parent),
            content_type=f"{ICS_CONTENT_TYPE}; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="mekling.ics"'
        return response


class AppointmentByLinkSlotsApi(_ByLinkApi):
    """Times the parent may move their appointment to (same length, place and mediator)."""

    @extend_schema(parameters=[SlotQuery], responses={200: None})
    def get(self, request: Request, token: str) -> Response:
        appointment, _ = self.resolve(token)
        query = SlotQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        if appointment.status != AppointmentStatus.BOOKED:
            raise ApplicationError(f"The appointment is {appointment.status}.")
        slots = slots_to_move(
            appointment=appointment,
            start=_start(query.validated_data),
            days=query.validated_data["days"],
        )
        return Response({"slots": _slots_body(slots)})


class AppointmentByLinkRescheduleApi(_ByLinkApi):
    @extend_schema(request=RescheduleInput, responses={200: ParentAppointmentOutput})
    def post(self, request: Request, token: str) -> Response:
        appointment, role = self.resolve(token)
        data = RescheduleInput(data=request.data)
        data.is_valid(raise_exception=True)
        appointment_reschedule(
            appointment=appointment,
            starts_at=data.validated_data["starts_at"],
            by=f"parent:{role}",
            remote_addr=client_addr(request),
        )
        appointment, _ = self.resolve(token)
        return Response(ParentAppointmentOutput(appointment).data)


class AppointmentByLinkCancelApi(_ByLinkApi):
    @extend_schema(request=CancelInput, responses={200: ParentAppointmentOutput})
    def post(self, request: Request, token: str) -> Response:
        appointment, role = self.resolve(token)
        data = CancelInput(data=request.data)
        data.is_valid(raise_exception=True)
        appointment_cancel(
            appointment=appointment,
            reason=data.validated_data["reason"],
            by=f"parent:{role}",
            remote_addr=client_addr(request),
        )
        appointment, _ = self.resolve(token)
        return Response(ParentAppointmentOutput(appointment).data)
