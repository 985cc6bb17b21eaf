"""The desk's case list (most urgent first, filtered by a GET form) and batch assignment."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from mediators.assigning import cases_place_batch
from mediators.desk_selectors import batch_office_ids
from mediators.pages.common import remote_addr, staff_required
from mediators.pages.forms import CaseFilterForm
from mediators.selectors import cases_by_urgency, cases_waiting_in

LIST_LIMIT = 500


@staff_required
def case_list(request: HttpRequest) -> HttpResponse:
    form = CaseFilterForm(request.GET or None)
    filters = form.values()
    rows = cases_by_urgency(
        user=request.user,
        level=filters.get("level", ""),
        status=filters.get("status", ""),
        case_type=filters.get("case_type", ""),
    )
    context = {
        "nav": "cases",
        "form": form,
        "rows": rows[:LIST_LIMIT],
        "total": len(rows),
        "limit": LIST_LIMIT,
        "filtered": any(filters.values()),
    }
    return render(request, "desk/cases.html", context)


@require_POST
@staff_required
def batch_assign(request: HttpRequest) -> HttpResponse:
    """Every case ready for assignment in the user's office (coordinator: region; admin: all),
    placed at once by the optimiser, as the batch API does."""
    waiting = cases_waiting_in(user=request.user, office_ids=batch_office_ids(user=request.user))
    if not waiting:
        messages.info(request, _("No cases are waiting for assignment."))
        return redirect("desk:cases")
    outcome = cases_place_batch(cases=waiting, actor=request.user, remote_addr=remote_addr(request))
    offers = sum(1 for placement in outcome.placed.values() if placement.offer)
    messages.success(
        request,
        _(
            "Placed %(placed)s of %(total)s waiting cases "
            "(%(offers)s as offers to external mediators)."
        )
        % {"placed": len(outcome.placed), "total": len(waiting), "offers": offers},
    )
    if outcome.unassigned:
        messages.warning(
            request,
            ngettext(
                "Not placed: %(references)s. Open the case and show why mediators are excluded.",
                "Not placed: %(references)s. Open each case and show why mediators are excluded.",
                len(outcome.unassigned),
            )
            % {"references": ", ".join(sorted(outcome.unassigned))},
        )
    return redirect("desk:cases")
