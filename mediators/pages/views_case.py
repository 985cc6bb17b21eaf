"""The case page and its actions: reclassify, resend a link, assign (one-click or the best)."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.api_errors import ApplicationError
from config.datetime_format import datetime_text
from intake.classifying import classification_override
from intake.models import ConflictLevel
from intake.selectors import case_get_for_user
from intake.services import case_close, parent_link_resend
from mediators.assigning import PlacementResult, case_place_auto, case_place_manual
from mediators.pages.case_page import render_case
from mediators.pages.common import case_url, form_action, remote_addr, staff_required
from mediators.pages.forms import AssignForm, CloseForm, OverrideForm

TO_WHOLE_FORM = {"mediator": "__all__", "auto": "__all__"}


@staff_required
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_get_for_user(user=request.user, reference=reference)
    return render_case(request, case)


@require_POST
@staff_required
def override(request: HttpRequest, reference: str) -> HttpResponse:
    """Staff set the level by hand with a reason (as the override API)."""
    case = case_get_for_user(user=request.user, reference=reference)

    def action(data: dict[str, Any]) -> str:
        classification_override(
            case=case, actor=request.user, remote_addr=remote_addr(request), **data
        )
        level = ConflictLevel(data["level"]).label
        return _("The conflict level is now %(level)s. The computed level stays visible.") % {
            "level": level
        }

    return form_action(
        request,
        form=OverrideForm(request.POST, prefix="override"),
        action=action,
        on_error=lambda form, status: render_case(
            request, case, bound={"override": form}, status=status
        ),
        success_url=case_url(case, "classification"),
    )


@require_POST
@staff_required
def resend_link(request: HttpRequest, reference: str, role: str) -> HttpResponse:
    case = case_get_for_user(user=request.user, reference=reference)
    parent = next((p for p in case.parents.all() if p.role == role), None)
    if parent is None:
        raise Http404
    parent_link_resend(parent=parent, actor=request.user, remote_addr=remote_addr(request))
    messages.success(
        request,
        _("A new private link was sent to %(name)s. The old link no longer works.")
        % {"name": f"{parent.given_name} {parent.family_name}"},
    )
    return redirect(case_url(case, "parents"))


@require_POST
@staff_required
def assign(request: HttpRequest, reference: str) -> HttpResponse:
    """One-click assignment of a suggested mediator, or the best one (as AssignApi): an office
    mediator is assigned, an external mediator gets an offer with a deadline."""
    case = case_get_for_user(user=request.user, reference=reference)

    def action(data: dict[str, Any]) -> str:
        addr = remote_addr(request)
        if data["auto"]:
            return _placed_message(case_place_auto(case=case, actor=request.user, remote_addr=addr))
        if not data["mediator"]:
            raise ApplicationError("Choose a mediator.")
        placement = case_place_manual(
            case=case, mediator_id=data["mediator"], actor=request.user, remote_addr=addr
        )
        return _placed_message(placement)

    return form_action(
        request,
        form=AssignForm(request.POST),
        action=action,
        on_error=lambda form, status: render_case(
            request, case, bound={"assign": form}, status=status
        ),
        success_url=case_url(case, "assignment"),
        field_map=TO_WHOLE_FORM,
    )


def _placed_message(placement: PlacementResult) -> str:
    if placement.offer is not None:
        deadline = datetime_text(placement.offer.deadline)
        return _("The case was offered to %(name)s, who has until %(deadline)s to answer.") % {
            "name": placement.offer.mediator,
            "deadline": deadline,
        }
    return _("The case was assigned to %(name)s.") % {"name": placement.row.mediator}


@require_POST
@staff_required
def close(request: HttpRequest, reference: str) -> HttpResponse:
    """Close or withdraw the case (as CaseCloseApi); refused while a meeting or offer is open."""
    case = case_get_for_user(user=request.user, reference=reference)

    def action(data: dict[str, Any]) -> str:
        case_close(
            case=case, status=data["status"], actor=request.user, remote_addr=remote_addr(request)
        )
        return _("The case is closed. Answers are deleted after the grace period.")

    return form_action(
        request,
        form=CloseForm(request.POST, prefix="close"),
        action=action,
        on_error=lambda form, status: render_case(
            request, case, bound={"close": form}, status=status
        ),
        success_url=case_url(case, "closing"),
    )
