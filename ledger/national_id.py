"""Norwegian national identity numbers (fødselsnummer and D-nummer), INV-11.

Validation is python-stdnum's (11 digits, both mod-11 check digits, a real
date, D-numbers); this module only adds the domain error and the birth date.
"""

from __future__ import annotations

from datetime import date

from stdnum.exceptions import ValidationError
from stdnum.no import fodselsnummer

from ledger.errors import InvalidInput


def validate_national_id(value: str) -> str:
    """Return the compact 11-digit form, or refuse with INV-11."""
    if not isinstance(value, str):
        raise InvalidInput("INV-11", "Fødselsnummer/D-nummer må være en tekst med 11 siffer.")
    try:
        compact = fodselsnummer.validate(value)
        fodselsnummer.get_birth_date(compact)
    except ValidationError:
        # The number itself is personal data: never echo it in the message.
        raise InvalidInput(
            "INV-11", "Ugyldig fødselsnummer/D-nummer (11 siffer, kontrollsiffer og gyldig dato)."
        ) from None
    return compact


def birth_date_of(national_id: str) -> date:
    return fodselsnummer.get_birth_date(validate_national_id(national_id))


def synthesize(birth: date, individual: int = 0, *, d_number: bool = False) -> str:
    """Make a valid number for a birth date: for demo and test data only.

    Tries individual numbers from `individual` upwards until both check digits
    exist (a number whose check digit would be 10 is not issued).
    """
    day = birth.day + (40 if d_number else 0)
    year = birth.year
    for offset in range(1000):
        ind = _individual_for_century(year, (individual + offset) % 500)
        if ind is None:
            continue
        base = f"{day:02d}{birth.month:02d}{year % 100:02d}{ind:03d}"
        k1 = fodselsnummer.calc_check_digit1(base)
        if len(k1) != 1:
            continue
        k2 = fodselsnummer.calc_check_digit2(base + k1)
        if len(k2) != 1:
            continue
        return base + k1 + k2
    raise ValueError("no valid individual number for that date")


def _individual_for_century(year: int, n: int) -> int | None:
    if 1900 <= year <= 1999:
        return n  # 000-499
    if 2000 <= year <= 2039:
        return 500 + n % 500  # 500-999
    return None
