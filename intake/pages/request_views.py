"""The start page, the request for mediation, and the receipt after it (never a link)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from config.legal import rule_value
from intake.models import Case
from intake.pages.common import CASE_REQUEST_SCOPE, remote_addr, throttled, too_many
from intake.pages.request_form import CHILDREN_SHOWN, RequestForm, request_validate
from intake.pages.texts import duty_sentences
from intake.services import case_request
from mediators.selectors import CatchmentError

SENT_SESSION_KEY = "parents_request_sent"


def start(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "parents/start.html",
        {
            "age_limit": rule_value("duty_child_age_limit"),
            "court_age_limit": rule_value("court_child_age_limit"),
            "notice_months": rule_value("relocation_notice_months"),
            "validity_months": rule_value("certificate_validity_months"),
            "max_hours": rule_value("max_hours"),
            "offer_weeks": rule_value("offer_within_weeks"),
            "idporten": settings.IDPORTEN_ENABLED,
        },
    )


def _children_wanted(request: HttpRequest) -> int:
    try:
        shown = int(request.POST.get("children_count") or CHILDREN_SHOWN)
    except ValueError:
        shown = CHILDREN_SHOWN
    return shown + 1 if "add_child" in request.POST else shown


@require_http_methods(["GET", "POST"])
def request_form(request: HttpRequest) -> HttpResponse:
    """As the API's POST /cases/: the same serializer, the same service, the same throttle.

    Only a request that would create a case counts against the throttle, so a parent who
    corrects mistakes is never locked out by their own attempts.
    """
    language = translation.get_language() or "nb"
    if request.method == "GET":
        return render(request, "parents/request.html", {"form": RequestForm(language=language)})
    form = RequestForm(request.POST, children=_children_wanted(request), language=language)
    if "add_child" in request.POST:
        # One more date input, no checks yet: the parent has not sent the form.
        more = RequestForm(initial=request.POST.dict(), children=form.children, language=language)
        more.fields[f"children_{more.children - 1}_birth_date"].widget.attrs["autofocus"] = True
        return render(request, "parents/request.html", {"form": more})
    serializer = request_validate(form)
    if serializer is None:
        return render(request, "parents/request.html", {"form": form}, status=400)
    if throttled(request, CASE_REQUEST_SCOPE):
        return too_many(request)
    try:
        case = case_request(
            request=serializer.to_case_request(),
            actor=request.user,
            remote_addr=remote_addr(request),
        )
    except CatchmentError:
        form.add_error(
            "municipality",
            _("We could not find an office for this place. Call us, and we will help."),
        )
        return render(request, "parents/request.html", {"form": form}, status=400)
    request.session[SENT_SESSION_KEY] = case.reference
    return redirect("parents:request-sent")


def request_sent(request: HttpRequest) -> HttpResponse:
    """The receipt in this browser's session: the reference and the duty, never a link."""
    reference = request.session.get(SENT_SESSION_KEY)
    case = (
        Case.objects.select_related("catchment_office", "chosen_office")
        .filter(reference=reference)
        .first()
        if reference
        else None
    )
    if case is None:
        return redirect("parents:start")
    return render(
        request,
        "parents/request_sent.html",
        {
            "case": case,
            "office": case.office,
            "duty_required": case.duty_required,
            "duty_sentences": duty_sentences(case),
            "offer_weeks": rule_value("offer_within_weeks"),
            "idporten": settings.IDPORTEN_ENABLED,
        },
    )
