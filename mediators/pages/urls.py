"""The office staff desk (namespace `desk`, under /desk/)."""

from django.urls import path

from mediators.pages import (
    views_answers,
    views_booking,
    views_case,
    views_cases,
    views_court_note,
    views_reports,
    views_retention,
)

CASE = "cases/<str:reference>/"
APPOINTMENT = f"{CASE}appointments/<int:appointment_id>/"

urlpatterns = [
    path("", views_cases.case_list, name="cases"),
    path("batch/", views_cases.batch_assign, name="batch-assign"),
    path("retention/", views_retention.retention, name="retention"),
    path("reports/", views_reports.reports, name="reports"),
    path("reports/export.csv", views_reports.export_csv, name="reports-csv"),
    path("reports/export.xlsx", views_reports.export_xlsx, name="reports-xlsx"),
    path(CASE, views_case.case_detail, name="case"),
    path(f"{CASE}answers/<str:role>/", views_answers.answers, name="answers"),
    path(f"{CASE}classification/", views_case.override, name="override"),
    path(f"{CASE}parents/<str:role>/resend-link/", views_case.resend_link, name="resend-link"),
    path(f"{CASE}assign/", views_case.assign, name="assign"),
    path(f"{CASE}close/", views_case.close, name="close"),
    path(f"{CASE}appointments/", views_booking.book, name="book"),
    path(f"{APPOINTMENT}cancel/", views_booking.cancel, name="cancel-appointment"),
    path(f"{APPOINTMENT}attendance/", views_booking.attendance, name="attendance"),
    path(f"{CASE}certificates/issue/", views_booking.issue_certificates, name="issue-certificates"),
    path(f"{CASE}court-note/", views_court_note.court_note, name="court-note"),
    path(
        f"{CASE}certificates/refuse/", views_booking.refuse_certificate, name="refuse-certificate"
    ),
]
