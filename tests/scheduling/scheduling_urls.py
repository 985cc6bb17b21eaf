"""The scheduling API alone under /api/v1/, for tests until config/urls.py includes it."""

from django.urls import include, path

urlpatterns = [path("api/v1/", include("scheduling.urls"))]
