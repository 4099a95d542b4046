import datetime as dt

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from hypothesis import assume, given
from hypothesis import strategies as st

from fazhi.core import errors
from fazhi.core.validators import (
    PROVINCE_PREFIXES,
    USCC_ALPHABET,
    USCC_AUTHORITIES,
    DivisionLevel,
    division_level,
    division_parent,
    id_number_birth_date,
    id_number_check_digit,
    id_number_is_female,
    normalise_division_code,
    normalise_id_number,
    normalise_uscc,
    organisation_code_check,
    uscc_check_character,
    validate_division_code,
    validate_id_number,
    validate_uscc,
)

# Published codes of real companies (printed on their business licences).
REAL_USCC = ["9144030071526726XG", "91330100716105852F", "91110108551385082Q"]


def _code(exc_info):
    return exc_info.value.code


# --- division codes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "level", "parent"),
    [
        ("350000", DivisionLevel.PROVINCE, None),
        ("350500", DivisionLevel.CITY, "350000"),
        ("350503", DivisionLevel.DISTRICT, "350500"),
        ("110101", DivisionLevel.DISTRICT, "110100"),
        ("429004", DivisionLevel.DISTRICT, "429000"),
        (" 511102 ", DivisionLevel.DISTRICT, "511100"),
    ],
)
def test_division_levels(code, level, parent):
    assert normalise_division_code(code) == code.strip()
    assert division_level(code) == level
    assert division_parent(code) == parent


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("35050", "division_code_format"),
        ("3505031", "division_code_format"),
        ("35O503", "division_code_format"),
        ("３５０５０３", "division_code_format"),
        ("", "division_code_format"),
        ("990000", "division_code_province"),
        ("100000", "division_code_province"),
        ("350012", "division_code_structure"),
    ],
)
def test_division_code_refused(code, error):
    with pytest.raises(errors.ValidationFailed) as info:
        normalise_division_code(code)
    assert _code(info) == error
    assert info.value.message


# --- USCC -------------------------------------------------------------------------------------

ORG_ALPHABET = [c for c in USCC_ALPHABET]


@st.composite
def usccs(draw):
    authority = draw(st.sampled_from(sorted(USCC_AUTHORITIES)))
    kind = draw(st.sampled_from(sorted(USCC_AUTHORITIES[authority])))
    province = draw(st.sampled_from(sorted(PROVINCE_PREFIXES)))
    city = draw(st.integers(1, 99))
    county = draw(st.integers(0, 99))
    division = f"{province}{city:02d}{county:02d}"
    body = "".join(draw(st.lists(st.sampled_from(ORG_ALPHABET), min_size=8, max_size=8)))
    check = organisation_code_check(body)
    assume(check in USCC_ALPHABET)  # always true: X and digits are in the alphabet
    first17 = f"{authority}{kind}{division}{body}{check}"
    return first17 + uscc_check_character(first17)


@pytest.mark.parametrize("code", REAL_USCC)
def test_real_uscc_pass(code):
    assert normalise_uscc(code) == code
    assert normalise_uscc(f"  {code.lower()} ") == code


def test_national_division_allowed_in_uscc():
    first17 = "11100000" + "00001234" + organisation_code_check("00001234")
    code = first17 + uscc_check_character(first17)
    assert normalise_uscc(code) == code


@given(usccs())
def test_constructed_uscc_passes(code):
    assert normalise_uscc(code) == code


@given(usccs(), st.integers(0, 17), st.sampled_from(list(USCC_ALPHABET) + list("IOZSV*")))
def test_any_single_change_of_uscc_fails(code, position, replacement):
    # The check character is a weighted sum mod 31 with weights 3^i, all non-zero mod the prime 31,
    # and two different characters differ by 1..30: every single substitution changes the sum,
    # so no single change can yield another valid code. Only a change of letter case is not a
    # change at all (we normalise to upper case), and the strategy never produces lower case.
    assume(code[position] != replacement)
    altered = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(errors.ValidationFailed):
        normalise_uscc(altered)


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("9144030071526726X", "uscc_length"),
        ("9144030071526726XGG", "uscc_length"),
        ("9144030071526726IG", "uscc_character"),
        ("B144030071526726XG", "uscc_authority"),
        ("9444030071526726XG", "uscc_type"),
        ("9199030071526726XG", "uscc_division"),
        ("9144030071526727XG", "uscc_org_code"),
        ("9144030071526726XH", "uscc_check"),
    ],
)
def test_uscc_refused_with_code(code, error):
    with pytest.raises(errors.ValidationFailed) as info:
        normalise_uscc(code)
    assert _code(info) == error


# --- ID numbers -------------------------------------------------------------------------------


@st.composite
def id_numbers(draw):
    province = draw(st.sampled_from(sorted(PROVINCE_PREFIXES)))
    rest = draw(st.integers(0, 9999))
    birth = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2024, 12, 31)))
    seq = draw(st.integers(0, 999))
    first17 = f"{province}{rest:04d}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_number_check_digit(first17)


def test_known_id_number():
    # The example from GB 11643-1999 itself.
    assert normalise_id_number("11010519491231002x") == "11010519491231002X"
    assert id_number_birth_date("11010519491231002X") == dt.date(1949, 12, 31)
    assert id_number_is_female("11010519491231002X")


@given(id_numbers())
def test_constructed_id_number_passes(number):
    assert normalise_id_number(number) == number


@given(id_numbers(), st.integers(0, 17), st.sampled_from(list("0123456789X")))
def test_any_single_change_of_id_number_fails(number, position, replacement):
    # MOD 11-2: weights 2^k mod 11 are non-zero mod the prime 11 and digits differ by 1..9, so a
    # single substitution always changes the sum. (Lower-case x is the same character.)
    assume(number[position] != replacement)
    altered = number[:position] + replacement + number[position + 1 :]
    with pytest.raises(errors.ValidationFailed):
        normalise_id_number(altered)


@pytest.mark.parametrize(
    ("number", "error"),
    [
        ("1101051949123100", "id_number_format"),
        ("11010519491231002A", "id_number_format"),
        ("1101051949123100X2", "id_number_format"),
        ("99010519491231002X", "id_number_division"),
        ("110105194902300021", "id_number_birth_date"),
        ("110105189912310021", "id_number_birth_date"),
        ("11010519491231002Y", "id_number_format"),
        ("110105194912310021", "id_number_check"),
    ],
)
def test_id_number_refused_with_code(number, error):
    with pytest.raises(errors.ValidationFailed) as info:
        normalise_id_number(number)
    assert _code(info) == error


def test_id_number_born_in_the_future_refused():
    first17 = "11010520300101001"
    number = first17 + id_number_check_digit(first17)
    with pytest.raises(errors.ValidationFailed) as info:
        normalise_id_number(number, today=dt.date(2026, 1, 1))
    assert _code(info) == "id_number_birth_date"


# --- Django wrappers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("validator", "good", "bad", "code"),
    [
        (validate_uscc, REAL_USCC[0], "9144030071526726XH", "uscc_check"),
        (validate_id_number, "11010519491231002X", "110105194912310021", "id_number_check"),
        (validate_division_code, "350503", "35050", "division_code_format"),
    ],
)
def test_django_validators(validator, good, bad, code):
    assert validator(good) is None
    with pytest.raises(DjangoValidationError) as info:
        validator(bad)
    assert info.value.code == code
