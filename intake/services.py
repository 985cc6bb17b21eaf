"""Writes of the intake app."""

from django.db import transaction

from intake.models import CaseReferenceCounter


def case_reference_next(*, year: int) -> str:
    """The next case reference of the year (MK-2026-000123); never handed out twice."""
    with transaction.atomic():
        CaseReferenceCounter.objects.get_or_create(year=year)
        counter = CaseReferenceCounter.objects.select_for_update().get(year=year)
        counter.last_number += 1
        counter.save(update_fields=["last_number"])
    return f"MK-{year:04d}-{counter.last_number:06d}"
