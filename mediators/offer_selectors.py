"""Reads of an external mediator's offers: their own only, and only of cases visible to them.

The offers API and the mediator's inbox pages share these, so "not yours" is the same 404
everywhere (whether the offer exists or not).
"""

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from intake.models import Case, Parent
from mediators.access import cases_visible_to, is_external_mediator
from mediators.models import Offer

RECENT_DAYS = 30
RECENT_LIMIT = 20


def offers_for_user(*, user: Any) -> QuerySet[Offer]:
    """The offers made to this external mediator (none for anyone else)."""
    if not is_external_mediator(user):
        return Offer.objects.none()
    visible = cases_visible_to(user, Case.objects.all())
    return (
        Offer.objects.filter(mediator__user=user, case__in=visible)
        .select_related(
            "case__municipality", "case__district", "case__classification", "location", "mediator"
        )
        .prefetch_related(
            Prefetch(
                "case__parents", queryset=Parent.objects.select_related("interpreter_language")
            )
        )
    )


def offer_get_for_user(*, user: Any, offer_id: int) -> Offer:
    """One of the mediator's own offers; 404 whether someone else's or missing."""
    offer = offers_for_user(user=user).filter(pk=offer_id).first()
    if offer is None:
        raise Http404
    return offer


def offers_open_for_user(*, user: Any, now: datetime | None = None) -> list[Offer]:
    """Offers still waiting for an answer, the nearest deadline first."""
    now = now or timezone.now()
    rows = offers_for_user(user=user).filter(status=Offer.Status.PENDING, deadline__gt=now)
    return list(rows.order_by("deadline", "pk"))


def offers_recent_for_user(*, user: Any, now: datetime | None = None) -> list[Offer]:
    """Answered, expired or withdrawn offers of the last weeks (and pending ones whose deadline
    has passed but the expiry has not run yet), the newest first."""
    now = now or timezone.now()
    since = now - timedelta(days=RECENT_DAYS)
    rows = (
        offers_for_user(user=user)
        .filter(~Q(status=Offer.Status.PENDING) | Q(deadline__lte=now))
        .filter(Q(responded_at__gte=since) | Q(responded_at__isnull=True, deadline__gte=since))
    )
    answered = Coalesce("responded_at", "deadline")
    return list(rows.order_by(answered.desc(), "-pk")[:RECENT_LIMIT])
