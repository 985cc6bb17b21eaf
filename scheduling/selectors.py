"""Reads of the scheduling app."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from intake.models import Case
from scheduling.models import Appointment, AppointmentStatus, Duty, Heartbeat
from scheduling.separating import REBOOK_ALARM, rebook_alarm_id


@dataclass(frozen=True)
class ComponentStatus:
    component: str
    alive: bool
    last_seen: datetime | None

    def as_dict(self) -> dict[str, object]:
        return {
            "status": "ok" if self.alive else "down",
            "last_seen": self.last_seen.isoformat() if self.last_seen else None,
        }


def component_statuses(*, now: datetime | None = None) -> dict[str, ComponentStatus]:
    """Each background component, alive when its heartbeat is recent enough."""
    now = now or timezone.now()
    stale_after = timedelta(seconds=settings.HEARTBEAT_STALE_AFTER_SECONDS)
    seen = dict(Heartbeat.objects.values_list("component", "last_seen"))
    return {
        component: ComponentStatus(
            component=component,
            alive=component in seen and now - seen[component] <= stale_after,
            last_seen=seen.get(component),
        )
        for component in Heartbeat.Component.values
    }


def appointments_to_rebook(*, case: Case) -> list[Appointment]:
    """Joint meetings cancelled for separate meetings (meklingsforskriften § 7) with none
    booked in their place: each has a rebook alarm, until a separate meeting is booked later."""
    ids = [
        rebook_alarm_id(key)
        for key in Duty.objects.filter(case=case, kind=REBOOK_ALARM).values_list("key", flat=True)
    ]
    if not ids:
        return []
    latest = (
        Appointment.objects.filter(case=case, kind=Appointment.Kind.SEPARATE)
        .exclude(status=AppointmentStatus.CANCELLED)
        .aggregate(latest=Max("created_at"))["latest"]
    )
    cancelled = Appointment.objects.filter(case=case, pk__in=ids).order_by("starts_at", "pk")
    return [
        row
        for row in cancelled
        if latest is None or row.cancelled_at is None or latest < row.cancelled_at
    ]
