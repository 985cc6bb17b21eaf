"""The mediator's offers: the inbox, one offer, accept with a slot, decline with a reason.

Reads use the offers API's selectors (someone else's offer is a 404, as in the API); writes
call the same services as the API (mediators/offers.py). Every POST redirects (PRG) with a
message, except a form with errors, which is shown again with status 400.
"""

from datetime import date, timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from config import datetime_format
from config.api_errors import ApplicationError
from intake.audit import audit_record
from intake.models import AuditEvent
from mediators.models import Offer
from mediators.offer_selectors import (
    offer_get_for_user,
    offers_open_for_user,
    offers_recent_for_user,
)
from mediators.offers import OfferClosed, offer_accept, offer_decline
from scheduling.availability import local_date
from scheduling.booking_rules import SchedulingBusy, SlotTaken
from scheduling.mediator_selectors import case_appointments_of, offer_slots
from scheduling.pages import present
from scheduling.pages.access import client_addr, mediator_of, mediator_required
from scheduling.pages.forms import AcceptForm, DeclineForm

SLOT_DAYS = 7
SLOT_HORIZON_DAYS = 56


@require_GET
@mediator_required
def offers(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    context = {
        "nav": "offers",
        "open_offers": [
            present.offer_card(o, now) for o in offers_open_for_user(user=request.user, now=now)
        ],
        "recent_offers": [
            present.offer_card(o, now) for o in offers_recent_for_user(user=request.user, now=now)
        ],
    }
    return render(request, "inbox/offers.html", context)


@require_GET
@mediator_required
def offer(request: HttpRequest, offer_id: int) -> HttpResponse:
    row = offer_get_for_user(user=request.user, offer_id=offer_id)
    # The page shows the conflict level and the safety recommendation: audited as the
    # case detail API audits it.
    audit_record(
        action=AuditEvent.Action.CASE_READ,
        case_reference=row.case.reference,
        actor=request.user,
        remote_addr=client_addr(request),
        detail={"classification": hasattr(row.case, "classification"), "offer": row.pk},
    )
    return _offer_page(request, row)


def _slots_start(request: HttpRequest, today: date) -> date:
    """The first date of the slots shown (`from`, in the query or the form), within reach."""
    raw = request.POST.get("from") or request.GET.get("from") or ""
    chosen = present.date_param(raw)
    if chosen is None:
        return today
    return min(max(chosen, today), today + timedelta(days=SLOT_HORIZON_DAYS))


def _offer_page(
    request: HttpRequest,
    row: Offer,
    *,
    accept_form: AcceptForm | None = None,
    decline_form: DeclineForm | None = None,
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    card = present.offer_card(row, now)
    today = local_date(now)
    start = _slots_start(request, today)
    if accept_form is None:
        slots = offer_slots(offer=row, start=start, days=SLOT_DAYS) if card.open else []
        accept_form = AcceptForm(slots=slots)
    meetings = []
    if row.status == Offer.Status.ACCEPTED:
        rows = case_appointments_of(mediator=mediator_of(request), case_id=row.case_id)
        meetings = [present.meeting_row(appointment) for appointment in rows]
    here = reverse("inbox:offer", args=[row.pk])
    previous_start = start - timedelta(days=SLOT_DAYS)
    context = {
        "nav": "offers",
        "card": card,
        "accept_form": accept_form,
        "decline_form": decline_form or DeclineForm(),
        "slots_from": start.isoformat(),
        "slots_period": present.period_text(start, start + timedelta(days=SLOT_DAYS - 1)),
        "has_slots": bool(accept_form.slots),
        "earlier_url": f"{here}?from={max(previous_start, today).isoformat()}"
        if start > today
        else "",
        "later_url": f"{here}?from={(start + timedelta(days=SLOT_DAYS)).isoformat()}"
        if start + timedelta(days=SLOT_DAYS) <= today + timedelta(days=SLOT_HORIZON_DAYS)
        else "",
        "meetings": meetings,
        "closed_text": _closed_text(row) if not card.open else "",
    }
    return render(request, "inbox/offer.html", context, status=status)


def _closed_text(row: Offer) -> str:
    """Why an offer can no longer be answered, in plain words."""
    if row.status == Offer.Status.ACCEPTED:
        return gettext("You have accepted this offer. The case is yours.")
    if row.status == Offer.Status.DECLINED:
        return gettext("You declined this offer.")
    if row.status == Offer.Status.WITHDRAWN:
        return gettext("The office withdrew this offer.")
    return gettext(
        "The deadline for this offer has passed. The case has gone to another mediator or "
        "back to the office."
    )


def _back(row: Offer) -> HttpResponse:
    return redirect("inbox:offer", offer_id=row.pk)


@require_POST
@mediator_required
def offer_accept_view(request: HttpRequest, offer_id: int) -> HttpResponse:
    row = offer_get_for_user(user=request.user, offer_id=offer_id)
    now = timezone.now()
    if not present.offer_card(row, now).open:
        messages.error(request, _closed_text(row))
        return _back(row)
    start = _slots_start(request, local_date(now))
    form = AcceptForm(request.POST, slots=offer_slots(offer=row, start=start, days=SLOT_DAYS))
    if not form.is_valid():
        return _offer_page(request, row, accept_form=form, status=400)
    starts_at = form.cleaned_data["slot"]
    try:
        offer_accept(
            offer=row, starts_at=starts_at, actor=request.user, remote_addr=client_addr(request)
        )
    except OfferClosed:
        row.refresh_from_db()
        messages.error(request, _closed_text(row))
        return _back(row)
    except (SlotTaken, SchedulingBusy):
        messages.error(
            request, gettext("That time was taken just now. Nothing was saved: choose another.")
        )
        return _back(row)
    except ApplicationError:
        messages.error(
            request, gettext("That time cannot be booked. Nothing was saved: choose another.")
        )
        return _back(row)
    reference = row.case.reference
    if starts_at is None:
        text = gettext("You have taken case %(reference)s. The first meeting is booked later.")
    else:
        text = gettext(
            "You have taken case %(reference)s. The first meeting is booked for %(when)s, "
            "and the parents are told."
        )
    messages.success(
        request,
        text
        % {
            "reference": reference,
            "when": datetime_format.datetime_text(starts_at) if starts_at else "",
        },
    )
    return _back(row)


@require_POST
@mediator_required
def offer_decline_view(request: HttpRequest, offer_id: int) -> HttpResponse:
    row = offer_get_for_user(user=request.user, offer_id=offer_id)
    if row.status != Offer.Status.PENDING:
        messages.error(request, _closed_text(row))
        return _back(row)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return _offer_page(request, row, decline_form=form, status=400)
    try:
        offer_decline(
            offer=row,
            reason=form.cleaned_data["reason"],
            actor=request.user,
            remote_addr=client_addr(request),
        )
    except OfferClosed:
        row.refresh_from_db()
        messages.error(request, _closed_text(row))
        return _back(row)
    messages.success(
        request,
        gettext(
            "You declined the offer for case %(reference)s. The case goes to the next "
            "mediator, and the office is told."
        )
        % {"reference": row.case.reference},
    )
    return redirect("inbox:offers")
