"""Who may use the inbox: a logged-in external mediator with their Mediator row.

Anyone not logged in goes to the login page; logged in by password only, to the code step
(config.two_factor); anyone else logged in gets 403.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from config.two_factor import verified_required
from mediators.access import is_external_mediator
from mediators.models import Mediator, User

View = Callable[..., HttpResponse]


def mediator_required(view: View) -> View:
    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_external_mediator(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(verified_required(checked))


def mediator_of(request: HttpRequest) -> Mediator:
    """The logged-in mediator (only called behind `mediator_required`)."""
    return cast(User, request.user).mediator


def client_addr(request: HttpRequest) -> str | None:
    addr: str | None = request.META.get("REMOTE_ADDR")
    return addr
