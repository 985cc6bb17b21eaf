"""Fødselsnummer and D-number: validated with python-stdnum, stored only as a digest."""

from datetime import date

import pytest

from intake.national_id import (
    InvalidNationalId,
    national_id_birth_date,
    national_id_digest,
    national_id_normalise,
)

# Synthetic numbers with valid check digits (made up, not belonging to anyone we know of).
VALID_FNR = "15108695088"
VALID_DNR = "55108695071"


def test_valid_number_is_normalised() -> None:
    assert national_id_normalise("151086 95088") == VALID_FNR
    assert national_id_birth_date(VALID_FNR) == date(1986, 10, 15)


def test_d_number_adds_40_to_the_day() -> None:
    number = national_id_normalise(VALID_DNR)
    assert national_id_birth_date(number) == date(1986, 10, 15)


@pytest.mark.parametrize("bad", ["15108695077", "1510869508", "abcdefghijk", "32138695088", ""])
def test_wrong_check_digits_or_shape_is_refused(bad: str) -> None:
    with pytest.raises(InvalidNationalId):
        national_id_normalise(bad)


def test_digest_is_keyed_and_hides_the_number(settings: object) -> None:
    digest = national_id_digest(VALID_FNR)
    assert len(digest) == 64 and VALID_FNR not in digest
    assert digest == national_id_digest(VALID_FNR)
    settings.NATIONAL_ID_HASH_KEY = "another-key"  # type: ignore[attr-defined]
    assert national_id_digest(VALID_FNR) != digest
