"""Celery tasks of the scheduling app: thin wrappers that call services."""

import socket
import time

from celery import shared_task
from django.db import OperationalError

from scheduling.duties import TransientDutyError, duties_dispatch_due, duty_execute
from scheduling.models import Heartbeat
from scheduling.services import heartbeat_record


@shared_task(name="scheduling.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Sent by beat every few seconds; running it proves a worker consumes the queue."""
    heartbeat_record(component=Heartbeat.Component.WORKER, detail=socket.gethostname())


@shared_task(
    name="scheduling.run_duty",
    ignore_result=True,
    # Acknowledged only after it ran, and requeued if the worker dies: running twice is safe.
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(TransientDutyError, OperationalError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def run_duty(duty_id: int) -> None:
    duty_execute(duty_id=duty_id)


# A sweep that claimed a full batch goes on at once, so a backlog drains faster than one
# batch a minute; it stops before beat's next tick.
SWEEP_BATCH = 1000
SWEEP_SECONDS = 50.0


@shared_task(name="scheduling.sweep_duties", ignore_result=True)
def sweep_duties() -> None:
    """Sent by beat every minute."""
    started = time.monotonic()
    while duties_dispatch_due(limit=SWEEP_BATCH) >= SWEEP_BATCH:
        if time.monotonic() - started > SWEEP_SECONDS:
            break
