"""Helpers for intake API tests: a valid request body, and running after-commit work inline."""

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from intake.questionnaire import load_questionnaire

TOKEN_IN_LINK = re.compile(r"https://mekling\.test/intake/([^/\s]+)/")


def least_conflict_answers() -> dict[str, str]:
    questionnaire = load_questionnaire("v1")
    return {item.id: item.choices[0].value for item in questionnaire.items if item.choices}


def request_body(**overrides: Any) -> dict[str, Any]:
    today = timezone.localdate()
    body: dict[str, Any] = {
        "case_type": "separation",
        "municipality": "4601",
        "parents": [
            {
                "role": "requester",
                "given_name": "Testa",
                "family_name": "Syntetisk",
                "email": "requester@test.example",
                "phone": "+47 412 34 567",
                "language": "nb",
            },
            {
                "role": "other",
                "given_name": "Testo",
                "family_name": "Oppdiktet",
                "email": "other@test.example",
                "language": "en",
            },
        ],
        "children": [{"birth_date": (today - timedelta(days=6 * 365)).isoformat()}],
    }
    body.update(overrides)
    return body


def tokens_by_recipient() -> dict[str, str]:
    found = {}
    for message in mail.outbox:
        match = TOKEN_IN_LINK.search(str(message.body))
        if match:
            found[message.to[0]] = match.group(1)
    return found


@pytest.fixture
def today() -> date:
    return timezone.localdate()
