from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.health import HealthApi

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
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Pages: staff desk, mediators' inbox, login; the parents' pages own the site root.
    path("", include(("config.pages", "pages"), namespace="pages")),
    path("desk/", include(("mediators.pages.urls", "desk"), namespace="desk")),
    path("inbox/", include(("scheduling.pages.urls", "inbox"), namespace="inbox")),
    path("", include(("intake.pages.urls", "parents"), namespace="parents")),
]
