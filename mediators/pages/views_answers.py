"""One parent's submitted answers, for staff. Every view is audited (`answers_read`)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from intake.audit import audit_record
from intake.models import AuditEvent, Parent
from intake.selectors import case_get_for_user
from mediators.desk_selectors import parent_answers
from mediators.pages.common import remote_addr, staff_required


@staff_required
def answers(request: HttpRequest, reference: str, role: str) -> HttpResponse:
    case = case_get_for_user(user=request.user, reference=reference)
    if role not in Parent.Role.values:
        raise Http404
    found = parent_answers(case=case, role=role)
    audit_record(
        action=AuditEvent.Action.ANSWERS_READ,
        case_reference=case.reference,
        actor=request.user,
        remote_addr=remote_addr(request),
        detail={"parent_role": role, "submitted": found.submitted},
    )
    context = {"nav": "cases", "case": case, "found": found, "role": role}
    return render(request, "desk/answers.html", context)
