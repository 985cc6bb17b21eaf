"""Issue #9: the mediator's note to the court in a case referred back to mediation
(barneloven § 61 første ledd nr. 2; 000 §4.3). Must show 3: the PDF's text holds no
questionnaire content. And: it goes to the court's address once, with the PDF; only court
referrals, only after a meeting held; one note per case, a correction is a new version."""

import shutil
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from intake.models import AuditEvent, CaseType
from intake.retention import case_answers_purge, case_protocol_delete
from mediators.models import Mediator, Offer, User
from scheduling.court_note_pdf import court_note_pdf
from scheduling.court_notes import AUDIT_NOTE_SENT, AUDIT_NOTE_WRITTEN
from scheduling.courts import COURT_NAMES, demo_courts_create
from scheduling.duties import duties_dispatch_now, duty_execute
from scheduling.models import CourtNote, Duty
from tests.factories import LocationFactory, MediatorFactory, UserFactory
from tests.scheduling.court_setup import (
    COURT_EMAIL,
    SECRET_OTHER,
    SECRET_REQUESTER,
    ReferralWorld,
    flat,
    held_meeting,
    note_body,
    pdf_text,
    questionnaire_words,
    referral_world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(django_capture_on_commit_callbacks: Any, eager_celery: None) -> Any:
    """POST the note as the case's office staff, running the after-commit work (the send)."""

    def _post(referral: ReferralWorld, body: dict[str, Any], client: Any = None) -> Any:
        client = client or referral.world.client()
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                f"/api/v1/cases/{referral.case.reference}/court-note/", body, format="json"
            )

    return _post


def _court_mails() -> list[Any]:
    return [message for message in mail.outbox if message.to == [COURT_EMAIL]]


# ---- must show 3: nothing of the questionnaire in the PDF ---------------------------------------


def test_the_pdf_holds_the_facts_of_the_note_and_nothing_of_the_questionnaire(post: Any) -> None:
    referral = referral_world()
    assert post(referral, note_body()).status_code == 201
    response = referral.world.client().get(
        f"/api/v1/cases/{referral.case.reference}/court-note.pdf"
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    note = CourtNote.objects.get()
    texts = {
        "nb": flat(pdf_text(response.content)),
        "nb (own parser)": flat(pdf_text(response.content, use_tool=False)),
        "en": flat(pdf_text(court_note_pdf(note, language="en"))),
    }
    nb = texts["nb"]
    assert texts["nb (own parser)"] == nb or shutil.which("pdftotext") is None
    requester, other = sorted(referral.case.parents.all(), key=lambda p: p.role != "requester")
    # What the court needs: its case, who came, the hours, the outcome, the date, the basis.
    for expected in (
        "Notat til retten fra mekler",
        "barneloven § 61 første ledd nr. 2",
        "Oslo tingrett",
        "26-012345TVI-OTIR/05",
        referral.case.reference,
        f"{requester.given_name} {requester.family_name}: møtte",
        f"{other.given_name} {other.family_name}: møtte",
        "Timer mekling gjennomført: 2",
        "Foreldrene kom ikke fram til en avtale.",
        timezone.localdate(referral.meeting.starts_at).strftime("%d.%m.%Y"),
    ):
        assert expected in nb, expected
    # What it must never hold: the free-text answers, any classification reason, the level.
    forbidden = [*questionnaire_words(referral.case), "konflikt", "conflict", "Konflikt"]
    for language, text in texts.items():
        leaked = [word for word in forbidden if word in text]
        assert not leaked, f"{language} PDF shows questionnaire content: {leaked}"
    assert SECRET_REQUESTER.encode() not in response.content
    assert SECRET_OTHER.encode() not in response.content


# ---- sent to the court once --------------------------------------------------------------------


def test_the_court_gets_one_email_with_the_pdf_even_if_the_duty_runs_again(post: Any) -> None:
    referral = referral_world()
    assert post(referral, note_body()).status_code == 201
    note = CourtNote.objects.get()
    duty = Duty.objects.get(kind="court_note_send")
    assert duty.status == Duty.Status.DONE and duty.key == f"court_note:{note.pk}:send"
    [message] = _court_mails()
    filename, content, mimetype = message.attachments[0]
    assert mimetype == "application/pdf" and filename.endswith(f"{referral.case.reference}-v1.pdf")
    note.refresh_from_db()
    assert content == court_note_pdf(note) and note.sent_at is not None
    assert "Oslo tingrett" in message.subject and referral.case.reference in message.subject
    assert message.extra_headers["Message-ID"].endswith("@mekling.duty>")
    assert SECRET_REQUESTER not in message.body and SECRET_OTHER not in message.body

    # The same message again (a repeated delivery): the duty is done, nothing is sent.
    assert duty_execute(duty_id=duty.pk) is None
    # Staff's "send again" leaves a done duty alone.
    assert duties_dispatch_now(duty_ids=[duty.pk]) == 0
    # A duty reclaimed as if its message were lost: the note is marked sent, so it is skipped.
    Duty.objects.filter(pk=duty.pk).update(status=Duty.Status.CLAIMED)
    assert duty_execute(duty_id=duty.pk) == "already sent"
    assert len(_court_mails()) == 1


def test_writing_and_sending_are_audited_without_personal_data(post: Any) -> None:
    referral = referral_world()
    post(referral, note_body())
    events = AuditEvent.objects.filter(case_reference=referral.case.reference)
    written = events.get(action=AUDIT_NOTE_WRITTEN)
    sent = events.get(action=AUDIT_NOTE_SENT)
    assert written.actor == referral.world.staff and sent.actor_label == "system"
    note = CourtNote.objects.get()
    assert written.detail == {"court_note": note.pk, "version": 1, "court": referral.court.pk}
    assert SECRET_REQUESTER not in str(written.detail) + str(sent.detail)


# ---- the rules ----------------------------------------------------------------------------------


def test_only_a_case_referred_back_by_the_court_has_a_note(post: Any) -> None:
    referral = referral_world()
    referral.case.case_type = CaseType.COURT
    referral.case.save(update_fields=["case_type"])
    response = post(referral, note_body())
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "not_court_referral"
    assert "barneloven § 61 første ledd nr. 2" in error["message"]
    read = referral.world.client().get(f"/api/v1/cases/{referral.case.reference}/court-note/")
    assert read.status_code == 409 and read.json()["error"]["code"] == "not_court_referral"
    assert not CourtNote.objects.exists() and not _court_mails()


def test_no_note_before_a_meeting_was_held(post: Any) -> None:
    referral = referral_world(held=False)
    response = post(referral, note_body())
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_meeting_held"
    read = referral.world.client().get(f"/api/v1/cases/{referral.case.reference}/court-note/")
    assert read.status_code == 200
    assert read.json()["writable"] is False and read.json()["notes"] == []
    assert read.json()["court_on_record"]["email"] == COURT_EMAIL


def test_bad_fields_get_a_message_each_and_nothing_is_saved(post: Any) -> None:
    referral = referral_world()
    response = post(referral, {"hours": "x", "agreement": "maybe"})
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) >= {
        "mediation_date",
        "attended_requester",
        "attended_other",
        "hours",
        "agreement",
    }
    # The rules of the domain, checked against the protocol (one meeting of 2 hours held).
    referral.meeting.attended_other = False
    referral.meeting.save(update_fields=["attended_other"])
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = post(referral, note_body(mediation_date=tomorrow, hours="2.5", court=987654))
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"court": ["Unknown court."]}
    response = post(referral, note_body(mediation_date=tomorrow, hours="2.5"))
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert fields["mediation_date"] == ["The date cannot be in the future."]
    assert fields["attended_other"] == ["The protocol shows no meeting this parent attended."]
    assert fields["hours"] == ["More than the 2 hours held in the protocol."]
    response = post(referral, note_body(hours="1.3", attended_other=False))
    assert response.json()["error"]["fields"] == {
        "hours": ["Give the hours in half hours, e.g. 1.5."]
    }
    response = post(referral, note_body(hours="7.5", attended_other=False))
    assert response.json()["error"]["fields"]["hours"][0].startswith("Between 0.5 and 7 hours")
    response = post(referral, note_body(attended_requester=False, attended_other=False))
    assert "attended_requester" in response.json()["error"]["fields"]
    assert not CourtNote.objects.exists() and not Duty.objects.filter(kind="court_note_send")
    assert not _court_mails()


def test_the_court_is_the_one_the_case_names_or_one_chosen(post: Any) -> None:
    referral = referral_world(court_name="  oslo TINGRETT ")
    assert post(referral, note_body()).json()["notes"][0]["court"]["name"] == "Oslo tingrett"

    unknown = referral_world(court_name="Gamle Byrett")
    response = post(unknown, note_body())
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"court": ["Choose the court the note goes to."]}
    response = post(unknown, note_body(court=referral.court.pk))
    assert response.status_code == 201


def test_one_note_per_case_and_a_correction_is_a_new_version_sent_again(post: Any) -> None:
    referral = referral_world()
    assert post(referral, note_body()).status_code == 201
    again = post(referral, note_body(agreement="partly"))
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "court_note_exists"
    assert again.json()["error"]["fields"] == {"correction_reason": ["Required for a correction."]}
    corrected = post(
        referral, note_body(agreement="partly", correction_reason="Feil resultat i første notat.")
    )
    assert corrected.status_code == 201, corrected.json()
    notes = corrected.json()["notes"]
    assert [(n["version"], n["supersedes_version"], n["agreement"]) for n in notes] == [
        (1, None, "no"),
        (2, 1, "partly"),
    ]
    assert len(_court_mails()) == 2
    assert _court_mails()[1].subject.startswith("Korrigert notat")
    v2 = flat(pdf_text(court_note_pdf(CourtNote.objects.get(version=2))))
    assert "Korrigert notat. Erstatter versjon 1" in v2 and "Feil resultat i første notat." in v2
    # Version 1, as the court got it, is unchanged.
    first = CourtNote.objects.get(version=1)
    assert first.agreement == "no" and first.correction_reason == ""

    # The database refuses a second note of a version, and a correction without a reason.
    fields = {
        "case": referral.case,
        "court": referral.court,
        "mediation_date": first.mediation_date,
        "attended_requester": True,
        "attended_other": True,
        "hours": Decimal("1"),
        "agreement": "no",
        "mediator_name": "x",
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        CourtNote.objects.create(version=1, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        CourtNote.objects.create(version=3, supersedes=CourtNote.objects.get(version=2), **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        CourtNote.objects.create(  # version 1 is already superseded (one successor per note)
            version=3, supersedes=first, correction_reason="again", **fields
        )


def test_a_first_note_takes_no_correction_reason(post: Any) -> None:
    referral = referral_world()
    response = post(referral, note_body(correction_reason="Nothing to correct"))
    assert response.status_code == 400
    assert "correction_reason" in response.json()["error"]["fields"]


# ---- who may write it ---------------------------------------------------------------------------


def _token_client(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def _external(
    referral: ReferralWorld, username: str, status: str = Offer.Status.PENDING
) -> tuple[Mediator, User]:
    user = UserFactory.create(username=username, role=User.Role.EXTERNAL_MEDIATOR, office=None)
    mediator = MediatorFactory.create(
        kind=Mediator.Kind.EXTERNAL,
        office=referral.case.catchment_office,
        user=user,
        approved_from=date(2024, 1, 1),
        approved_until=timezone.localdate() + timedelta(days=365),
    )
    Offer.objects.create(
        case=referral.case,
        mediator=mediator,
        location=referral.world.location,
        hours=Decimal("1"),
        method=Offer.Method.MANUAL,
        deadline=timezone.now() + timedelta(days=1),
        status=status,
    )
    return mediator, user


def test_the_external_mediator_who_held_a_meeting_writes_it_one_only_offered_does_not(
    post: Any,
) -> None:
    referral = referral_world()
    holder, holder_user = _external(referral, "court-holder", Offer.Status.ACCEPTED)
    _, offered_user = _external(referral, "court-offered")
    referral.world.mediator = holder
    held_meeting(referral.world, days_ago=1, hours="1.00")
    # The offered mediator sees the case (its offer), but writes and reads no note.
    offered = post(referral, note_body(), client=_token_client(offered_user))
    assert offered.status_code == 409
    assert offered.json()["error"]["code"] == "not_the_mediator"
    read = _token_client(offered_user).get(f"/api/v1/cases/{referral.case.reference}/court-note/")
    assert read.status_code == 409
    done = post(referral, note_body(), client=_token_client(holder_user))
    assert done.status_code == 201, done.json()
    note = CourtNote.objects.get()
    assert note.written_by == holder_user and note.mediator_name == str(holder)
    pdf = _token_client(offered_user).get(f"/api/v1/cases/{referral.case.reference}/court-note.pdf")
    assert pdf.status_code == 409


def test_staff_of_another_office_get_what_a_missing_case_gets(post: Any) -> None:
    referral = referral_world()
    stranger = UserFactory.create(office=LocationFactory.create().office)
    client = _token_client(stranger)
    for method in ("get", "post"):
        response = getattr(client, method)(
            f"/api/v1/cases/{referral.case.reference}/court-note/", note_body(), format="json"
        )
        missing = getattr(client, method)(
            "/api/v1/cases/MK-2099-999999/court-note/", note_body(), format="json"
        )
        assert response.status_code == 404
        assert response.content == missing.content
    assert not CourtNote.objects.exists()


# ---- kept in the protocol, and deleted with it ---------------------------------------------------


def test_the_note_stays_when_answers_are_purged_and_goes_with_the_protocol(post: Any) -> None:
    referral = referral_world()
    post(referral, note_body())
    case = referral.case
    case_answers_purge(case=case, now=timezone.now())
    assert CourtNote.objects.filter(case=case).count() == 1
    assert case_protocol_delete(case=case)
    assert not CourtNote.objects.exists()
    assert not Duty.objects.filter(kind="court_note_send").exists()
    # The court registry stays: it is not personal data.
    assert referral.court.__class__.objects.filter(pk=referral.court.pk).exists()


def test_the_demo_set_has_every_district_court_with_an_invented_address() -> None:
    assert len(COURT_NAMES) == 23  # since the court reform of 26 April 2021
    demo_courts_create()
    demo_courts_create()  # idempotent
    from scheduling.models import Court

    assert Court.objects.count() == len(COURT_NAMES) + 1
    assert all(court.email.endswith(".example") for court in Court.objects.all())


def test_a_correction_starts_from_the_last_note(post: Any) -> None:
    from scheduling.court_notes import court_note_initial

    referral = referral_world()
    post(referral, note_body(agreement="partly", hours="1.5"))
    initial = court_note_initial(case=referral.case)
    assert (initial["agreement"], initial["hours"]) == ("partly", Decimal("1.5"))
    assert initial["court_case_number"] == "26-012345TVI-OTIR/05"
