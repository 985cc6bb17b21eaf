"""The parents' pages through Django's test client: validation messages per field and per
language, nothing half-saved, the throttle, and private links that show only their own parent."""

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone

from config import datetime_format
from intake.links import link_issue
from intake.models import Case, Child, IntakeLink, Parent, QuestionnaireResponse
from scheduling.certificates import appointment_record_attendance
from scheduling.models import Appointment, Certificate
from scheduling.notifications import LocmemSmsBackend
from tests.pages.parents_helpers import (
    APPOINTMENT_LINK,
    assign_and_open,
    book_first_free,
    intake_tokens,
    least_conflict_answers,
    request_form_data,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_outboxes() -> Iterator[None]:
    mail.outbox.clear()
    LocmemSmsBackend.outbox.clear()
    yield


def _client(language: str = "nb") -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _without_form_state(html: str) -> str:
    return re.sub(r'name="(csrfmiddlewaretoken|next)" value="[^"]*"', "", html)


def _errors(response: Any) -> dict[str, list[str]]:
    form = response.context["form"]
    return {name: [str(e) for e in errors] for name, errors in form.errors.items()}


@pytest.fixture
def requested(
    national_offices: None, django_capture_on_commit_callbacks: Any, eager_celery: None
) -> Callable[..., Case]:
    """Request mediation through the page; the links are sent as after commit."""

    def _request(**overrides: Any) -> Case:
        with django_capture_on_commit_callbacks(execute=True):
            response = _client().post("/request/", request_form_data(**overrides))
        assert response.status_code == 302, _errors(response)
        return Case.objects.latest("requested_at")

    return _request


# --- the request form ----------------------------------------------------------------------


def test_an_empty_request_says_what_is_missing_per_field_in_bokmal(
    national_offices: None,
) -> None:
    response = _client("nb").post("/request/", {"children_count": "3"})
    assert response.status_code == 400
    errors = _errors(response)
    assert errors["case_type"] == ["Velg hva meklingen gjelder."]
    assert errors["municipality"] == ["Velg kommunen der barnet bor."]
    assert errors["parents_0_given_name"] == ["Skriv fornavnet ditt."]
    assert errors["parents_1_email"] == ["Skriv e-postadressen til den andre forelderen."]
    assert errors["children_0_birth_date"] == ["Oppgi fødselsdatoen til minst ett felles barn."]
    assert "parents_0_phone" not in errors and "parents_0_language" not in errors
    html = response.content.decode()
    assert 'id="error-summary"' in html and 'href="#id_case_type_0"' in html
    assert 'aria-invalid="true"' in html
    assert Case.objects.count() == 0 and Parent.objects.count() == 0


def test_the_same_messages_in_nynorsk_and_english(national_offices: None) -> None:
    nn = _errors(_client("nn").post("/request/", {"children_count": "3"}))
    assert nn["case_type"] == ["Vel kva meklinga gjeld."]
    assert nn["parents_0_given_name"] == ["Skriv førenamnet ditt."]
    assert nn["children_0_birth_date"] == ["Oppgi fødselsdatoen til minst eitt felles barn."]
    en = _errors(_client("en").post("/request/", {"children_count": "3"}))
    assert en["case_type"] == ["Choose what the mediation is about."]


def test_the_apis_rules_land_on_their_own_fields_and_nothing_is_saved(
    national_offices: None,
) -> None:
    data = request_form_data(
        parents_0_phone="123",
        parents_1_national_id="12345678901",
        parents_1_email="not-an-address",
        children_0_birth_date="",
        children_1_birth_date=(timezone.localdate() + timedelta(days=3)).isoformat(),
        municipality="0301",
    )
    response = _client("nb").post("/request/", data)
    assert response.status_code == 400
    errors = _errors(response)
    assert errors["parents_0_phone"] == ["Ikke et gyldig telefonnummer."]
    assert errors["parents_1_email"] == ["Skriv e-postadressen slik: navn@eksempel.no."]
    assert errors["parents_1_national_id"][0].startswith("Ikke et gyldig fødselsnummer")
    # The second date input, not the first: the rows the API saw are mapped back.
    assert errors["children_1_birth_date"] == ["En fødselsdato kan ikke være fram i tid."]
    assert "children_0_birth_date" not in errors
    assert Case.objects.count() == 0 and Parent.objects.count() == 0 and Child.objects.count() == 0


def test_oslo_needs_its_district_and_only_oslo_has_districts(national_offices: None) -> None:
    oslo = _errors(_client("nn").post("/request/", request_form_data(municipality="0301")))
    assert oslo == {"district": ["Vel bydel i Oslo."]}
    elsewhere = _errors(_client().post("/request/", request_form_data(district="Frogner")))
    assert elsewhere == {"district": ["Bydel brukes bare i Oslo."]}


def test_relocation_and_court_cases_ask_for_their_dates(national_offices: None) -> None:
    # barneloven § 42a: the moving date and the notice date are needed.
    moving = _errors(_client().post("/request/", request_form_data(case_type="relocation")))
    assert moving == {
        "relocation_planned_move_date": ["Oppgi planlagt flyttedato."],
        "relocation_notice_given_on": [
            "Oppgi datoen den andre forelderen fikk beskjed om flyttingen."
        ],
    }
    court = _errors(_client().post("/request/", request_form_data(case_type="enforcement")))
    assert set(court) == {"court_court_name", "court_deadline"}
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    late = request_form_data(
        case_type="court_referral", court_court_name="Salten tingrett", court_deadline=past
    )
    assert _errors(_client().post("/request/", late)) == {
        "court_deadline": ["Rettens frist har allerede gått ut."]
    }
    assert Case.objects.count() == 0


def test_adding_a_child_input_keeps_what_was_typed_and_shows_no_errors(
    national_offices: None,
) -> None:
    data = request_form_data(parents_0_given_name="", add_child="1")
    response = _client().post("/request/", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.children == 4 and not form.errors
    html = response.content.decode()
    assert 'name="children_3_birth_date"' in html and "autofocus" in html
    assert 'value="testo@test.example"' in html
    assert Case.objects.count() == 0


def test_a_valid_request_sends_each_parent_a_link_and_shows_a_receipt_without_one(
    requested: Callable[..., Case],
) -> None:
    case = requested(parents_1_language="nn", parents_1_lives_abroad="on")
    other = case.parents.get(role="other")
    assert (other.language, other.lives_abroad) == ("nn", True)
    tokens = intake_tokens()
    assert set(tokens) == {"testa@test.example", "testo@test.example"}
    # The link notice speaks nynorsk to a parent who chose it.
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert "Før meklinga hos" in str(by_recipient["testo@test.example"].body)
    assert "Før meklingen hos" in str(by_recipient["testa@test.example"].body)
    assert [sms.to for sms in LocmemSmsBackend.outbox] == ["+4741234567"]


def test_the_receipt_shows_reference_and_duty_in_plain_words_and_never_a_link(
    national_offices: None, django_capture_on_commit_callbacks: Any, eager_celery: None
) -> None:
    client = _client("nn")
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/request/", request_form_data(), follow=True)
    case = Case.objects.get()
    html = sent.content.decode()
    assert sent.redirect_chain[-1][0] == "/request/sent/"
    assert case.reference in html
    assert "Ja, mekling er påkravd for dykk." in html
    assert "felles barn under 16" in html
    assert "/intake/" not in html
    assert all(token not in html for token in intake_tokens().values())
    # Another browser has no receipt to see.
    assert Client().get("/request/sent/").status_code == 302


def test_only_requests_that_would_be_saved_count_against_the_throttle(
    national_offices: None, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.cache import cache

    cache.clear()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"case_request": "1/hour", "intake": "1000/min"},
    }
    client = _client()
    for _ in range(3):  # mistakes cost nothing
        assert client.post("/request/", {"children_count": "3"}).status_code == 400
    with django_capture_on_commit_callbacks(execute=False):
        assert client.post("/request/", request_form_data()).status_code == 302
        again = client.post("/request/", request_form_data())
    assert again.status_code == 429 and "Vent litt" in again.content.decode()
    assert Case.objects.count() == 1
    cache.clear()


# --- the questionnaire behind each parent's link -------------------------------------------


def test_every_kind_of_bad_link_gets_the_same_not_valid_page(
    requested: Callable[..., Case],
) -> None:
    case = requested()
    parent = case.parents.get(role="requester")
    token = intake_tokens()["testa@test.example"]
    expired = IntakeLink.objects.get(parent=parent)
    link_issue(parent=parent)  # a new link: the emailed one is revoked
    revoked = _client().get(f"/intake/{token}/")
    unknown = _client().get("/intake/not-a-token/")
    tampered = _client().get(f"/intake/{token[:-2]}xx/")
    IntakeLink.objects.filter(pk=expired.pk).update(revoked_at=None)
    IntakeLink.objects.filter(parent=parent).exclude(pk=expired.pk).delete()
    IntakeLink.objects.filter(pk=expired.pk).update(
        created_at=timezone.now() - timedelta(days=31),
        expires_at=timezone.now() - timedelta(days=1),
    )
    old = _client().get(f"/intake/{token}/")
    bad_appointment = _client().get("/appointments/not-a-token/")
    pages = [revoked, unknown, tampered, old, bad_appointment]
    assert {page.status_code for page in pages} == {404}
    # Identical but for the language switch's CSRF token and its way back to this URL.
    assert len({_without_form_state(page.content.decode()) for page in pages}) == 1
    assert "Denne lenken virker ikke" in revoked.content.decode()
    assert "no-store" in revoked["Cache-Control"]


def test_a_question_needs_an_answer_and_a_wrong_value_saves_nothing(
    requested: Callable[..., Case],
) -> None:
    case = requested()
    token = intake_tokens()["testa@test.example"]
    client = _client()
    empty = client.post(f"/intake/{token}/questions/1/", {})
    assert empty.status_code == 400
    assert _errors(empty) == {"answer": ["Velg et svar for å gå videre."]}
    wrong = client.post(f"/intake/{token}/questions/1/", {"answer": "everything"})
    assert wrong.status_code == 400
    assert not QuestionnaireResponse.objects.filter(parent__case=case).exists()
    ok = client.post(f"/intake/{token}/questions/1/", {"answer": "agree"})
    assert ok.status_code == 302 and ok["Location"].endswith("/questions/2/")
    assert QuestionnaireResponse.objects.get().answers == {"agreement_overall": "agree"}


def test_coming_back_lands_on_the_first_unanswered_question_then_the_summary(
    requested: Callable[..., Case],
) -> None:
    requested()
    token = intake_tokens()["testa@test.example"]
    client = _client()
    assert client.get(f"/intake/{token}/").status_code == 200  # the intro
    answers = least_conflict_answers()
    ids = list(answers)
    for number, item_id in enumerate(ids[:7], start=1):
        client.post(f"/intake/{token}/questions/{number}/", {"answer": answers[item_id]})
    client.post(f"/intake/{token}/questions/8/", {"answer": ""})  # optional: skipped
    client.post(f"/intake/{token}/questions/9/", {"answer": answers[ids[8]]})
    back = _client().get(f"/intake/{token}/")
    assert back.status_code == 302 and back["Location"].endswith("/questions/10/")
    for number, item_id in enumerate(ids[9:], start=10):
        client.post(f"/intake/{token}/questions/{number}/", {"answer": answers[item_id]})
    done = client.post(f"/intake/{token}/questions/19/", {"answer": "Ingenting mer."})
    assert done["Location"].endswith("/summary/")
    assert _client().get(f"/intake/{token}/")["Location"].endswith("/summary/")


def test_submitting_with_missing_answers_lists_them_and_saves_nothing(
    requested: Callable[..., Case],
) -> None:
    requested()
    token = intake_tokens()["testa@test.example"]
    client = _client()
    client.post(f"/intake/{token}/questions/1/", {"answer": "agree"})
    response = client.post(f"/intake/{token}/submit/")
    assert response.status_code == 400
    assert len(response.context["missing"]) == 16  # 19 questions, 2 optional, 1 answered
    assert QuestionnaireResponse.objects.get().submitted_at is None


def test_after_submitting_the_answers_cannot_change_and_the_link_is_home(
    requested: Callable[..., Case],
) -> None:
    requested()
    token = intake_tokens()["testa@test.example"]
    client = _client()
    answers = least_conflict_answers()
    for number, item_id in enumerate(answers, start=1):
        client.post(f"/intake/{token}/questions/{number}/", {"answer": answers[item_id]})
    sent = client.post(f"/intake/{token}/submit/", follow=True)
    assert "Svarene dine er sendt" in sent.content.decode()
    change = client.post(f"/intake/{token}/questions/1/", {"answer": "most"})
    assert change.status_code == 302 and change["Location"] == f"/intake/{token}/"
    assert QuestionnaireResponse.objects.get().answers["agreement_overall"] == "agree"
    assert client.get(f"/intake/{token}/summary/").status_code == 302


def test_each_link_shows_only_its_own_parents_answers(requested: Callable[..., Case]) -> None:
    requested()
    tokens = intake_tokens()
    mine, theirs = tokens["testa@test.example"], tokens["testo@test.example"]
    client = _client()
    client.post(f"/intake/{mine}/questions/1/", {"answer": "most"})
    client.post(f"/intake/{mine}/questions/19/", {"answer": "Hemmelig for den andre."})
    other = _client()
    page = other.get(f"/intake/{theirs}/questions/1/").content.decode()
    assert "checked" not in page
    summary = other.get(f"/intake/{theirs}/summary/").content.decode()
    assert "Hemmelig" not in summary and "Vi er uenige om nesten alt" not in summary
    # The other parent's page says nothing about whether the requester has answered.
    assert other.get(f"/intake/{theirs}/").status_code == 200  # still their own intro


def test_a_link_opens_in_the_parents_own_language_until_they_choose(
    requested: Callable[..., Case],
) -> None:
    requested(parents_1_language="nn")
    token = intake_tokens()["testo@test.example"]
    page = Client().get(f"/intake/{token}/questions/1/").content.decode()
    assert 'lang="nn"' in page and "Kor einige er du" in page
    english = _client("en").get(f"/intake/{token}/questions/1/").content.decode()
    assert "How much do you and the other parent agree" in english


# --- appointments and the certificate -----------------------------------------------------


def test_a_separate_meeting_link_shows_only_that_parents_own_time(
    requested: Callable[..., Case], django_capture_on_commit_callbacks: Any
) -> None:
    from intake.models import Classification

    case = requested(parents_1_language="nn")
    assign_and_open(case)
    Classification.objects.create(
        case=case,
        level="high",
        provisional=False,
        safety_flags=["fear"],
        separate_meetings_recommended=True,
        rules_version="test",
        questionnaire_version="test",
        computed_at=timezone.now(),
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        mine, theirs = book_first_free(case, kind="separate")
    links = {m.to[0]: APPOINTMENT_LINK.search(str(m.body)) for m in mail.outbox}
    # The parent who chose nynorsk reads the notice in nynorsk.
    bodies = {m.to[0]: str(m.body) for m in mail.outbox}
    assert "Kvar:" in bodies["testo@test.example"] and "Hvor:" not in bodies["testo@test.example"]
    my_token = links["testa@test.example"].group(1)  # type: ignore[union-attr]
    page = _client().get(f"/appointments/{my_token}/").content.decode()
    local = timezone.localtime
    assert f"kl. {local(mine.starts_at):%H.%M}" in page
    assert f"{local(theirs.starts_at):%H.%M}" not in page
    # The nynorsk parent's own page writes the day in nynorsk, in the same format. No language
    # cookie: the page takes the parent's own language (a bokmål cookie would show "lørdag"
    # where nynorsk says "laurdag"; on a Wednesday to Friday the two read the same).
    their_token = links["testo@test.example"].group(1)  # type: ignore[union-attr]
    theirs_page = Client().get(f"/appointments/{their_token}/").content.decode()
    assert 'lang="nn"' in theirs_page
    nynorsk_day = datetime_format.date_text(theirs.starts_at, "nn")
    assert f"{nynorsk_day} kl. {local(theirs.starts_at):%H.%M}" in theirs_page


def test_the_certificate_pdf_is_only_ever_the_parents_own(
    requested: Callable[..., Case], django_capture_on_commit_callbacks: Any
) -> None:
    case = requested()
    assign_and_open(case)
    [appointment] = book_first_free(case)
    Appointment.objects.filter(pk=appointment.pk).update(
        starts_at=timezone.now() - timedelta(hours=2), ends_at=timezone.now() - timedelta(hours=1)
    )
    appointment.refresh_from_db()
    appointment_record_attendance(appointment=appointment, requester=True, other=False)
    certificate = Certificate.objects.get()
    assert certificate.parent.role == "requester"
    tokens = intake_tokens()
    mine = _client().get(f"/intake/{tokens['testa@test.example']}/certificate.pdf")
    assert mine.status_code == 200 and mine["Content-Type"] == "application/pdf"
    assert certificate.number.encode() in mine.content
    theirs = _client().get(f"/intake/{tokens['testo@test.example']}/certificate.pdf")
    assert theirs.status_code == 404
