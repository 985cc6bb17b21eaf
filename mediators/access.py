"""Who may see and do what: every role check of the service lives here.

Office staff see their own office's cases, regional coordinators their region's, external
mediators only cases offered or assigned to them, admins everything.
"""

from typing import Any

from django.db.models import Q, QuerySet
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from mediators.models import User

STAFF_ROLES = (User.Role.OFFICE_STAFF, User.Role.COORDINATOR, User.Role.ADMIN)


def is_staff_user(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role in STAFF_ROLES)


def is_external_mediator(user: Any) -> bool:
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and user.role == User.Role.EXTERNAL_MEDIATOR
        and hasattr(user, "mediator")
    )


def office_scope(user: User) -> Q:
    """Filter over Office rows visible to a staff user."""
    if user.role == User.Role.ADMIN:
        return Q()
    if user.role == User.Role.COORDINATOR:
        return Q(region=user.region)
    if user.role == User.Role.OFFICE_STAFF and user.office_id:
        return Q(pk=user.office_id)
    return Q(pk__in=[])


def cases_visible_to(user: User, cases: QuerySet[Any]) -> QuerySet[Any]:
    """Narrow a Case queryset to what this user may see (the office holding the case)."""
    if is_staff_user(user):
        if user.role == User.Role.ADMIN:
            return cases
        if user.role == User.Role.COORDINATOR:
            return cases.filter(
                Q(chosen_office__region=user.region)
                | Q(chosen_office__isnull=True, catchment_office__region=user.region)
            )
        return cases.filter(
            Q(chosen_office_id=user.office_id)
            | Q(chosen_office__isnull=True, catchment_office_id=user.office_id)
        )
    if is_external_mediator(user):
        mediator_id = user.mediator.pk
        return cases.filter(
            Q(pk__in=_offered_case_ids(mediator_id)) | Q(pk__in=_assigned_case_ids(mediator_id))
        )
    return cases.none()


def _offered_case_ids(mediator_id: int) -> QuerySet[Any]:
    from mediators.models import Offer

    return Offer.objects.filter(mediator_id=mediator_id).values("case_id")


def _assigned_case_ids(mediator_id: int) -> QuerySet[Any]:
    from mediators.models import Assignment

    return Assignment.objects.filter(mediator_id=mediator_id).values("case_id")


class IsStaff(BasePermission):
    message = "Only office staff may do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_staff_user(request.user)


class IsStaffOrMediator(BasePermission):
    """The default for the API: a logged-in staff member or external mediator."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_staff_user(request.user) or is_external_mediator(request.user)
