"""Generating valid codes (for demo data, tests and benchmarks), using the core check algorithms."""

from __future__ import annotations

import datetime as dt

from fazhi.core.validators import (
    id_number_check_digit,
    organisation_code_check,
    uscc_check_character,
)


def make_uscc(division_code: str, serial: int, *, authority: str = "9", kind: str = "1") -> str:
    """A valid unified social credit code for ``division_code``; distinct serials give distinct
    codes (the organisation-code body is the zero-padded serial, 8 digits)."""
    body = f"{serial % 100_000_000:08d}"
    first17 = f"{authority}{kind}{division_code}{body}{organisation_code_check(body)}"
    return first17 + uscc_check_character(first17)


def make_id_number(division_code: str, birth: dt.date, serial: int) -> str:
    """A valid citizen ID number; ``serial`` (0-999) is the sequence code."""
    first17 = f"{division_code}{birth:%Y%m%d}{serial % 1000:03d}"
    return first17 + id_number_check_digit(first17)
