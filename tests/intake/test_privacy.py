"""Privacy data handling (issue #7): answers encrypted at rest with rotatable keys, never in
logs or task arguments; the audit log is append-only in the database; parents export their
own data and nothing of the other parent's."""

import importlib
import inspect
import io
import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client, override_settings

from config.crypto import UndecryptableValue
from intake import tasks as intake_tasks
from intake.models import AuditEvent, Case, Parent, QuestionnaireResponse
from intake.services import case_close
from scheduling import tasks as scheduling_tasks
from scheduling.models import Duty
from tests.factories import ParentFactory
from tests.intake.conftest import least_conflict_answers, request_body, tokens_by_recipient

pytestmark = pytest.mark.django_db

SECRET_ANSWER = "Sjiraffen-Gunnhild-hemmelig-7731"  # synthetic free text, easy to search for
OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def _raw(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{table}"')  # noqa: S608 (test constants)
        return [row[0] for row in cursor.fetchall()]


def _submitted_case(call: Callable[..., Any]) -> tuple[Case, dict[str, str]]:
    created = call("post", "/api/v1/cases/", request_body())
    assert created.status_code == 201, created.json()
    tokens = tokens_by_recipient()
    answers = {**least_conflict_answers(), "safety_fear": "often", "anything_else": SECRET_ANSWER}
    for email in ("requester@test.example", "other@test.example"):
        token = tokens[email]
        assert call("put", f"/api/v1/intake/{token}/", {"answers": answers}).status_code == 200
        assert call("post", f"/api/v1/intake/{token}/submit").status_code == 200
    return Case.objects.get(reference=created.json()["reference"]), tokens


def test_answers_are_ciphertext_in_the_column_never_in_logs_duties_or_task_arguments(
    call: Callable[..., Any], national_offices: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    case, _ = _submitted_case(call)

    # The service reads them back transparently...
    response = QuestionnaireResponse.objects.get(parent__case=case, parent__role="requester")
    assert response.answers["anything_else"] == SECRET_ANSWER
    assert case.classification.safety_flags == ["fear"]
    # ...while the columns hold Fernet tokens only: no answer, no choice value, no flag.
    for table, column in (
        ("intake_questionnaireresponse", "answers"),
        ("intake_classification", "reasons"),
        ("intake_classification", "safety_flags"),
    ):
        for value in _raw(table, column):
            assert value.startswith("gAAAAA")
            assert SECRET_ANSWER not in value and "often" not in value and "fear" not in value

    # Not in any log record of the whole flow.
    logged = "\n".join(record.getMessage() + str(record.args) for record in caplog.records)
    assert SECRET_ANSWER not in logged and "safety_fear" not in logged

    # Duties hold ids only: no duty row of the case carries an answer.
    duties = list(Duty.objects.filter(case=case).values())
    assert duties and SECRET_ANSWER not in json.dumps(duties, default=str)
    assert {d["kind"] for d in duties} >= {"classify", "intake_link"}
    # Every task takes ids (or nothing), never a payload.
    for task in (scheduling_tasks.run_duty, scheduling_tasks.heartbeat, intake_tasks.run_retention):
        params = inspect.signature(task.run).parameters
        assert all(p.annotation is int for p in params.values()), task.name


def test_rotation_rewrites_with_the_new_key_so_the_old_one_can_go() -> None:
    parent = ParentFactory.create()
    with override_settings(ANSWERS_ENCRYPTION_KEYS=[OLD_KEY]):
        QuestionnaireResponse.objects.create(
            parent=parent, questionnaire_version="v1", answers={"anything_else": SECRET_ANSWER}
        )
        [before] = _raw("intake_questionnaireresponse", "answers")
    with override_settings(ANSWERS_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        call_command("rotate_answer_keys", stdout=io.StringIO())
        [after] = _raw("intake_questionnaireresponse", "answers")
    assert after != before
    with override_settings(ANSWERS_ENCRYPTION_KEYS=[NEW_KEY]):
        response = QuestionnaireResponse.objects.get(parent=parent)
        assert response.answers == {"anything_else": SECRET_ANSWER}


def test_a_wrong_key_fails_loudly_and_reveals_nothing() -> None:
    parent = ParentFactory.create()
    with override_settings(ANSWERS_ENCRYPTION_KEYS=[OLD_KEY]):
        QuestionnaireResponse.objects.create(
            parent=parent, questionnaire_version="v1", answers={"anything_else": SECRET_ANSWER}
        )
    with (
        override_settings(ANSWERS_ENCRYPTION_KEYS=[NEW_KEY]),
        pytest.raises(UndecryptableValue) as caught,
    ):
        QuestionnaireResponse.objects.get(parent=parent)
    assert caught.value.__cause__ is None and "gAAAAA" not in str(caught.value)


def test_the_database_refuses_update_and_delete_of_audit_rows() -> None:
    event = AuditEvent.objects.create(
        action=AuditEvent.Action.CASE_READ, case_reference="MK-2026-000001", actor_label="x"
    )
    for statement in (
        lambda: AuditEvent.objects.filter(pk=event.pk).update(actor_label="someone else"),
        lambda: AuditEvent.objects.filter(pk=event.pk).delete(),
        lambda: AuditEvent.objects.filter(pk=event.pk).update(remote_addr="10.0.0.1"),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            statement()
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    assert AuditEvent.objects.filter(pk=event.pk, actor_label="x").exists()


def test_only_the_retention_path_may_blank_a_remote_address() -> None:
    event = AuditEvent.objects.create(
        action=AuditEvent.Action.CASE_READ,
        case_reference="MK-2026-000001",
        actor_label="x",
        remote_addr="192.0.2.7",
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(remote_addr=None)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL mekling.audit_redact = 'on'")
        AuditEvent.objects.filter(pk=event.pk).update(remote_addr=None)
        with pytest.raises(DatabaseError), transaction.atomic():  # still nothing else
            AuditEvent.objects.filter(pk=event.pk).update(action="case_closed")
    assert AuditEvent.objects.get(pk=event.pk).remote_addr is None


def test_a_parent_exports_their_own_data_and_nothing_of_the_other_parent(
    call: Callable[..., Any], national_offices: None
) -> None:
    case, tokens = _submitted_case(call)
    requester = case.parents.get(role=Parent.Role.REQUESTER)
    other = case.parents.get(role=Parent.Role.OTHER)
    # The other parent's answers differ, so a leak would show.
    QuestionnaireResponse.objects.filter(parent=other).update(answers={"anything_else": "x"})
    client = Client(REMOTE_ADDR="192.0.2.44")
    home = client.get(f"/intake/{tokens['requester@test.example']}/")
    assert "export.json" in home.content.decode()
    response = client.get(f"/intake/{tokens['requester@test.example']}/export.json")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    data = response.json()
    assert data["parent"]["email"] == requester.email == "requester@test.example"
    assert data["answers"]["answers"]["anything_else"] == SECRET_ANSWER
    assert data["case"]["reference"] == case.reference
    text = response.content.decode()
    assert other.email not in text and other.given_name not in text
    assert other.family_name not in text and "Oppdiktet" not in text
    event = AuditEvent.objects.get(action=AuditEvent.Action.DATA_EXPORTED)
    assert (event.actor_label, event.remote_addr) == ("parent:requester", "192.0.2.44")
    assert client.get("/intake/not-a-token/export.json").status_code in (403, 404, 410)


def test_closing_a_case_sets_closed_at_once_and_is_audited() -> None:
    parent = ParentFactory.create()
    closed = case_close(case=parent.case, remote_addr="192.0.2.1")
    assert closed.closed_at is not None and closed.status == "closed"
    again = case_close(case=parent.case)
    assert again.closed_at == closed.closed_at
    [event] = AuditEvent.objects.filter(action=AuditEvent.Action.CASE_CLOSED)
    assert (event.case_reference, event.remote_addr) == (parent.case.reference, "192.0.2.1")


def test_the_data_migration_encrypts_rows_written_in_plain_json() -> None:
    parent = ParentFactory.create()
    QuestionnaireResponse.objects.create(parent=parent, questionnaire_version="v1", answers={})
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE intake_questionnaireresponse SET answers = %s",
            [json.dumps({"anything_else": SECRET_ANSWER})],
        )
    migration = importlib.import_module("intake.migrations.0008_answers_encrypted")
    with connection.schema_editor() as editor:
        migration.encrypt_existing(None, editor)
        migration.encrypt_existing(None, editor)  # a second run leaves tokens alone
    [raw] = _raw("intake_questionnaireresponse", "answers")
    assert raw.startswith("gAAAAA") and SECRET_ANSWER not in raw
    assert QuestionnaireResponse.objects.get(parent=parent).answers == {
        "anything_else": SECRET_ANSWER
    }
