"""The late surcharge (加处罚款, 行政处罚法 Art. 72 para 1 (1), Art. 73 para 3): 3% of the fine
per day past the payment period, capped at the fine, not counted while a reconsideration or a
lawsuit runs. The reading of the text's open points is decision 0042:

- the surcharge starts the day after the payment period's last day, after the roll off a
  holiday (the day the party could still pay without it is the period's real end);
- a challenge pauses it from the day it was lodged to the day it ended, both included;
- the base is the fine only (not a confiscation); the result is rounded to the fen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from fazhi.core import rules

RULE = "penalty.late_surcharge"


@dataclass(frozen=True)
class Surcharge:
    days: int  # days counted
    paused_days: int
    amount: Decimal
    capped: bool
    citation: str


def late_surcharge(
    *,
    fine: Decimal,
    payment_due: dt.date,
    until: dt.date,
    pauses: Iterable[tuple[dt.date, dt.date | None]] = (),
    province: str | None = None,
) -> Surcharge:
    """The surcharge on ``fine`` for payment on ``until`` when the period ended ``payment_due``;
    ``pauses`` are the challenges (an open one runs until ``until``)."""
    rule = rules.rule(RULE, on=payment_due, province=province)
    paused: set[dt.date] = set()
    for start, end in pauses:
        day, last = start, end or until
        while day <= last:
            paused.add(day)
            day += dt.timedelta(days=1)
    days = paused_days = 0
    day = payment_due + dt.timedelta(days=1)
    while day <= until:
        if day in paused:
            paused_days += 1
        else:
            days += 1
        day += dt.timedelta(days=1)
    rate = Decimal(str(rule.value.percent_per_day)) / 100
    cap = fine * Decimal(str(rule.value.cap_percent)) / 100
    raw = fine * rate * days
    amount = min(raw, cap).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return Surcharge(
        days=days, paused_days=paused_days, amount=amount, capped=raw > cap, citation=rule.citation
    )
