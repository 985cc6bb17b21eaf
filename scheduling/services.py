"""Writes of the scheduling app."""

from django.utils import timezone

from scheduling.models import Heartbeat


def heartbeat_record(*, component: str, detail: str = "") -> Heartbeat:
    heartbeat, _ = Heartbeat.objects.update_or_create(
        component=component, defaults={"last_seen": timezone.now(), "detail": detail[:200]}
    )
    return heartbeat
