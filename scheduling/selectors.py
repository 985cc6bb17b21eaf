"""Reads of the scheduling app."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from scheduling.models import Heartbeat


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
