from django.urls import path
from django.views.generic import TemplateView

urlpatterns = [
    path("", TemplateView.as_view(template_name="base_staff.html"), name="offers"),
    path("calendar/", TemplateView.as_view(template_name="base_staff.html"), name="calendar"),
    path(
        "availability/", TemplateView.as_view(template_name="base_staff.html"), name="availability"
    ),
]
