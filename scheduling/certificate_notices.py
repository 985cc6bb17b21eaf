"""Telling a parent their certificate is issued (PDF attached), and that it will soon expire."""

from config.datetime_format import short_date_text
from scheduling.certificate_pdf import certificate_pdf
from scheduling.duties import DutySkipped, duty_handler, duty_target
from scheduling.models import Certificate, Duty
from scheduling.notifications import notify


def _certificate(duty: Duty) -> Certificate:
    certificate = (
        Certificate.objects.select_related(
            "parent", "case__catchment_office", "case__chosen_office"
        )
        .filter(pk=duty_target(duty))
        .first()
    )
    if certificate is None or certificate.status != Certificate.Status.ISSUED:
        raise DutySkipped("no issued certificate")
    return certificate


def _tell(template: str, certificate: Certificate, *, attach: bool) -> None:
    parent = certificate.parent
    attachments = (
        [
            (
                f"meklingsattest-{certificate.number}.pdf",
                certificate_pdf(certificate, language=parent.language),
                "application/pdf",
            )
        ]
        if attach
        else []
    )
    notify(
        template=template,
        language=parent.language,
        context={
            "reference": certificate.case.reference,
            "office_name": certificate.case.office.name,
            "number": certificate.number,
            "valid_until": short_date_text(certificate.valid_until),
        },
        email=parent.email,
        phone=parent.phone or None,
        attachments=attachments,
    )


@duty_handler("certificate_issued")
def send_certificate(duty: Duty) -> str:
    _tell("certificate_issued", _certificate(duty), attach=True)
    return "certificate sent"


@duty_handler("certificate_expiry")
def send_certificate_expiry(duty: Duty) -> str:
    _tell("certificate_expiry", _certificate(duty), attach=False)
    return "expiry notice sent"
