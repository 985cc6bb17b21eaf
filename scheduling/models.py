"""Scheduling: the time-driven engine's duties, and heartbeats of the background components."""

from django.db import models
from django.db.models import Q


class Heartbeat(models.Model):
    """Last sign of life from a background component, for the health endpoint."""

    class Component(models.TextChoices):
        WORKER = "worker", "Celery worker"
        BEAT = "beat", "Celery beat"

    component = models.CharField(max_length=10, choices=Component.choices, primary_key=True)
    last_seen = models.DateTimeField()
    detail = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.component} @ {self.last_seen:%Y-%m-%d %H:%M:%S}"


class Duty(models.Model):
    """One piece of time-driven work, created with what caused it and swept by beat.

    The unique key makes "never twice" a database fact: creating the same reminder again is a
    no-op, and the status moves pending → claimed → done/skipped/failed/cancelled exactly once.
    """

    class Status(models.TextChoices):
        PENDING = "pending"
        CLAIMED = "claimed"
        DONE = "done"
        SKIPPED = "skipped"
        FAILED = "failed"
        CANCELLED = "cancelled"

    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=120, unique=True)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    case = models.ForeignKey(
        "intake.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="duties"
    )
    target_id = models.BigIntegerField(null=True, blank=True, help_text="Id of the row it acts on.")
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["due_at"]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(status="pending"), name="duty_pending_due"),
            models.Index(fields=["claimed_at"], condition=Q(status="claimed"), name="duty_claimed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=["pending", "claimed", "done", "skipped", "failed", "cancelled"]
                ),
                name="duty_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} ({self.status})"
