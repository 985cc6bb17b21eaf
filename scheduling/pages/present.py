"""How the inbox shows things: offers and meetings as plain rows for the templates (no rule
lives here, only wording). Dates and times are config.datetime_format's, in Oslo time."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from django.utils import formats
from django.utils.translation import get_language, gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from config.datetime_format import date_text, datetime_text, oslo, time_range_text
from intake.models import CaseType, ConflictLevel, Parent
from mediators.models import Location, Offer
from scheduling.labels import APPOINTMENT_KINDS, APPOINTMENT_MODES, APPOINTMENT_STATUSES, label
from scheduling.models import Appointment

ROLES = {
    Appointment.ParentRole.REQUESTER: _("the requester"),
    Appointment.ParentRole.OTHER: _("the other parent"),
}
SHORT_ROLES = {
    Appointment.ParentRole.REQUESTER: pgettext_lazy("short", "requester"),
    Appointment.ParentRole.OTHER: pgettext_lazy("short", "other parent"),
}
PARENT_LANGUAGES = {
    Parent.Lang.NB: _("Norwegian bokmål"),
    Parent.Lang.NN: _("Norwegian nynorsk"),
    Parent.Lang.EN: _("English"),
}


def date_param(raw: str) -> date | None:
    """A YYYY-MM-DD query value, or None for anything else (a bad link is not an error)."""
    try:
        return date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        return None


def ui_language() -> str:
    return "en" if (get_language() or "nb").startswith("en") else "nb"


def period_text(first: date, last: date | None) -> str:
    if last is None:
        return gettext("from %(date)s") % {"date": date_text(first, weekday=False)}
    if first == last:
        return date_text(first)
    return f"{date_text(first, weekday=False)}–{date_text(last, weekday=False)}"


def time_left_text(deadline: datetime, now: datetime) -> str:
    """What is left before a deadline, rounded as the page's live countdown rounds it."""
    minutes = (deadline - now).total_seconds() / 60
    if minutes <= 0:
        return gettext("the deadline has passed")
    if minutes >= 120:
        hours = round(minutes / 60)
        return ngettext("in %(count)d hour", "in %(count)d hours", hours) % {"count": hours}
    count = max(1, round(minutes))
    return ngettext("in %(count)d minute", "in %(count)d minutes", count) % {"count": count}


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def place_text(location: Location | None) -> str:
    if location is None:
        return gettext("By video or phone")
    return f"{location.name}, {location.street}, {location.postal_code} {location.town}"


def language_name(language: Any) -> str:
    return str(language.name_en if ui_language() == "en" else language.name_nb)


@dataclass
class OfferCard:
    """One offer as the mediator sees it: only what they need to decide, never answers."""

    id: int
    reference: str
    case_type: str
    status: str
    status_label: str
    open: bool
    deadline_iso: str
    deadline_text: str
    time_left: str
    level: str | None
    level_label: str
    separate: bool
    municipality: str
    place: str
    remote: bool
    journey_minutes: int | None
    hours: str
    languages: list[str] = field(default_factory=list)
    interpreters: list[str] = field(default_factory=list)
    move_date: str = ""
    move_notice: str = ""
    court_deadline: str = ""
    court_name: str = ""
    reasons: list[str] = field(default_factory=list)
    responded: str = ""
    decline_reason: str = ""


def offer_card(offer: Offer, now: datetime) -> OfferCard:
    case = offer.case
    classification = getattr(case, "classification", None)
    level = classification.effective_level if classification else None
    parents = list(case.parents.all())
    language = ui_language()
    municipality = case.municipality.name
    if case.district is not None:
        municipality = f"{municipality} ({case.district.name})"
    return OfferCard(
        id=offer.pk,
        reference=case.reference,
        case_type=str(CaseType(case.case_type).label),
        status=offer.status,
        status_label=str(Offer.Status(offer.status).label),
        open=offer.status == Offer.Status.PENDING and offer.deadline > now,
        deadline_iso=utc_iso(offer.deadline),
        deadline_text=datetime_text(offer.deadline),
        time_left=time_left_text(offer.deadline, now),
        level=level,
        level_label=str(ConflictLevel(level).label) if level else gettext("Not yet known"),
        separate=bool(classification and classification.separate_meetings_recommended),
        municipality=municipality,
        place=place_text(None if offer.remote else offer.location),
        remote=offer.remote,
        journey_minutes=offer.journey_minutes,
        hours=formats.number_format(offer.hours.normalize()),
        languages=sorted({str(PARENT_LANGUAGES[Parent.Lang(p.language)]) for p in parents}),
        interpreters=[
            gettext("%(language)s for %(parent)s")
            % {
                "language": language_name(p.interpreter_language),
                "parent": ROLES[Appointment.ParentRole(p.role)],
            }
            for p in parents
            if p.interpreter_language is not None
        ],
        move_date=date_text(case.planned_move_date) if case.planned_move_date else "",
        move_notice=date_text(case.move_notice_given_on) if case.move_notice_given_on else "",
        court_deadline=date_text(case.court_deadline) if case.court_deadline else "",
        court_name=case.court_name,
        reasons=[_reason_text(reason, language) for reason in offer.reasons or []],
        responded=datetime_text(offer.responded_at) if offer.responded_at else "",
        decline_reason=offer.decline_reason,
    )


def _reason_text(reason: Any, language: str) -> str:
    if isinstance(reason, dict):
        text = reason.get("text")
        if isinstance(text, dict):
            return str(text.get(language) or text.get("nb") or "")
        return str(text or reason.get("rule", ""))
    return str(reason)


@dataclass
class MeetingRow:
    """One appointment in the mediator's calendar."""

    id: int
    day: date
    date: str
    when: str
    times: str
    reference: str
    kind: str
    mode: str
    place: str
    interpreter: str
    status: str
    status_label: str


def meeting_row(appointment: Appointment) -> MeetingRow:
    kind = label(APPOINTMENT_KINDS, appointment.kind)
    if appointment.parent_role:
        kind = gettext("%(kind)s with %(parent)s") % {
            "kind": kind,
            "parent": ROLES[Appointment.ParentRole(appointment.parent_role)],
        }
    in_person = appointment.mode == Appointment.Mode.IN_PERSON
    return MeetingRow(
        id=appointment.pk,
        day=oslo(appointment.starts_at).date(),
        date=date_text(oslo(appointment.starts_at).date()),
        when=datetime_text(appointment.starts_at),
        times=time_range_text(appointment.starts_at, appointment.ends_at),
        reference=appointment.case.reference,
        kind=kind,
        mode=label(APPOINTMENT_MODES, appointment.mode),
        place=place_text(appointment.location) if in_person else "",
        interpreter=language_name(appointment.interpreter_language)
        if appointment.interpreter_language
        else "",
        status=appointment.status,
        status_label=label(APPOINTMENT_STATUSES, appointment.status),
    )
