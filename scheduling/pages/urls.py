"""The external mediator's inbox (namespace `inbox`, under /inbox/)."""

from django.urls import path

from scheduling.pages import views_availability, views_calendar, views_court_notes, views_offers

urlpatterns = [
    path("", views_offers.offers, name="offers"),
    path("offers/<int:offer_id>/", views_offers.offer, name="offer"),
    path("offers/<int:offer_id>/accept/", views_offers.offer_accept_view, name="offer-accept"),
    path("offers/<int:offer_id>/decline/", views_offers.offer_decline_view, name="offer-decline"),
    path("calendar/", views_calendar.calendar, name="calendar"),
    path("court-notes/", views_court_notes.court_notes, name="court-notes"),
    path("court-notes/<str:reference>/", views_court_notes.court_note, name="court-note"),
    path("calendar.ics", views_calendar.calendar_ics_view, name="calendar-ics"),
    path("availability/", views_availability.availability, name="availability"),
    path("availability/hours/", views_availability.availability_add_view, name="availability-add"),
    path(
        "availability/hours/<int:availability_id>/remove/",
        views_availability.availability_remove_view,
        name="availability-remove",
    ),
    path("availability/absence/", views_availability.leave_add_view, name="leave-add"),
    path(
        "availability/absence/<int:leave_id>/remove/",
        views_availability.leave_remove_view,
        name="leave-remove",
    ),
]
