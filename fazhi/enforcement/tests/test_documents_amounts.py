"""Amounts in Chinese capitals (大写金额): exact, the bank's writing of zeros and 整."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fazhi.enforcement.documents.amounts import (
    DIGITS,
    amount_both,
    amount_in_capitals,
    amount_in_figures,
)


@pytest.mark.parametrize(
    ("amount", "capitals"),
    [
        ("12000", "壹万贰仟元整"),
        ("0", "零元整"),
        ("0.50", "伍角"),
        ("0.05", "伍分"),
        ("1", "壹元整"),
        ("10", "壹拾元整"),
        ("15", "壹拾伍元整"),
        ("105", "壹佰零伍元整"),
        ("1005.06", "壹仟零伍元零陆分"),
        ("1000.50", "壹仟元伍角"),
        ("1010", "壹仟零壹拾元整"),
        ("100000", "壹拾万元整"),
        ("100500", "壹拾万零伍佰元整"),
        ("728588", "柒拾贰万捌仟伍佰捌拾捌元整"),
        ("30000.00", "叁万元整"),
        ("100000000", "壹亿元整"),
        ("100010000", "壹亿零壹万元整"),
        ("1000001", "壹佰万零壹元整"),
        ("120034005.67", "壹亿贰仟零叁万肆仟零伍元陆角柒分"),
        ("999999999999.99", "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    ],
)
def test_capitals(amount, capitals):
    assert amount_in_capitals(Decimal(amount)) == capitals


def test_figures_and_both():
    assert amount_in_figures(Decimal("12000")) == "12,000.00"
    assert amount_both(Decimal("12000")) == "人民币壹万贰仟元整（¥12,000.00）"


@pytest.mark.parametrize("bad", ["-1", "0.001", "1000000000000", "NaN", "Infinity", "abc"])
def test_bad_amounts_are_refused(bad):
    with pytest.raises(ValueError):
        amount_in_capitals(bad)


def _back(text: str) -> Decimal:
    """Read capitals back to a number (the inverse, for the property test)."""
    units = {"拾": 10, "佰": 100, "仟": 1000}
    total, section, digit = Decimal(0), 0, 0
    cents = Decimal(0)
    rest = text.removesuffix("整")
    if "元" in rest:
        whole, rest = rest.split("元")
    elif rest.endswith(("角", "分")):
        whole = ""
    else:
        whole = rest
        rest = ""
    for char in whole:
        if char in DIGITS:
            digit = DIGITS.index(char)
        elif char in units:
            section += digit * units[char]
            digit = 0
        elif char == "万":
            total += (section + digit) * 10_000
            section = digit = 0
        elif char == "亿":
            total = (total + section + digit) * 100_000_000
            section = digit = 0
    total += section + digit
    for index, char in enumerate(rest):
        next_char = rest[index + 1] if index + 1 < len(rest) else ""
        if char in DIGITS and next_char == "角":
            cents += Decimal(DIGITS.index(char)) / 10
        elif char in DIGITS and next_char == "分":
            cents += Decimal(DIGITS.index(char)) / 100
    return total + cents


@given(st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2))
def test_capitals_read_back_to_the_amount(amount):
    text = amount_in_capitals(amount)
    assert ("零零" not in text and not text.startswith("零")) or text == "零元整"
    assert _back(text) == amount


@pytest.mark.parametrize(
    ("value", "words"),
    [(1, "一"), (5, "五"), (10, "十"), (15, "十五"), (60, "六十"), (99, "九十九")],
)
def test_periods_in_chinese_numerals(value, words):
    from fazhi.enforcement.documents.facts import chinese_number

    assert chinese_number(value) == words
