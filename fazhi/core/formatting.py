"""Chinese government formatting conventions: dates, amounts in capitals, document numbers.

The amount rules follow 中国人民银行《支付结算办法》附件一《正确填写票据和结算凭证的基本规定》:

* "壹拾" keeps its 壹 (10 is 壹拾元整, never 拾元整).
* Zeros between two non-zero digits of the yuan part are written as one 零, also across a 万/亿
  group (100,005 → 壹拾万零伍元; 107,000 → 壹拾万零柒仟元). Trailing zeros are not written.
* When 角 is zero and 分 is not, 零 is written after 元 (325.04 → 叁佰贰拾伍元零肆分). When only
  the 元 digit is zero (1,680.32) the rules allow either form; we write none
  (壹仟陆佰捌拾元叁角贰分).
* 整 follows 元 or 角; an amount that ends with 分 takes no 整.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from fazhi.core import errors

DIGITS = "零壹贰叁肆伍陆柒捌玖"
_POSITIONS = ("", "拾", "佰", "仟")
_GROUPS = ("", "万", "亿")
# One trillion yuan (1万亿) and above would need 万亿 groups; no fine or fee comes near it.
MAX_AMOUNT = Decimal("999999999999.99")


def cn_date(value: dt.date | dt.datetime) -> str:
    """2024年12月5日 (no leading zeros). An aware datetime is first turned into local time."""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.date()
    return f"{value.year}年{value.month}月{value.day}日"


def _to_decimal(amount: Decimal | int | str) -> Decimal:
    if isinstance(amount, float):
        raise errors.ValidationFailed("金额不能用浮点数表示。", code="amount_float")
    try:
        value = Decimal(str(amount).strip().replace(",", ""))
    except InvalidOperation as exc:
        raise errors.ValidationFailed("金额格式不正确。", code="amount_invalid") from exc
    if not value.is_finite():
        raise errors.ValidationFailed("金额格式不正确。", code="amount_invalid")
    if value < 0:
        raise errors.ValidationFailed("金额不能为负数。", code="amount_negative")
    if value != value.quantize(Decimal("0.01")):
        raise errors.ValidationFailed("金额最多精确到分。", code="amount_precision")
    if value > MAX_AMOUNT:
        raise errors.ValidationFailed("金额超出可以大写的范围。", code="amount_too_large")
    return value.quantize(Decimal("0.01"))


def _yuan_in_capitals(yuan: int) -> str:
    digits = str(yuan)
    out: list[str] = []
    zero_pending = False
    n = len(digits)
    for i, ch in enumerate(digits):
        power = n - 1 - i
        d = int(ch)
        if d == 0:
            zero_pending = bool(out)
        else:
            if zero_pending:
                out.append("零")
                zero_pending = False
            out.append(DIGITS[d] + _POSITIONS[power % 4])
        if power % 4 == 0 and power > 0:
            group = digits[max(0, i - 3) : i + 1]
            if int(group):
                out.append(_GROUPS[power // 4])
    return "".join(out)


def amount_in_capitals(amount: Decimal | int | str, *, prefix: str = "人民币") -> str:
    """人民币壹拾万零伍元贰角整 for 100005.20. Refuses negatives and sub-分 precision."""
    value = _to_decimal(amount)
    cents = int(value * 100)
    yuan, rest = divmod(cents, 100)
    jiao, fen = divmod(rest, 10)
    if cents == 0:
        return f"{prefix}零元整"
    text = ""
    if yuan:
        text = _yuan_in_capitals(yuan) + "元"
    if jiao:
        text += DIGITS[jiao] + "角"
    elif fen and yuan:
        text += "零"
    if fen:
        text += DIGITS[fen] + "分"
    else:
        text += "整"
    return prefix + text


def document_number(prefix: str, year: int, serial: int) -> str:
    """泉卫医罚〔2024〕12号: GB/T 9704 — the year in 六角括号, the serial without padding or 第."""
    prefix = prefix.strip()
    if not prefix:
        raise errors.ValidationFailed("文号代字不能为空。", code="docnumber_prefix_empty")
    if not 1000 <= year <= 9999:
        raise errors.ValidationFailed("文号年份应为四位数字。", code="docnumber_year_invalid")
    if serial < 1:
        raise errors.ValidationFailed("文号序号应从1开始。", code="docnumber_serial_invalid")
    return f"{prefix}〔{year}〕{serial}号"
