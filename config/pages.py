"""What every web page shares: the languages it offers, the quick exit, login and the role's home.

The three audiences are told apart by URL namespace: `parents` (public pages and the private
links), `desk` (office staff), `inbox` (external mediators). Parents' pages offer nynorsk too and
carry the quick exit; staff and mediators choose between bokmål and English.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path

from config import two_factor
from mediators.access import is_external_mediator, is_staff_user
from mediators.reports.access import is_report_reader

PARENTS = "parents"


def page_context(request: HttpRequest) -> dict[str, Any]:
    match = getattr(request, "resolver_match", None)
    namespace = match.namespace if match else ""
    if namespace == "idporten":  # the parents' ID-porten pages (intake.pages.idporten_views)
        namespace = PARENTS
    for_parents = namespace == PARENTS
    codes = [code for code, _ in settings.LANGUAGES]
    if not for_parents:
        codes = [code for code in codes if code in settings.STAFF_LANGUAGES]
    names = dict(settings.LANGUAGES)
    return {
        "audience": namespace or "staff",
        "page_languages": [(code, names[code]) for code in codes],
        "quick_exit": for_parents,
        "quick_exit_url": settings.QUICK_EXIT_URL,
    }


@login_required
@two_factor.verified_required
def home(request: HttpRequest) -> HttpResponse:
    """After login: staff to their desk, external mediators to their inbox, the directorate to
    the reports."""
    if is_staff_user(request.user):
        return redirect("desk:cases")
    if is_external_mediator(request.user):
        return redirect("inbox:offers")
    if is_report_reader(request.user):  # the directorate (Bufdir): national figures only
        return redirect("desk:reports")
    return redirect("parents:start")


class LoginView(auth_views.LoginView):
    template_name = "pages/login.html"
    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        """The password step done: on to the code step (config.two_factor), then `next`."""
        url = super().get_success_url()
        return two_factor.code_url(url) if two_factor.required() else url


urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("home/", home, name="home"),
    path("login/code/", two_factor.code, name="otp-code"),
    path("login/setup/", two_factor.setup, name="otp-setup"),
]
