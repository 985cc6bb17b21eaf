"""The mediator's note to the court as a one-page PDF, in the certificate's house style.

What it holds is exactly the note's fields (who attended, the hours, whether the parents
agreed, the date) and the names that let the court find its case: never the content of the
talks, nothing from the questionnaire (there is nothing of it to draw from here).
"""

from datetime import date, datetime
from io import BytesIO

from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen import canvas

from config.legal import rule_source
from scheduling.models import CourtNote

FONT, BOLD, SIZE = "Helvetica", "Helvetica-Bold", 11
LEFT, WIDTH = 60, 475

TEXTS = {
    "nb": {
        "title": "Notat til retten fra mekler",
        "basis": "Mekling etter at retten har vist foreldrene tilbake til mekling ({source}).",
        "to": "Til",
        "court_case": "Rettens saksnummer",
        "reference": "Familievernets saksreferanse",
        "office": "Familievernkontor",
        "mediator": "Mekler",
        "attended": "møtte",
        "absent": "møtte ikke",
        "parent_a": "Forelder (begjærte mekling)",
        "parent_b": "Forelder (den andre)",
        "hours": "Timer mekling gjennomført",
        "date": "Dato for siste meklingsmøte",
        "result": "Resultat",
        "yes": "Foreldrene kom fram til en avtale.",
        "partly": "Foreldrene kom fram til en avtale om deler av det de var uenige om.",
        "no": "Foreldrene kom ikke fram til en avtale.",
        "version": "Versjon",
        "correction": "Korrigert notat. Erstatter versjon {version} av {date}. Grunn: {reason}",
        "written": "Skrevet",
        "silence": "Notatet gjengir ikke hva som ble sagt i meklingen, og ingenting fra "
        "foreldrenes egne svar (taushetsplikt, familievernkontorloven § 5).",
    },
    "en": {
        "title": "The mediator's note to the court",
        "basis": "Mediation after the court referred the parents back to mediation ({source}).",
        "to": "To",
        "court_case": "Court case number",
        "reference": "Family counselling case reference",
        "office": "Family counselling office",
        "mediator": "Mediator",
        "attended": "attended",
        "absent": "did not attend",
        "parent_a": "Parent (requested mediation)",
        "parent_b": "Parent (the other)",
        "hours": "Hours of mediation held",
        "date": "Date of the last meeting",
        "result": "Outcome",
        "yes": "The parents reached an agreement.",
        "partly": "The parents reached an agreement on part of what they disagreed about.",
        "no": "The parents did not reach an agreement.",
        "version": "Version",
        "correction": "Corrected note. Replaces version {version} of {date}. Reason: {reason}",
        "written": "Written",
        "silence": "The note does not tell what was said in mediation, nor anything of the "
        "parents' own answers (confidentiality, familievernkontorloven § 5).",
    },
}


def _date(value: date | datetime | None) -> str:
    if isinstance(value, datetime):
        value = timezone.localdate(value)
    return value.strftime("%d.%m.%Y") if value is not None else "-"


def _hours(note: CourtNote) -> str:
    return f"{note.hours.normalize():f}".replace(".", ",")


def court_note_filename(note: CourtNote) -> str:
    return f"notat-til-retten-{note.case.reference}-v{note.version}.pdf"


def court_note_pdf(note: CourtNote, *, language: str = "nb") -> bytes:
    """Uncompressed and invariant, so the same note always gives the same bytes."""
    text = TEXTS.get(language, TEXTS["nb"])
    case = note.case
    parents = {parent.role: parent for parent in case.parents.all()}
    buffer = BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, invariant=1, pageCompression=0)
    page.setTitle(f"{text['title']} {case.reference} v{note.version}")
    _width, height = A4
    y = height - 80

    def line(value: str, *, font: str = FONT, gap: int = 18) -> None:
        nonlocal y
        page.setFont(font, SIZE)
        for part in simpleSplit(value, font, SIZE, WIDTH):
            y -= gap
            page.drawString(LEFT, y, part)
            gap = 14

    page.setFont(BOLD, 20)
    page.drawString(LEFT, y, text["title"])
    y -= 8
    line(text["basis"].format(source=rule_source("basis_court_referral")))
    court = note.court
    address = ", ".join(
        part for part in (court.street, f"{court.postal_code} {court.town}".strip()) if part
    )
    y -= 10
    line(f"{text['to']}: {court.name}" + (f", {address}" if address else ""))
    if note.court_case_number:
        line(f"{text['court_case']}: {note.court_case_number}")
    line(f"{text['reference']}: {case.reference}")
    office = case.office
    line(f"{text['office']}: {office.name}" + (f" ({office.email})" if office.email else ""))
    line(f"{text['mediator']}: {note.mediator_name}")
    y -= 10
    for role, key, came in (
        ("requester", "parent_a", note.attended_requester),
        ("other", "parent_b", note.attended_other),
    ):
        parent = parents.get(role)
        name = f"{parent.given_name} {parent.family_name}" if parent else "-"
        line(f"{text[key]}: {name}: {text['attended'] if came else text['absent']}")
    line(f"{text['hours']}: {_hours(note)}")
    line(f"{text['date']}: {_date(note.mediation_date)}")
    y -= 10
    line(f"{text['result']}: {text[note.agreement]}", font=BOLD)
    y -= 10
    line(f"{text['version']}: {note.version}")
    if note.supersedes is not None:
        line(
            text["correction"].format(
                version=note.supersedes.version,
                date=_date(note.supersedes.created_at),
                reason=note.correction_reason,
            )
        )
    line(f"{text['written']}: {_date(note.created_at)}")
    y -= 20
    line(text["silence"])
    page.showPage()
    page.save()
    return buffer.getvalue()
