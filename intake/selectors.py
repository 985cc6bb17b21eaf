"""Reads of the intake app, always narrowed to what the asking user may see."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from intake.models import Case, Parent
from mediators.access import cases_visible_to


def cases_for_user(*, user: Any) -> QuerySet[Case]:
    cases = Case.objects.select_related(
        "catchment_office",
        "chosen_office",
        "municipality",
        "district",
        "classification",
    )
    return cases_visible_to(user, cases)


def case_get_for_user(*, user: Any, reference: str) -> Case:
    """The case if this user may see it; otherwise 404 whether or not it exists."""
    case = (
        cases_for_user(user=user)
        .prefetch_related(
            Prefetch(
                "parents",
                queryset=Parent.objects.select_related("response", "interpreter_language"),
            ),
            "children",
        )
        .filter(reference=reference)
        .first()
    )
    if case is None:
        raise Http404
    return case
