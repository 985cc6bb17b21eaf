"""The offer engine's time-driven work: tell the mediator, remind, expire, tell the office."""

from django.conf import settings

from config.datetime_format import datetime_text
from intake.models import Case
from mediators.models import Offer
from mediators.offers import offer_expire
from scheduling.alarms import notify_office
from scheduling.duties import DutySkipped, duty_handler, duty_target
from scheduling.models import Duty
from scheduling.notifications import notify


def _offer(duty: Duty) -> Offer:
    offer = Offer.objects.select_related("case", "mediator").filter(pk=duty_target(duty)).first()
    if offer is None:
        raise DutySkipped("offer gone")
    return offer


def _tell_mediator(template: str, offer: Offer) -> None:
    notify(
        template=template,
        language="nb",
        context={
            "reference": offer.case.reference,
            "deadline": datetime_text(offer.deadline, "nb"),
            "link": f"{settings.PUBLIC_BASE_URL.rstrip('/')}/mediator/offers/{offer.pk}/",
        },
        email=offer.mediator.email,
        phone=None,
    )


def _tell_mediator_if_pending(duty: Duty, template: str) -> None:
    offer = _offer(duty)
    if offer.status != Offer.Status.PENDING:
        raise DutySkipped("answered")
    _tell_mediator(template, offer)


@duty_handler("offer_notice")
def send_offer_notice(duty: Duty) -> str:
    _tell_mediator_if_pending(duty, "offer_new")
    return "mediator told"


@duty_handler("offer_reminder")
def send_offer_reminder(duty: Duty) -> str:
    _tell_mediator_if_pending(duty, "offer_reminder")
    return "mediator reminded"


@duty_handler("offer_expiry")
def expire_offer(duty: Duty) -> str:
    if not offer_expire(offer=_offer(duty)):
        raise DutySkipped("answered before the deadline")
    return "expired, next offered"


@duty_handler("offer_staff_notice")
def tell_office(duty: Duty) -> str:
    case = (
        Case.objects.select_related("catchment_office", "chosen_office")
        .filter(pk=duty_target(duty))
        .first()
    )
    if case is None:
        raise DutySkipped("case gone")
    latest = case.offers.order_by("-created_at").first()
    notify_office(
        case=case,
        template="offer_staff_notice",
        context={"status": case.status, "mediator": str(latest.mediator) if latest else ""},
    )
    return "office told"
