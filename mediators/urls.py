from django.urls import path

from mediators.api import AssignApi, BatchAssignApi, SuggestionsApi

urlpatterns = [
    path(
        "cases/<str:reference>/assignment/suggestions/",
        SuggestionsApi.as_view(),
        name="case-assignment-suggestions",
    ),
    path("cases/<str:reference>/assignment/", AssignApi.as_view(), name="case-assignment"),
    path("assignments/batch/", BatchAssignApi.as_view(), name="assignments-batch"),
]
