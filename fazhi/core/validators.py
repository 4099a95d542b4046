"""Chinese code validators: unified social credit code, citizen ID number, division code.

Each ``normalise_*`` function returns the normalised value (stripped, upper-case) or raises
``errors.ValidationFailed`` with a Chinese message and a stable code. The ``validate_*`` functions
at the end wrap them as plain Django validators for model and form fields.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from enum import StrEnum

from django.core.exceptions import ValidationError as DjangoValidationError

from fazhi.core import clock, errors

# --- administrative division codes (GB/T 2260) ---------------------------------------------------

PROVINCE_PREFIXES = frozenset(
    {
        "11", "12", "13", "14", "15",
        "21", "22", "23",
        "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46",
        "50", "51", "52", "53", "54",
        "61", "62", "63", "64", "65",
        "71", "81", "82",
    }
)  # fmt: skip


class DivisionLevel(StrEnum):
    PROVINCE = "province"
    CITY = "city"
    DISTRICT = "district"


def normalise_division_code(value: str) -> str:
    """Six digits: province (2), city (2), county/district (2), e.g. 350503.

    A province-level code ends in 0000, a city-level code in 00; a code whose city part is 00 but
    whose county part is not is malformed.
    """
    code = (value or "").strip()
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        raise errors.ValidationFailed("行政区划代码应为6位数字。", code="division_code_format")
    if code[:2] not in PROVINCE_PREFIXES:
        raise errors.ValidationFailed(
            f"行政区划代码的省级代码“{code[:2]}”不存在。", code="division_code_province"
        )
    if code[2:4] == "00" and code[4:] != "00":
        raise errors.ValidationFailed(
            "行政区划代码层级结构不正确：地市级代码为00时县级代码也应为00。",
            code="division_code_structure",
        )
    return code


def division_level(value: str) -> DivisionLevel:
    code = normalise_division_code(value)
    if code[2:] == "0000":
        return DivisionLevel.PROVINCE
    if code[4:] == "00":
        return DivisionLevel.CITY
    return DivisionLevel.DISTRICT


def division_parent(value: str) -> str | None:
    """The code of the level above (350503 → 350500 → 350000 → None)."""
    code = normalise_division_code(value)
    level = division_level(code)
    if level == DivisionLevel.DISTRICT:
        return code[:4] + "00"
    if level == DivisionLevel.CITY:
        return code[:2] + "0000"
    return None


# --- organisation code (GB 11714) ---------------------------------------------------------------

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _org_char_value(ch: str) -> int:
    if ch.isdigit():
        return int(ch)
    return ord(ch) - ord("A") + 10


_ORG_VALUE = {c: _org_char_value(c) for c in _ALNUM}


def organisation_code_check(body: str) -> str:
    """The GB 11714 check character of an 8-character organisation code body."""
    if len(body) == len(_ORG_WEIGHTS) and not body.strip(_ALNUM):
        # the common case in C (map over a table), checked for every imported USCC
        total = sum(map(operator.mul, map(_ORG_VALUE.__getitem__, body), _ORG_WEIGHTS))
    else:
        total = sum(_org_char_value(c) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    c9 = 11 - total % 11
    if c9 == 10:
        return "X"
    if c9 == 11:
        return "0"
    return str(c9)


# --- unified social credit code (GB 32100-2015) --------------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))

# Registration authority (登记管理部门) → the organisation-type codes it issues (GB 32100 表1).
USCC_AUTHORITIES: dict[str, frozenset[str]] = {
    "1": frozenset("1239"),  # 机构编制: 机关, 事业单位, 中央编办管理的群众团体, 其他
    "2": frozenset("19"),  # 外交
    "3": frozenset("1234569"),  # 司法行政: 律所, 公证处, 基层法律服务所, 司法鉴定, 仲裁委, 其他
    "4": frozenset("19"),  # 文化
    "5": frozenset("1239"),  # 民政: 社会团体, 民办非企业单位, 基金会, 其他
    "6": frozenset("129"),  # 旅游
    "7": frozenset("129"),  # 宗教
    "8": frozenset("19"),  # 工会
    "9": frozenset("123"),  # 工商（市场监管）: 企业, 个体工商户, 农民专业合作社
    "A": frozenset("19"),  # 中央军委改革和编制办公室
    "N": frozenset("12349"),  # 农业农村: 农村集体经济组织
    "Y": frozenset("1"),  # 其他
}
# Organisations registered centrally carry the national code 100000 instead of a division.
NATIONAL_DIVISION = "100000"


def uscc_check_character(first17: str) -> str:
    """The 18th character: 31 − (Σ value × 3^i mod 31) mod 31, over the 31-character alphabet."""
    if len(first17) == len(_USCC_WEIGHTS):
        total = sum(map(operator.mul, map(_USCC_VALUE.__getitem__, first17), _USCC_WEIGHTS))
    else:
        total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def normalise_uscc(value: str) -> str:
    """统一社会信用代码: 18 characters, checked part by part, e.g. 91350503MA2XXXXXXX."""
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise errors.ValidationFailed("统一社会信用代码应为18位。", code="uscc_length")
    if code.strip(USCC_ALPHABET):  # some character outside the alphabet (strip runs in C)
        bad = [c for c in code if c not in _USCC_VALUE]
        raise errors.ValidationFailed(
            f"统一社会信用代码含有不允许的字符“{bad[0]}”（不使用I、O、Z、S、V）。",
            code="uscc_character",
        )
    authority, kind = code[0], code[1]
    if authority not in USCC_AUTHORITIES:
        raise errors.ValidationFailed(
            f"统一社会信用代码第1位登记管理部门代码“{authority}”不存在。", code="uscc_authority"
        )
    if kind not in USCC_AUTHORITIES[authority]:
        raise errors.ValidationFailed(
            f"统一社会信用代码第2位机构类别代码“{kind}”与登记管理部门不符。", code="uscc_type"
        )
    division = code[2:8]
    if division != NATIONAL_DIVISION:
        try:
            normalise_division_code(division)
        except errors.ValidationFailed as exc:
            raise errors.ValidationFailed(
                f"统一社会信用代码第3至8位行政区划代码无效：{exc.message}", code="uscc_division"
            ) from exc
    org_code = code[8:17]
    if organisation_code_check(org_code[:8]) != org_code[8]:
        raise errors.ValidationFailed(
            "统一社会信用代码第9至17位组织机构代码的校验码不正确。", code="uscc_org_code"
        )
    if uscc_check_character(code[:17]) != code[17]:
        raise errors.ValidationFailed(
            "统一社会信用代码校验码（第18位）不正确，请核对。", code="uscc_check"
        )
    return code


# --- citizen ID number (GB 11643-1999) ------------------------------------------------------------

_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_ID_CHECK = "10X98765432"
# The oldest living people were born around 1900; an earlier date is a typing error.
ID_EARLIEST_BIRTH = dt.date(1900, 1, 1)


def id_number_check_digit(first17: str) -> str:
    """ISO 7064 MOD 11-2 over the 17 digits; 10 is written X."""
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def normalise_id_number(value: str, *, today: dt.date | None = None) -> str:
    """公民身份号码: 6-digit address code, 8-digit birth date, 3-digit sequence, check digit."""
    number = (value or "").strip().upper()
    if len(number) != 18 or not number[:17].isascii() or not number[:17].isdigit():
        raise errors.ValidationFailed(
            "公民身份号码应为18位，前17位为数字。", code="id_number_format"
        )
    if not (number[17].isascii() and (number[17].isdigit() or number[17] == "X")):
        raise errors.ValidationFailed("公民身份号码第18位应为数字或X。", code="id_number_format")
    if number[:2] not in PROVINCE_PREFIXES:
        raise errors.ValidationFailed(
            "公民身份号码前6位地址码的省级代码不存在。", code="id_number_division"
        )
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise errors.ValidationFailed(
            "公民身份号码中的出生日期不存在。", code="id_number_birth_date"
        ) from exc
    if today is None:
        today = clock.today()
    if not ID_EARLIEST_BIRTH <= birth <= today:
        raise errors.ValidationFailed(
            "公民身份号码中的出生日期不在合理范围内。", code="id_number_birth_date"
        )
    if id_number_check_digit(number[:17]) != number[17]:
        raise errors.ValidationFailed(
            "公民身份号码校验码（第18位）不正确，请核对。", code="id_number_check"
        )
    return number


def id_number_birth_date(value: str) -> dt.date:
    number = normalise_id_number(value)
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def id_number_is_female(value: str) -> bool:
    """The sequence code's last digit is odd for men, even for women."""
    return int(normalise_id_number(value)[16]) % 2 == 0


# --- Django validators for model and form fields -------------------------------------------------


def _as_django(func: Callable[[str], object], value: str) -> None:
    try:
        func(value)
    except errors.ValidationFailed as exc:
        raise DjangoValidationError(exc.message, code=exc.code) from exc


def validate_uscc(value: str) -> None:
    _as_django(normalise_uscc, value)


def validate_id_number(value: str) -> None:
    _as_django(normalise_id_number, value)


def validate_division_code(value: str) -> None:
    _as_django(normalise_division_code, value)
