import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

from fazhi.core import errors
from fazhi.core.formatting import amount_in_capitals, cn_date, document_number


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.date(2024, 12, 5), "2024年12月5日"),
        (dt.date(2025, 1, 1), "2025年1月1日"),
        (dt.date(2025, 10, 31), "2025年10月31日"),
        # 2024-12-31 20:00 UTC is already 2025-01-01 in Beijing
        (dt.datetime(2024, 12, 31, 20, 0, tzinfo=dt.UTC), "2025年1月1日"),
    ],
)
def test_cn_date(value, expected):
    assert cn_date(value) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("40000", "人民币肆万元整"),
        ("100005.20", "人民币壹拾万零伍元贰角整"),
        ("10", "人民币壹拾元整"),
        ("15", "人民币壹拾伍元整"),
        ("100000", "人民币壹拾万元整"),
        ("1680.32", "人民币壹仟陆佰捌拾元叁角贰分"),
        ("325.04", "人民币叁佰贰拾伍元零肆分"),
        ("107000.53", "人民币壹拾万零柒仟元伍角叁分"),
        ("6007.14", "人民币陆仟零柒元壹角肆分"),
        ("1409.50", "人民币壹仟肆佰零玖元伍角整"),
        ("0.50", "人民币伍角整"),
        ("0.05", "人民币伍分"),
        ("0.55", "人民币伍角伍分"),
        ("0", "人民币零元整"),
        ("1000.05", "人民币壹仟元零伍分"),
        ("100000000", "人民币壹亿元整"),
        ("100010000", "人民币壹亿零壹万元整"),
        ("1000000001", "人民币壹拾亿零壹元整"),
        ("200000", "人民币贰拾万元整"),
        ("3000", "人民币叁仟元整"),
        ("1,234,567.89", "人民币壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"),
        ("999999999999.99", "人民币玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
        (Decimal("5000.00"), "人民币伍仟元整"),
        (20000, "人民币贰万元整"),
    ],
)
def test_amount_in_capitals(amount, expected):
    assert amount_in_capitals(amount) == expected


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("-1", "amount_negative"),
        (Decimal("-0.01"), "amount_negative"),
        ("1.005", "amount_precision"),
        ("abc", "amount_invalid"),
        ("NaN", "amount_invalid"),
        ("1000000000000", "amount_too_large"),
        (1.5, "amount_float"),
    ],
)
def test_amount_in_capitals_refuses(amount, code):
    with pytest.raises(errors.ValidationFailed) as info:
        amount_in_capitals(amount)
    assert info.value.code == code


_CAP_DIGITS = dict(zip("零壹贰叁肆伍陆柒捌玖", range(10), strict=True))
_UNITS = {"拾": 10, "佰": 100, "仟": 1000}


def _parse_capitals(text: str) -> Decimal:
    """An independent reader of the capitals, to check the writer round-trips."""
    assert text.startswith("人民币")
    text = text.removeprefix("人民币").removesuffix("整")
    total = Decimal(0)
    yi = wan = section = 0
    digit = 0
    for ch in text:
        if ch in _CAP_DIGITS:
            digit = _CAP_DIGITS[ch]
        elif ch in _UNITS:
            section += digit * _UNITS[ch]
            digit = 0
        elif ch == "万":
            wan = (section + digit) * 10_000
            section = digit = 0
        elif ch == "亿":
            yi = (section + digit) * 100_000_000
            section = digit = 0
        elif ch == "元":
            total += yi + wan + section + digit
            digit = 0
        elif ch == "角":
            total += Decimal(digit) / 10
            digit = 0
        elif ch == "分":
            total += Decimal(digit) / 100
            digit = 0
        else:
            raise AssertionError(ch)
    return total


@given(st.integers(min_value=0, max_value=99_999_999_999_999))
def test_amount_in_capitals_round_trips(cents):
    amount = Decimal(cents) / 100
    text = amount_in_capitals(amount)
    assert _parse_capitals(text) == amount
    assert "零零" not in text
    assert text.endswith("分") != text.endswith("整")
    assert text.endswith("整") == (cents % 10 == 0)
    assert not text.removeprefix("人民币").startswith("零") or cents == 0


@pytest.mark.parametrize(
    ("prefix", "year", "serial", "expected"),
    [
        ("泉卫医罚", 2024, 12, "泉卫医罚〔2024〕12号"),
        (" 乐卫公罚 ", 2025, 1, "乐卫公罚〔2025〕1号"),
        ("西卫监罚", 2025, 105, "西卫监罚〔2025〕105号"),
    ],
)
def test_document_number(prefix, year, serial, expected):
    assert document_number(prefix, year, serial) == expected


@pytest.mark.parametrize(
    ("prefix", "year", "serial", "code"),
    [
        ("", 2024, 1, "docnumber_prefix_empty"),
        ("泉卫医罚", 24, 1, "docnumber_year_invalid"),
        ("泉卫医罚", 2024, 0, "docnumber_serial_invalid"),
    ],
)
def test_document_number_refuses(prefix, year, serial, code):
    with pytest.raises(errors.ValidationFailed) as info:
        document_number(prefix, year, serial)
    assert info.value.code == code


def test_template_filters():
    template = Template(
        "{% load fazhi_format %}{{ d|cn_date }}|{{ a|rmb_capitals }}|{{ b|rmb_capitals }}"
    )
    out = template.render(Context({"d": dt.date(2024, 12, 5), "a": Decimal("40000"), "b": "-3"}))
    assert out == "2024年12月5日|人民币肆万元整|"
