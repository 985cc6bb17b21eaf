"""Sending the mediator's note to the court: an email to the court's address on record with
the note as PDF, by a duty (scheduling/duties.py), once.

Once: the duty runs under its row lock and only while pending or claimed, so a second run of
the same duty (a repeated message, a sweep after a crash) finds it done and sends nothing; a
note already marked sent is skipped; and the email's Message-ID is the duty's idempotency key,
so a mail server that honours it drops the repeat of a run killed between send and commit.
"""

from django.utils import timezone

from intake.audit import audit_record
from scheduling.court_note_pdf import court_note_filename, court_note_pdf
from scheduling.court_notes import AUDIT_NOTE_SENT, SEND_DUTY
from scheduling.duties import DutySkipped, duty_handler, duty_target
from scheduling.models import CourtNote, Duty
from scheduling.notifications import notify

COURT_LANGUAGE = "nb"  # a Norwegian court reads bokmål


@duty_handler(SEND_DUTY)
def send_court_note(duty: Duty) -> str:
    note = (
        CourtNote.objects.select_for_update(of=("self",))
        .select_related("case__catchment_office", "case__chosen_office", "court", "supersedes")
        .filter(pk=duty_target(duty))
        .first()
    )
    if note is None:
        raise DutySkipped("no note")
    if note.sent_at is not None:
        raise DutySkipped("already sent")
    case = note.case
    notify(
        template="court_note",
        language=COURT_LANGUAGE,
        context={
            "reference": case.reference,
            "court_case_number": note.court_case_number,
            "court_name": note.court.name,
            "office_name": case.office.name,
            "office_email": case.office.email,
            "version": note.version,
            "corrected": note.supersedes_id is not None,
        },
        email=note.court.email,
        phone=None,
        attachments=[
            (
                court_note_filename(note),
                court_note_pdf(note, language=COURT_LANGUAGE),
                "application/pdf",
            )
        ],
    )
    note.sent_at = timezone.now()
    note.save(update_fields=["sent_at"])
    audit_record(
        action=AUDIT_NOTE_SENT,
        case_reference=case.reference,
        actor_label="system",
        detail={"court_note": note.pk, "version": note.version, "court": note.court_id},
    )
    return "court note sent"
