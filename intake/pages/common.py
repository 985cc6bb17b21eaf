"""What the parents' pages share: the private-link guard, throttling, language, wording.

Every way a private link can be wrong (unknown, tampered, expired, revoked, or an appointment
link past its time) answers the same "link not valid" page with status 404, as the API does.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from config.datetime_format import datetime_range_text
from config.throttling import SettingsScopedRateThrottle
from intake.links import LinkInvalid, link_resolve
from intake.models import IntakeLink, Parent
from scheduling.appointment_notices import AppointmentLinkInvalid, appointment_link_resolve
from scheduling.models import Appointment

# The same scopes as the API: requests for mediation, and everything behind a private link.
CASE_REQUEST_SCOPE = "case_request"
PRIVATE_LINK_SCOPE = "intake"


class _Scoped:
    """What DRF's ScopedRateThrottle reads from a view: its scope."""

    def __init__(self, scope: str) -> None:
        self.throttle_scope = scope


def throttled(request: HttpRequest, scope: str) -> bool:
    """True when this client has used up the scope's rate (the API's own limits and cache)."""
    throttle = SettingsScopedRateThrottle()
    return not throttle.allow_request(cast(Any, request), cast(Any, _Scoped(scope)))


def remote_addr(request: HttpRequest) -> str | None:
    """The client's address for the audit trail, as the API records it."""
    addr: str | None = request.META.get("REMOTE_ADDR")
    return addr


def too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "parents/too_many.html", status=429)


def link_not_valid(request: HttpRequest) -> HttpResponse:
    """One page, one status, for every kind of bad private link."""
    response = render(request, "parents/link_invalid.html", status=404)
    add_never_cache_headers(response)
    return response


def parent_language(request: HttpRequest, parent: Parent) -> None:
    """Show a private link in the language the parent chose, until they pick one here."""
    if settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
        return
    language = parent.language if parent.language in dict(settings.LANGUAGES) else "nb"
    translation.activate(language)
    request.LANGUAGE_CODE = language


IntakeView = Callable[..., HttpResponse]


def with_intake_link(view: IntakeView) -> IntakeView:
    """Resolve `token` to the parent's live questionnaire link, or answer "not valid"."""

    @wraps(view)
    def wrapper(request: HttpRequest, token: str, *args: Any, **kwargs: Any) -> HttpResponse:
        if throttled(request, PRIVATE_LINK_SCOPE):
            return too_many(request)
        try:
            link: IntakeLink = link_resolve(token)
        except LinkInvalid:
            return link_not_valid(request)
        parent_language(request, link.parent)
        response = view(request, link, token, *args, **kwargs)
        add_never_cache_headers(
            response
        )  # private: never kept by a shared cache or the back button
        return response

    return wrapper


def with_appointment_link(view: IntakeView) -> IntakeView:
    """Resolve `token` to one appointment and the parent role it was sent to."""

    @wraps(view)
    def wrapper(request: HttpRequest, token: str, *args: Any, **kwargs: Any) -> HttpResponse:
        if throttled(request, PRIVATE_LINK_SCOPE):
            return too_many(request)
        try:
            appointment, role = appointment_link_resolve(token)
        except AppointmentLinkInvalid:
            return link_not_valid(request)
        parent = appointment.case.parents.filter(role=role).first()
        if parent is None:
            return link_not_valid(request)
        parent_language(request, parent)
        response = view(request, appointment, parent, token, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    return wrapper


def appointment_texts(appointment: Appointment) -> dict[str, Any]:
    """What a parent reads about one of their own meetings (never the other parent's time)."""
    kinds: dict[str, str] = {
        Appointment.Kind.JOINT: _("Mediation meeting with both parents"),
        Appointment.Kind.SEPARATE: _("Mediation meeting: you meet the mediator on your own"),
        Appointment.Kind.CHILD_TALK: _("Child talk: the child talks with the mediator"),
    }
    modes: dict[str, str] = {
        Appointment.Mode.VIDEO: _("Video meeting. The mediator sends you the link."),
        Appointment.Mode.PHONE: _("Phone meeting. The mediator calls you."),
    }
    location = appointment.location
    place = (
        f"{location.name}, {location.street}, {location.postal_code} {location.town}"
        if location
        else modes.get(appointment.mode, "")
    )
    interpreter = appointment.interpreter_language
    language = translation.get_language() or "nb"
    return {
        "appointment": appointment,
        "what": kinds.get(appointment.kind, appointment.kind),
        "when": datetime_range_text(appointment.starts_at, appointment.ends_at),
        "minutes": int(appointment.duration.total_seconds() // 60),
        "where": place,
        "in_person": location is not None,
        "interpreter": (interpreter.name_en if language == "en" else interpreter.name_nb)
        if interpreter
        else "",
        "mediator": str(appointment.mediator),
        "office": appointment.case.office,
    }
