"""Intake's time-driven work, run by the duty engine: links, reminders, classification."""

from django.conf import settings

from intake.classifying import classification_recompute
from intake.links import link_url
from intake.models import Case, IntakeLink, Parent
from scheduling.booking_rules import SchedulingBusy
from scheduling.duties import DutySkipped, TransientDutyError, duty_handler, duty_target
from scheduling.models import Duty
from scheduling.notifications import notify


def _send(template: str, parent: Parent, link: IntakeLink) -> None:
    notify(
        template=template,
        language=parent.language,
        context={
            "link": link_url(link),
            "reference": parent.case.reference,
            "days_valid": settings.INTAKE_LINK_DAYS,
            "office_name": parent.case.office.name,
        },
        email=parent.email,
        phone=parent.phone or None,
    )


@duty_handler("intake_link")
def send_intake_link(duty: Duty) -> str:
    link = IntakeLink.objects.select_related("parent__case").filter(pk=duty_target(duty)).first()
    if link is None or link.revoked_at is not None:
        raise DutySkipped("link revoked")
    _send("intake_link", link.parent, link)
    IntakeLink.objects.filter(pk=link.pk).update(sent_at=duty.claimed_at or link.created_at)
    return "link sent"


@duty_handler("intake_reminder")
def send_intake_reminder(duty: Duty) -> str:
    parent = Parent.objects.select_related("case", "response").filter(pk=duty_target(duty)).first()
    if parent is None:
        raise DutySkipped("parent gone")
    if hasattr(parent, "response") and parent.response.submitted_at:
        raise DutySkipped("already submitted")
    link = parent.links.filter(revoked_at__isnull=True).order_by("-created_at").first()
    if link is None:
        raise DutySkipped("no live link")
    _send("intake_reminder", parent, link)
    return "reminder sent"


@duty_handler("classify")
def classify_case(duty: Duty) -> str:
    case = Case.objects.filter(pk=duty_target(duty)).first()
    if case is None:
        raise DutySkipped("case gone")
    try:
        classification = classification_recompute(case=case)
    except SchedulingBusy as busy:
        # A booking held the case's calendar: classify again shortly, never drop the screen.
        raise TransientDutyError("calendar busy") from busy
    return "classified" if classification else "no answers"
