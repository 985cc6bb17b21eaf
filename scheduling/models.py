"""Scheduling: appointments and the time-driven engine (issue 5); for now the heartbeats."""

from django.db import models


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
