"""A parent's own certificate (meklingsattest): shown on their pages, downloaded as a PDF.

Only ever the certificate of the parent whose link it is; issued after the first hour and
valid 6 months (barneloven § 54), or refused with a reason that can be appealed to Bufetat.
"""

from typing import Any

from django.http import HttpResponse
from django.utils import timezone

from config.datetime_format import short_date_text
from intake.models import Parent
from intake.selectors import parent_certificate
from scheduling.certificate_pdf import certificate_pdf
from scheduling.certificates import certificate_valid_on
from scheduling.models import Certificate


def certificate_context(parent: Parent, pdf_url: str) -> dict[str, Any]:
    certificate = parent_certificate(parent=parent)
    if certificate is None:
        return {"certificate": None}
    return {
        "certificate": certificate,
        "certificate_issued": certificate.status == Certificate.Status.ISSUED,
        "certificate_valid": certificate_valid_on(certificate, timezone.localdate()),
        "certificate_issued_on": short_date_text(certificate.issued_on),
        "certificate_valid_until": short_date_text(certificate.valid_until),
        "certificate_pdf_url": pdf_url,
    }


def certificate_pdf_response(parent: Parent) -> HttpResponse | None:
    """The parent's own certificate as a PDF download, or None when there is none."""
    certificate = parent_certificate(parent=parent)
    if certificate is None:
        return None
    response = HttpResponse(
        certificate_pdf(certificate, language=parent.language), content_type="application/pdf"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="meklingsattest-{certificate.number}.pdf"'
    )
    return response
