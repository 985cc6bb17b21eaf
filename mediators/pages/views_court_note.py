"""The mediator's note to the court, written from the desk for a case the court referred back
to mediation (barneloven § 61 første ledd nr. 2). The rules are the service's
(scheduling/court_notes.py): only court referrals, only after a meeting was held, one note per
case, a correction is a new version with its reason."""

import re
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from config.api_errors import ApplicationError
from intake.models import Case
from intake.selectors import case_get_for_user
from mediators.pages.common import remote_addr, staff_required
from mediators.pages.errors import service_message
from mediators.pages.forms import CourtNoteForm
from scheduling.court_notes import (
    court_note_initial,
    court_note_refusal,
    court_note_write,
    court_notes_of,
)

PREFIX = "note"


def _url(case: Case, audience: str) -> str:
    name = "desk:court-note" if audience == "desk" else "inbox:court-note"
    return reverse(name, kwargs={"reference": case.reference})


def _page(
    request: HttpRequest,
    case: Case,
    form: CourtNoteForm | None,
    *,
    audience: str,
    status: int = 200,
) -> HttpResponse:
    found = court_note_refusal(case=case, user=request.user)
    refusal = service_message(found) if found else ""
    # Another case type has no notes; a mediator who held no meeting reads none.
    hidden = found is not None and found.code in ("not_court_referral", "not_the_mediator")
    notes = [] if hidden else court_notes_of(case=case)
    if found is not None:
        form = None
    elif form is None:
        form = CourtNoteForm(prefix=PREFIX, initial=court_note_initial(case=case))
    pdf = reverse("v1:case-court-note-pdf", kwargs={"reference": case.reference})
    context: dict[str, Any] = {
        "nav": "cases" if audience == "desk" else "court-notes",
        "audience": audience,
        "action_url": _url(case, audience),
        "case": case,
        "form": form,
        "refusal": refusal,
        "notes": [{"note": note, "pdf_url": f"{pdf}?version={note.version}"} for note in notes],
        "correcting": bool(notes),
    }
    return render(request, "desk/court_note.html", context, status=status)


# The service's field messages, for makemessages (they are shown translated by their text).
FIELD_MESSAGES = (
    gettext_noop("Choose the court the note goes to."),
    gettext_noop("The date cannot be in the future."),
    gettext_noop("The date cannot be before the first meeting held."),
    gettext_noop("At least one parent attended a meeting that was held."),
    gettext_noop("The protocol shows no meeting this parent attended."),
    gettext_noop("Give the hours in half hours, e.g. 1.5."),
    gettext_noop("Required for a correction."),
    gettext_noop("Leave empty for the first note."),
    # The service's refusals (scheduling/court_notes.py, the same texts).
    gettext_noop(
        "A note to the court is only written in a case the court referred back to mediation "
        "(barneloven § 61 første ledd nr. 2)."
    ),
    gettext_noop("A note to the court can only be written after a meeting was held."),
    gettext_noop(
        "This case already has a note to the court. To correct it, give the reason for the "
        "correction: a new version is sent to the court."
    ),
    gettext_noop("There is no note to correct yet."),
    gettext_noop(
        "Only the office, or the mediator who held a meeting in the case, writes its note to "
        "the court."
    ),
)


@staff_required
def court_note(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_get_for_user(user=request.user, reference=reference)
    return court_note_page(request, case, audience="desk")


def court_note_page(request: HttpRequest, case: Case, *, audience: str) -> HttpResponse:
    """The page for the desk ("desk") and the external mediator's inbox ("inbox")."""
    if request.method != "POST":
        return _page(request, case, None, audience=audience)
    form = CourtNoteForm(request.POST, prefix=PREFIX)
    status = 400
    if form.is_valid():
        try:
            note = court_note_write(
                case=case, actor=request.user, remote_addr=remote_addr(request), **form.cleaned_data
            )
        except ApplicationError as exc:
            status = exc.status_code
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                _("Version %(version)s of the note is being sent to %(court)s.")
                % {"version": note.version, "court": note.court.name},
            )
            return redirect(_url(case, audience))
    return _page(request, case, form, audience=audience, status=status)


NUMBERED = (
    (
        re.compile(r"More than the (?P<hours>\S+) hours held in the protocol\."),
        gettext_noop("More than the %(hours)s hours held in the protocol."),
    ),
    (
        re.compile(r"Between 0\.5 and (?P<hours>\S+) hours \(meklingsforskriften § 1\)\."),
        gettext_noop("Between 0.5 and %(hours)s hours (meklingsforskriften § 1)."),
    ),
)


def _field_message(text: str) -> str:
    for pattern, wording in NUMBERED:
        if found := pattern.fullmatch(text):
            return _(wording) % found.groupdict()
    return _(text)


def _add_errors(form: CourtNoteForm, exc: ApplicationError) -> None:
    """Each of the service's field messages on its field, in the page's language."""
    placed = False
    for name, texts in exc.fields.items():
        if name in form.fields:
            for text in texts:
                form.add_error(name, _field_message(text))
                placed = True
    if not placed or not exc.fields:
        form.add_error(None, service_message(exc))
