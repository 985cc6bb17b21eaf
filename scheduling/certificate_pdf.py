"""The certificate as a one-page PDF: who attended, when, valid until. Nothing of the talks."""

from datetime import date
from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen import canvas

from config.datetime_format import short_date_text, text_language
from scheduling.models import Certificate

TEXTS = {
    "nb": {
        "title": "Meklingsattest",
        "number": "Attestnummer",
        "case": "Saksnummer",
        "parent": "Forelder",
        "first": "Første meklingsmøte",
        "issued": "Utstedt",
        "valid": "Gyldig til og med",
        "office": "Familievernkontor",
        "body": "Forelderen har møtt til obligatorisk mekling (barneloven § 51, ekteskapsloven "
        "§ 26). Attesten er gyldig i 6 måneder (barneloven § 54).",
        "refused": "Attest ikke utstedt. Begrunnelse",
        "appeal": "Avslaget kan påklages til Bufetat.",
    },
    "nn": {
        "title": "Meklingsattest",
        "number": "Attestnummer",
        "case": "Saksnummer",
        "parent": "Forelder",
        "first": "Første meklingsmøte",
        "issued": "Skriven ut",
        "valid": "Gyldig til og med",
        "office": "Familievernkontor",
        "body": "Forelderen har møtt til obligatorisk mekling (barnelova § 51, ekteskapslova "
        "§ 26). Attesten er gyldig i 6 månader (barnelova § 54).",
        "refused": "Attest ikkje skriven ut. Grunngiving",
        "appeal": "Du kan klage på avslaget til Bufetat.",
    },
    "en": {
        "title": "Mediation certificate (meklingsattest)",
        "number": "Certificate number",
        "case": "Case reference",
        "parent": "Parent",
        "first": "First mediation meeting",
        "issued": "Issued",
        "valid": "Valid until",
        "office": "Family counselling office",
        "body": "The parent has attended compulsory mediation (Children Act § 51, Marriage Act "
        "§ 26). The certificate is valid for 6 months (Children Act § 54).",
        "refused": "Certificate not issued. Reason",
        "appeal": "The refusal can be appealed to Bufetat.",
    },
}


BODY_WIDTH = 475  # points: A4 less the margins


def _date(value: date | None) -> str:
    return short_date_text(value) or "-"


def certificate_pdf(certificate: Certificate, *, language: str = "nb") -> bytes:
    """In the parent's language (nb, nn or en); uncompressed and invariant, so the same
    certificate always gives the same bytes."""
    text = TEXTS[text_language(language)]
    buffer = BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, invariant=1, pageCompression=0)
    page.setTitle(f"{text['title']} {certificate.number}")
    _width, height = A4
    y = height - 80
    page.setFont("Helvetica-Bold", 20)
    page.drawString(60, y, text["title"])
    page.setFont("Helvetica", 11)
    parent = certificate.parent
    rows = [
        (text["number"], certificate.number),
        (text["case"], certificate.case.reference),
        (text["parent"], f"{parent.given_name} {parent.family_name}"),
        (text["office"], certificate.case.office.name),
        (text["first"], _date(certificate.first_meeting_on)),
        (text["issued"], _date(certificate.issued_on)),
    ]
    if certificate.status == Certificate.Status.ISSUED:
        rows.append((text["valid"], _date(certificate.valid_until)))
    for label, value in rows:
        y -= 24
        page.drawString(60, y, f"{label}: {value}")
    y -= 40
    if certificate.status == Certificate.Status.ISSUED:
        for line in simpleSplit(text["body"], "Helvetica", 11, BODY_WIDTH):
            page.drawString(60, y, line)
            y -= 16
    else:
        page.drawString(60, y, f"{text['refused']}: {certificate.refusal_reason[:80]}")
        page.drawString(60, y - 16, text["appeal"])
    page.showPage()
    page.save()
    return buffer.getvalue()
