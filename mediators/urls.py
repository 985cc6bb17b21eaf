from django.urls import path

from mediators.api import AssignApi, BatchAssignApi, SuggestionsApi
from mediators.api_offers import OfferAcceptApi, OfferDeclineApi, OffersApi
from mediators.reports.api import ReportsApi

urlpatterns = [
    path(
        "cases/<str:reference>/assignment/suggestions/",
        SuggestionsApi.as_view(),
        name="case-assignment-suggestions",
    ),
    path("cases/<str:reference>/assignment/", AssignApi.as_view(), name="case-assignment"),
    path("assignments/batch/", BatchAssignApi.as_view(), name="assignments-batch"),
    path("offers/", OffersApi.as_view(), name="offers"),
    path("reports/", ReportsApi.as_view(), name="reports"),
    path("offers/<int:offer_id>/accept/", OfferAcceptApi.as_view(), name="offer-accept"),
    path("offers/<int:offer_id>/decline/", OfferDeclineApi.as_view(), name="offer-decline"),
]
