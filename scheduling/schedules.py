"""Every periodic schedule of the service, declared once and installed idempotently."""

from dataclasses import dataclass

from django.db import transaction
from django_celery_beat.models import IntervalSchedule, PeriodicTask

OWNED_PREFIX = "mekling:"


@dataclass(frozen=True)
class Schedule:
    name: str
    task: str
    every_seconds: int


SCHEDULES = (
    Schedule(name="heartbeat", task="scheduling.heartbeat", every_seconds=15),
    Schedule(name="sweep-duties", task="scheduling.sweep_duties", every_seconds=60),
    # Webhook deliveries whose message was lost, or whose retry wait is long (webhooks/delivery.py)
    Schedule(name="sweep-webhooks", task="webhooks.sweep_deliveries", every_seconds=60),
    # meklingsforskriften § 9: purge answers, delete protocols that are due (intake/retention.py)
    Schedule(name="retention", task="intake.retention_run", every_seconds=24 * 60 * 60),
)


@transaction.atomic
def schedules_install() -> list[str]:
    """Create or update our periodic tasks; disable ones of ours no longer declared."""
    installed = []
    for schedule in SCHEDULES:
        interval, _ = IntervalSchedule.objects.get_or_create(
            every=schedule.every_seconds, period=IntervalSchedule.SECONDS
        )
        PeriodicTask.objects.update_or_create(
            name=OWNED_PREFIX + schedule.name,
            defaults={"task": schedule.task, "interval": interval, "enabled": True},
        )
        installed.append(OWNED_PREFIX + schedule.name)
    PeriodicTask.objects.filter(name__startswith=OWNED_PREFIX).exclude(name__in=installed).update(
        enabled=False
    )
    return installed
