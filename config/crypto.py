"""Field-level encryption at rest for questionnaire answers and what echoes them.

Keys come from the environment (`ANSWERS_ENCRYPTION_KEYS`, comma-separated Fernet keys): the
first encrypts, every one decrypts, so a new key is put first, `manage.py rotate_answer_keys`
re-encrypts every row with it, and the old key is then removed. A token no key opens raises
`UndecryptableValue` (never falls back to returning ciphertext or an empty value).
"""

import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class UndecryptableValue(Exception):
    """A stored token that none of the configured keys opens (wrong or removed key)."""


@lru_cache(maxsize=4)
def _multifernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("ANSWERS_ENCRYPTION_KEYS must hold at least one Fernet key.")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured("ANSWERS_ENCRYPTION_KEYS holds a malformed key.") from error


def answers_fernet() -> MultiFernet:
    keys = tuple(key.strip() for key in settings.ANSWERS_ENCRYPTION_KEYS if key.strip())
    return _multifernet(keys)


def encrypt_json(value: Any) -> str:
    plain = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False).encode()
    return answers_fernet().encrypt(plain).decode()


def decrypt_json(token: str) -> Any:
    try:
        plain = answers_fernet().decrypt(token.encode())
    except InvalidToken:
        # No chained detail: nothing about the token goes into a traceback or error report.
        raise UndecryptableValue(
            "Stored value cannot be decrypted with the configured keys."
        ) from None
    return json.loads(plain)


def rotate_token(token: str) -> str:
    """The same value encrypted with the first key (MultiFernet.rotate)."""
    try:
        return answers_fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise UndecryptableValue(
            "Stored value cannot be decrypted with the configured keys."
        ) from None


class EncryptedJSONField(models.Field[Any, Any]):
    """A JSON value stored as one Fernet token in a text column; transparent to callers.

    It cannot be filtered on by content (the column is ciphertext), which is the point.
    """

    description = "JSON, encrypted at rest"

    def get_internal_type(self) -> str:
        return "TextField"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if value is None:
            return value
        return decrypt_json(value)

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        return encrypt_json(value)

    def value_to_string(self, obj: models.Model) -> str:
        return json.dumps(self.value_from_object(obj), cls=DjangoJSONEncoder)

    def formfield(self, **kwargs: Any) -> Any:
        from django import forms

        return super().formfield(**{"form_class": forms.JSONField, **kwargs})
