"""Fødselsnummer and D-number: validated with python-stdnum, stored only as a digest."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

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


# ---- the 2032 scheme ------------------------------------------------------------------------
# From 2032 new numbers may have a first check digit whose weighted sum leaves remainder 1, 2 or 3
# (Skatteetaten); the second check digit keeps the classic rule. python-stdnum 2.2 checks only the
# classic rule, so intake.national_id adds the relaxed one from NATIONAL_ID_2032_SCHEME_FROM.

W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def with_check_digits(nine: str, remainder: int) -> str | None:
    """The number whose first check digit leaves `remainder`, or None if that digit would be 10."""
    k1 = (remainder - sum(w * int(d) for w, d in zip(W1, nine, strict=True))) % 11
    if k1 == 10:
        return None
    ten = nine + str(k1)
    k2 = (11 - sum(w * int(d) for w, d in zip(W2, ten, strict=True)) % 11) % 11
    return None if k2 == 10 else ten + str(k2)


NINE = "151086402"  # 15 October 1986, individual number 402 (synthetic)


def test_2032_scheme_is_refused_before_it_is_in_force() -> None:
    with time_machine.travel(datetime(2031, 12, 31, 12, tzinfo=UTC), tick=False):
        for remainder in (1, 2, 3):
            number = with_check_digits(NINE, remainder)
            assert number is not None
            with pytest.raises(InvalidNationalId):
                national_id_normalise(number)


def test_2032_scheme_is_accepted_from_2032() -> None:
    with time_machine.travel(datetime(2032, 1, 1, 12, tzinfo=UTC), tick=False):
        for remainder in (0, 1, 2, 3):
            number = with_check_digits(NINE, remainder)
            assert number is not None
            assert national_id_normalise(number) == number
            assert national_id_birth_date(number) == date(1986, 10, 15)
        # Remainder 4 is not in the scheme, and a wrong second digit never passes.
        four = with_check_digits(NINE, 4)
        assert four is not None
        with pytest.raises(InvalidNationalId):
            national_id_normalise(four)
        one = with_check_digits(NINE, 1)
        assert one is not None
        with pytest.raises(InvalidNationalId):
            national_id_normalise(one[:10] + str((int(one[10]) + 1) % 10))


@hypothesis_settings(max_examples=300, deadline=None)
@given(
    born=st.dates(min_value=date(1940, 1, 1), max_value=date(1999, 12, 31)),
    individual=st.integers(min_value=0, max_value=499),
    remainder=st.integers(min_value=0, max_value=10),
    in_force=st.booleans(),
)
def test_check_digit_rule_property(
    born: date, individual: int, remainder: int, in_force: bool
) -> None:
    """Accepted exactly when the remainder is 0, or 1-3 with the 2032 scheme in force."""
    number = with_check_digits(born.strftime("%d%m%y") + f"{individual:03d}", remainder)
    if number is None:
        return
    today = datetime(2032 if in_force else 2031, 6, 1, 12, tzinfo=UTC)
    with time_machine.travel(today, tick=False):
        expected = remainder == 0 or (in_force and remainder in (1, 2, 3))
        try:
            national_id_normalise(number)
            accepted = True
        except InvalidNationalId:
            accepted = False
    assert accepted == expected, (number, remainder, in_force)
