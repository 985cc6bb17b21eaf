from typing import Any

from csp.decorators import csp_exempt
from django.contrib import admin
from django.contrib.admin import AdminSite
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, URLResolver, include, path, reverse
from django.utils.http import urlencode
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config import two_factor
from config.health import HealthApi


def _admin_has_permission(request: HttpRequest) -> bool:
    """The admin, like the desk, wants the two-factor step done (config.two_factor)."""
    return AdminSite.has_permission(admin.site, request) and two_factor.is_verified(request.user)


def _admin_login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """One login for everyone: the site's, with its code step. Logged in and verified but
    not admin staff: 403 (a redirect would loop)."""
    if request.user.is_authenticated and two_factor.is_verified(request.user):
        raise PermissionDenied
    next_url = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('pages:login')}?{urlencode({'next': next_url})}")


admin.site.has_permission = _admin_has_permission  # type: ignore[method-assign]
admin.site.login = _admin_login  # type: ignore[method-assign]

api_v1: list[URLPattern | URLResolver] = [
    path("health/", HealthApi.as_view(), name="health"),
    path("", include("intake.urls")),
    path("", include("mediators.urls")),
    path("", include("scheduling.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="v1")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI starts itself with an inline script, so this one page goes without the CSP.
    path(
        "api/docs/",
        csp_exempt()(SpectacularSwaggerView.as_view(url_name="schema")),
        name="swagger-ui",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    # Pages: staff desk, mediators' inbox, login; the parents' pages own the site root.
    path("", include(("config.pages", "pages"), namespace="pages")),
    path("desk/", include(("mediators.pages.urls", "desk"), namespace="desk")),
    path("inbox/", include(("scheduling.pages.urls", "inbox"), namespace="inbox")),
    # Parents' login through ID-porten (404 unless IDPORTEN_ENABLED; intake.idporten).
    path("idporten/", include(("intake.pages.idporten_urls", "idporten"), namespace="idporten")),
    path("", include(("intake.pages.urls", "parents"), namespace="parents")),
]
