"""Norwegian national ids (fødselsnummer and D-number): validate, then keep only a digest."""

import hashlib
import hmac
from datetime import date

from django.conf import settings
from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.no import fodselsnummer


class InvalidNationalId(ValueError):
    pass


def national_id_normalise(value: str) -> str:
    """The 11 digits of a valid fødselsnummer or D-number, or InvalidNationalId."""
    try:
        number: str = fodselsnummer.validate(value)
        fodselsnummer.get_birth_date(number)
    except StdnumValidationError as exc:
        raise InvalidNationalId(str(exc)) from exc
    return number


def national_id_birth_date(number: str) -> date:
    birth_date: date = fodselsnummer.get_birth_date(number)
    return birth_date


def national_id_digest(number: str) -> str:
    """A keyed digest: lets us match the same person again without storing the number."""
    key = settings.NATIONAL_ID_HASH_KEY.encode()
    return hmac.new(key, number.encode(), hashlib.sha256).hexdigest()
