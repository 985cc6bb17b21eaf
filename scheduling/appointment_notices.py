"""What parents hear about their appointments: notices with an invite, reminders, and links.

Each attending parent gets their own messages in their own language, through the duty engine:
- `appointment_notice` (key `appointment_notice:{id}:{sequence}:{role}`): booked,
  rescheduled or cancelled, with the .ics invite (METHOD:REQUEST, or CANCEL) and the
  parent's private link to see, move or cancel it. A notice whose sequence is no longer the
  appointment's is skipped: a newer one replaces it.
- `appointment_reminder` (key `appointment_reminder:{id}:{sequence}:{role}:{hours}h`):
  72 and 24 hours before; skipped unless the appointment is still booked at that version.

A parent's link is `signing.dumps({"a": id, "r": role, "s": link_salt})` under its own salt,
as intake's links: unguessable, bound to one appointment and one parent, nothing secret
stored. It works until `LINK_DAYS_AFTER` days after the meeting.
"""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from config.datetime_format import datetime_range_text
from intake.links import link_url
from intake.models import Parent, QuestionnaireResponse
from scheduling.duties import DutySkipped, duty_handler
from scheduling.ics import ICS_CONTENT_TYPE, appointment_ics, ics_method
from scheduling.models import Appointment, AppointmentStatus, Duty
from scheduling.notifications import notify

SIGNING_SALT = "mekling.appointment-link.v1"
LINK_DAYS_AFTER = 30

KIND_TEXT = {
    "nb": {"joint": "Meklingsmøte", "separate": "Meklingsmøte", "child_talk": "Barnesamtale"},
    "nn": {"joint": "Meklingsmøte", "separate": "Meklingsmøte", "child_talk": "Barnesamtale"},
    "en": {
        "joint": "Mediation meeting",
        "separate": "Mediation meeting",
        "child_talk": "Child talk",
    },
}
MODE_TEXT = {
    "nb": {"video": "Video: mekleren sender deg lenken", "phone": "Telefon: mekleren ringer deg"},
    "nn": {
        "video": "Video: meklaren sender deg lenkja",
        "phone": "Telefon: meklaren ringjer deg",
    },
    "en": {
        "video": "Video: the mediator sends you the link",
        "phone": "Phone: the mediator calls you",
    },
}
CASE_WORD = {"nb": "sak", "nn": "sak", "en": "case"}


class AppointmentLinkInvalid(LookupError):
    """Wrong, tampered or expired: callers answer all of them the same way (404)."""


def appointment_link_token(appointment: Appointment, role: str) -> str:
    payload = {"a": appointment.pk, "r": role, "s": appointment.link_salt}
    return signing.dumps(payload, salt=SIGNING_SALT, compress=False)


def appointment_link_url(appointment: Appointment, role: str) -> str:
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    return f"{base}/appointments/{appointment_link_token(appointment, role)}/"


def appointment_link_resolve(token: str, *, now: datetime | None = None) -> tuple[Appointment, str]:
    """The appointment and the parent role a token stands for, or AppointmentLinkInvalid."""
    try:
        payload = signing.loads(token, salt=SIGNING_SALT)
        appointment_id, role, salt = int(payload["a"]), str(payload["r"]), str(payload["s"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise AppointmentLinkInvalid from exc
    appointment = (
        Appointment.objects.select_related(
            "case__catchment_office", "case__chosen_office", "mediator", "location"
        )
        .filter(pk=appointment_id)
        .first()
    )
    if (
        appointment is None
        or not constant_time_compare(appointment.link_salt, salt)
        or role not in appointment.parent_roles
        or appointment.ends_at + timedelta(days=LINK_DAYS_AFTER) < (now or timezone.now())
    ):
        raise AppointmentLinkInvalid
    return appointment, role


def when_text(appointment: Appointment, language: str) -> str:
    """E.g. "tirsdag 30. mars 2027 kl. 09.00–10.00" or "Tuesday 30 March 2027, 09:00–10:00"."""
    return datetime_range_text(appointment.starts_at, appointment.ends_at, language)


def where_text(appointment: Appointment, language: str) -> str:
    location = appointment.location
    if location is None:
        return MODE_TEXT[language][appointment.mode]
    return f"{location.name}, {location.street}, {location.postal_code} {location.town}"


def notice_context(appointment: Appointment, parent: Parent) -> dict[str, Any]:
    language = parent.language if parent.language in KIND_TEXT else "nb"
    case = appointment.case
    return {
        "reference": case.reference,
        "office_name": case.office.name,
        "what": KIND_TEXT[language][appointment.kind],
        "when": when_text(appointment, language),
        "where": where_text(appointment, language),
        "minutes": int(appointment.duration.total_seconds() // 60),
        "interpreter": appointment.interpreter_language_id is not None,
        "child_talk": appointment.kind == Appointment.Kind.CHILD_TALK,
        "link": appointment_link_url(appointment, parent.role),
        "language": language,
    }


def questionnaire_link(parent: Parent) -> str:
    """The parent's questionnaire link while their answers are not in, else "".

    Both parents answer before the first meeting (000 §4.2), but a case may be booked on one
    parent's answers (docs/classification-rules.md): the booking notice and the reminders then
    ask the other parent to answer before the meeting, so the screen (and the separate meetings
    it can call for, meklingsforskriften § 7) is complete before they meet."""
    if QuestionnaireResponse.objects.filter(parent=parent, submitted_at__isnull=False).exists():
        return ""
    link = (
        parent.links.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())
        .order_by("-created_at")
        .first()
    )
    return link_url(link) if link is not None else ""


def appointment_ics_for(appointment: Appointment, parent: Parent) -> bytes:
    """The parent's own invite: their link in the text, only them as attendee."""
    context = notice_context(appointment, parent)
    office = appointment.case.office
    return appointment_ics(
        appointment=appointment,
        summary=f"{context['what']} ({CASE_WORD[context['language']]} {context['reference']})",
        location=context["where"],
        description=f"{context['when']}\n{context['link']}",
        organizer_name=office.name,
        organizer_email=office.email or settings.DEFAULT_FROM_EMAIL,
        attendee_email=parent.email,
    )


def _notice_template(appointment: Appointment) -> str:
    if appointment.status == AppointmentStatus.CANCELLED:
        return "appointment_cancelled"
    return "appointment_rescheduled" if appointment.sequence else "appointment_booked"


def _load(duty: Duty) -> tuple[Appointment, Parent]:
    """The appointment and parent of a notice or reminder, unless a newer version replaced it."""
    _, _, version, role, *_ = duty.key.split(":")
    if duty.target_id is None:
        raise DutySkipped("no target")
    appointment = (
        Appointment.objects.select_related(
            "case__catchment_office", "case__chosen_office", "mediator", "location"
        )
        .filter(pk=duty.target_id)
        .first()
    )
    if appointment is None:
        raise DutySkipped("appointment gone")
    if int(version) != appointment.sequence:
        raise DutySkipped("superseded")
    parent = Parent.objects.filter(case_id=appointment.case_id, role=role).first()
    if parent is None:
        raise DutySkipped("parent gone")
    return appointment, parent


@duty_handler("appointment_notice")
def send_appointment_notice(duty: Duty) -> str:
    appointment, parent = _load(duty)
    template = _notice_template(appointment)
    method = ics_method(appointment)
    context = notice_context(appointment, parent)
    if template == "appointment_booked":
        context["questionnaire_link"] = questionnaire_link(parent)
    notify(
        template=template,
        language=parent.language,
        context=context,
        email=parent.email,
        phone=parent.phone or None,
        attachments=[
            (
                "mekling.ics",
                appointment_ics_for(appointment, parent),
                f"{ICS_CONTENT_TYPE}; method={method}",
            )
        ],
    )
    return f"{template} sent"


@duty_handler("appointment_reminder")
def send_appointment_reminder(duty: Duty) -> str:
    appointment, parent = _load(duty)
    if appointment.status != AppointmentStatus.BOOKED:
        raise DutySkipped(f"appointment {appointment.status}")
    if appointment.starts_at <= timezone.now():
        raise DutySkipped("already started")
    notify(
        template="appointment_reminder",
        language=parent.language,
        context={
            **notice_context(appointment, parent),
            "questionnaire_link": questionnaire_link(parent),
        },
        email=parent.email,
        phone=parent.phone or None,
    )
    return "reminder sent"
