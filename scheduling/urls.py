from django.urls import path

from scheduling.api import (
    AppointmentByLinkApi,
    AppointmentByLinkCancelApi,
    AppointmentByLinkIcsApi,
    AppointmentByLinkRescheduleApi,
    AppointmentByLinkSlotsApi,
    AppointmentCancelApi,
    AppointmentRescheduleApi,
    CaseAppointmentsApi,
    CaseSlotsApi,
)
from scheduling.api_certificates import (
    AttendanceApi,
    CaseCertificateApi,
    CertificatePdfApi,
    CertificateRefuseApi,
)
from scheduling.api_court_notes import CaseCourtNoteApi, CourtListApi, CourtNotePdfApi

REFERENCE = "<str:reference>"
APPOINTMENT = "<int:appointment_id>"
BY_LINK = "appointments/by-link/<str:token>"

urlpatterns = [
    path(f"cases/{REFERENCE}/court-note/", CaseCourtNoteApi.as_view(), name="case-court-note"),
    path(
        f"cases/{REFERENCE}/court-note.pdf", CourtNotePdfApi.as_view(), name="case-court-note-pdf"
    ),
    path("courts/", CourtListApi.as_view(), name="courts"),
    path(f"cases/{REFERENCE}/certificate/", CaseCertificateApi.as_view(), name="case-certificate"),
    path(
        f"cases/{REFERENCE}/certificate/<str:role>.pdf",
        CertificatePdfApi.as_view(),
        name="case-certificate-pdf",
    ),
    path(
        f"cases/{REFERENCE}/certificate/refuse",
        CertificateRefuseApi.as_view(),
        name="case-certificate-refuse",
    ),
    path(
        f"appointments/{APPOINTMENT}/attendance/",
        AttendanceApi.as_view(),
        name="appointment-attendance",
    ),
    path(f"cases/{REFERENCE}/slots/", CaseSlotsApi.as_view(), name="case-slots"),
    path(
        f"cases/{REFERENCE}/appointments/",
        CaseAppointmentsApi.as_view(),
        name="case-appointments",
    ),
    path(
        f"appointments/{APPOINTMENT}/reschedule/",
        AppointmentRescheduleApi.as_view(),
        name="appointment-reschedule",
    ),
    path(
        f"appointments/{APPOINTMENT}/cancel/",
        AppointmentCancelApi.as_view(),
        name="appointment-cancel",
    ),
    path(
        f"{BY_LINK}/",
        AppointmentByLinkApi.as_view(),
        name="appointment-by-link",
    ),
    path(
        f"{BY_LINK}/ics",
        AppointmentByLinkIcsApi.as_view(),
        name="appointment-by-link-ics",
    ),
    path(
        f"{BY_LINK}/slots/",
        AppointmentByLinkSlotsApi.as_view(),
        name="appointment-by-link-slots",
    ),
    path(
        f"{BY_LINK}/reschedule/",
        AppointmentByLinkRescheduleApi.as_view(),
        name="appointment-by-link-reschedule",
    ),
    path(
        f"{BY_LINK}/cancel/",
        AppointmentByLinkCancelApi.as_view(),
        name="appointment-by-link-cancel",
    ),
]
