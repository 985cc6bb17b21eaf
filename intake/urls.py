from django.urls import path

from intake.api.answering import IntakeApi, IntakeSubmitApi
from intake.api.cases import (
    CaseCloseApi,
    CaseDetailApi,
    CasesApi,
    ClassificationOverrideApi,
    LinkResendApi,
)

REFERENCE = "<str:reference>"

urlpatterns = [
    path("cases/", CasesApi.as_view(), name="cases"),
    path(f"cases/{REFERENCE}/", CaseDetailApi.as_view(), name="case-detail"),
    path(
        f"cases/{REFERENCE}/classification/override",
        ClassificationOverrideApi.as_view(),
        name="case-classification-override",
    ),
    path(
        f"cases/{REFERENCE}/parents/<str:role>/resend-link",
        LinkResendApi.as_view(),
        name="case-link-resend",
    ),
    path(f"cases/{REFERENCE}/close", CaseCloseApi.as_view(), name="case-close"),
    path("intake/<str:token>/", IntakeApi.as_view(), name="intake"),
    path("intake/<str:token>/submit", IntakeSubmitApi.as_view(), name="intake-submit"),
]
