"""The limitation check (追责时效, 行政处罚法 Art. 36) before a case is filed.

A violation not discovered within two years is not punished; five years where it concerns
citizens' life and health (or financial security) and had harmful consequences. The period runs
from the act, or from its end for a continuing or repeated act. The periods are in years, so the
end date needs no calendar except for the roll off a holiday: an end in a year the calendar does
not know yet is answered with the unrolled date and a note that a holiday may move it, so that
filing a case this year is never blocked by next year's calendar.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fazhi.core import clock, rules
from fazhi.core.periods import compute_due

GENERAL_RULE = "penalty.limitation"
# The longest roll off a run of rest days the calendar has seen (the 8-day Spring Festival and
# National Day breaks, plus a weekend): past this, "expired" no longer depends on the roll.
MAX_HOLIDAY_ROLL_DAYS = 10
HEALTH_RULE = "penalty.limitation_health"


@dataclass(frozen=True)
class LimitationCheck:
    rule: rules.Rule
    act_ended_on: dt.date
    discovered_on: dt.date
    ends_on: dt.date
    provisional: bool  # ``ends_on`` is unrolled: its year's holidays are not published yet
    expired: bool
    certain: bool  # False only when a holiday roll not yet known could still decide it
    notes: tuple[str, ...]

    @property
    def summary(self) -> str:
        end = f"{self.ends_on.year}年{self.ends_on.month}月{self.ends_on.day}日"
        if self.expired:
            verdict = "已超过追责时效，不再给予行政处罚" if self.certain else "可能已超过追责时效"
        else:
            verdict = "在追责时效内"
        return f"{verdict}（时效届满日{end}，{self.rule.citation}）"


def limitation_check(
    *,
    act_ended_on: dt.date,
    discovered_on: dt.date | None = None,
    life_or_health_harm: bool = False,
    province: str | None = None,
) -> LimitationCheck:
    """Is a violation that ended on ``act_ended_on`` still punishable when discovered on
    ``discovered_on`` (default today)?"""
    discovered_on = discovered_on or clock.today()
    key = HEALTH_RULE if life_or_health_harm else GENERAL_RULE
    due = compute_due(key, act_ended_on, province=province, provisional=True)
    expired = discovered_on > due.due
    # A provisional end can only move later (the roll off a holiday, at most a few days):
    # "not expired" is certain, "expired" is certain once past the longest possible roll.
    certain = not (
        due.provisional and expired and (discovered_on - due.due).days <= MAX_HOLIDAY_ROLL_DAYS
    )
    return LimitationCheck(
        rule=due.rule,
        act_ended_on=act_ended_on,
        discovered_on=discovered_on,
        ends_on=due.due,
        provisional=due.provisional,
        expired=expired,
        certain=certain,
        notes=due.warnings,
    )
