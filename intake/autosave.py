"""The autosave's two statements, written out: the busiest path of the service.

Every screen of the questionnaire saves (19 saves a parent on v1), so each save's CPU is the
service's throughput. Measured in-process against PostgreSQL (bench/load_questionnaires.py,
2026-12-02), the ORM spent 0.93 ms of CPU compiling and loading the link with its parent, case
and response (4 tables, 66 columns) where the statement below takes 0.10 ms, and 0.29 ms on
the conditional UPDATE where the one below takes under 0.1 ms. Both read and write only what a
save needs; everything else (the parent's view, the submit, the first save) stays on the ORM.

tests/intake/test_autosave.py holds them to the ORM's answers on the same rows (the link rules
of `links.link_resolve`, the response as loaded by the ORM, the write as read back by it), so
a change to the models cannot drift from them unnoticed.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from intake.links import LinkInvalid, link_payload
from intake.models import Parent, QuestionnaireResponse

# The link's rules as links.link_resolve: not revoked, not expired; the salt is compared in
# Python, in constant time.
_LINK_WITH_DRAFT = """
    SELECT link.salt, link.parent_id,
           response.id, response.questionnaire_version, response.answers,
           response.updated_at, response.submitted_at
      FROM intake_intakelink AS link
      LEFT JOIN intake_questionnaireresponse AS response
             ON response.parent_id = link.parent_id
     WHERE link.id = %s AND link.revoked_at IS NULL AND link.expires_at > %s
"""

# Applies only while the row is as it was read and not submitted (intake.answers).
_DRAFT_UPDATE = """
    UPDATE intake_questionnaireresponse
       SET answers = %s, updated_at = %s
     WHERE id = %s AND updated_at = %s AND submitted_at IS NULL
"""


@dataclass(frozen=True)
class DraftLink:
    """What a save needs of a link: whose answers (the parent, by id: nothing else of it is
    read) and the answers as they are (None before the first save)."""

    parent: Parent
    response: QuestionnaireResponse | None


def _answers_field() -> Any:
    return QuestionnaireResponse._meta.get_field("answers")


def draft_link_resolve(token: str) -> DraftLink:
    """The live link a token stands for with the parent's draft, in one statement; or
    LinkInvalid, for every way the token can be wrong, as `links.link_resolve`."""
    link_id, salt = link_payload(token)
    with connection.cursor() as cursor:
        cursor.execute(_LINK_WITH_DRAFT, [link_id, timezone.now()])
        row = cursor.fetchone()
    if row is None or not constant_time_compare(row[0], salt):
        raise LinkInvalid
    parent = Parent(pk=row[1])
    if row[2] is None:
        return DraftLink(parent=parent, response=None)
    values = {
        "id": row[2],
        "parent_id": row[1],
        "questionnaire_version": row[3],
        "answers": _answers_field().from_db_value(row[4], None, connection),
        "updated_at": row[5],
        "submitted_at": row[6],
    }
    # In the model's field order, as the ORM loads a row (a field added to the model and
    # missing here fails loudly: KeyError).
    response = QuestionnaireResponse.from_db(
        connection.alias,
        list(values),
        [values[field.attname] for field in QuestionnaireResponse._meta.concrete_fields],
    )
    return DraftLink(parent=parent, response=response)


def draft_write(*, response: QuestionnaireResponse, answers: dict[str, Any], now: datetime) -> bool:
    """Write the answers if the row is still as `response` was read and not submitted."""
    stored = _answers_field().get_db_prep_value(answers, connection)
    with connection.cursor() as cursor:
        cursor.execute(_DRAFT_UPDATE, [stored, now, response.pk, response.updated_at])
        return bool(cursor.rowcount)
