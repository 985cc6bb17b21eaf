"""Norwegian national ids (fødselsnummer and D-number): validate, then keep only a digest.

python-stdnum (the maintained library) checks the classic rule: both mod-11 check digits fixed.
From 2032 the Tax Administration (Skatteetaten) issues numbers whose first check digit may also
leave a remainder of 1, 2 or 3 (the individual numbers run out otherwise); the second check
digit keeps its rule. stdnum 2.2 does not know that yet, so the relaxed first digit is checked
here, and only from the day such numbers can exist: before it, a number that only passes the new
rule is a typo far more often than a real number, and is refused.
"""

import hashlib
import hmac
from datetime import date

from django.conf import settings
from django.utils import timezone
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.no import fodselsnummer

K1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2, 1)
# Remainders allowed for the first check digit's weighted sum in the 2032 scheme (0 is classic).
K1_REMAINDERS_2032 = frozenset({0, 1, 2, 3})


class InvalidNationalId(ValueError):
    pass


def scheme_2032_in_force(today: date | None = None) -> bool:
    start: date = settings.NATIONAL_ID_2032_SCHEME_FROM
    return (today or timezone.localdate()) >= start


def _check_digits_2032_valid(number: str) -> bool:
    k1_sum = sum(w * int(d) for w, d in zip(K1_WEIGHTS, number[:10], strict=True))
    return k1_sum % 11 in K1_REMAINDERS_2032 and number[-1] == fodselsnummer.calc_check_digit2(
        number
    )


def national_id_normalise(value: str) -> str:
    """The 11 digits of a valid fødselsnummer or D-number, or InvalidNationalId."""
    try:
        number: str = fodselsnummer.validate(value)
    except InvalidChecksum as exc:
        number = fodselsnummer.compact(value)
        if not (scheme_2032_in_force() and _check_digits_2032_valid(number)):
            raise InvalidNationalId(str(exc)) from exc
    except StdnumValidationError as exc:
        raise InvalidNationalId(str(exc)) from exc
    try:
        born = fodselsnummer.get_birth_date(number)
    except StdnumValidationError as exc:
        raise InvalidNationalId(str(exc)) from exc
    if born > timezone.localdate():
        raise InvalidNationalId("born in the future")
    return number


def national_id_birth_date(number: str) -> date:
    birth_date: date = fodselsnummer.get_birth_date(number)
    return birth_date


def national_id_digest(number: str) -> str:
    """A keyed digest: lets us match the same person again without storing the number."""
    key = settings.NATIONAL_ID_HASH_KEY.encode()
    return hmac.new(key, number.encode(), hashlib.sha256).hexdigest()
