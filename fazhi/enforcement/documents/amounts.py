"""Amounts in Chinese capitals (大写金额) for the documents, from an exact ``Decimal``.

The writing follows the bank rule (支付结算办法 附一): 元 is followed by 整 when there are no 角
and 分; one 零 stands for any run of zeros between two digits; 拾 is always preceded by its
digit (壹拾). Amounts are the case's money fields: 0 to under one 万亿 yuan, at most 2 decimals.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

DIGITS = "零壹贰叁肆伍陆柒捌玖"
UNITS = ("", "拾", "佰", "仟")
GROUPS = ("", "万", "亿")
LIMIT = Decimal(10) ** 12  # the case's money fields hold 12 integer digits


def _exact(amount: Decimal | int | str) -> Decimal:
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    except InvalidOperation:
        raise ValueError(f"not an amount: {amount!r}") from None
    if not value.is_finite():
        raise ValueError(f"not an amount: {amount!r}")
    if value < 0:
        raise ValueError("a negative amount has no capitals")
    if value >= LIMIT:
        raise ValueError("amount too large")
    if value != value.quantize(Decimal("0.01")):
        raise ValueError("more than two decimals: round the amount first, exactly")
    return value


def _integer(number: int) -> str:
    digits = str(number)
    out: list[str] = []
    pending_zero = False
    for index, char in enumerate(digits):
        position = len(digits) - 1 - index
        digit = int(char)
        if digit == 0:
            pending_zero = bool(out)
        else:
            if pending_zero:
                out.append("零")
                pending_zero = False
            out.append(DIGITS[digit] + UNITS[position % 4])
        if position % 4 == 0 and position > 0:
            group = digits[max(0, index - 3) : index + 1]
            if int(group):
                out.append(GROUPS[position // 4])
    return "".join(out)


def amount_in_capitals(amount: Decimal | int | str) -> str:
    """``Decimal("12000")`` → ``"壹万贰仟元整"``;
    ``Decimal("1005.06")`` → ``"壹仟零伍元零陆分"``."""
    value = _exact(amount)
    cents = int(value * 100)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    if cents == 0:
        return "零元整"
    text = f"{_integer(yuan)}元" if yuan else ""
    if not jiao and not fen:
        return text + "整"
    if jiao:
        text += DIGITS[jiao] + "角"
    elif yuan:
        text += "零"
    if fen:
        text += DIGITS[fen] + "分"
    return text


def amount_in_figures(amount: Decimal | int | str) -> str:
    """``Decimal("12000")`` → ``"12,000.00"`` (the figures beside the capitals)."""
    return f"{_exact(amount):,.2f}"


def amount_both(amount: Decimal | int | str) -> str:
    """The amount as a document writes it: ``"人民币壹万贰仟元整（¥12,000.00）"``."""
    return f"人民币{amount_in_capitals(amount)}（¥{amount_in_figures(amount)}）"
