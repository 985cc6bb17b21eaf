"""Celery tasks of the intake app: thin wrappers that call services."""

from celery import shared_task

from intake.retention import retention_run


@shared_task(name="intake.retention_run", ignore_result=True)
def run_retention() -> None:
    """Sent by beat daily (scheduling/schedules.py); idempotent, so a missed or doubled day
    only moves the work, never repeats it."""
    retention_run()
