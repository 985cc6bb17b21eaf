"""Celery tasks of the webhooks: thin wrappers that call the delivery services."""

from typing import Any

from celery import shared_task
from django.db import OperationalError

from scheduling.webhooks.delivery import webhook_deliveries_dispatch_due, webhook_delivery_attempt


@shared_task(
    name="webhooks.deliver",
    bind=True,
    ignore_result=True,
    # Acknowledged after it ran, requeued if the worker dies: the row lock and status make a
    # second run harmless. The row counts attempts; Celery's count is not the limit.
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=100,
)
def deliver(self: Any, delivery_id: int) -> None:
    outcome = webhook_delivery_attempt(delivery_id=delivery_id)
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in)


@shared_task(name="webhooks.sweep_deliveries", ignore_result=True)
def sweep_deliveries() -> None:
    """Sent by beat every minute (scheduling/schedules.py)."""
    webhook_deliveries_dispatch_due()
