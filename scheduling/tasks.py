"""Celery tasks of the scheduling app: thin wrappers that call services."""

import socket

from celery import shared_task

from scheduling.models import Heartbeat
from scheduling.services import heartbeat_record


@shared_task(name="scheduling.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Sent by beat every few seconds; running it proves a worker consumes the queue."""
    heartbeat_record(component=Heartbeat.Component.WORKER, detail=socket.gethostname())
