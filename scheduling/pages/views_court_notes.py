"""The external mediator's notes to the court: the court-referred cases they held a meeting
in, and the note's page (the desk's page and rules: mediators/pages/views_court_note.py,
scheduling/court_notes.py). Only the mediator who held a meeting writes the note."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from intake.selectors import case_get_for_user
from mediators.pages.views_court_note import court_note_page
from scheduling.court_notes import court_note_cases_of_mediator
from scheduling.pages.access import mediator_of, mediator_required


@require_GET
@mediator_required
def court_notes(request: HttpRequest) -> HttpResponse:
    rows = court_note_cases_of_mediator(user=request.user, mediator=mediator_of(request))
    return render(request, "inbox/court_notes.html", {"nav": "court-notes", "rows": rows})


@mediator_required
def court_note(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_get_for_user(user=request.user, reference=reference)
    return court_note_page(request, case, audience="inbox")
