"""ID-porten for parents (intake.idporten): start, callback, and the list of their cases.

Off (404) unless IDPORTEN_ENABLED; the private link works either way.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from intake.idporten import SESSION_KEY, IdportenParentBackend, live_link_token, session_parents


def _enabled() -> None:
    if not getattr(settings, "IDPORTEN_ENABLED", False):
        raise Http404


@never_cache
def start(request: HttpRequest) -> HttpResponse:
    """To ID-porten (state, nonce and PKCE kept in the session by mozilla-django-oidc)."""
    _enabled()
    response: HttpResponse = OIDCAuthenticationRequestView.as_view()(request)
    return response


@never_cache
def callback(request: HttpRequest) -> HttpResponse:
    """Back from ID-porten: check state, exchange the code, check the ID token and claims."""
    _enabled()
    states: dict[str, Any] = request.session.get("oidc_states") or {}
    state = request.GET.get("state", "")
    if request.GET.get("error") or "code" not in request.GET or state not in states:
        states.pop(state, None)
        request.session["oidc_states"] = states
        return render(request, "parents/idporten_failed.html", status=403)
    entry = states.pop(state)
    request.session["oidc_states"] = states
    request.session.save()
    try:
        login = IdportenParentBackend().authenticate(
            request, nonce=entry.get("nonce"), code_verifier=entry.get("code_verifier")
        )
    except SuspiciousOperation:
        login = None
    if login is None:
        return render(request, "parents/idporten_failed.html", status=403)
    request.session.cycle_key()  # a new session id once the person is known
    request.session[SESSION_KEY] = login.parent_ids
    return redirect("idporten:mine")


@never_cache
def mine(request: HttpRequest) -> HttpResponse:
    """The cases of the person logged in with ID-porten, each by its private link."""
    _enabled()
    if SESSION_KEY not in request.session:
        return redirect("idporten:start")
    rows = [(parent, live_link_token(parent)) for parent in session_parents(request)]
    return render(request, "parents/idporten_mine.html", {"rows": rows})
