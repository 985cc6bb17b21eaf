"""The parents' pages (namespace `parents`, at the site root).

Public: the start page and the request for mediation. Private, by link: the questionnaire and
home (`/intake/<token>/`, the link in the parent's email) and each appointment
(`/appointments/<token>/`, the link in the appointment notice).
"""

from django.urls import path

from intake.pages import appointment_views, intake_views, request_views

INTAKE = "intake/<str:token>/"
APPOINTMENT = "appointments/<str:token>/"

urlpatterns = [
    path("", request_views.start, name="start"),
    path("request/", request_views.request_form, name="request"),
    path("request/sent/", request_views.request_sent, name="request-sent"),
    path(INTAKE, intake_views.intake_home, name="intake"),
    path(f"{INTAKE}questions/<int:number>/", intake_views.question, name="question"),
    path(f"{INTAKE}summary/", intake_views.summary, name="summary"),
    path(f"{INTAKE}submit/", intake_views.submit, name="submit"),
    path(f"{INTAKE}export.json", intake_views.export, name="intake-export"),
    path(
        f"{INTAKE}certificate.pdf",
        appointment_views.intake_certificate_pdf,
        name="intake-certificate-pdf",
    ),
    path(APPOINTMENT, appointment_views.appointment_page, name="appointment"),
    path(
        f"{APPOINTMENT}reschedule/",
        appointment_views.appointment_reschedule_page,
        name="appointment-reschedule",
    ),
    path(
        f"{APPOINTMENT}cancel/",
        appointment_views.appointment_cancel_page,
        name="appointment-cancel",
    ),
    path(f"{APPOINTMENT}calendar.ics", appointment_views.appointment_ics, name="appointment-ics"),
    path(
        f"{APPOINTMENT}certificate.pdf",
        appointment_views.appointment_certificate_pdf,
        name="appointment-certificate-pdf",
    ),
]
