"""What every desk view shares: staff only, the client address for the audit trail, and the
post → redirect → get step with the service's refusal shown on the form."""

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from config.api_errors import ApplicationError
from config.two_factor import verified_required
from intake.models import Case
from mediators.access import is_staff_user
from mediators.pages.errors import form_add_service_error

View = Callable[..., HttpResponse]


def staff_required(view: View) -> View:
    """Anonymous: to the login page. Logged in but not office staff, a coordinator or an
    admin (an external mediator): 403. Logged in by password only: to the code step
    (config.two_factor)."""

    @wraps(view)
    @login_required
    @verified_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_staff_user(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def remote_addr(request: HttpRequest) -> str | None:
    addr: str | None = request.META.get("REMOTE_ADDR")
    return addr


def case_url(case: Case, anchor: str = "") -> str:
    url = reverse("desk:case", kwargs={"reference": case.reference})
    return f"{url}#{anchor}" if anchor else url


def form_action(
    request: HttpRequest,
    *,
    form: forms.Form,
    action: Callable[[dict[str, Any]], str],
    on_error: Callable[[forms.Form, int], HttpResponse],
    success_url: str,
    field_map: Mapping[str, str] | None = None,
) -> HttpResponse:
    """Validate, call the service; on success flash its message and redirect (PRG), else show
    the form again with the refusal (400, or 409 when the service reports a conflict)."""
    status = 400
    if form.is_valid():
        try:
            message = action(form.cleaned_data)
        except ApplicationError as exc:
            form_add_service_error(form, exc, field_map)
            status = exc.status_code
        else:
            messages.success(request, message)
            return redirect(success_url)
    return on_error(form, status)
