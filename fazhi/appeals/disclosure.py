"""The reconsideration and litigation part of the annual government-information-disclosure report
(国办公开办函〔2021〕30号, table "政府信息公开行政复议、行政诉讼情况"), counted from the appeals
that challenge a disclosure request (``Appeal.disclosure_request``). Decision 0084.

Three groups — 行政复议, 行政诉讼 未经复议直接起诉, 行政诉讼 复议后起诉 (a lawsuit linked to its
earlier reconsideration) — each with 结果维持 / 结果纠正 / 其他结果 / 尚未审结 / 总计:

- an appeal decided in the year counts under its result: 结果纠正 if it counts as corrected (复议
  纠错) or lost (败诉), decision 0073; 结果维持 if the act was upheld or the request (claim) was
  dismissed; 其他结果 otherwise (suit dismissed, settled, withdrawn);
- an appeal received by the year's end and not decided by it counts as 尚未审结;
- 总计 is the sum of the four. An appeal decided before the year does not count.

The caller passes the disclosure requests already narrowed to the user's scope.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from fazhi.appeals.models import Appeal, AppealKind, Outcome

GROUPS = ("行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）")
RESULTS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
UPHELD = frozenset({Outcome.UPHELD, Outcome.REQUEST_DISMISSED})


@dataclass
class AppealGroup:
    label: str
    counts: list[int]  # one per result, then the total


def _result(outcome: str, adverse: bool, decided_on: dt.date | None, end: dt.date) -> int:
    if decided_on is None or decided_on > end or not outcome:
        return 3
    if adverse:
        return 1
    if outcome in UPHELD:
        return 0
    return 2


def _group(kind: str, earlier: int | None) -> int:
    if kind == AppealKind.RECONSIDERATION:
        return 0
    return 1 if earlier is None else 2


def disclosure_appeal_table(*, requests: QuerySet[Any], year: int) -> list[AppealGroup]:
    """The three groups of ``year`` over the appeals challenging one of ``requests``."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    rows = (
        Appeal.objects.filter(disclosure_request__in=requests, received_on__lte=end)
        .filter(Q(decided_on__isnull=True) | Q(decided_on__gte=start))
        .values_list("kind", "reconsideration_id", "outcome", "corrected", "lost", "decided_on")
    )
    counts = [[0] * 4 for _ in GROUPS]
    for kind, earlier, outcome, corrected, lost, decided_on in rows:
        counts[_group(kind, earlier)][_result(outcome, corrected or lost, decided_on, end)] += 1
    return [AppealGroup(label, [*c, sum(c)]) for label, c in zip(GROUPS, counts, strict=True)]
