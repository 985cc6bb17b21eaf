"""Who may read which report, and whether exactly.

- Office staff: their own office, exact (the figures do not leave the office).
- Coordinators: their region and its offices, suppressed (no office is theirs).
- The directorate (Bufdir) and admins: the country, every region and office, suppressed.
- External mediators and parents: nothing.

The API is always suppressed: whatever it answers leaves the office. A scope that is
unknown and one that is not yours get the same 404.
"""

from typing import Any

from django.http import Http404
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from mediators.access import STAFF_ROLES
from mediators.models import Office, Region, User
from mediators.reports.tables import Scope

READER_ROLES = (*STAFF_ROLES, User.Role.DIRECTORATE)
NATIONAL_ROLES = (User.Role.DIRECTORATE, User.Role.ADMIN)


def is_report_reader(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role in READER_ROLES)


def default_scope(user: User) -> Scope:
    if user.role in NATIONAL_ROLES:
        return Scope("country")
    if user.role == User.Role.COORDINATOR:
        return Scope("region", user.region)
    office = Office.objects.filter(pk=user.office_id or 0).values_list("code", flat=True).first()
    return Scope("office", office or "")


def scopes_for(user: User) -> list[Scope]:
    """Every scope the user may choose, the widest first."""
    offices = Office.objects.order_by("region", "name")
    if user.role in NATIONAL_ROLES:
        return [
            Scope("country"),
            *(Scope("region", r) for r in Region.values),
            *(Scope("office", code) for code in offices.values_list("code", flat=True)),
        ]
    if user.role == User.Role.COORDINATOR:
        codes = offices.filter(region=user.region).values_list("code", flat=True)
        return [Scope("region", user.region), *(Scope("office", code) for code in codes)]
    if user.role == User.Role.OFFICE_STAFF:
        return [default_scope(user)]
    return []


def scope_resolve(user: User, level: str | None, code: str | None) -> Scope:
    """The scope asked for if it is the user's; else 404 (unknown or not yours alike)."""
    if not level:
        return default_scope(user)
    wanted = Scope(level, code or "") if level in ("office", "region") else Scope("country")  # type: ignore[arg-type]
    if level not in ("office", "region", "country") or wanted not in scopes_for(user):
        raise Http404("No such report.")
    return wanted


def exact_for(user: User, scope: Scope) -> bool:
    """Exact figures only for office staff looking at their own office."""
    return user.role == User.Role.OFFICE_STAFF and scope == default_scope(user)


class IsReportReader(BasePermission):
    message = "Only office staff, coordinators and the directorate read reports."

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_report_reader(request.user)
